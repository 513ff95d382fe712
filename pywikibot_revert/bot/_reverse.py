"""``-undo:JOURNAL``: reverse what a run did, newest first.

Each reversal writes through the library's own functions
(:func:`~pywikibot_revert.ops._edit.undo_revisions`,
:func:`~pywikibot_revert.ops._edit.delete_page`,
:func:`~pywikibot_revert.ops._filerevert.filerevert`), so it gets the same
uncertain-outcome checks as any other write, and only where the page
is still as the run left it.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dataclasses
import os

import pywikibot
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import ChangedSinceError, UsageError
from ._base import RevertBot
from ..ops._edit import delete_page, find_delete, find_edit, undo_revisions
from ..exceptions import ConflictError, IdenticalVersionError
from ..ops._filehistory import file_history
from ..ops._filerevert import (
    same_version,
    choose_version,
    filerevert,
    find_filerevert,
    landed,
)
from ._journal import Journal
from ._reverse_admin import AdminReversal
from ._reverse_cleanup import CleanupReversal
from ..wiki._i18n import plugin_message
from ..wiki._query import read, top_revisions
from ..results import FileVersion
from ..wiki._rights import require_rights


__all__ = ['UNDO_RIGHTS', 'ReverseBot', 'chain_edits']

#: the journal's action -> the operation (rights) undoing it needs
UNDO_RIGHTS = {'rollback': 'edit', 'undelete': 'delete',
               'filerevert': 'filerevert', 'delete': 'undelete',
               'move': 'move', 'revisiondelete': 'revisiondelete',
               'protect': 'protect', 'unblock': 'block',
               'userrights': 'userrights'}


def chain_edits(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge each page's successive edits by the run into one record.

    A run may write several times to one page (a rollback, then the
    undo of runs under later edits); undoing the newest first would
    find the page "edited since" for the others. One undo from the last
    revision back to the one before the first puts the page back.

    >>> recs = [{'key': 'a', 'action': 'rollback', 'title': 'P',
    ...          'result': {'revid': 5, 'old_revid': 4}},
    ...         {'key': 'b', 'action': 'rollback', 'title': 'P',
    ...          'result': {'newrevid': 7, 'oldrevid': 5}}]
    >>> [(r['key'], r['result']) for r in chain_edits(recs)]
    [('b', {'revid': 7, 'old_revid': 4, 'edits': 2})]

    :param records: ``done`` records, oldest first
    :return: the records, oldest first, rollbacks and edits with
        ``result`` as ``revid``, ``old_revid`` and ``edits``
    """
    out: list[dict[str, Any] | None] = []
    chain_at: dict[str, int] = {}  # title -> index of its last edit
    for rec in records:
        if rec.get('action') != 'rollback':
            out.append(rec)
            continue
        result = rec.get('result') or {}
        old = result.get('old_revid', result.get('oldrevid'))
        new = result.get('revid', result.get('newrevid'))
        edits = 1
        before = chain_at.get(rec.get('title', ''))
        if before is not None and old is not None \
                and out[before]['result']['revid'] == old:
            old = out[before]['result']['old_revid']
            edits += out[before]['result']['edits']
            out[before] = None
        chain_at[rec.get('title', '')] = len(out)
        out.append({**rec, 'result': {'revid': new, 'old_revid': old,
                                      'edits': edits}})
    return [rec for rec in out if rec is not None]


