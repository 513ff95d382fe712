"""Typed errors of pywikibot-revert, and what a run does with each.

Every error is rooted in :exc:`pywikibot.exceptions.Error`, so code that
already catches ``Error`` keeps working. Each class is one situation a
caller handles differently, and its place in the tree is the run
policy of the scripts: a :exc:`NothingToDoError` skips the item (its
:attr:`~RevertError.reason` is what the skip line prints), a
:exc:`StopRunError` stops the whole run cleanly (a rerun with the
journal resumes), anything else fails that item and the run goes on::

    pywikibot.exceptions.Error
    └── RevertError                  .code .page .site .info .reason
        ├── NothingToDoError         skip the item:
        │   ├── AlreadyRolledBackError   user not the latest editor
        │   ├── OnlyAuthorError          nothing by anyone else
        │   ├── NothingToUndeleteError   nothing of it is deleted
        │   ├── IdenticalVersionError    target equals the current
        │   ├── BadFileVersionError      no such version, ambiguous
        │   ├── HiddenUserError          the user name is hidden
        │   ├── MissingTargetError       no such page, file or user
        │   ├── AlreadyCleanError        the user's edits are gone
        │   └── UndoFailedError          an undo does not merge
        ├── StopRunError             stop the run:
        │   ├── OutcomeUnknownError      a write may have happened
        │   ├── RateLimitedError         still limited after the wait
        │   ├── ReadOnlyError            still read-only or lagged
        │   ├── ServerUnavailableError   still failing after the wait
        │   ├── SessionError             logged out, another account
        │   ├── MissingRightError        .right (also UserRightsError)
        │   ├── CaptchaRequiredError     ConfirmEdit asks a person
        │   └── SitewideBlockError       (also BlockedError)
        ├── BlockedError             .partial: fails the page only
        ├── ProtectedPageError
        ├── FilterError              .matches: an anti-abuse filter
        │   ├── AbuseFilterError         refused (never bypassed)
        │   │   └── AbuseFilterWarningError  warned; not resent
        │   ├── BlacklistedLinkError     SpamBlacklist
        │   └── BlacklistedTitleError    TitleBlacklist
        ├── TitleRefusedError        may not edit or create the title
        ├── ConflictError            .restored: the write replaced a
        │   │                        newer change, which was put back
        │   └── EditConflictError        an edit met an unseen edit
        ├── WriteFailedError         result "Failure", no API error
        │   └── FileRevertFailedError    also: read back another sha1
        ├── EmptySelectionError      (also ValueError)
        └── UnsupportedParameterError    (also ValueError)

API error codes map to these classes in ONE table,
:data:`pywikibot_revert.API_ERRORS`, and ``translated`` (in
``wiki._apierrors``) is the one place that translates: a context
manager around each request.

The scripts add four errors of their own to the tree (bad command
line input, an unusable journal, a page changed or re-created since a
run read it); they live with the scripts, in
``pywikibot_revert.bot._errors``.

Misuse by the caller (wrong argument types, both ``title`` and
``pageid``) stays :exc:`TypeError` / :exc:`ValueError`.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pywikibot.exceptions import Error, UserRightsError


__all__ = [
    'AbuseFilterError',
    'AbuseFilterWarningError',
    'AlreadyCleanError',
    'AlreadyRolledBackError',
    'BadFileVersionError',
    'BlacklistedLinkError',
    'BlacklistedTitleError',
    'BlockedError',
    'CaptchaRequiredError',
    'ConflictError',
    'EditConflictError',
    'EmptySelectionError',
    'FileRevertFailedError',
    'FilterError',
    'HiddenUserError',
    'IdenticalVersionError',
    'MissingRightError',
    'MissingTargetError',
    'NothingToDoError',
    'NothingToUndeleteError',
    'OnlyAuthorError',
    'OutcomeUnknownError',
    'ProtectedPageError',
    'RateLimitedError',
    'ReadOnlyError',
    'RevertError',
    'ServerUnavailableError',
    'SessionError',
    'SitewideBlockError',
    'StopRunError',
    'TitleRefusedError',
    'UndoFailedError',
    'UnsupportedParameterError',
    'WriteFailedError',
]


class RevertError(Error):

    """Base class of all pywikibot-revert errors.

    :param message: human readable text
    :param code: the MediaWiki API error code, if the wiki answered one
    :param page: the page or file concerned, if any
    :param site: the site concerned, if any
    :param info: the wiki's own explanation, if any
    """

    #: a few words for skip lines, summaries and reports
    reason: ClassVar[str] = 'failed'

    def __init__(self, message: str, *, code: str | None = None,
                 page: Any = None, site: Any = None,
                 info: str | None = None) -> None:
        """Initializer."""
        super().__init__(message)
        self.code = code
        self.page = page
        self.site = site if site is not None else getattr(page, 'site', None)
        self.info = info

    def __repr__(self) -> str:
        """Return a representation naming the code."""
        return f'{type(self).__name__}({str(self)!r}, code={self.code!r})'


# -- nothing to do: the item is skipped --------------------------------

class NothingToDoError(RevertError):

    """There is nothing to do for this item; a run skips it and goes on."""

    reason = 'nothing to do'


class AlreadyRolledBackError(NothingToDoError):

    """The user to revert is not (or no longer) the latest editor.

    Raised for ``alreadyrolled``; also for a file whose current version
    was not uploaded by the user to revert. MediaWiki also answers
    ``alreadyrolled`` when a rollback would not change the content (a
    file page's upload revisions, say).
    """

    reason = 'not the latest editor or nothing to change'


class OnlyAuthorError(NothingToDoError):

    """There is nothing by anyone else to go back to (``onlyauthor``)."""

    reason = 'only author'


class NothingToUndeleteError(NothingToDoError):

    """No deleted revision matches; nothing was restored."""

    reason = 'nothing to restore'


class IdenticalVersionError(NothingToDoError):

    """The target version is identical to the current one: a no-op."""

    reason = 'already at that version'


class BadFileVersionError(NothingToDoError):

    """The requested file version does not exist or is ambiguous."""

    reason = 'no such version'


class HiddenUserError(NothingToDoError):

    """The user name of the revision or version is hidden (revdeleted)."""

    reason = 'hidden user'


class MissingTargetError(NothingToDoError):

    """The page, file or user does not exist."""

    reason = 'missing'


# -- stop the run --------------------------------------------------------

class StopRunError(RevertError):

    """Going on would be unsafe or pointless: a run stops cleanly.

    Nothing more is written; a rerun with the same journal resumes.
    """

    reason = 'stopped'


class OutcomeUnknownError(StopRunError):

    """A write may or may not have happened, and the wiki did not tell.

    Nothing is resent; the operator must look at the page.
    """

    reason = 'outcome unknown'


class RateLimitedError(StopRunError):

    """The wiki's rate limit was hit and not waited out in time."""

    reason = 'rate limited'


class ReadOnlyError(StopRunError):

    """The wiki is read-only (or lagged) longer than the wait allowed."""

    reason = 'read-only'


class ServerUnavailableError(StopRunError):

    """The wiki kept failing (network, timeouts, 5xx) past the wait.

    The wiki was asked, and showed that the write was not done.
    """

    reason = 'server unavailable'


class SessionError(StopRunError):

    """The session is lost or belongs to another account.

    Raised for ``assertnameduserfailed`` and ``assertuserfailed``: the
    wiki refused the write rather than make it as anyone else.
    """

    reason = 'session lost'


class MissingRightError(StopRunError, UserRightsError):

    """The account lacks a user right; ``right`` names it."""

    reason = 'missing right'

    def __init__(self, message: str, *, right: str | None = None,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(message, **kwargs)
        self.right = right


# -- the item fails, the run goes on ------------------------------------

class BlockedError(RevertError):

    """The account is blocked; ``partial`` tells a partial block.

    A partial block fails the pages it covers; a sitewide block is a
    :exc:`SitewideBlockError` and stops the run.
    """

    reason = 'blocked'

    def __init__(self, message: str, *, partial: bool = True,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(message, **kwargs)
        self.partial = partial


class SitewideBlockError(BlockedError, StopRunError):

    """The account is blocked on the whole wiki."""

    reason = 'blocked sitewide'

    def __init__(self, message: str, **kwargs: Any) -> None:
        """Initializer."""
        kwargs['partial'] = False
        super().__init__(message, **kwargs)


class ProtectedPageError(RevertError):

    """The page is protected against this account."""

    reason = 'protected'


class CaptchaRequiredError(StopRunError):

    """ConfirmEdit asked this account to solve a captcha; nothing written.

    A captcha is for a person: every further edit of the account would
    be asked too, so the run stops. Run it with an account that has the
    ``skipcaptcha`` right (bots and sysops on Wikimedia wikis).
    """

    reason = 'captcha'


class FilterError(RevertError):

    """An anti-abuse filter of the wiki refused the write; nothing written.

    The write is never resent and no filter is bypassed: the page fails
    and the run goes on (another page may pass the filters). The report
    row is for a person, who may do the edit by hand or ask the
    filter's maintainers.

    :ivar matches: what the filter matched, as the wiki said: filter
        descriptions, blacklisted domains, the title blacklist's line
    """

    reason = 'refused by a filter'

    def __init__(self, *args: Any, matches: tuple[str, ...] = (),
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(*args, **kwargs)
        self.matches = tuple(matches)


class AbuseFilterError(FilterError):

    """An AbuseFilter filter disallows the edit (``abusefilter-disallowed``).

    Edits (the undo of buried edits, ``-undo``'s reversal, a put-back)
    are filtered; rollbacks and undeletions are not.
    """

    reason = 'abuse filter'


class AbuseFilterWarningError(AbuseFilterError):

    """An AbuseFilter filter warns about the edit (``abusefilter-warning``).

    MediaWiki saves a warned edit when the same session sends it again,
    and pywikibot's ``Page.save`` does so by itself. A cleanup does not:
    a warning asks a person to look at the edit, and a bot that confirms
    it unseen defeats the filter. The edit is not resent; the page
    fails, is reported, and the run goes on.
    """

    reason = 'abuse filter warning'


class BlacklistedLinkError(FilterError):

    """SpamBlacklist refuses a link the edit adds (``spamblacklist``).

    E.g. ``-undo`` of a spam cleanup whose domain was blacklisted
    since. Rollbacks are not checked by SpamBlacklist: the rollback
    script reports those that bring back a blacklisted link.
    """

    reason = 'blacklisted link'


class BlacklistedTitleError(FilterError):

    """TitleBlacklist forbids the title (``titleblacklist-forbidden``).

    Undeletion is not checked by TitleBlacklist, later edits are,
    unless the account has the ``tboverride`` right.
    """

    reason = 'blacklisted title'


class TitleRefusedError(RevertError):

    """The account may not edit or create this title, so not undelete it.

    MediaWiki refuses an undeletion by an account that could not edit
    the page (``undelete-cantedit``, ``undelete-cantcreate``; 1.35 says
    ``permdenied-undelete``): a title TitleBlacklist forbids is refused
    so (``tboverride`` lets it through), as is one protected against
    creation. The page fails; the run goes on.
    """

    reason = 'may not edit this title'


class AlreadyCleanError(NothingToDoError):

    """The user's edits are no longer in the current text; nothing written.

    A later edit removed them already: MediaWiki's undo of them would
    change nothing.
    """

    reason = 'already clean'


class UndoFailedError(NothingToDoError):

    """An undo of buried edits does not merge with the later edits.

    MediaWiki's three-way merge (``undofailure``) failed, or the edits
    cannot be undone (they created the page). The page is left as it
    is, for a person to review.
    """

    reason = 'undo does not merge'


class ConflictError(RevertError):

    """The write replaced a change newer than the one planned for.

    Someone wrote between our last read and our write. What the write
    replaced has been put back (``restored``), or, if that failed
    too, needs a person.
    """

    reason = 'conflict'

    def __init__(self, *args: Any, restored: bool = False,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(*args, **kwargs)
        self.restored = restored


class EditConflictError(ConflictError):

    """An edit met an edit made after the revision it was planned on.

    MediaWiki refused it (``editconflict``), or merged it onto the
    unseen revision; then it was undone again (``restored``).
    """

    reason = 'edit conflict'


class WriteFailedError(RevertError):

    """The wiki answered ``{"result": "Failure"}`` without an API error."""

    reason = 'write failed'


class FileRevertFailedError(WriteFailedError):

    """``action=filerevert`` failed, or the read-back shows another sha1."""

    reason = 'file revert failed'


class EmptySelectionError(RevertError, ValueError):

    """An undelete selection is empty.

    The server restores *everything* when it gets no timestamps and no
    file ids, so an empty selection is refused before any request.
    """

    reason = 'empty selection'


class UnsupportedParameterError(RevertError, ValueError):

    """The wiki's MediaWiki version does not know a requested parameter."""

    reason = 'unsupported parameter'
