"""The bot behind ``pwb cleanup``: all an account left, in one run.

One plan (:mod:`~pywikibot_revert.bot._cleanupplan`), read before any
write and shown as counts, then one run in the order that lets each
step work: the account's edits (rolled back on top, undone under later
edits, as ``pwb rollback -buried``) on each page's current title, the
files it overwrote, the moves back (newest first), and last the pages
only it wrote, deleted. Every write is journalled under its own action
(``rollback``, ``filerevert``, ``move``, ``delete``), so a rerun
resumes and ``-undo`` reverses each kind.

A delete has no base revision. The pages to delete are read again right
before, 50 a request (each one right before its question, when the run
asks), and a page edited since the plan is left. After each batch the
archive is read back: a delete that took a revision the plan did not
see (an edit in the last second) is restored at once, and the page
counted as a conflict.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._cleanupplan import KINDS, CleanupPlan, read_plan
from ._errors import ChangedSinceError, UsageError
from ._options import Option
from ._resume import settle_open
from ._rollback import RollbackBot
from ..exceptions import ConflictError, MissingTargetError, RevertError
from ..ops._delete import (
    DeletePlan,
    default_reason,
    delete_own,
    own_pages,
    plan_delete,
    unplanned_revisions,
)
from ..ops._edit import find_delete
from ..ops._filehistory import file_history
from ..ops._filerevert import choose_version, filerevert, find_filerevert
from ..ops._move import MoveBack, find_move, move_back
from ..ops._undelete import deleted_revisions, undelete
from ..results import FileVersion
from ..wiki._params import batched


__all__ = ['CleanupBot']

#: the rights each kind needs, besides ``edit``
KIND_RIGHTS = {'edits': ('rollback',), 'buried': (),
               'uploads': ('upload', 'reupload'), 'moves': ('move',),
               'creations': ('delete', 'deletedhistory', 'undelete')}
#: pages deleted between two reads of what is still there
DELETE_BATCH = 50


def _kinds(value: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in value.split(',') if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f'-only takes {",".join(KINDS)}; not '
                         f'{",".join(bad) or "nothing"}')
    return kinds


class CleanupBot(RollbackBot):

    """Undo all an account left: edits, uploads, moves, page creations.

    **Example:**

    .. code-block:: python

       bot = CleanupBot(site=site, user='Spambot', always=True,
                        journal='spam.jsonl')
       bot.generator = bot.make_generator(GeneratorFactory(site))
       bot.run()
    """

    operation = 'cleanup'
    options = tuple(o for o in RollbackBot.options
                    if o.key != 'iprange') + (
        Option('only', convert=_kinds),
    )
    #: the page selection narrows the plan; it does not tell the total
    adds_pages = ('user',)

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        self.opt.buried = 'buried' in self.kinds
        self._no_rollback = False
        self.plan: CleanupPlan | None = None
        self._item: tuple[str, Any] = ('', None)
        #: title -> the page as read right before its delete
        self._fresh: dict[str, dict[str, Any]] = {}
        #: the deletes of the batch, to read back: (journal key, plan)
        self._deleted: list[tuple[str | None, DeletePlan]] = []

    @classmethod
    def check_options(cls, opts: dict[str, Any]) -> None:
        """Need -user."""
        if not opts.get('user'):
            raise UsageError('missing -user:NAME: whose footprint to clean '
                             'up')
        super().check_options(opts)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this run does (``-only``; default all)."""
        return self.opt.only or KINDS

    # -- the plan

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """Read the plan when the run starts; yield its items in order."""
        gen = factory.getCombinedGenerator()
        selected = None if gen is None else {p.title() for p in gen}
        namespaces = [ns.id for ns in factory.namespaces] or None
        return self._items(selected, namespaces)

    def _items(self, selected: set[str] | None,
               namespaces: list[int] | None) -> Iterator[Any]:
        plan = self.plan = read_plan(
            self.site, self.opt.user, kinds=self.kinds,
            since=self.opt.since, until=self.opt.until,
            namespaces=namespaces, selected=selected)
        pywikibot.info(f'Plan on {self.site}: {plan.line()}')
        self._drop_kinds_without_rights(plan)
        self.meter.expect(plan.total)
        for title, err in plan.review:
            self._left(title, err.reason, str(err))
        if plan.edits:
            pages = (self.buried.pages(edits=plan.edits)
                     if 'buried' in self.kinds else
                     (pywikibot.Page(self.site, t) for t, es in
                      plan.edits.items() if any(e['top'] for e in es)))
            for page in pages:
                yield 'edits', page, None
        for title in plan.files:
            yield 'files', pywikibot.FilePage(self.site, title), None
        for move in plan.moves:
            yield 'moves', pywikibot.Page(self.site, move.source), move
        for batch in batched(list(plan.deletions.values()), DELETE_BATCH):
            if self.opt.always and not self.simulate:
                self._fresh = self._read_fresh(batch)
            for own in batch:
                yield 'deletions', pywikibot.Page(self.site, own.title), own
            self._check_deleted()

    def _drop_kinds_without_rights(self, plan: CleanupPlan) -> None:
        """Leave out, with a warning, each kind the account cannot do.

        Named before the first write; the other kinds go on.
        """
        site = self.site
        lacking = {kind: [r for r in ('edit', *rights)
                          if not site.has_right(r)]
                   for kind, rights in KIND_RIGHTS.items()}
        self._no_rollback = bool(lacking['edits'])
        left = {'edits': list(plan.edits) if lacking['buried'] else [],
                'files': list(plan.files) if lacking['uploads'] else [],
                'moves': [m.source for m in plan.moves]
                if lacking['moves'] else [],
                'deletions': list(plan.deletions)
                if lacking['creations'] else []}
        kind_of = {'edits': 'buried', 'files': 'uploads', 'moves': 'moves',
                   'deletions': 'creations'}
        for what, titles in left.items():
            if not titles:
                continue
            right = lacking[kind_of[what]][0]
            pywikibot.warning(
                f'{len(titles)} {what} left out: {site.user()} does not '
                f'have the {right!r} right on {site}')
            for title in titles:
                self._left(title, f'no {right} right',
                           f'{title}: {what} left out; no {right!r} right')
            getattr(plan, what).clear()
        if self._no_rollback and plan.edits:
            pywikibot.warning(
                f'{site.user()} does not have the rollback right: the '
                'edits on top are left out (listed in the report)')
        if plan.moves and not site.has_right('suppressredirect'):
            pywikibot.warning(
                f'{site.user()} does not have the suppressredirect right: '
                'each move back leaves a redirect (listed in the report)')

    def _left(self, title: str, reason: str, text: str) -> None:
        """Count and report what the plan leaves for a person."""
        self.counter['skip'] += 1
        self.skips[reason] += 1
        pywikibot.info(f'{title}: left ({reason})')
        self.report_row(pywikibot.Page(self.site, title), 'skipped',
                        reason, text)

    def _rollback(self, page: pywikibot.Page, user: str,
                  contrib: dict[str, Any] | None = None) -> Any:
        """Roll back the run on top, where the run does that kind."""
        if 'edits' not in self.kinds:
            return None
        if self._no_rollback:
            self._left(page.title(), 'no rollback right',
                       f'{page.title()}: the edits on top are left out; '
                       "no 'rollback' right")
            return None
        return super()._rollback(page, user, contrib)

    # -- the run

    def setup(self) -> None:
        """Settle each kind of write a killed run left open."""
        super().setup()
        if self.journal and not self.simulate:
            for action in ('filerevert', 'move', 'delete'):
                settle_open(self.journal, action, self.landed)
            for rec in self.unchecked('delete(s)'):
                self._deleted.append((rec['key'], _plan_of(rec)))
            self._check_deleted()

    def init_page(self, item: tuple[str, pywikibot.Page, Any]
                  ) -> pywikibot.Page:
        """Keep the item's kind and plan with its page."""
        kind, page, data = item
        self._item = (kind, data)
        return super().init_page(page)

    def act(self, page: pywikibot.Page) -> None:
        """Do one item of the plan."""
        kind, data = self._item
        if kind == 'edits':
            super().act(page)
        elif kind == 'files':
            self._revert_file(page)
        elif kind == 'moves':
            self._move_back(page, data)
        else:
            self._delete(page, data)

    def write(self, key: str, page: pywikibot.Page, do: Any, *,
              action: str = 'rollback', **details: Any) -> Any:
        """Journal each write under its own action (``-undo`` by kind)."""
        return super().write(key, page, do, action=action, **details)

    def _revert_file(self, page: pywikibot.Page) -> None:
        filepage = pywikibot.FilePage(page)
        history = file_history(filepage)
        if not history:
            raise MissingTargetError(f'{page.title()}: no file', page=page)
        target = choose_version(history, title=page.title(),
                                not_user=self.opt.user)
        current = history[0]
        self.progress(f'{page.title()}: revert to the version of '
                      f'{target.user} ({target.sha1[:10]}), replacing '
                      f'{current.user}\'s ({current.sha1[:10]})')
        if not self.confirm(f'Revert {page.title()}?'):
            return

        def do():
            return filerevert(filepage, not_user=self.opt.user,
                              history=history, comment=self.opt.summary,
                              max_wait=self.max_wait)

        result = self.write(f'filerevert|{page.title()}|{current.sha1}',
                            filepage, do, action='filerevert',
                            kind='filerevert', op='filerevert',
                            target=dataclasses.asdict(target),
                            replaced=dataclasses.asdict(current))
        if result is not None and not result.simulated:
            self.progress(f'{page.title()}: reverted')

    def _move_back(self, page: pywikibot.Page, move: MoveBack) -> None:
        self.progress(f'{move.source}: move back to {move.target} '
                      f'(undoing log entry {move.logid})')
        if not self.confirm(f'Move {move.source} back to {move.target}?'):
            return

        def do():
            return move_back(self.site, move, summary=self.opt.summary,
                             max_wait=self.max_wait)

        result = self.write(f'move|{move.source}|{move.target}', page, do,
                            action='move', kind='move', op='move',
                            move=dataclasses.asdict(move))
        if result is None or result.simulated:
            return
        self.progress(f'{move.source}: moved back to {move.target}')
        if result.redirect_left:
            text = (f'{move.source}: a redirect to {move.target} is left '
                    'behind (no suppressredirect right)')
            pywikibot.warning(text)
            self.report_row(page, 'review', 'redirect left', text)

    def _read_fresh(self, plans: list[DeletePlan]
                    ) -> dict[str, dict[str, Any]]:
        titles = [p.title for p in plans]
        titles += [p.talk.title for p in plans if p.talk]
        return own_pages(self.site, titles)

    def _delete(self, page: pywikibot.Page, plan: DeletePlan) -> None:
        title = plan.title
        asks = not (self.opt.always or self.simulate)
        fresh = self._fresh if self._fresh else {}
        self.progress(f'{title}: delete ({plan.size} bytes, every revision '
                      f'by {plan.user}'
                      + (f'; with {plan.talk.title}' if plan.talk else '')
                      + ')')
        if not self.confirm(f'Delete {title}?'):
            return
        if asks or title not in fresh:
            # read right before the delete: the question may have waited
            fresh = self._read_fresh([plan]) if not self.simulate else {}
        if fresh:
            plan = self._still_planned(page, plan, fresh)

        def do():
            return delete_own(page, user=plan.user, plan=plan,
                              summary=self.opt.summary
                              or default_reason(self.site, plan.user),
                              max_wait=self.max_wait)

        key = f'delete|{title}'
        result = self.write(key, page, do, action='delete', kind='delete',
                            op='delete', plan=plan.record(), unchecked=True)
        if result is None or result.simulated:
            if result is not None:
                self.progress(f'{title}: would delete')
            return
        self._deleted.append((key, plan))
        self.progress(f'{title}: deleted'
                      + (f' with {plan.talk.title}' if plan.talk else ''))

    def _still_planned(self, page: pywikibot.Page, plan: DeletePlan,
                       fresh: dict[str, dict[str, Any]]) -> DeletePlan:
        """Refuse a page edited since the plan; drop a changed talk page."""
        now = fresh.get(plan.title, {})
        if now.get('missing'):
            raise MissingTargetError(f'{plan.title}: deleted already',
                                     page=page)
        latest = (now.get('revisions') or [{}])[0]
        if latest.get('revid') != plan.latest:
            raise ChangedSinceError(
                f'{plan.title}: edited since the plan (revision '
                f'{latest.get("revid")} by {latest.get("user")}); not '
                'deleted', page=page)
        talk = plan.talk
        if talk:
            try:
                same = plan_delete(fresh.get(talk.title, {'title': talk.title,
                                                          'missing': True}),
                                   plan.user).latest == talk.latest
            except RevertError:
                same = False
            if not same:
                pywikibot.warning(f'{talk.title}: changed since the plan; '
                                  'not deleted')
                plan = dataclasses.replace(plan, talk=None)
        return plan

    def _check_deleted(self) -> None:
        """Read back the batch's deletes; restore one that took too much.

        One read of the archive for the batch: a revision newer than the
        plan's latest, or by someone else, went with the page (an edit
        in the last second; an author the plan could not see). The page
        is restored, all that the delete took, and counted a conflict.
        """
        done, self._deleted = self._deleted, []
        if not done or self.simulate:
            return
        plans = {p.title: (key, p) for key, p in done}
        plans.update({p.talk.title: (key, p.talk) for key, p in done
                      if p.talk})
        try:
            archive = dict(deleted_revisions(self.site, list(plans)))
        except (RevertError, APIError) as err:
            pywikibot.warning(f'The deletes were not read back: {err}')
            return
        for title, (key, plan) in plans.items():
            revs = archive.get(title, [])
            unseen = unplanned_revisions(plan, revs)
            if not unseen:
                if self.journal and plan.title == title and key:
                    self.journal.note('verified', key=key)
                continue
            page = pywikibot.Page(self.site, title)
            took = [r for r in revs if r.revid >= plan.first]
            names = sorted({r.user or '(hidden)' for r in unseen})
            try:
                undelete(page, timestamps=[r.timestamp for r in took],
                         summary='Restoring a page deleted with an edit '
                                 'its cleanup did not plan',
                         max_wait=self.max_wait)
                err = ConflictError(
                    f'{title}: the delete took {len(unseen)} revision(s) '
                    f'the plan did not see (by {", ".join(names)}); '
                    'restored', page=page, restored=True)
            except (RevertError, APIError) as failure:
                err = ConflictError(
                    f'{title}: the delete took {len(unseen)} revision(s) '
                    f'the plan did not see (by {", ".join(names)}); '
                    f'restoring failed: {failure}; undelete it by hand',
                    page=page)
            self.failed_check(key, page, err, kind='delete',
                              restored=err.restored)

    def teardown(self) -> None:
        """Read back the last deletes before the summary."""
        try:
            self._check_deleted()
        except (RevertError, APIError) as err:
            pywikibot.warning(f'The last deletes were not read back: {err}')
        super().teardown()

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted write of any kind landed."""
        op = details.get('op')
        if op == 'delete':
            plan = _plan_of({'title': title, **details})
            found = find_delete(self.site, title)
            if found and plan.talk and find_delete(
                    self.site, plan.talk.title) is None \
                    and self.site.mw_version >= '1.38':
                return None
            return found
        if op == 'move':
            return find_move(self.site, MoveBack(**details['move']))
        if op == 'filerevert':
            target = FileVersion.from_record(details['target'])
            replaced = FileVersion.from_record(details['replaced'])
            now = find_filerevert(pywikibot.FilePage(self.site, title),
                                  target, replaced)
            return None if now is None else {
                'target': target, 'replaced': replaced, 'current': now}
        return super().landed(title, details)


def _plan_of(record: dict[str, Any]) -> DeletePlan:
    """Rebuild a delete's plan from its journal record."""
    data = record['plan']
    talk = data.get('talk')
    return DeletePlan(
        record['title'], record.get('user') or data.get('user', ''),
        data['pageid'], data['latest'], data.get('size', 0),
        first=data.get('first', 0),
        talk=talk and DeletePlan(talk['title'], data.get('user', ''),
                                 talk['pageid'], talk['latest'],
                                 first=talk.get('first', 0)))