class ReverseBot(AdminReversal, CleanupReversal, RevertBot):

    """Reverse a journal, newest first.

    - a rollback is undone only where the page is still at the
      rollback's revision;
    - an undelete is deleted again, only where the page consists of
      exactly the restored revisions and nobody edited since;
    - a file revert goes back to the version it replaced, only where
      the file is still at the reverted version;
    - a cleanup's delete is restored, and its move back moved again
      (:class:`~pywikibot_revert.bot._reverse_cleanup.CleanupReversal`).

    Anything else is skipped and reported. A journal written for
    another wiki is refused.
    """

    operation = 'undo'

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        self._record: dict[str, Any] = {}
        self._verified: dict[str, Any] = {}

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """Refuse a page selection: the journal says what to undo."""
        if factory.gens:
            raise UsageError('-undo:FILE reverses a journal; it takes no '
                             'page selection')
        return iter(())  # replaced in setup(), once the journal is open

    def setup(self) -> None:
        """Read the journal to undo, and open this run's journal.

        Both are the same file unless ``-journal:`` names another one.
        Opening a journal refuses one written for another wiki.
        """
        if not self.opt.journal:
            self.opt.journal = self.opt.undo
        super().setup()
        if os.path.samefile(self.opt.journal, self.opt.undo):
            undo = self.journal
        else:
            undo = Journal(self.opt.undo, self.site, script='ReverseBot',
                           args=self.script_args).open()
            undo.close()
        self._verified = {r['key']: r.get('current') for r in undo.records
                          if r.get('type') == 'verified'}
        records = chain_edits([r for r in undo.done_records()
                               if r.get('action') in UNDO_RIGHTS])
        for action in {r['action'] for r in records}:
            require_rights(self.site, UNDO_RIGHTS[action])
        self.generator = ((pywikibot.Page(self.site, r['title']), r)
                          for r in reversed(records))
        self.meter.expect(len(records))

    def init_page(self, item: tuple[pywikibot.Page, dict[str, Any]]
                  ) -> pywikibot.Page:
        """Keep the journal record with its page."""
        page, self._record = item
        return super().init_page(page)

    def act(self, page: pywikibot.Page) -> None:
        """Undo one journal record."""
        record = self._record
        undo = getattr(self, f'_undo_{record["action"]}')
        undo(page, record, f'undo|{record["key"]}')

    def _undo_rollback(self, page: pywikibot.Page, record: dict[str, Any],
                       key: str) -> None:
        result = record.get('result') or {}
        revid, old = result.get('revid'), result.get('old_revid')
        if not revid or revid == old:
            raise IdenticalVersionError(f'{page.title()}: null rollback',
                                        page=page)
        top = top_revisions(self.site, title=page.title(), limit=1)[0]
        if top['revid'] != revid:
            self.skip('edited since the rollback')
            return
        if not self.confirm(f'Undo the rollback on {page.title()}?'):
            return

        def do():
            return undo_revisions(
                page, undo=revid, undoafter=old,
                summary=self.opt.summary or (
                    plugin_message(self.site, 'undo-rollback', revid=revid)
                    if result.get('edits', 1) == 1 else
                    plugin_message(self.site, 'undo-edits',
                                   count=result['edits'], revid=old)),
                basetimestamp=top.get('timestamp'),
                max_wait=self.max_wait)

        done = self.write(key, page, do, action_undone='rollback',
                          revid=revid)
        if done is not None:
            # one line per page, as the forward run prints
            self.progress(f'{page.title()}: ' + (
                f'would undo the rollback (revision {revid})'
                if self.simulate else f'undid the rollback (revision '
                f'{revid}; now revision {done.newrevid})'))

    def _undo_undelete(self, page: pywikibot.Page, record: dict[str, Any],
                       key: str) -> None:
        restored = (record.get('result') or {}).get('revisions') or 0
        data = read(self.site, page=page, action='query', prop='revisions',
                    titles=page.title(), rvprop='ids|timestamp',
                    rvlimit='max', formatversion=2)
        pages = data['query']['pages']
        revs = pages[0].get('revisions', []) if pages else []
        if not revs:
            self.skip('already deleted')
            return
        done_at = pywikibot.Timestamp.fromISOformat(record['time'])
        if any(pywikibot.Timestamp.fromISOformat(r['timestamp']) > done_at
               for r in revs) or len(revs) != restored:
            self.skip('page has other revisions than the restored ones')
            return
        asks = not (self.opt.always or self.simulate)
        if not self.confirm(f'Delete {page.title()} again?'):
            return
        if asks and top_revisions(self.site, title=page.title(),
                                  limit=1)[0]['revid'] != revs[0]['revid']:
            # a delete has no base revision: never delete an edit unseen
            raise ChangedSinceError(f'{page.title()}: edited while the '
                                    'question was asked; not deleted',
                                    page=page)

        def do():
            return delete_page(page, reason=self.opt.summary
                               or plugin_message(self.site, 'undo-undelete'),
                               max_wait=self.max_wait)

        if self.write(key, page, do, action_undone='undelete') is not None:
            self.progress(f'{page.title()}: '
                          + ('would delete' if self.simulate else 'deleted')
                          + f' again ({restored} revision(s))')

    def _undo_filerevert(self, page: pywikibot.Page, record: dict[str, Any],
                         key: str) -> None:
        result = record.get('result') or {}
        target = FileVersion.from_record(result['target'])
        replaced = FileVersion.from_record(result['replaced'])
        left = result.get('current') or self._verified.get(record['key'])
        filepage = pywikibot.FilePage(page)
        now = file_history(filepage)
        # the whole version, not its sha1: someone may have uploaded
        # the same content since. Unchecked, what the run left is its
        # own revert to *target* right on top of *replaced*
        if left:
            kept = same_version(now[0], FileVersion.from_record(left))
        else:
            kept = (landed(now[:2], target, replaced)
                    and now[0].user == self.site.user())
        if not kept:
            self._refuse(page, key, now[0], 'is not the version the '
                         'revert left; not undone')
            return
        back = choose_version(now, title=page.title(), sha1=replaced.sha1)
        if not self.confirm(f'Undo the revert of {page.title()}?'):
            return

        def do():
            # checked after: an upload that slipped in is put back
            return filerevert(filepage, archivename=back.archivename,
                              history=now,
                              comment=self.opt.summary or plugin_message(
                                  self.site, 'undo-filerevert'),
                              max_wait=self.max_wait)

        if self.write(key, filepage, do, action_undone='filerevert',
                      target=dataclasses.asdict(back),
                      replaced=dataclasses.asdict(now[0])) is not None:
            self.progress(f'{page.title()}: '
                          + ('would revert' if self.simulate else 'reverted')
                          + f' back to {back.sha1[:10]} by {back.user}')

    def _refuse(self, page: pywikibot.Page, key: str, now: FileVersion,
                why: str) -> None:
        """Fail the reversal of a file someone else changed since the run.

        Not a skip: the run's change was not undone, so the exit status
        says so, the report has a row and the journal a ``refused`` note.
        """
        message = (f'{page.title()}: the current version, by {now.user} at '
                   f'{now.timestamp.isoformat()} ({now.sha1[:10]}), {why}')
        if self.journal:
            self.journal.note('refused', key=key, title=page.title(),
                              message=message, current=dataclasses.asdict(now))
        self.fail(page, ConflictError(message, page=page, code='conflict'))

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted reversal landed."""
        undone = details.get('action_undone')
        if undone in ('delete', 'move'):
            return self._landed_reversal(title, details)
        if undone == 'revisiondelete':
            return self._landed_revisiondelete(details)
        if undone in ('protect', 'unblock', 'userrights'):
            return self._landed_log_action(details)
        if undone == 'undelete':
            return find_delete(self.site, title)
        if undone == 'filerevert':
            target = FileVersion.from_record(details['target'])
            replaced = FileVersion.from_record(details['replaced'])
            now = find_filerevert(pywikibot.FilePage(self.site, title),
                                  target, replaced)
            return None if now is None else {'title': title,
                                             'current': now}
        return find_edit(self.site, title, details['revid'])
