"""``-undo`` of what a cleanup did to the logs: the visibility it set.

Mixed into :class:`~pywikibot_revert.bot._reverse.ReverseBot`. A
revision deletion is put back only on revisions still as the run left
them: each bit the run set goes back to what the run found, and a
revision someone changed since is left and reported.
"""
from __future__ import annotations

from typing import Any

import pywikibot

from ._errors import ChangedSinceError
from ..ops._revdel import find_revdel, set_visibility, visibility


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
        moved = [revid for revid, bits in before.items()
                 if revid not in now
                 or (now[revid] & touched) != hidden]
        if moved:
            raise ChangedSinceError(
                f'{page.title()}: revision(s) {moved} are not as the run '
                'left them; their visibility is not put back', page=page)
        # revisions that were alike before go back in one write
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]],
                     list[int]] = {}
        for revid, bits in before.items():
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
                    reason=self.opt.summary or 'Undo cleanup: revision '
                    'visibility', title=page.title(),
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
