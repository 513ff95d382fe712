"""The writes of ``pwb cleanup`` that reverse an administrator's log actions.

Mixed into :class:`~pywikibot_revert.bot._cleanup.CleanupBot`. Some go
first, before the edits: a page the account deleted has no edits to
roll back, and a revision it hid makes a rollback fail. The others go
last: a protection put back adds a revision on top of the account's
edits, which a rollback would then no longer reach.

- first, deletions: what each deletion took is restored (the revisions
  newer than the title's previous deletion;
  :class:`~pywikibot_revert.bot._adminplan.DeletionBack`), read 50
  titles a request; a title with a page on it now is left;
- first, revision visibility: each bit as it was before the account
  changed it, on revisions still as the account left them;
- last, protections, blocks (by block id) and groups, each read right
  before its write by the operation, and not sent where someone else
  changed it since; a page the run deletes keeps no protection;
- entries no API action reverses, and unblocks, are left for a person,
  each with a report row and a link to the entry.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pywikibot

from ._adminplan import AdminPlan, DeletionBack
from ._errors import ChangedSinceError, RecreatedPageError
from ._restoreplan import plan_restore
from ._visibilityplan import VisibilityBack
from ..exceptions import (
    MissingRightError,
    MissingTargetError,
    NoLongerInForceError,
)
from ..ops._block import UnblockPlan, find_unblock, unblock
from ..ops._protect import ProtectBack, find_protect, protect_back
from ..ops._revdel import set_visibility, visibility
from ..ops._userrights import RightsBack, changes_to, find_rights, \
    require_changeable, rights_back
from ..ops._logactions import utc_now
from ..ops._undelete import undelete
from ..results import DeletedRevision
from ..wiki._i18n import plugin_message
from ..wiki._messages import undelete_reason
from ..wiki._params import batched
from ..wiki._query import merged_pages


__all__ = ['ADMIN_RIGHTS', 'PUT_BACK', 'AdminSteps', 'landed_put_back']

#: titles whose state and archive one request reads
RESTORE_BATCH = 50

#: journal action of a log action put back -> its plan, and the reader
#: that tells whether its write landed
PUT_BACK = {'protect': (ProtectBack, find_protect),
            'unblock': (UnblockPlan, find_unblock),
            'userrights': (RightsBack, find_rights)}

#: the rights each part of the log reversal needs
ADMIN_RIGHTS = {'restores': ('undelete', 'deletedhistory'),
                'revdels': ('deleterevision',),
                'protections': ('protect',), 'blocks': ('block',)}


class AdminSteps:

    """Reverse the account's log actions, for :class:`CleanupBot`."""

    def _init_admin(self) -> None:
        #: title -> (exists now, its deleted revisions), read in batches
        self._archive: dict[str, tuple[bool, list[Any]]] = {}
        #: revid -> its hidden bits, read before the first visibility write
        self._visible: dict[int, frozenset[str]] = {}

    def _admin_first(self, plan: AdminPlan) -> Iterator[Any]:
        """Restores and revision visibility: before the edits."""
        for entry, why in plan.review:
            self._left_entry(entry, why)
        for entry, why in plan.settled:
            self._left_entry(entry, why, reason='no longer in force')
        for batch in batched(plan.restores, RESTORE_BATCH):
            self._archive = self._read_archive([b.title for b in batch])
            for back in batch:
                yield 'logs', pywikibot.Page(self.site, back.title), back
        # read after the restores: a revision of a page restored is seen
        revids = [revid for back in plan.revdels for revid in back.revids]
        self._visible = visibility(self.site, revids) if revids else {}
        for back in plan.revdels:
            yield 'logs', pywikibot.Page(self.site, back.title), back

    def _admin_last(self, plan: AdminPlan, deleting: Any) -> Iterator[Any]:
        """Protections, blocks and groups: after the edits.

        A protection adds a revision to its page, on top of the account's
        edits there, which a rollback would then no longer reach. A page
        the run deletes loses its protection with it.
        """
        for item in (*plan.protections, *plan.blocks, *plan.rights):
            title = _title(item)
            if title in deleting:
                self.progress(f'{title}: its protection goes with the page '
                              '(deleted)')
                continue
            yield 'logs', pywikibot.Page(self.site, title), item

    def _drop_admin_without_rights(self, plan: AdminPlan) -> None:
        """Leave out each part of the plan the account cannot do."""
        for part, rights in ADMIN_RIGHTS.items():
            lacking = [r for r in rights if not self.site.has_right(r)]
            items = getattr(plan, part)
            if not lacking or not items:
                continue
            pywikibot.warning(
                f'{len(items)} {part} left out: {self.site.user()} does not '
                f'have the {lacking[0]!r} right on {self.site}')
            for item in items:
                title = _title(item)
                self._left(title, f'no {lacking[0]} right',
                           f'{title}: left out; no {lacking[0]!r} right')
            items.clear()
        kept = []
        for back in plan.rights:
            add, remove = changes_to(back, utc_now())
            try:
                # a bureaucrat's groups are the wiki's to say: one read
                require_changeable(self.site, [g for g, _ in add], remove)
            except MissingRightError as err:
                pywikibot.warning(str(err))
                self._left(f'User:{back.user}', 'no userrights right',
                           f'User:{back.user}: groups not put back; {err}')
            else:
                kept.append(back)
        plan.rights[:] = kept

    def _left_entry(self, entry: dict[str, Any], why: str,
                    reason: str = 'review') -> None:
        """Leave a log entry (for a person): a line and a report row."""
        title = entry.get('title') or 'Special:Log'
        self._left(title, reason, f'{title}: {entry.get("type")}/'
                   f'{entry.get("action")} by {entry.get("user")} at '
                   f'{entry.get("timestamp")}: {why} '
                   f'(Special:Redirect/logid/{entry.get("logid")})')

    def _read_archive(self, titles: list[str]
                      ) -> dict[str, tuple[bool, list[Any]]]:
        """Read whether each title has a page, and its archive.

        One request per :data:`RESTORE_BATCH` titles: the archive's
        answer marks a title with no page ``missing``.
        """
        pages = merged_pages(self.site, titles, batch=RESTORE_BATCH,
                             prop='deletedrevisions', drvlimit='max',
                             drvprop='ids|timestamp|user|comment|size|sha1')
        return {title: (not page.get('missing'), [
            DeletedRevision.from_api(page.get('title', title), rev)
            for rev in page.get('deletedrevisions', [])])
            for title, page in ((t, pages.get(t, {})) for t in titles)}

    def _admin_act(self, page: pywikibot.Page, item: Any) -> None:
        if isinstance(item, DeletionBack):
            self._restore_deleted(page, item)
        elif isinstance(item, VisibilityBack):
            self._visibility_back(page, item)
        elif isinstance(item, ProtectBack):
            self._put_back(page, item, 'protect', protect_back,
                           f'put back protection {item.target} (now '
                           f'{item.expected})', 'protection put back to '
                           f'{item.target}')
        elif isinstance(item, UnblockPlan):
            self._put_back(page, item, 'unblock', unblock,
                           f'lift block {item.blockid} by {item.by} '
                           f'(expiry {item.expiry})',
                           f'lifted block {item.blockid}')
        elif isinstance(item, RightsBack):
            self._put_back(page, item, 'userrights', rights_back,
                           f'put back groups {_groups(item.target)} (now '
                           f'{_groups(item.expected)})', 'groups put back '
                           f'to {_groups(item.target)}')

    def _restore_deleted(self, page: pywikibot.Page,
                         back: DeletionBack) -> None:
        title = back.title
        if self.journal and self.journal.is_done(f'undelete|{title}'):
            # before the checks below: restored by us is not re-created
            self.skip('done before (journal)')
            return
        asks = not (self.opt.always or self.simulate)
        state = self._archive.pop(title, None)
        if state is None or asks:
            # the question may wait: read right before
            state = self._read_archive([title])[title]
        exists, revs = state
        if exists:
            raise RecreatedPageError(
                f'{title}: a page was created at the title since '
                f'{back.user} deleted it; not restored', page=page)
        since, until = back.window
        # what this deletion took; older revisions are an earlier one's
        first = since and pywikibot.Timestamp.fromISOformat(since)
        last = pywikibot.Timestamp.fromISOformat(until)
        revs = [r for r in revs
                if (not first or r.timestamp >= first) and r.timestamp <= last]
        plan = plan_restore(page, revs, None, since=since, until=until)
        self.progress(f'{title}: {plan.what} to restore (deleted by '
                      f'{back.user}, log entry {back.logid}), by {plan.by}')
        if not self.confirm(f'Restore {plan.what} of {title}?'):
            return
        reason = self.opt.summary or undelete_reason({
            'logid': back.logid, 'user': back.user, 'title': title,
            'timestamp': back.timestamp, 'comment': back.comment},
            self.site, nouser=self.opt.nouser)

        def do():
            return undelete(page, summary=reason, max_wait=self.max_wait,
                            **plan.kwargs)

        result = self.write(f'undelete|{title}', page, do,
                            action='undelete', op='undelete',
                            selection=plan.part)
        if result is None:
            return
        self.progress(f'{title}: ' + (
            f'would restore {plan.what}' if self.simulate else
            f'restored {result.revisions} revision(s)'
            + (f', {result.fileversions} file version(s)'
               if result.fileversions else '')))

    def _visibility_back(self, page: pywikibot.Page,
                         back: VisibilityBack) -> None:
        title, revids = back.title, list(back.revids)
        ids = ', '.join(map(str, revids))
        key = f'revisiondelete|{title}|{ids}'
        if self.journal and self.journal.is_done(key):
            self.skip('done before (journal)')
            return
        if not self.opt.always or self.simulate \
                or any(r not in self._visible for r in revids):
            self._visible.update(visibility(self.site, revids))
        missing = [r for r in revids if r not in self._visible]
        if missing:
            raise MissingTargetError(
                f'{title}: revision(s) {missing} not found (the page '
                'deleted?); visibility not put back', page=page)
        now = {r: self._visible.pop(r) for r in revids}
        if all(back.as_before(bits) for bits in now.values()):
            raise NoLongerInForceError(
                f'{title}: revision(s) {ids} are already as before '
                f'{back.user} changed them', page=page)
        changed = [r for r, bits in now.items() if not back.as_left(bits)]
        if changed:
            raise ChangedSinceError(
                f'{title}: revision(s) {changed} changed visibility since '
                f'{back.user} changed it; left as they are', page=page)
        what = ', '.join([*(f'show {b}' for b in back.show),
                          *(f'hide {b}' for b in back.hide)])
        self.progress(f'{title}: revision(s) {ids}: {what} (as before '
                      f'{back.user} changed them)')
        if not self.confirm(f'Put back the visibility of {title} '
                            f'revision(s) {ids}?'):
            return
        logs = ', '.join(map(str, back.logids))
        reason = self.opt.summary or plugin_message(
            self.site, 'revdel-back-hidden' if self.opt.nouser
            else 'revdel-back', user=back.user, logids=logs)

        def do():
            return set_visibility(self.site, revids, hide=back.hide,
                                  show=back.show, reason=reason,
                                  title=title, max_wait=self.max_wait)

        result = self.write(key, page, do,
                            action='revisiondelete', op='revisiondelete',
                            revids=revids, hide=list(back.hide),
                            show=list(back.show))
        if result is not None:
            self.progress(f'{title}: ' + ('would put' if self.simulate
                                          else 'put')
                          + f' back the visibility of revision(s) {ids}')

    def _put_back(self, page: pywikibot.Page, plan: Any, action: str,
                  write: Any, what: str, done: str) -> None:
        """Put back one protection, block or set of groups.

        The operation reads the state right before its write and sends
        nothing unless it is still as the account left it.
        """
        title = page.title()
        logs = ', '.join(map(str, plan.logids))
        self.progress(f'{title}: {what} (log {logs})')
        if not self.confirm(f'{title}: {what}?'):
            return

        reason = self.opt.summary or None
        if action == 'unblock' and self.opt.nouser:
            # the default names the blocking admin: the account cleaned
            reason = plugin_message(self.site, 'unblock-hidden', logids=logs)

        def do():
            return write(self.site, plan, reason=reason,
                         max_wait=self.max_wait)

        result = self.write(f'{action}|{title}', page, do, action=action,
                            op=action, plan=dataclasses.asdict(plan))
        if result is not None:
            self.progress(f'{title}: '
                          + (f'would {what}' if self.simulate else done))


def _title(item: Any) -> str:
    """The page an item of the plan is about (a user's page for a user)."""
    if isinstance(item, UnblockPlan):
        return f'User:{item.target}'
    if isinstance(item, RightsBack):
        return f'User:{item.user}'
    return item.title


def _groups(groups: Any) -> str:
    """Say groups with their expiries: ``sysop (2027-01-07...), bot``."""
    return ', '.join(g if e in ('infinity', None) else f'{g} ({e})'
                     for g, e in groups) or 'no group'


def landed_put_back(site: Any, action: str, details: dict[str, Any]) -> Any:
    """Tell whether a journalled protection, unblock or groups write landed.

    :param action: a key of :data:`PUT_BACK`
    :param details: the write's journal details (``plan``)
    """
    plan, find = PUT_BACK[action]
    return find(site, plan.from_record(details['plan']))
