"""API error codes to typed errors: one table, translated in one place.

pywikibot raises :exc:`~pywikibot.exceptions.APIError` with the wiki's
code; :func:`translated`, a context manager around every request the
plugin sends (reads in :mod:`~pywikibot_revert.wiki._query`, writes in
:mod:`~pywikibot_revert.wiki._write`), turns the codes of :data:`API_ERRORS`
into the typed errors of :mod:`~pywikibot_revert.exceptions`. Modules
that answer ``{"result": "Failure"}`` instead of an API error go through
the same table (:func:`raise_for_failure`). A code not in the table
passes through unchanged, as pywikibot raised it: nothing the wiki said
is hidden.

pywikibot also prints ``WARNING: API error CODE: ...`` for every API
error before raising it. For the codes that only mean "nothing to do"
(:data:`EXPECTED`: those the table maps to a
:exc:`~pywikibot_revert.exceptions.NothingToDoError`), the run's own
skip line says it already; :func:`translated` keeps that warning off
the console for the duration of the request (:func:`quiet_expected`),
in pywikibot's log file only. Every other warning prints in full.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pywikibot.exceptions import APIError, Error
from pywikibot.logging import VERBOSE
from pywikibot.page import BasePage

from ..exceptions import (
    AbuseFilterError,
    AbuseFilterWarningError,
    AlreadyRolledBackError,
    BadFileVersionError,
    BlacklistedLinkError,
    BlacklistedTitleError,
    BlockedError,
    CaptchaRequiredError,
    ChangedByOthersError,
    EditConflictError,
    FileRevertFailedError,
    FilterError,
    IdenticalVersionError,
    MissingRightError,
    MissingTargetError,
    NoLongerInForceError,
    NothingToDoError,
    NothingToUndeleteError,
    OnlyAuthorError,
    ProtectedPageError,
    RateLimitedError,
    ReadOnlyError,
    RevertError,
    RevisionDeleteError,
    SessionError,
    SitewideBlockError,
    TitleRefusedError,
    TitleTakenError,
    UndoFailedError,
    WriteFailedError,
)


__all__ = ['API_ERRORS', 'EXPECTED', 'FAILURES', 'FAILURE_KEYS',
           'filter_matches', 'from_api_error',
           'is_partial_block', 'quiet_expected', 'raise_for_failure',
           'title_of', 'translated']


def title_of(item: Any) -> str:
    """Return the title of a Page, or the text itself.

    (A plain ``str`` has a ``title()`` method too: it capitalises words.)

    >>> title_of('some page')
    'some page'
    """
    if isinstance(item, BasePage):
        return item.title()
    return str(item)



#: API error code -> error class. The one place codes are mapped.
API_ERRORS: dict[str, type[RevertError]] = {
    'alreadyrolled': AlreadyRolledBackError,
    'onlyauthor': OnlyAuthorError,
    'cantundelete': NothingToUndeleteError,
    'undelete-nodeleted': NothingToUndeleteError,
    'filerevert-badversion': BadFileVersionError,
    'fileexists-no-change': IdenticalVersionError,
    'undofailure': UndoFailedError,
    'editconflict': EditConflictError,
    # the base revision is of another page: the title was moved away
    'revwrongpage': EditConflictError,
    'missingtitle': MissingTargetError,
    # a move back: the old title got a page of its own meanwhile
    'articleexists': TitleTakenError,
    'nosuchpageid': MissingTargetError,
    'nosuchuser': MissingTargetError,
    'invalidtitle': MissingTargetError,
    'invaliduser': MissingTargetError,
    'permissiondenied': MissingRightError,
    'writeapidenied': MissingRightError,
    'mwoauth-invalid-authorization-invalid-user': MissingRightError,
    'assertnameduserfailed': SessionError,
    'assertuserfailed': SessionError,
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
    # the anti-abuse extensions of Wikimedia wikis
    'abusefilter-disallowed': AbuseFilterError,
    'abusefilter-warning': AbuseFilterWarningError,
    'spamblacklist': BlacklistedLinkError,
    'titleblacklist-forbidden': BlacklistedTitleError,
    'captcha': CaptchaRequiredError,
    'undelete-cantedit': TitleRefusedError,
    'undelete-cantcreate': TitleRefusedError,
    'permdenied-undelete': TitleRefusedError,  # 1.35's for all of them
    # action=revisiondelete, per revision (the codes are message keys)
    'revdelete-modify-missing': MissingTargetError,
    'revdelete-hide-current': RevisionDeleteError,
    'revdelete-show-no-access': RevisionDeleteError,
    'revdelete-modify-no-access': RevisionDeleteError,
    'revdelete-concurrent-change': RevisionDeleteError,
    'revdelete-only-restricted': RevisionDeleteError,
    'needtarget': RevisionDeleteError,
    # log actions put back (ops._protect, ops._block, ops._userrights)
    'cantunblock': NoLongerInForceError,  # the block is gone already
    # a block put back for -undo: someone else blocked the user since
    'alreadyblocked': ChangedByOthersError,
    'cantblock-email': MissingRightError,
    'canthide': MissingRightError,
    # protect: the account may not edit the page (protect-cantedit)
    'cantedit': ProtectedPageError,
}

#: what an ``edit`` answer of ``{"result": "Failure"}`` holds instead of
#: an error code: ConfirmEdit's ``captcha``, SpamBlacklist's list
#: (before it answered an API error); the key is the code
FAILURE_KEYS = ('captcha', 'spamblacklist')

#: the codes that mean an expected skip: those the table maps to a
#: NothingToDoError (derived, never listed twice)
EXPECTED: frozenset[str] = frozenset(
    code for code, cls in API_ERRORS.items()
    if issubclass(cls, NothingToDoError))

#: action -> class for a ``Failure`` answer whose code is not in the table
FAILURES: dict[str, type[WriteFailedError]] = {
    'filerevert': FileRevertFailedError,
}


def is_partial_block(blockinfo: dict[str, Any]) -> bool:
    """Return True if *blockinfo* describes a partial block.

    formatversion 1 says true as ``''`` and false by leaving it out.

    >>> is_partial_block({'blockpartial': ''}), is_partial_block({})
    (True, False)
    """
    return blockinfo.get('blockpartial') not in (None, False)


def filter_matches(details: dict[str, Any]) -> tuple[str, ...]:
    """Return what an anti-abuse filter matched, from its error's details.

    AbuseFilter names the filter (``abusefilter``), SpamBlacklist the
    domains (``spamblacklist``: ``matches``, or a ``|``-separated
    string before 1.31's API error), TitleBlacklist its list's ``line``.

    >>> filter_matches({'spamblacklist': {'matches': ['spam.example']}})
    ('spam.example',)
    >>> filter_matches({'abusefilter': {'id': '1', 'description': 'Spam'}})
    ('Spam',)
    >>> filter_matches({'line': 'Forbidden.*'}), filter_matches({})
    (('Forbidden.*',), ())

    :param details: the error's other fields (``APIError.other``)
    """
    spam = details.get('spamblacklist')
    if isinstance(spam, dict):
        return tuple(spam.get('matches') or ())
    if isinstance(spam, str):
        return tuple(spam.split('|'))
    abuse = details.get('abusefilter')
    if isinstance(abuse, dict):
        return (str(abuse.get('description') or abuse.get('id')),)
    return (details['line'],) if details.get('line') else ()


def from_api_error(err: APIError, *, page: Any = None, site: Any = None,
                   default: type[RevertError] | None = None) -> Error:
    """Return the typed error for a pywikibot :exc:`APIError`.

    Codes that are not in :data:`API_ERRORS` come back unchanged (or as
    *default*, if given), so nothing the wiki said is hidden.

    >>> from pywikibot.exceptions import APIError
    >>> e = from_api_error(APIError('onlyauthor', 'only one author'))
    >>> type(e).__name__, e.code, e.reason
    ('OnlyAuthorError', 'onlyauthor', 'only author')

    :param err: the error pywikibot raised
    :param page: the page concerned
    :param site: the site concerned
    :param default: the class for a code not in the table
    :return: the typed error to raise ``from err``
    """
    cls = API_ERRORS.get(err.code, default)
    if cls is None:
        return err
    message = f'{err.code}: {err.info}'
    if page is not None:
        message = f'{title_of(page)}: {message}'
    kwargs: dict[str, Any] = {'code': err.code, 'page': page, 'site': site,
                              'info': err.info}
    if issubclass(cls, FilterError):
        kwargs['matches'] = filter_matches(err.other)
    if issubclass(cls, BlockedError):
        blockinfo = err.other.get('blockinfo') or {}
        if not is_partial_block(blockinfo):
            cls = SitewideBlockError
    return cls(message, **kwargs)


#: pywikibot's warning for an API error (``Request.submit``)
_API_WARNING = re.compile(r'API error (?P<code>[^:\s]+): ')


class _ExpectedErrorFilter(logging.Filter):

    """Lower pywikibot's warnings about expected API errors to VERBOSE.

    Only records of the thread that installed the filter are touched:
    another thread's request is not ours. The record keeps its message
    and caller, so pywikibot's log file still has it (as VERBOSE, like
    the response headers pywikibot logs after it); the console handlers
    (INFO and up, WARNING and up) let it pass by.
    """

    def __init__(self) -> None:
        """Initializer."""
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        """Lower the level of an expected API error's warning."""
        if record.levelno == logging.WARNING \
                and record.thread == self.thread:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # bad %-args: leave it be
                return True
            match = _API_WARNING.match(message)
            if match and match['code'] in EXPECTED:
                record.levelno = VERBOSE
                record.levelname = logging.getLevelName(VERBOSE)
        return True


