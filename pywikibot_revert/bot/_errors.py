"""Errors only the scripts raise, and the run policy of every error.

The library's operations never raise these: they come from the command
line, the journal, and the checks a run makes between its plan and its
write. Their place in the tree is the run policy, as for every
:mod:`pywikibot_revert.exceptions` class: ``JournalError`` stops the
run, the others skip the item, and ``UsageError`` ends the run before
any write::

    pywikibot_revert.exceptions.RevertError
    ├── NothingToDoError         skip the item:
    │   ├── ChangedSinceError        changed since it was read
    │   └── RecreatedPageError       re-created since deleted
    ├── StopRunError             stop the run:
    │   └── JournalError             locked, another wiki
    └── UsageError               (also ValueError) bad input
"""
from __future__ import annotations

from typing import Any

from pywikibot.exceptions import APIError

from ..exceptions import NothingToDoError, RevertError, StopRunError


__all__ = [
    'ChangedSinceError',
    'JournalError',
    'RecreatedPageError',
    'UsageError',
    'classify',
]


class JournalError(StopRunError):

    """The journal cannot be used: locked, another wiki, or corrupt."""

    reason = 'journal'


class ChangedSinceError(NothingToDoError):

    """The page or file changed after it was read; nothing was written.

    The plan (and the operator's preview) was made from the state read
    before; a newer state is never acted on unseen.
    """

    reason = 'changed since it was read'


class RecreatedPageError(NothingToDoError):

    """A deleted page was created again since; nothing was restored.

    Restoring would merge the archived history into the new page.
    """

    reason = 're-created since'


class UsageError(RevertError, ValueError):

    """Bad command line input; shown with a hint to use ``-help``.

    :ivar unknown: the arguments no option matched, if that is the fault
    """

    reason = 'bad input'

    def __init__(self, message: str, *, unknown: list[str] | None = None,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(message, **kwargs)
        self.unknown = unknown or []


def classify(err: BaseException) -> str | None:
    """Return what a run does after *err*: skip, stop or fail.

    An anti-abuse filter's refusal
    (:exc:`~pywikibot_revert.exceptions.FilterError`, a warning
    included) fails the page: it judges one edit, and the next page may
    pass. A captcha stops the run: it would be asked for every edit of
    the account.

    >>> from pywikibot_revert.exceptions import (
    ...     OnlyAuthorError, OutcomeUnknownError, ProtectedPageError)
    >>> [classify(e('x')) for e in (OnlyAuthorError, OutcomeUnknownError,
    ...                             ProtectedPageError, KeyError)]
    ['skip', 'stop', 'fail', None]

    :return: ``'skip'``, ``'stop'``, ``'fail'``, or None for an error
        that is not the wiki's answer (a bug: it propagates)
    """
    if isinstance(err, NothingToDoError):
        return 'skip'
    if isinstance(err, StopRunError):
        return 'stop'
    if isinstance(err, (RevertError, APIError)):
        return 'fail'
    return None
