"""``-undo`` of what a cleanup did to the logs.

Mixed into :class:`~pywikibot_revert.bot._reverse.ReverseBot`. Each is
put back only where it is still as the run left it; what someone
changed since is left and reported:

- a revision deletion: each bit the run set goes back to what the run
  found;
- a protection or a user's groups: back to what the rogue account had
  set (the operations read the state right before the write);
- a block lifted: placed again with its settings and expiry, where the
  user holds no other block that placing it would change.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pywikibot

from ._admin_steps import landed_put_back
from ._errors import ChangedSinceError
from ..ops._block import SLACK, UnblockPlan, find_block, reblock
from ..ops._logactions import utc_now
from ..ops._protect import ProtectBack, protect_back
from ..ops._revdel import find_revdel, set_visibility, visibility
from ..ops._userrights import RightsBack, rights_back
from ..wiki._i18n import plugin_message


__all__ = ['AdminReversal']


class AdminReversal:

    """The ``_undo_revisiondelete`` of the reversing bot."""

    def _undo_revisiondelete(self, page: pywikibot.Page,
                             record: dict[str, Any], key: str) -> None:
        result = record.get('result') or {}
        hidden, shown = set(result.get('hidden') or ()), \
            set(result.get('shown') or ())
        touched = hidden | shown
        before = {int(revid): set(bits)
                  for revid, bits in result.get('before') or ()}
        now = visibility(self.site, list(before))
        # as the run left them: every bit, none changed since
        moved = sorted(revid for revid, bits in before.items()
                       if now.get(revid) != (bits | hidden) - shown)
        if moved and len(moved) == len(before):
            raise ChangedSinceError(
                f'{page.title()}: no revision is as the run left it; '
                'their visibility is not put back', page=page)
        if moved:
            text = (f'{page.title()}: revision(s) {moved} changed since the '
                    'run; their visibility is left as it is')
            pywikibot.warning(text)
            self.report_row(page, 'review', 'changed since', text)
        # revisions that were alike before go back in one write
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]],
                     list[int]] = {}
        for revid, bits in before.items():
            if revid in moved:
                continue
            hide = tuple(sorted(touched & bits - now[revid]))
            show = tuple(sorted(touched & now[revid] - bits))
            if hide or show:
                groups.setdefault((hide, show), []).append(revid)
        if not groups or not self.confirm(
                f'Put back the visibility of {page.title()} revision(s) '
                f'{", ".join(map(str, sorted(before)))}?'):
            return
        for n, ((hide, show), revids) in enumerate(sorted(groups.items())):

            def do(revids=revids, hide=hide, show=show):
                return set_visibility(
                    self.site, revids, hide=hide, show=show,
                    reason=self.opt.summary or plugin_message(
                        self.site, 'undo-revdel'), title=page.title(),
                    max_wait=self.max_wait)

            done = self.write(f'{key}|{n}', page, do,
                              action_undone='revisiondelete',
                              revids=revids, hide=list(hide),
                              show=list(show))
            if done is not None:
                self.progress(f'{page.title()}: ' + (
                    'would put' if self.simulate else 'put')
                    + f' back the visibility of revision(s) '
                    f'{", ".join(map(str, revids))}')

    def _landed_revisiondelete(self, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted visibility change landed."""
        return find_revdel(self.site, details['revids'], details['hide'],
                           details['show'])

    def _undo_protect(self, page: pywikibot.Page, record: dict[str, Any],
                      key: str) -> None:
        back = ProtectBack.from_record(record['plan']).reverse()
        self._put_again(page, key, 'protect', back, protect_back,
                        f'protection again {back.target}', 'undo-protect')

    def _undo_userrights(self, page: pywikibot.Page, record: dict[str, Any],
                         key: str) -> None:
        back = RightsBack.from_record(record['plan']).reverse()
        self._put_again(page, key, 'userrights', back, rights_back,
                        'groups again '
                        + (', '.join(g for g, _ in back.target) or 'none'),
                        'undo-rights')

    def _undo_unblock(self, page: pywikibot.Page, record: dict[str, Any],
                      key: str) -> None:
        plan = UnblockPlan.from_record(record['plan'])
        self._put_again(page, key, 'unblock', plan, reblock,
                        f'block {plan.blockid} by {plan.by} again',
                        'undo-unblock', since=utc_now(-SLACK))

    def _put_again(self, page: pywikibot.Page, key: str, action: str,
                   plan: Any, write: Any, what: str, message: str,
                   **details: Any) -> None:
        """Put back what the rogue account had set, as the run found it."""
        if not self.confirm(f'{page.title()}: {what}?'):
            return

        def do():
            return write(self.site, plan, reason=self.opt.summary
                         or plugin_message(self.site, message),
                         max_wait=self.max_wait)

        done = self.write(key, page, do, action_undone=action,
                          plan=dataclasses.asdict(plan), **details)
        if done is not None:
            self.progress(f'{page.title()}: ' + (
                'would put' if self.simulate else 'put') + f' {what}')

    def _landed_log_action(self, details: dict[str, Any]) -> Any:
        """Tell whether an interrupted put-back of a log action landed."""
        undone = details['action_undone']
        if undone == 'unblock':  # placed again: a block, not its absence
            return find_block(self.site, UnblockPlan.from_record(
                details['plan']), details['since'])
        # the plan journalled is the reversed one: put back as it reads
        return landed_put_back(self.site, undone, details)