@contextmanager
def quiet_expected() -> Iterator[None]:
    """Keep pywikibot's warnings about expected API errors off the console.

    While the block runs, ``WARNING: API error CODE: ...`` for a code
    of :data:`EXPECTED` goes to pywikibot's log file only; every other
    warning prints as usual. pywikibot logs through :mod:`logging`, to
    the ``pywiki`` logger; the filter is on that logger for the block
    only.

    **Example:**

    .. code-block:: python

       with quiet_expected():
           pywikibot.warning('API error alreadyrolled: ...')  # log only
           pywikibot.warning('API error badtags: ...')  # printed
    """
    logger = logging.getLogger('pywiki')
    quiet = _ExpectedErrorFilter()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


@contextmanager
def translated(*, page: Any = None, site: Any = None) -> Iterator[None]:
    """Translate pywikibot's API errors raised inside the block.

    The one place where API error codes become typed errors, around
    every request the plugin sends::

        with translated(page=page, site=site):
            data = request.submit()

    >>> from pywikibot.exceptions import APIError
    >>> with translated(page='Foo'):
    ...     raise APIError('alreadyrolled', 'someone else edited')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.AlreadyRolledBackError: Foo: alreadyrolled: someone else edited

    pywikibot's console warning for a code of :data:`EXPECTED` is not
    shown (:func:`quiet_expected`): the skip line says it.

    :raises RevertError: a typed error, chained to pywikibot's
    :raises APIError: unchanged, for a code not in :data:`API_ERRORS`
    """
    try:
        with quiet_expected():
            yield
    except APIError as err:
        typed = from_api_error(err, page=page, site=site)
        if typed is err:
            raise
        raise typed from err


