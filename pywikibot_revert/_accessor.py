"""The ``page.revert`` namespace added to every pywikibot page.

One attribute, so the plugin never collides with core as core grows;
core's own ``Page.rollback`` and ``Page.undelete`` stay untouched.
"""
from __future__ import annotations

from typing import Any

import pywikibot
from pywikibot.page import BasePage

from . import _filerevert, _rollback, _undelete
from ._results import (
    FileRevertResult,
    FileVersion,
    RollbackResult,
    UndeleteResult,
)


__all__ = ['RevertAccessor', 'install']

ATTRIBUTE = 'revert'


class RevertAccessor:

    """Rollback, undelete and filerevert for one page: ``page.revert``.

    Reachable from every :class:`pywikibot.Page` and
    :class:`pywikibot.FilePage` once :mod:`pywikibot_revert` is imported,
    also from pages yielded by generators.

    **Example** (in ``pwb shell``)::

        import pywikibot_revert
        page = pywikibot.Page(site, 'Sandbox')
        help(page.revert)
        page.revert.rollback(user='Vandal')
        # RollbackResult(title='Sandbox', user='Vandal', revid=..., ...)
    """

    __slots__ = ('page',)

    def __init__(self, page: BasePage) -> None:
        """Initializer."""
        self.page = page

    def __repr__(self) -> str:
        """Return a representation naming the page."""
        return f'{type(self).__name__}({self.page!r})'

    def rollback(self, user: str | None = None,
                 **kwargs: Any) -> RollbackResult:
        """Roll back the latest edits of *user* (default: latest editor).

        See :func:`pywikibot_revert.rollback` for all keywords.
        """
        return _rollback.rollback(self.page, user=user, **kwargs)

    def deleted_revisions(self, **kwargs: Any) -> list:
        """Return this page's deleted revisions, oldest first.

        See :func:`pywikibot_revert.deleted_revisions` for keywords
        (*since*, *until*, *user*, *except_user*).
        """
        return next(_undelete.deleted_revisions(
            self.page.site, [self.page], **kwargs))[1]

    def select(self, **kwargs: Any) -> _undelete.UndeleteSelection:
        """Select deleted revisions to restore (*since*, *until*,
        *except_user*); see :func:`pywikibot_revert.select_revisions`.
        """
        return _undelete.select_revisions(self.page, **kwargs)

    def undelete(self, **kwargs: Any) -> UndeleteResult:
        """Restore deleted revisions: a selection, or ``all_revisions=True``.

        See :func:`pywikibot_revert.undelete` for all keywords.
        """
        return _undelete.undelete(self.page, **kwargs)

    def file_history(self, **kwargs: Any) -> list[FileVersion]:
        """Return this file's versions, newest first."""
        return _filerevert.file_history(self._filepage(), **kwargs)

    def filerevert(self, **kwargs: Any) -> FileRevertResult:
        """Revert this file to an old version.

        Choose it by *archivename*, *timestamp*, *sha1*,
        ``previous=True``, *not_user* or *at*; see
        :func:`pywikibot_revert.filerevert`.
        """
        return _filerevert.filerevert(self._filepage(), **kwargs)

    def _filepage(self) -> pywikibot.FilePage:
        if isinstance(self.page, pywikibot.FilePage):
            return self.page
        if self.page.namespace() == 6:
            return pywikibot.FilePage(self.page)
        raise TypeError(f'{self.page.title()} is not a file page')


class _RevertDescriptor:

    """Build a :class:`RevertAccessor` on attribute access."""

    def __get__(self, page: BasePage | None,
                owner: type | None = None) -> Any:
        if page is None:
            # class access: help(pywikibot.Page.revert) shows the API
            return RevertAccessor
        return RevertAccessor(page)


def install() -> bool:
    """Add ``revert`` to :class:`pywikibot.page.BasePage` once.

    Nothing core defines is replaced: if core ever has a ``revert`` of
    its own, the plugin leaves it alone and warns; the plain functions
    keep working.

    :return: True if the attribute is (now) ours
    """
    existing = BasePage.__dict__.get(ATTRIBUTE)
    if isinstance(existing, _RevertDescriptor):
        return True
    if any(ATTRIBUTE in vars(cls) for cls in BasePage.__mro__):
        pywikibot.warning(
            f'pywikibot defines BasePage.{ATTRIBUTE} itself; '
            'pywikibot_revert leaves it alone, use the plain functions')
        return False
    setattr(BasePage, ATTRIBUTE, _RevertDescriptor())
    return True
