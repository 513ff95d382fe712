"""The writes of ``pwb cleanup`` past its edits: files, moves, deletes.

Mixed into :class:`~pywikibot_revert.bot._cleanup.CleanupBot`. Each
kind is planned in batches, so that reading does not cost a request per
item:

- files: the histories of the next 25 files are read in one request,
  which also reads back the reverts made since the last one (a revert
  that replaced an upload made meanwhile puts it back: a conflict);
- moves back: no read of their own (the plan read the old titles;
  MediaWiki refuses to move over a page that appeared since);
- deletes: the next 50 pages are read again right before (each one on
  its own when the run asks first), and the archive is read back after
  them: a delete that took a revision the plan did not see is restored
  at once, and counted as a conflict.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError

from ._errors import ChangedSinceError
from ._filerevert import check_reverts
from ..exceptions import (
    ConflictError,
    MissingTargetError,
    RevertError,
)
from ..ops._delete import (
    DeletePlan,
    default_reason,
    delete_own,
    unplanned_revisions,
)
from ..ops._filehistory import file_histories
from ..ops._filerevert import choose_version, filerevert
from ..ops._move import MoveBack, move_back
from ..ops._undelete import deleted_file_ids, deleted_revisions, undelete
from ..results import DeletedRevision, FileRevertResult, FileVersion
from ..wiki._i18n import plugin_message
from ..wiki._params import batched
from ..wiki._query import batch_size, merged_pages


__all__ = ['CleanupSteps', 'latest_and_archive', 'plan_of']

#: files whose histories one request reads (with the read-backs)
FILE_BATCH = 25
#: pages deleted between two reads of what is still there
DELETE_BATCH = 50


class CleanupSteps:

    """Files, moves back and deletes, for :class:`CleanupBot`."""

    def _init_steps(self) -> None:
        #: title -> the file's versions, as read with its batch
        self._histories: dict[str, list[FileVersion]] = {}
        #: reverts to read back: (journal key, result)
        self._reverted: list[tuple[str, FileRevertResult]] = []
        #: title -> the page as read right before its delete
        self._fresh: dict[str, dict[str, Any]] = {}
        #: the deletes of the batch, to read back: (journal key, plan)
        self._deleted: list[tuple[str, DeletePlan]] = []

    # -- files

    def _file_items(self, titles: list[str]) -> Iterator[Any]:
        for batch in batched(titles, FILE_BATCH):
            self._read_files(batch)
            for title in batch:
                yield 'files', pywikibot.FilePage(self.site, title), None
        self._read_files([])

    def _read_files(self, titles: list[str]) -> None:
        """Read *titles*' histories and the reverts' read-backs at once."""
        pending, self._reverted = self._reverted, []
        if not titles and not pending:
            return
        now = file_histories(self.site, titles,
                             heads=[r.title for _, r in pending])
        self._histories = {t: now.get(t, []) for t in titles}
        check_reverts(self, pending, now, kind='filerevert')

    def _revert_file(self, page: pywikibot.Page) -> None:
        filepage = pywikibot.FilePage(page)
        title = page.title()
        history = self._histories.pop(title, None)
        asks = not (self.opt.always or self.simulate)
        if history is None or asks:
            # the question may have waited: read right before
            history = file_histories(self.site, [title]).get(title, [])
        if not history:
            raise MissingTargetError(f'{title}: no file', page=page)
        target = choose_version(history, title=title,
                                not_user=self.opt.user)
        current = history[0]
        self.progress(f'{title}: revert to the version of {target.user} '
                      f'({target.sha1[:10]}), replacing {current.user}\'s '
                      f'({current.sha1[:10]})')
        if not self.confirm(f'Revert {title}?'):
            return
        if asks and not self.simulate:
            fresh = file_histories(self.site, [title]).get(title, [])
            if not fresh or fresh[0] != current:
                raise ChangedSinceError(f'{title}: a new version was '
                                        'uploaded meanwhile; not reverted',
                                        page=page)

        def do():
            # read back with the next batch's histories
            return filerevert(filepage, not_user=self.opt.user,
                              history=history, comment=self.opt.summary,
                              verify=False, max_wait=self.max_wait)

        key = f'filerevert|{title}|{current.sha1}'
        result = self.write(key, filepage, do, action='filerevert',
                            kind='filerevert', op='filerevert',
                            target=dataclasses.asdict(target),
                            replaced=dataclasses.asdict(current),
                            unchecked=True)
        if result is None:
            return
        if result.simulated:
            self.progress(f'{title}: would revert to {target.sha1[:10]}')
            return
        self._reverted.append((key, result))
        self.progress(f'{title}: reverted to {target.sha1[:10]}')

    # -- moves

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
                            move=dataclasses.asdict(move),
                            over=self.plan.over.get(move.target))
        if result is None:
            return
        if result.simulated:
            self.progress(f'{move.source}: would move back to {move.target}')
            return
        self.progress(f'{move.source}: moved back to {move.target}')
        if result.redirect_left:
            text = (f'{move.source}: a redirect to {move.target} is left '
                    'behind (no suppressredirect right)')
            pywikibot.warning(text)
            self.report_row(page, 'review', 'redirect left', text)

    # -- deletes

    def _delete_items(self, plans: list[DeletePlan]) -> Iterator[Any]:
        for batch in batched(plans, DELETE_BATCH):
            if self.opt.always and not self.simulate:
                self._fresh = self._read_fresh(batch)
            for own in batch:
                yield 'deletions', pywikibot.Page(self.site, own.title), own
        self._check_deleted()

    def _read_fresh(self, plans: list[DeletePlan]
                    ) -> dict[str, dict[str, Any]]:
        """Read *plans*' pages again, and read back the deletes made.

        One request (per 50 pages) does both: the pages about to be
        deleted and the archive of those deleted since the last read.
        """
        titles = [p.title for p in plans]
        titles += [p.talk.title for p in plans if p.talk]
        done = [t for _, p in self._deleted
                for t in (p.title, *([p.talk.title] if p.talk else []))]
        pages = latest_and_archive(self.site, titles, done)
        if done:
            self._check_deleted(pages)
        return pages

    def _delete(self, page: pywikibot.Page, plan: DeletePlan) -> None:
        title = plan.title
        asks = not (self.opt.always or self.simulate)
        files = f'{plan.files} file version(s), ' if plan.files else ''
        self.progress(f'{title}: delete ({files}{plan.size} bytes of text, '
                      f'every revision by {plan.user}'
                      + (f'; with {plan.talk.title}' if plan.talk else '')
                      + ')')
        if not self.confirm(f'Delete {title}?'):
            return
        fresh = self._fresh
        if not self.simulate and (asks or title not in fresh):
            # read right before the delete: the question may have waited
            fresh = self._read_fresh([plan])
        if not self.simulate:
            plan = self._still_planned(page, plan, fresh)

        def do():
            return delete_own(page, user=plan.user, plan=plan,
                              summary=self.opt.summary
                              or default_reason(self.site, plan.user,
                                                nouser=self.opt.nouser),
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
            now = (fresh.get(talk.title, {}).get('revisions') or [{}])[0]
            if now.get('revid') != talk.latest:
                pywikibot.warning(f'{talk.title}: changed since the plan; '
                                  'not deleted')
                plan = dataclasses.replace(plan, talk=None)
        return plan

    def _check_deleted(self, read: dict[str, dict[str, Any]] | None = None
                       ) -> None:
        """Read back the deletes made; restore one that took too much.

        One read of the archive for the batch, or *read*'s (see
        :meth:`_read_fresh`): a revision newer than the plan's latest,
        or by someone else, went with the page (an edit in the last
        second; an author the plan could not see). The page is
        restored, all that the delete took, and counted a conflict.
        """
        done, self._deleted = self._deleted, []
        if not done or self.simulate:
            return
        plans = {p.title: (key, p) for key, p in done}
        plans.update({p.talk.title: (key, p.talk) for key, p in done
                      if p.talk})
        if read is not None:
            archive = {t: [DeletedRevision.from_api(t, r) for r in
                           read.get(t, {}).get('deletedrevisions', [])]
                       for t in plans}
        else:
            try:
                archive = dict(deleted_revisions(self.site, list(plans)))
            except (RevertError, APIError) as err:
                pywikibot.warning(f'The deletes were not read back: {err}')
                return
        for title, (key, plan) in plans.items():
            revs = archive.get(title, [])
            unseen = unplanned_revisions(plan, revs)
            if not unseen:
                if self.journal and plan.title == key.split('|', 1)[1]:
                    self.journal.note('verified', key=key)
                continue
            self._restore(key, title, plan, revs, unseen)

    def _restore(self, key: str, title: str, plan: DeletePlan,
                 revs: list[Any], unseen: list[Any]) -> None:
        """Put back a page whose delete took revisions the plan did not see."""
        page = pywikibot.Page(self.site, title)
        took = [r for r in revs if r.revid >= plan.first]
        names = ', '.join(sorted({r.user or '(hidden)' for r in unseen}))
        what = (f'{title}: the delete took {len(unseen)} revision(s) the '
                f'plan did not see (by {names})')
        fileids = []
        if page.namespace() == 6 and took:
            # the file's versions went with its page: back with it
            fileids = deleted_file_ids(self.site, title,
                                       along=[r.timestamp for r in took])
        try:
            undelete(page, timestamps=[r.timestamp for r in took],
                     fileids=fileids,
                     summary=plugin_message(self.site, 'restore-unseen'),
                     max_wait=self.max_wait)
        except (RevertError, APIError) as failure:
            err = ConflictError(f'{what}; restoring failed: {failure}; '
                                'undelete it by hand', page=page)
        else:
            err = ConflictError(f'{what}; restored', page=page,
                                restored=True)
        self.failed_check(key, page, err, kind='delete',
                          restored=err.restored)


def plan_of(record: dict[str, Any]) -> DeletePlan:
    """Rebuild a delete's plan from its journal record."""
    data = record['plan']
    talk = data.get('talk')
    user = data.get('user', '')
    return DeletePlan(
        record['title'], user, data['pageid'], data['latest'],
        data.get('size', 0), first=data.get('first', 0),
        talk=talk and DeletePlan(talk['title'], user, talk['pageid'],
                                 talk['latest'], first=talk.get('first', 0)))


def latest_and_archive(site: Any, titles: list[str], deleted: list[str]
                       ) -> dict[str, dict[str, Any]]:
    """Read the latest revision of *titles*, the archive of *deleted*.

    In one request per 500 titles (50 without ``apihighlimits``): the
    pages about to be deleted (has anyone edited since the plan?) and
    those deleted since the last read (did a delete take more?). Only
    the latest revision is read: who wrote the page the plan read once.

    :return: title -> page (``formatversion=2``): ``revisions`` (the
        latest), ``deletedrevisions``, ``missing``
    """
    extra = {'drvprop': 'ids|timestamp|user', 'drvlimit': 'max'} \
        if deleted else {}
    return merged_pages(site, titles + deleted, batch=batch_size(site),
                        prop='revisions' + '|deletedrevisions'
                        * bool(deleted), rvprop='ids|user', **extra)