def raise_for_failure(action: str, answer: dict[str, Any], *,
                      page: Any = None, site: Any = None) -> None:
    """Raise the typed error for a ``{"result": "Failure"}`` answer.

    Some modules (``filerevert``, ``edit``) report failure in an answer
    that is not an API error; its codes go through the same table, and
    so do the keys of :data:`FAILURE_KEYS` (ConfirmEdit's ``captcha``).

    >>> raise_for_failure('filerevert', {'filerevert': {'result': 'Success'}})
    >>> raise_for_failure('filerevert', {'filerevert': {'result': 'Failure',
    ...     'errors': [{'code': 'fileexists-no-change', 'type': 'error'}]}})
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.IdenticalVersionError: fileexists-no-change: the wiki answered Failure (fileexists-no-change)

    :raises WriteFailedError: or the class the table names for the code
    """
    data = answer.get(action)
    if not isinstance(data, dict) or data.get('result') != 'Failure':
        return
    codes = [e.get('code') or e.get('message') or '?'
             for e in data.get('errors', [])]
    codes += [key for key in FAILURE_KEYS if key in data]
    details = {key: data[key] for key in FAILURE_KEYS if key in data}
    err = APIError(codes[0] if codes else 'failure',
                   f'the wiki answered Failure ({", ".join(codes) or data})',
                   **details)
    raise from_api_error(err, page=page, site=site,
                         default=FAILURES.get(action, WriteFailedError))
