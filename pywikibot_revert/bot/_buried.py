"""``pwb rollback -buried``: undo a user's runs under later edits.

:class:`BuriedUndo` is what the rollback bot
(:class:`~pywikibot_revert.bot._rollback.RollbackBot`) holds and calls
for ``-buried``, given what it needs: the site, the options it reads,
and the bot's own steps (its journalled write, skip, question,
progress line, report links, and its rollback) as callables. The pages
come from the user's contributions (or a page selection) and are
planned in batches (:mod:`~pywikibot_revert.ops._undo_user_plan`);
each page's runs go through the one loop over runs
(:func:`~pywikibot_revert.ops._undo_user.undo_runs`), newest first,
each previewed and confirmed here, then written under the journal.
Where the user is on top of a page, the bot's rollback comes first.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pywikibot

from ._errors import ChangedSinceError
from ..exceptions import NothingToDoError, UndoFailedError
from ..ops._undo_user import undo_run, undo_runs
from ..ops._undo_user_plan import (
    BuriedPlan,
    UserRun,
    no_longer_in_text,
    plan_buried,
    read_plan,
    runs_adding_link,
    user_edits,
)
from ..ops._undo_user_preview import preview_run
from ..results import EditResult, RollbackResult
from ..wiki._params import batched
from ..wiki._query import latest_revisions_at, revision_texts


__all__ = ['BATCH', 'BuriedUndo']

#: pages per batched read of current revisions
BATCH = 50


@dataclass
class BuriedUndo:

    """Undo a user's runs of edits under later edits (``-buried``).

    The bot decides, this does: the bot's generator is :meth:`pages`
    (without a page selection) and its ``act()`` calls :meth:`undo`
    for each page. What a page needs from the bot comes in as
    callables: *rollback* (the bot's rollback of the user's run on
    top), *write* (a write under the journal, as
    :meth:`~pywikibot_revert.bot._writes.JournalledWrites.write`),
    *skip*, *confirm*, *progress*, and *review* (given the ``user``,
    ``old`` and ``cur`` that a report row about the page links to).

    **Example:**

    .. code-block:: python

       links = {}
       buried = BuriedUndo(
           site, 'Spambot', always=True,
           rollback=lambda page, user: page.revert.rollback(user),
           write=lambda key, page, do, **details: do(),
           skip=lambda reason, detail='': print(detail),
           confirm=lambda question: True, progress=print,
           review=links.update)
       for page in buried.pages():
           buried.undo(page)

    :ivar user: whose runs are undone
    :ivar since: only edits at or after this time
    :ivar until: only edits at or before this time
    :ivar addedlink: only runs that added a link to this domain; where
        one does not merge, its links go instead
    :ivar summary: the edit summary; default names the user and runs
    :ivar nouser: the default summary leaves the user's name out
    :ivar always: no preview, no question (without *simulate*)
    :ivar simulate: pywikibot's ``-simulate`` is on
    :ivar max_wait: seconds to wait out rate limits and lag
    """

    site: Any
    user: str
    rollback: Callable[[pywikibot.Page, str], RollbackResult | None]
    write: Callable[..., Any]
    skip: Callable[..., None]
    confirm: Callable[[str], bool]
    progress: Callable[[str], None]
    review: Callable[..., None]
    since: Any = None
    until: Any = None
    addedlink: str | None = None
    summary: str | None = None
    nouser: bool = False
    always: bool = False
    simulate: bool = False
    max_wait: float | None = None
    #: tells a run this run's journal reverted and hid already (``-hide``):
    #: it cannot be undone again, and needs not
    hidden: Callable[[UserRun], bool] | None = None
    #: title -> the user's edits, as listed
    edits: dict[str, list[dict[str, Any]]] = field(default_factory=dict,
                                                   init=False)
    #: title -> the plan made from a batched read
    plans: dict[str, BuriedPlan] = field(default_factory=dict, init=False)
    #: revision texts of the batch's runs (with -addedlink)
    texts: dict[int, str] = field(default_factory=dict, init=False)

    def pages(self, namespaces: list[int] | None = None, *,
              edits: dict[str, list[dict[str, Any]]] | None = None
              ) -> Iterator[pywikibot.Page]:
        """Every page the user edited, planned 50 pages per read.

        :param edits: the user's edits by page, when read already
            (:func:`~pywikibot_revert.ops._undo_user_plan.user_edits`)
        """
        self.edits = edits if edits is not None else user_edits(
            self.site, self.user, since=self.since, until=self.until,
            namespaces=namespaces)
        pywikibot.info(f'{sum(map(len, self.edits.values()))} edit(s) by '
                       f'{self.user} on {len(self.edits)} page(s)')
        for titles in batched(list(self.edits), BATCH):
            self._plan_batch(titles)
            for title in titles:
                yield pywikibot.Page(self.site, title)

    def _plan_batch(self, titles: list[str]) -> None:
        """Plan a batch: current revisions in one read, texts if needed."""
        latest, start = latest_revisions_at(self.site, titles)
        for title in titles:
            edits = self.edits.pop(title)
            if latest.get(title):
                self.plans[title] = plan_buried(
                    edits, latest[title], user=self.user, title=title,
                    starttimestamp=start)
        # the pages of the batch before are all done by now
        self.texts = {}
        plans = [self.plans[title] for title in titles
                 if title in self.plans]
        revids = []
        if self.addedlink:
            # the texts that tell which runs added the link, 25 pages a read
            revids += [rev for plan in plans for run in plan.runs
                       for rev in (run.undoafter, run.undo) if rev]
        if self.simulate or not self.always:
            # the current texts the previews start from, 50 pages a read
            revids += [plan.base for plan in plans if plan.runs]
        if revids:
            self.texts = revision_texts(self.site, revids)

    def undo(self, page: pywikibot.Page) -> None:
        """Roll back the user's run on top, undo the runs under others.

        :raises NothingToDoError: nothing of the user's to undo here
            (skip the page)
        """
        title, user = page.title(), self.user
        plan = self.plans.pop(title, None) or read_plan(
            self.site, title, user=user, since=self.since, until=self.until)
        self.review(user=user, old=plan.old, cur=plan.base)
        rolled = None
        if plan.top:
            rolled = self.rollback(page, user)
            if not plan.runs:
                return
            if rolled is not None and not rolled.simulated:
                # the next edit builds on the rollback
                plan = read_plan(self.site, title, user=user,
                                 since=self.since, until=self.until)
        runs = list(plan.runs)
        if self.addedlink:
            runs = runs_adding_link(self.site, runs, self.addedlink,
                                    self.texts)
            if not runs and not plan.top:
                raise NothingToDoError(f'{title}: no link to '
                                       f'{self.addedlink} added under '
                                       'later edits', page=page)
        if self.hidden is not None:
            kept = [run for run in runs if not self.hidden(run)]
            if runs and not kept and not rolled:
                raise no_longer_in_text(page, user, ' (reverted and hidden '
                                        'by this journal)')
            runs = kept
        done = undo_runs(plan, runs, partial(self._undo_run, page, plan),
                         undone=partial(self._undone, title, plan.user),
                         not_merged=self._not_merged)
        if done.all_clean(runs) and not rolled:
            raise no_longer_in_text(page, user, ' under later edits')

    def _undone(self, title: str, user: str, run: UserRun,
                result: EditResult) -> None:
        if result.simulated:
            self.progress(f'{title}: would undo {run.count} edit(s) by '
                          f'{user} up to revision {run.undo}')
        else:
            self.progress(f'{title}: undid {run.count} edit(s) by {user} '
                          f'up to revision {run.undo} (revision '
                          f'{result.newrevid})')

    def _not_merged(self, run: UserRun, base: int,
                    err: UndoFailedError) -> None:
        # the report row links the diff of the run that stays
        self.review(old=run.undoafter or None, cur=base)
        self.skip(err.reason, detail=str(err))

    def _undo_run(self, page: pywikibot.Page, plan: BuriedPlan,
                  run: UserRun, base: int,
                  stamp: str | None) -> EditResult | None:
        """Preview, ask, then write one run's undo under the journal.

        :return: the edit, or None when declined or done before
        """
        how = self._preview(page, run, base, plan.user)
        if how is None:
            return None

        def do() -> EditResult:
            return undo_run(page, run, user=plan.user, base=base,
                            basetimestamp=stamp,
                            starttimestamp=plan.starttimestamp,
                            summary=self.summary, addedlink=self.addedlink,
                            nouser=self.nouser,
                            max_wait=self.max_wait, links=how == 'links')

        return self.write(f'buried|{page.title()}|{run.undo}', page, do,
                          kind='undo edit',
                          user=plan.user, edit=how, undo=run.undo,
                          undoafter=run.undoafter, base=base)

    def _preview(self, page: pywikibot.Page, run: UserRun, base: int,
                 user: str) -> str | None:
        """Show what undoing *run* does to the current text; ask.

        Without a preview (``-always``) the undo is simply sent: the
        wiki answers whether it merges.

        :return: ``'undo'`` or ``'links'`` (remove the spam links
            instead), or None when declined
        :raises AlreadyCleanError: the run is gone from the text
        :raises UndoFailedError: the undo does not merge
        :raises ChangedSinceError: the page was edited while the
            question was asked
        """
        if self.always and not self.simulate:
            return 'undo'
        title = page.title()
        preview = preview_run(self.site, page, run, user=user, base=base,
                              addedlink=self.addedlink, texts=self.texts)
        self.progress(f'{title}: {run.count} edit(s) by {user} under later '
                      + ('edits; undo merges:' if preview.how == 'undo' else
                         f'edits; the undo does not merge, remove the '
                         f'links to {self.addedlink}:'))
        pywikibot.showDiff(preview.old, preview.new)
        if not self.confirm(f'Undo {run.count} edit(s) by {user} on '
                            f'{title}?'):
            return None
        if not self.simulate:
            # the diff shown was made from *base*: an edit saved while
            # the operator read it is not acted on unseen
            latest, _ = latest_revisions_at(self.site, [title])
            if (latest.get(title) or {}).get('revid') != base:
                raise ChangedSinceError(f'{title}: edited while the '
                                        'question was asked; not undone',
                                        page=page)
        return preview.how
