"""What a mass rollback would undo, planned for many pages per read.

A preview (``-simulate``, a run without ``-always``, ``-addedlink``)
needs, for each page, the user's run of edits on top and the revision
the page goes back to, then the two texts for the diff. Read page by
page that is two reads per page; here it is a few reads per window of
pages:

1. each page's latest revision: known from the contributions listing
   (``ucprop=ids`` gives the parent id), or read for many titles at
   once;
2. the run, followed down the parent ids: one read per step for every
   page of the window (``prop=revisions&revids=``), until each page
   reaches a revision by someone else (the one to restore) or the
   first revision (only author);
3. the texts of the latest and the restored revision, 50 revisions
   (25 pages) per read, as the pages come up.

Only where this cannot tell, the page's history is read on its own
(:attr:`RollbackPreviews.fallbacks` counts those pages): a hidden user
name in the run, a revision the wiki does not return, a run longer
than :data:`ROUNDS` edits.

Plans older than :data:`MAX_AGE` seconds are read again (for the pages
still ahead, in the same batches) before one is shown: an operator
answering questions one by one sees what the rollback undoes now, not
what it would have undone when the window was read.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pywikibot

from ..exceptions import MissingTargetError, OnlyAuthorError, RevertError
from ..wiki._params import batched
from ..wiki._query import (
    batch_size,
    latest_revisions,
    revision_texts,
    revisions_by_id,
    top_revisions,
)
from ._rollback import RollbackPlan, plan_rollback


__all__ = ['MAX_AGE', 'Preview', 'ROUNDS', 'RollbackPreviews', 'follow_runs']

#: steps down a run of edits before the page's history is read instead
ROUNDS = 10
#: seconds a plan is shown without being read again
MAX_AGE = 30.0
#: revisions whose text one read returns
TEXTS_PER_READ = 50


@dataclass(frozen=True)
class Preview:

    """A rollback's plan and the two texts of its diff.

    :ivar new: the text of the user's latest revision
    :ivar old: the text the rollback restores
    :ivar pageid: the page planned, where known: a rollback sent by id
        acts on that page even if it is moved before the write, never
        on the redirect left behind
    """

    plan: RollbackPlan
    new: str
    old: str
    pageid: int | None = None


@dataclass
class _Page:
    """One page ahead: what is known of its run so far."""

    title: str
    user: str
    top: dict[str, Any] | None = None
    #: the parent of the oldest revision of the run found so far
    parent: int = 0
    count: int = 0
    plan: RollbackPlan | None = None
    error: RevertError | None = None
    texts: tuple[str, str] | None = None
    fallback: bool = False
    planned: float = field(default=0.0)


def follow_runs(pages: list[_Page], revisions: Callable[[list[int]], dict[
        int, dict[str, Any]]], rounds: int = ROUNDS) -> list[_Page]:
    """Plan each page from its latest revision down the parent ids.

    Pure but for *revisions*, which answers many revision ids at once.

    >>> revs = {8: {'revid': 8, 'parentid': 5, 'user': 'V'},
    ...         5: {'revid': 5, 'parentid': 0, 'user': 'E'},
    ...         3: {'revid': 3, 'parentid': 0, 'user': 'V'}}
    >>> a = _Page('A', 'V', top={'revid': 9, 'parentid': 8, 'user': 'V'})
    >>> b = _Page('B', 'V', top={'revid': 4, 'parentid': 3, 'user': 'V'})
    >>> c = _Page('C', 'V', top={'revid': 7, 'parentid': 6, 'user': 'E'})
    >>> follow_runs([a, b, c], lambda ids: {i: revs[i] for i in ids})
    []
    >>> a.plan
    RollbackPlan(title='A', user='V', count=2, latest=9, restore=5, more=False)
    >>> type(b.error).__name__, type(c.error).__name__
    ('OnlyAuthorError', 'AlreadyRolledBackError')

    :param revisions: reads revision ids, returns id -> ``revid``,
        ``parentid`` and ``user`` (or ``userhidden``); ids it leaves
        out are revisions the wiki did not return
    :return: the pages it could not tell (for a read of their history)
    """
    pending = []
    for page in pages:
        top, page.plan, page.error, page.texts = page.top, None, None, None
        page.count, page.parent = 1, 0
        try:
            if top is None:
                raise MissingTargetError(
                    f'page {page.title} does not exist', code='missingtitle')
            # the page's own rule decides the latest revision
            plan_rollback([top], page.user, title=page.title)
        except RevertError as err:
            page.error = err
        else:
            page.parent = top['parentid']
            pending.append(page)
    unsure = []
    for _ in range(rounds):
        if not pending:
            break
        found = revisions(sorted({p.parent for p in pending}))
        still = []
        for page in pending:
            rev = found.get(page.parent)
            if rev is None or rev.get('userhidden'):
                unsure.append(page)
            elif rev.get('user') != page.user:
                page.plan = RollbackPlan(page.title, page.user, page.count,
                                         page.top['revid'], page.parent)
            elif not rev.get('parentid'):
                page.error = OnlyAuthorError(
                    f'{page.title}: {page.user} is the only author',
                    code='onlyauthor')
            else:
                page.count += 1
                page.parent = rev['parentid']
                still.append(page)
        pending = still
    return unsure + pending


class RollbackPreviews:

    """The previews of the pages ahead, read in batches.

    Feed the pages through :meth:`pages`; ask for each with
    :meth:`preview` when it comes up.

    **Example:**

    .. code-block:: python

       previews = RollbackPreviews(site)
       for page in previews.pages((p, 'Vandal', None) for p in pages):
           preview = previews.preview(page.title())
           pywikibot.showDiff(preview.new, preview.old)

    :param window: pages planned ahead (default: the API's limit of ids
        per request, 50 or 500 with ``apihighlimits``)
    :param clock: seconds, for :data:`MAX_AGE`
    """

    def __init__(self, site: Any, *, window: int | None = None,
                 max_age: float = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Initializer."""
        self.site = site
        self.batch = batch_size(site)
        self.window = window or self.batch
        self.max_age = max_age
        self.clock = clock
        #: the pages ahead, in the order they come up
        self.ahead: dict[str, _Page] = {}
        #: pages whose history was read on their own
        self.fallbacks = 0
        #: pages planned (each counted once)
        self.planned = 0

    def pages(self, items: Iterable[tuple[pywikibot.Page, str,
                                          dict[str, Any] | None]], *,
              total: Callable[[int], None] | None = None
              ) -> Iterator[pywikibot.Page]:
        """Yield each page, planned a window ahead.

        :param items: ``(page, user, latest)``: the user to roll back
            there, and the latest revision where the contributions
            listing told it (``revid``, ``parentid``, ``user``), else
            None
        :param total: called with the number of items once they are
            read to the end
        """
        for chunk in batched(items, self.window):
            fresh = [_Page(page.title(), user, top=top)
                     for page, user, top in chunk]
            self.ahead.update((p.title, p) for p in fresh)
            self.planned += len(fresh)
            self._plan(fresh)
            if total is not None and len(chunk) < self.window:
                total(self.planned)
            for page, *_ in chunk:
                yield page
                # a page the bot did not ask about (skipped before) goes
                self.ahead.pop(page.title(), None)

    def user_of(self, title: str) -> str | None:
        """Return the user whose edits on *title* are planned, if ahead."""
        page = self.ahead.get(title)
        return page.user if page else None

    def preview(self, title: str) -> Preview:
        """Return the plan and texts of *title* (read ahead as needed).

        :raises NothingToDoError: nothing to roll back on the page
            (``AlreadyRolledBackError``, ``OnlyAuthorError``...)
        :raises RevertError: the page cannot be rolled back
        :raises KeyError: *title* did not come from :meth:`pages`
        """
        page = self.ahead[title]
        if self.clock() - page.planned > self.max_age:
            self._plan(list(self.ahead.values()), reread=True)
        del self.ahead[title]
        if page.error is not None:
            raise page.error
        if page.texts is None:
            self._read_texts(page)
        new, old = page.texts  # type: ignore[misc]
        return Preview(page.plan, new=new, old=old,  # type: ignore[arg-type]
                       pageid=(page.top or {}).get('pageid'))

    def _plan(self, pages: list[_Page], reread: bool = False) -> None:
        unknown = [p for p in pages if reread or p.top is None]
        if unknown:
            latest = latest_revisions(
                self.site, [p.title for p in unknown], batch=self.batch)
            for page in unknown:
                page.top = latest.get(page.title)
        for page in follow_runs(pages, self._revisions):
            self._read_history(page)
        now = self.clock()
        for page in pages:
            page.planned = now

    def _revisions(self, revids: list[int]) -> dict[int, dict[str, Any]]:
        return revisions_by_id(self.site, revids, batch=self.batch)

    def _read_history(self, page: _Page) -> None:
        """Plan *page* from its own history: the listing cannot tell."""
        if not page.fallback:
            page.fallback = True
            self.fallbacks += 1
        page.plan = page.error = None
        try:
            revs = top_revisions(self.site, title=page.title)
            page.plan = plan_rollback(revs, page.user, title=page.title)
        except RevertError as err:
            page.error = err

    def _read_texts(self, first: _Page) -> None:
        """Read the texts of *first* and the next pages, 50 revisions."""
        pages = [first] + [p for p in self.ahead.values()
                           if p.plan is not None and p.texts is None]
        pages = pages[:TEXTS_PER_READ // 2]
        revids = [r for p in pages for r in (p.plan.latest, p.plan.restore)
                  if r]
        texts = revision_texts(self.site, revids)
        for page in pages:
            plan = page.plan
            page.texts = (texts.get(plan.latest, ''),
                          texts.get(plan.restore, '') if plan.restore
                          else '')
