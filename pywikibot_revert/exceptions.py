"""Typed errors of pywikibot-revert, and what a run does with each.

Every error is rooted in :exc:`pywikibot.exceptions.Error`, so code that
already catches ``Error`` keeps working. The tree is the scripts' run
policy: a :exc:`NothingToDoError` skips the item (its
:attr:`~RevertError.reason` is what the skip line prints), a
:exc:`StopRunError` stops the run cleanly (a rerun with the journal
resumes), anything else fails the item and the run goes on::

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
        │   ├── UndoFailedError          an undo does not merge
        │   ├── OtherAuthorsError        .authors: not the user's alone
        │   ├── TitleTakenError          a move's old title has a page
        │   ├── ChangedByOthersError     .by: changed by someone else since
        │   └── NoLongerInForceError     a log action is no longer in force
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
        ├── RevisionDeleteError      a revision's visibility refused
        ├── ConflictError            .restored: a newer change put back
        │   └── EditConflictError        an edit met an unseen edit
        ├── WriteFailedError         result "Failure", no API error
        │   └── FileRevertFailedError    also: read back another sha1
        ├── EmptySelectionError      (also ValueError)
        └── UnsupportedParameterError    (also ValueError)

API error codes map to these classes in ONE table,
:data:`pywikibot_revert.API_ERRORS`, translated in ``wiki._apierrors``
only; the docs page tables when each error happens. The scripts' own
errors join the tree in ``pywikibot_revert.bot._errors``; misuse by
the caller stays :exc:`TypeError` / :exc:`ValueError`.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pywikibot.exceptions import Error, UserRightsError


__all__ = [
    'AbuseFilterError', 'AbuseFilterWarningError', 'AlreadyCleanError',
    'AlreadyRolledBackError', 'BadFileVersionError',
    'BlacklistedLinkError', 'BlacklistedTitleError', 'BlockedError',
    'CaptchaRequiredError', 'ChangedByOthersError', 'ConflictError', 'EditConflictError',
    'EmptySelectionError', 'FileRevertFailedError', 'FilterError',
    'HiddenUserError', 'IdenticalVersionError', 'MissingRightError',
    'MissingTargetError', 'NoLongerInForceError', 'NothingToDoError',
    'NothingToUndeleteError',
    'OnlyAuthorError', 'OtherAuthorsError', 'OutcomeUnknownError',
    'ProtectedPageError', 'RateLimitedError', 'ReadOnlyError',
    'RevertError', 'RevisionDeleteError', 'ServerUnavailableError',
    'SessionError', 'SitewideBlockError', 'StopRunError', 'TitleRefusedError',
    'TitleTakenError', 'UndoFailedError', 'UnsupportedParameterError',
    'WriteFailedError',
]


class RevertError(Error):

    """Base class of all pywikibot-revert errors.

    :param message: human readable text
    :param code: the MediaWiki API error code, if the wiki answered one
    :param page: the page or file concerned, if any
    :param site: the site concerned, if any; defaults to the page's
    :param info: the wiki's own explanation, if any
    """

    #: a few words for skip lines, summaries and reports
    reason: ClassVar[str] = 'failed'
    #: the keyword attributes a subclass adds, with their defaults
    fields: ClassVar[dict[str, Any]] = {}

    def __init__(self, message: str, *, code: str | None = None,
                 page: Any = None, site: Any = None,
                 info: str | None = None, **extra: Any) -> None:
        """Initializer; *extra* sets the class's :attr:`fields`."""
        unknown = set(extra) - set(self.fields)
        if unknown:
            raise TypeError(f'{type(self).__name__} takes no '
                            f'{", ".join(sorted(unknown))}')
        super().__init__(message)
        self.code = code
        self.page = page
        self.site = site if site is not None else getattr(page, 'site', None)
        self.info = info
        for name, default in self.fields.items():
            setattr(self, name, extra.get(name, default))

    def __repr__(self) -> str:
        """Return a representation naming the code."""
        return f'{type(self).__name__}({str(self)!r}, code={self.code!r})'


# -- nothing to do: the item is skipped --------------------------------

class NothingToDoError(RevertError):

    """There is nothing to do for this item; a run skips it and goes on."""

    reason = 'nothing to do'


class AlreadyRolledBackError(NothingToDoError):

    """The user is not the latest editor, or a rollback changes nothing."""

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


class OtherAuthorsError(NothingToDoError):

    """A page is not the user's alone, so it is not deleted.

    :ivar authors: the other authors (an IP range's count for anons)
    """

    reason = 'created, edited by others'
    fields = {'authors': ()}


class TitleTakenError(NothingToDoError):

    """A move's old title has a page of its own: never overwritten."""

    reason = 'old title taken'


