"""Typed errors of pywikibot-revert.

Every error is rooted in :exc:`pywikibot.exceptions.Error`, so code that
already catches ``Error`` keeps working. Each class is one situation a
caller handles differently::

    pywikibot.exceptions.Error
     └── RevertError                      (.code, .page, .site, .info)
          ├── AlreadyRolledBackError      the user is not the latest editor
          ├── OnlyAuthorError             nothing older by someone else
          ├── NothingToUndeleteError
          ├── EmptySelectionError (ValueError)
          ├── BadFileVersionError
          ├── IdenticalVersionError       the target equals the current
          ├── HiddenUserError
          ├── MissingTargetError          page/file/user does not exist
          ├── MissingRightError (UserRightsError)
          ├── ProtectedPageError
          ├── BlockedError                (.partial)
          ├── RateLimitedError
          ├── ReadOnlyError
          ├── UnsupportedParameterError (ValueError)
          ├── FileRevertFailedError       result "Failure" without API error
          └── OutcomeUnknownError         an uncertain write stayed uncertain

API error codes map to these classes in ONE table, :data:`API_ERRORS`;
:func:`from_api_error` is the only place that translates.

Misuse by the caller (wrong argument types, both ``title`` and
``pageid``) stays :exc:`TypeError` / :exc:`ValueError`.
"""
from __future__ import annotations

from typing import Any

from pywikibot.exceptions import APIError, Error, UserRightsError

from ._query import title_of


__all__ = [
    'API_ERRORS',
    'AlreadyRolledBackError',
    'BadFileVersionError',
    'BlockedError',
    'EmptySelectionError',
    'FileRevertFailedError',
    'HiddenUserError',
    'IdenticalVersionError',
    'MissingRightError',
    'MissingTargetError',
    'NothingToUndeleteError',
    'OnlyAuthorError',
    'OutcomeUnknownError',
    'ProtectedPageError',
    'RateLimitedError',
    'ReadOnlyError',
    'RevertError',
    'UnsupportedParameterError',
    'from_api_error',
]


class RevertError(Error):

    """Base class of all pywikibot-revert errors.

    :param message: human readable text
    :param code: the MediaWiki API error code, if the wiki answered one
    :param page: the page or file concerned, if any
    :param site: the site concerned, if any
    :param info: the wiki's own explanation, if any
    """

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


class AlreadyRolledBackError(RevertError):

    """The user to revert is not (or no longer) the latest editor.

    Raised for ``alreadyrolled``; also for a file whose current version
    was not uploaded by the user to revert.
    """


class OnlyAuthorError(RevertError):

    """There is nothing by anyone else to go back to (``onlyauthor``)."""


class NothingToUndeleteError(RevertError):

    """No deleted revision matches; nothing was restored."""


class EmptySelectionError(RevertError, ValueError):

    """An undelete selection is empty.

    The server restores *everything* when it gets no timestamps and no
    file ids, so an empty selection is refused before any request.
    """


class BadFileVersionError(RevertError):

    """The requested file version does not exist or is ambiguous."""


class IdenticalVersionError(RevertError):

    """The target version is identical to the current one: a no-op."""


class HiddenUserError(RevertError):

    """The user name of the revision or version is hidden (revdeleted)."""


class MissingTargetError(RevertError):

    """The page, file or user does not exist."""


class MissingRightError(RevertError, UserRightsError):

    """The account lacks a user right; :attr:`right` names it."""

    def __init__(self, message: str, *, right: str | None = None,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(message, **kwargs)
        self.right = right


class ProtectedPageError(RevertError):

    """The page is protected against this account."""


class BlockedError(RevertError):

    """The account is blocked; :attr:`partial` tells a partial block."""

    def __init__(self, message: str, *, partial: bool = False,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(message, **kwargs)
        self.partial = partial


class RateLimitedError(RevertError):

    """The wiki's rate limit was hit and not waited out in time."""


class ReadOnlyError(RevertError):

    """The wiki is read-only (or lagged) longer than the wait allowed."""


class UnsupportedParameterError(RevertError, ValueError):

    """The wiki's MediaWiki version does not know a requested parameter."""


class FileRevertFailedError(RevertError):

    """``action=filerevert`` answered ``{"result": "Failure"}``."""


class OutcomeUnknownError(RevertError):

    """A write may or may not have happened, and the wiki did not tell.

    Nothing is resent; the operator must look at the page.
    """


#: API error code -> error class. The one place codes are mapped.
API_ERRORS: dict[str, type[RevertError]] = {
    'alreadyrolled': AlreadyRolledBackError,
    'onlyauthor': OnlyAuthorError,
    'cantundelete': NothingToUndeleteError,
    'undelete-nodeleted': NothingToUndeleteError,
    'filerevert-badversion': BadFileVersionError,
    'fileexists-no-change': IdenticalVersionError,
    'missingtitle': MissingTargetError,
    'nosuchpageid': MissingTargetError,
    'nosuchuser': MissingTargetError,
    'invalidtitle': MissingTargetError,
    'invaliduser': MissingTargetError,
    'permissiondenied': MissingRightError,
    'writeapidenied': MissingRightError,
    'mwoauth-invalid-authorization-invalid-user': MissingRightError,
    'assertnameduserfailed': MissingRightError,
    'protectedpage': ProtectedPageError,
    'cascadeprotected': ProtectedPageError,
    'protectednamespace': ProtectedPageError,
    'protectednamespace-interface': ProtectedPageError,
    'customcssjsprotected': ProtectedPageError,
    'blocked': BlockedError,
    'autoblocked': BlockedError,
    'blockedfrommail': BlockedError,
    'ratelimited': RateLimitedError,
    'readonly': ReadOnlyError,
    'maxlag': ReadOnlyError,
}


def from_api_error(err: APIError, *, page: Any = None,
                   site: Any = None) -> Error:
    """Translate a pywikibot :exc:`APIError` into a typed error.

    Codes that are not in :data:`API_ERRORS` come back unchanged, so
    nothing the wiki said is hidden.

    >>> from pywikibot.exceptions import APIError
    >>> e = from_api_error(APIError('onlyauthor', 'only one author'))
    >>> type(e).__name__, e.code
    ('OnlyAuthorError', 'onlyauthor')

    :param err: the error pywikibot raised
    :param page: the page concerned
    :param site: the site concerned
    :return: the typed error to raise ``from err``
    """
    cls = API_ERRORS.get(err.code)
    if cls is None:
        return err
    title = title_of(page) if page is not None else None
    message = f'{err.code}: {err.info}'
    if title:
        message = f'{title}: {message}'
    kwargs: dict[str, Any] = {'code': err.code, 'page': page, 'site': site,
                              'info': err.info}
    if cls is BlockedError:
        blockinfo = err.other.get('blockinfo') or {}
        # formatversion 1 says true as '' and false by leaving it out
        kwargs['partial'] = blockinfo.get('blockpartial') not in (None,
                                                                  False)
    return cls(message, **kwargs)
