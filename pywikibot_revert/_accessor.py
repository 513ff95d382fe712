"""The ``page.revert`` namespace added to every pywikibot page.

One attribute, so the plugin never collides with core as core grows;
core's own ``Page.rollback`` and ``Page.undelete`` stay untouched.

The methods are made from the plain functions: their signature (what
``help()``, ``inspect.signature`` and the completion of ``pwb shell``
show) and their docstring are the functions' own, minus the page, so
every keyword is documented once.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import pywikibot
from pywikibot.page import BasePage

from .ops._delete import delete_own
from .ops._filehistory import file_history
from .ops._filerevert import filerevert
from .ops._move import move_page_back
from .ops._revdel import set_visibility
from .ops._rollback import rollback
from .ops._undelete import deleted_revisions, select_revisions, undelete
from .ops._undo_user import undo_user


__all__ = ['RevertAccessor', 'install']

ATTRIBUTE = 'revert'


def _method(func: Callable[..., Any], *, files: bool = False,
            drop: Iterable[str] = (), positional: Iterable[str] = (),
            call: Callable[..., Any] | None = None,
            doc: str | None = None,
            returns: str | None = None) -> Callable[..., Any]:
    """Make a method calling ``func(page, **keywords)``.

    :param files: the page must be a file page
    :param drop: parameters (after the page) the method does not take
    :param positional: keywords the method also takes by position
    :param call: calls *func* with the page and the keywords, when that
        is not ``func(page, **keywords)``
    :param doc: the docstring, when not *func*'s
    :param returns: the return annotation, when not *func*'s
    """
    drop, positional = set(drop), list(positional)
    params = [p for p in list(inspect.signature(func).parameters.values())
              [1:] if p.name not in drop]
    params.sort(key=lambda p: p.name not in positional)
    params = [p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD)
              if p.name in positional else p for p in params]
    this = inspect.Parameter('self',
                             inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.signature(func).replace(parameters=[this, *params])
    if returns is not None:
        signature = signature.replace(return_annotation=returns)
    if call is None:
        call = func

    def method(self: RevertAccessor, *args: Any, **kwargs: Any) -> Any:
        keywords = signature.bind(self, *args, **kwargs).arguments
        del keywords['self']
        return call(self._filepage() if files else self.page, **keywords)

    method.__name__ = method.__qualname__ = func.__name__
    method.__doc__ = doc or func.__doc__
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__wrapped__ = func  # type: ignore[attr-defined]
    return method


def _set_visibility(page: BasePage, **kwargs: Any) -> Any:
    return set_visibility(page.site, title=page.title(), **kwargs)


def _deleted(page: BasePage, **kwargs: Any) -> list[Any]:
    return next(deleted_revisions(page.site, [page], **kwargs))[1]


class RevertAccessor:

    """Rollback, undo, undelete and filerevert for one page: ``page.revert``.

    Reachable from every :class:`pywikibot.Page` and
    :class:`pywikibot.FilePage` once :mod:`pywikibot_revert` is imported,
    also from pages yielded by generators. Each method is the plain
    function of the same name with this page filled in.

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

    rollback = _method(rollback, drop=('pageid', 'site'),
                       positional=('user',))
    undo_user = _method(undo_user, positional=('user',))
    deleted_revisions = _method(
        deleted_revisions, drop=('titles',), call=_deleted,
        returns='list[DeletedRevision]',
        doc="""Return this page's deleted revisions, oldest first.

        Keywords as :func:`pywikibot_revert.deleted_revisions`: *since*,
        *until*, *user*, *except_user*.
        """)
    select = _method(select_revisions)
    undelete = _method(undelete)
    file_history = _method(file_history, files=True)
    filerevert = _method(filerevert, files=True)
    delete_own = _method(delete_own, positional=('user',))
    move_back = _method(move_page_back, positional=('user',))
    set_visibility = _method(set_visibility, drop=('title',),
                             positional=('revids',), call=_set_visibility)

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