class ChangedByOthersError(NothingToDoError):

    """Someone else changed what a log action set; left alone, reported.

    A protection, block or group membership the user set was changed
    again by another account (a later log entry, or the current state
    is not what the user left): putting back the state before the user
    would overwrite that account's decision.

    :ivar by: who changed it, where the wiki tells
    """

    reason = 'changed by someone else since'
    fields = {'by': None}


class NoLongerInForceError(NothingToDoError):

    """What a log action set is gone already: nothing to put back.

    The block expired or was lifted, the protection or the groups are
    already as they were before the user (``cantunblock``).
    """

    reason = 'no longer in force'


class AlreadyCleanError(NothingToDoError):

    """The user's edits are no longer in the current text; nothing written."""

    reason = 'already clean'


class UndoFailedError(NothingToDoError):

    """An undo of buried edits does not merge with the later edits."""

    reason = 'undo does not merge'


# -- stop the run --------------------------------------------------------

class StopRunError(RevertError):

    """Going on would be unsafe or pointless: a run stops, a rerun resumes."""

    reason = 'stopped'


class OutcomeUnknownError(StopRunError):

    """A write may have happened and the wiki did not tell; not resent."""

    reason = 'outcome unknown'


class RateLimitedError(StopRunError):

    """The wiki's rate limit was hit and not waited out in time."""

    reason = 'rate limited'


class ReadOnlyError(StopRunError):

    """The wiki is read-only (or lagged) longer than the wait allowed."""

    reason = 'read-only'


class ServerUnavailableError(StopRunError):

    """The wiki kept failing (network, timeouts, 5xx) past the wait."""

    reason = 'server unavailable'


class SessionError(StopRunError):

    """The session is lost or belongs to another account; nothing written."""

    reason = 'session lost'


class MissingRightError(StopRunError, UserRightsError):

    """The account lacks a user right; ``right`` names it."""

    reason = 'missing right'
    fields = {'right': None}


class CaptchaRequiredError(StopRunError):

    """ConfirmEdit asked this account to solve a captcha; nothing written."""

    reason = 'captcha'


# -- the item fails, the run goes on ------------------------------------

class BlockedError(RevertError):

    """The account is blocked; a ``partial`` block fails the page only."""

    reason = 'blocked'
    fields = {'partial': True}


class SitewideBlockError(BlockedError, StopRunError):

    """The account is blocked on the whole wiki."""

    reason = 'blocked sitewide'
    fields = {'partial': False}


class ProtectedPageError(RevertError):

    """The page is protected against this account."""

    reason = 'protected'


class FilterError(RevertError):

    """An anti-abuse filter of the wiki refused the write; nothing written.

    Subclasses add only a :attr:`~RevertError.reason`. Nothing is resent
    or bypassed: the page fails, its report row is for a person.

    :ivar matches: what the filter matched, as the wiki said: filter
        descriptions, blacklisted domains, the title blacklist's line
    """

    reason = 'refused by a filter'
    fields = {'matches': ()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Initializer; *matches* is kept as a tuple."""
        super().__init__(*args, **kwargs)
        self.matches = tuple(self.matches)


class AbuseFilterError(FilterError):

    """An AbuseFilter filter disallows the edit."""

    reason = 'abuse filter'


class AbuseFilterWarningError(AbuseFilterError):

    """An AbuseFilter filter warns about the edit; it is never resent."""

    reason = 'abuse filter warning'


class BlacklistedLinkError(FilterError):

    """SpamBlacklist refuses a link the edit adds (``spamblacklist``)."""

    reason = 'blacklisted link'


class BlacklistedTitleError(FilterError):

    """TitleBlacklist forbids the title (``titleblacklist-forbidden``)."""

    reason = 'blacklisted title'


class TitleRefusedError(RevertError):

    """The account may not edit or create this title, so not undelete it."""

    reason = 'may not edit this title'


class RevisionDeleteError(RevertError):

    """The wiki refused to hide or show a revision (``revdelete-*``).

    The current revision's content cannot be hidden; a revision hidden
    from administrators (suppressed) cannot be changed without
    ``suppressrevision``; another account changed it meanwhile.
    """

    reason = 'revision deletion refused'


class ConflictError(RevertError):

    """The write replaced a newer change; ``restored``: it was put back."""

    reason = 'conflict'
    fields = {'restored': False}


class EditConflictError(ConflictError):

    """An edit met an edit made after the revision it was planned on."""

    reason = 'edit conflict'


class WriteFailedError(RevertError):

    """The wiki answered ``{"result": "Failure"}`` without an API error."""

    reason = 'write failed'


class FileRevertFailedError(WriteFailedError):

    """``action=filerevert`` failed, or the read-back shows another sha1."""

    reason = 'file revert failed'


class EmptySelectionError(RevertError, ValueError):

    """An undelete selection is empty: refused, the wiki would restore all."""

    reason = 'empty selection'


class UnsupportedParameterError(RevertError, ValueError):

    """The wiki's MediaWiki version does not know a requested parameter."""

    reason = 'unsupported parameter'
