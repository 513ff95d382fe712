"""``-undo`` of a cleanup's deletes and moves back (``pwb cleanup``).

Mixed into :class:`~pywikibot_revert.bot._reverse.ReverseBot`, which
reverses a journal newest first, so a cleanup comes undone in reverse
order: its deletes, then its moves back (newest first, so a chain goes
out again in its own order), then its edits. Each reversal is planned
against the wiki as it is now:

- a deleted page is restored with exactly the revisions the run deleted
  (those from the page's first revision to the latest the plan read;
  for a file, its versions too) and its talk page with it; not where a
  page was created at the title since;
- a page moved back goes to where the account had moved it, only while
  it is still where the run put it; MediaWiki does not overwrite a
  page of its own at that title.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError

from ._errors import ChangedSinceError, RecreatedPageError
from ..exceptions import ConflictError, NothingToUndeleteError, RevertError
from ..ops._move import MoveBack, find_move, move_back
from ..ops._undelete import deleted_file_ids, deleted_revisions, undelete
from ..wiki._i18n import plugin_message
from ..wiki._query import read


__all__ = ['CleanupReversal']


class CleanupReversal:

    """The ``_undo_delete`` and ``_undo_move`` of the reversing bot."""

    def _restore_selection(self, title: str, part: dict[str, Any]
                           ) -> tuple[list[Any], list[int]]:
        """The deleted revisions (and file versions) the run deleted.

        :raises NothingToUndeleteError: none of them is deleted now
        :raises ConflictError: another revision shares a second with
            them (restoring by timestamp would bring it back too)
        """
        _, revs = next(deleted_revisions(self.site, [title]))
        first, latest = part.get('first', 0), part['latest']
        ours = [r for r in revs if first <= r.revid <= latest]
        if not ours:
            raise NothingToUndeleteError(
                f'{title}: none of the revisions the run deleted is '
                'deleted now', code='cantundelete')
        stamps = {r.timestamp for r in ours}
        others = [r for r in revs if r not in ours and r.timestamp in stamps]
        if others:
            raise ConflictError(
                f'{title}: another deleted revision ({others[0].revid}) '
                'shares its second with the ones the run deleted; restore '
                'it by hand', code='conflict')
        fileids = []
        if pywikibot.Page(self.site, title).namespace() == 6:
            fileids = deleted_file_ids(self.site, title, along=stamps)
        return sorted(stamps), fileids

    def _undo_delete(self, page: pywikibot.Page, record: dict[str, Any],
                     key: str) -> None:
        plan = record['plan']
        titles = [page.title()] + ([plan['talk']['title']]
                                   if plan.get('talk') else [])
        data = read(self.site, action='query', titles=titles,
                    formatversion=2)
        if any(not p.get('missing') for p in data['query']['pages']):
            raise RecreatedPageError(
                f'{page.title()}: a page was created at the title since '
                'the run deleted it; not restored', page=page)
        stamps, fileids = self._restore_selection(page.title(), plan)
        talk_part = None
        if plan.get('talk'):
            talk_part = self._restore_selection(plan['talk']['title'],
                                                plan['talk'])
        if not self.confirm(f'Restore {page.title()} ({len(stamps)} '
                            'revision(s))?'):
            return
        summary = self.opt.summary or plugin_message(self.site, 'undo-delete')

        def do():
            result = undelete(page, timestamps=stamps, fileids=fileids,
                              summary=summary, max_wait=self.max_wait)
            if talk_part:
                undelete(pywikibot.Page(self.site, plan['talk']['title']),
                         timestamps=talk_part[0], summary=summary,
                         max_wait=self.max_wait)
            return result

        if self.write(key, page, do, action_undone='delete') is not None:
            self.progress(f'{page.title()}: ' + (
                'would restore' if self.simulate else 'restored')
                + f' {len(stamps)} revision(s)'
                + (' and its talk page' if talk_part else ''))

    def _undo_move(self, page: pywikibot.Page, record: dict[str, Any],
                   key: str) -> None:
        done = MoveBack(**record['move'])
        again = done.reverse()
        data = read(self.site, action='query', pageids=done.pageid,
                    formatversion=2)
        now = data['query']['pages'][0]
        if now.get('missing') or now.get('title') != done.target:
            raise ChangedSinceError(
                f'{done.target}: the page the run moved here is now at '
                f'{now.get("title", "no title (deleted)")}; not moved',
                page=page)
        if not self.confirm(f'Move {done.target} again to {done.source}?'):
            return

        def do():
            return move_back(self.site, again,
                             summary=self.opt.summary
                             or plugin_message(self.site, 'undo-move',
                                               source=done.target,
                                               target=done.source),
                             max_wait=self.max_wait)

        result = self.write(key, pywikibot.Page(self.site, done.target),
                            do, action_undone='move',
                            move=dataclasses.asdict(again))
        if result is None:
            return
        self.progress(f'{done.target}: ' + (
            'would move' if self.simulate else 'moved')
            + f' again to {done.source}')
        if record.get('over') and not self.simulate:
            self._restore_redirect(done.target, record['over'])

    def _restore_redirect(self, title: str, revid: int) -> None:
        """Restore the redirect the run's move back went over.

        MediaWiki deleted it to make room; it is the one revision *revid*.
        """
        _, revs = next(deleted_revisions(self.site, [title]))
        rev = next((r for r in revs if r.revid == revid), None)
        if rev is None or any(r.timestamp == rev.timestamp and r is not rev
                              for r in revs):
            pywikibot.warning(f'{title}: the redirect the run moved over '
                              f'(revision {revid}) is not restored')
            return
        try:
            undelete(pywikibot.Page(self.site, title),
                     timestamps=[rev.timestamp],
                     summary=self.opt.summary
                     or plugin_message(self.site, 'undo-redirect'),
                     max_wait=self.max_wait)
        except (RevertError, APIError) as err:
            pywikibot.warning(f'{title}: the redirect the run moved over '
                              f'(revision {revid}) is not restored: {err}')
            return
        self.progress(f'{title}: restored the redirect (revision {revid})')

    def _landed_reversal(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted restore or move landed."""
        if details.get('action_undone') == 'move':
            return find_move(self.site, MoveBack(**details['move']))
        data = read(self.site, action='query', titles=title,
                    formatversion=2)
        return None if data['query']['pages'][0].get('missing') \
            else {'title': title}
