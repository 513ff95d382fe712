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

from collections.abc import Iterator
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._admin_steps import PUT_BACK, AdminSteps, landed_put_back
from ._adminplan import account_log, read_admin_plan
from ._cleanup_steps import CleanupSteps, plan_of
from ._cleanupplan import KINDS, CleanupPlan, read_plan
from ..ops._undo_user_plan import top_run
from ._errors import UsageError
from ._options import Option
from ._resume import settle_open
from ._rollback import RollbackBot
from ._undelete import restore_landed
from ..exceptions import RevertError
from ..ops._edit import find_delete
from ..ops._filerevert import find_filerevert
from ..ops._move import MoveBack, find_move
from ..results import FileRevertResult, FileVersion


__all__ = ['CleanupBot']

#: the rights each kind needs, besides ``edit``
KIND_RIGHTS = {'edits': ('rollback',), 'buried': (),
               'uploads': ('upload', 'reupload'), 'moves': ('move',),
               'creations': ('delete', 'deletedhistory', 'undelete')}


def _kinds(site: Any, value: str) -> tuple[str, ...]:
    """The kinds ``-only:`` names, each known (an option's converter)."""
    kinds = tuple(k.strip() for k in value.split(',') if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f'-only takes {",".join(KINDS)}; not '
                         f'{",".join(bad) or "nothing"}')
    return kinds


class CleanupBot(AdminSteps, CleanupSteps, RollbackBot):

    """Undo all an account left: edits, uploads, moves, page creations.

    **Example:**

    .. code-block:: python

       bot = CleanupBot(site=site, user='Spambot', always=True,
                        journal='spam.jsonl')
       bot.generator = bot.make_generator(GeneratorFactory(site))
       bot.run()
    """

    operation = 'cleanup'
    options = RollbackBot.options + (Option('only', convert=_kinds),)
    #: the page selection narrows the plan; it does not tell the total
    adds_pages = ('user',)

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        self.opt.buried = 'buried' in self.kinds and not self.opt.iprange
        self._no_rollback = False
        self.plan: CleanupPlan | None = None
        self._item: tuple[str, Any] = ('', None)
        self._init_steps()
        self._init_admin()

    @classmethod
    def check_options(cls, opts: dict[str, Any]) -> None:
        """Need -user (or -iprange)."""
        if not opts.get('user') and not opts.get('iprange'):
            raise UsageError('missing -user:NAME (or -iprange:CIDR): whose '
                             'footprint to clean up')
        if opts.get('buried'):
            raise UsageError('-buried is part of a cleanup: drop it '
                             '(-only:KINDS chooses what to do)')
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
        log = None
        if 'logs' in self.kinds and not self.opt.iprange:
            log = account_log(self.site, self.opt.user, self.opt.since,
                              self.opt.until)
        plan = self.plan = read_plan(
            self.site, self.opt.user, kinds=self.kinds,
            since=self.opt.since, until=self.opt.until,
            namespaces=namespaces, selected=selected,
            iprange=self.opt.iprange, log=log)
        if log is not None:
            plan.admin = read_admin_plan(
                self.site, self.opt.user, selected=selected,
                namespaces=namespaces, entries=log)
        pywikibot.info(f'Plan on {self.site}: {plan.line()}')
        if self.opt.iprange:
            pywikibot.info(
                f'{self.opt.iprange}: the edits on top are rolled back, '
                'each for its latest IP; edits under later edits, moves '
                'and uploads are not read for a range (run -user:IP for '
                'one IP)')
        self._drop_kinds_without_rights(plan)
        self._drop_admin_without_rights(plan.admin)
        self.meter.expect(plan.total)
        for title, err in plan.review:
            self._left(title, err.reason, str(err))
        # first: a revision the account hid would fail a rollback
        yield from self._admin_first(plan.admin)
        # A page whose listed edits are one run on top needs no read: its
        # rollback is one request (the wiki refuses it where someone
        # edited since). The others are planned 50 pages a read.
        buried = {}
        for title, es in plan.edits.items():
            if top_run(es) == len(es) or not self.opt.buried:
                if es[0]['top']:
                    # the listing names the latest editor (an IP's own)
                    self.listed[title] = es[0]
                    yield 'edits', pywikibot.Page(self.site, title), None
            else:
                buried[title] = es
        if buried:
            for page in self.buried.pages(edits=buried):
                yield 'edits', page, None
        yield from self._file_items(plan.files)
        for move in plan.moves:
            yield 'moves', pywikibot.Page(self.site, move.source), move
        yield from self._delete_items(list(plan.deletions.values()))
        yield from self._admin_last(plan.admin, plan.deletions)

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
        files = [m for m in plan.moves if not site.has_right('movefile')
                 and pywikibot.Page(site, m.source).namespace() == 6]
        for move in files:
            self._left(move.source, 'no movefile right',
                       f'{move.source}: not moved back; moving a file needs '
                       "the 'movefile' right")
        plan.moves = [m for m in plan.moves if m not in files]
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
        if self.journal and any(str(r.get('key', '')).startswith('undo|')
                                for r in self.journal.records):
            raise UsageError(
                f'{self.journal.path} was reversed with -undo: a cleanup '
                'resumed from it would skip what the undo put back; start '
                'a new journal to clean up again')
        if self.journal and not self.simulate:
            for action in ('undelete', 'revisiondelete', *PUT_BACK,
                           'rollback', 'filerevert', 'move', 'delete'):
                settle_open(self.journal, action, self.landed)
            for rec in self.unchecked('delete(s)', action='delete'):
                self._deleted.append((rec['key'], plan_of(rec)))
            self._check_deleted()
            for rec in self.unchecked('revert(s)', action='filerevert'):
                self._reverted.append((rec['key'], FileRevertResult(
                    title=rec['title'],
                    target=FileVersion.from_record(rec['target']),
                    replaced=FileVersion.from_record(rec['replaced']))))
            self._read_files([])

    def init_page(self, item: tuple[str, pywikibot.Page, Any]
                  ) -> pywikibot.Page:
        """Keep the item's kind and plan with its page."""
        kind, page, data = item
        self._item = (kind, data)
        return super().init_page(page)

    def act(self, page: pywikibot.Page) -> None:
        """Do one item of the plan."""
        kind, data = self._item
        if kind == 'logs':
            self._admin_act(page, data)
        elif kind == 'edits':
            contrib = self.listed.pop(page.title(), None)
            if contrib is not None:
                self._rollback(page, contrib['user'], contrib)
            else:
                self.buried.undo(page)
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

    def teardown(self) -> None:
        """Read back the last reverts and deletes before the summary."""
        try:
            self._read_files([])
            self._check_deleted()
        except (RevertError, APIError) as err:
            pywikibot.warning(f'The last writes were not read back: {err}')
        super().teardown()

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted write of any kind landed."""
        op = details.get('op')
        if op == 'undelete':
            return restore_landed(self.site, title, details)
        if op in PUT_BACK:
            return landed_put_back(self.site, op, details)
        if op == 'delete':
            plan = plan_of({'title': title, **details})
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
