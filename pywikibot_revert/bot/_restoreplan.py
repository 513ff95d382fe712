"""What the undelete bot restores of one page, decided before it asks.

A page is restored whole, or in part (``-except-user``, ``-since``,
``-until``), or, when it was created again since the deletion and the
run says ``-recreated:merge``, behind its current revision: then only
the archived revisions older than that one come back, and no file
versions. :func:`restore_behind` tells whether a page that exists now
is such a page; :func:`plan_restore` makes the :class:`RestorePlan`
the bot previews, confirms and writes.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pywikibot

from ._errors import RecreatedPageError
from ..exceptions import NothingToUndeleteError
from ..ops._undelete import UndeleteSelection, select_revisions
from ..results import DeletedRevision
from ..wiki._query import query


__all__ = ['RestorePlan', 'plan_restore', 'restore_behind']


@dataclass(frozen=True)
class RestorePlan:

    """What to restore of one page, and how to say it.

    >>> plan = RestorePlan(None, None, 'all revisions')
    >>> plan.kwargs, plan.part, plan.by
    ({'all_revisions': True}, {'all_revisions': True}, '')

    :ivar selection: the revisions and file versions, or None for all
    :ivar revisions: the deleted revisions restored, if they were read
    :ivar what: what is restored, in words (``3 revision(s)``)
    :ivar behind: restored behind the page's current revision
    """

    selection: UndeleteSelection | None
    revisions: list[DeletedRevision] | None
    what: str
    behind: bool = False

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keywords of :func:`~pywikibot_revert.ops._undelete.undelete`."""
        if self.selection is None:
            return {'all_revisions': True}
        return {'selection': self.selection}

    @property
    def part(self) -> dict[str, Any]:
        """The selection as the journal keeps it."""
        if self.selection is None:
            return {'all_revisions': True}
        return dataclasses.asdict(self.selection)

    @property
    def by(self) -> str:
        """Whose revisions come back: the five with most, and how many."""
        users = Counter(r.user or '(hidden)' for r in self.revisions or [])
        return ', '.join(f'{u} ({n})' for u, n in users.most_common(5))


def restore_behind(site: Any, page: pywikibot.Page,
                   latest: dict[str, Any] | None,
                   revs: list[DeletedRevision] | None, *,
                   recreated: str) -> dict[str, Any] | None:
    """Return the current revision to restore behind, or None.

    None when the page is missing, or exists because an earlier run
    restored part of it (killed between chunks, or with ``-since`` or
    ``-until``): the rest goes back the usual way.

    :param latest: the page's latest revision, None if it is missing
    :param revs: its deleted revisions, read
    :param recreated: ``-recreated``: ``skip`` or ``merge``
    :raises NothingToUndeleteError: nothing of the page is deleted
    :raises RecreatedPageError: created again since the deletion, and
        *recreated* is ``skip``
    """
    if latest is None:
        return None
    title = page.title()
    if not revs:
        raise NothingToUndeleteError(f'{title}: nothing deleted')
    if _restored_since(site, title):
        return None
    if recreated == 'skip':
        raise RecreatedPageError(
            f'{title}: re-created since the deletion (now revision '
            f'{latest["revid"]} by {latest.get("user")}); not '
            'restored', page=page)
    return latest


def _restored_since(site: Any, title: str) -> bool:
    """Whether the page exists because of a restore, not a new page.

    The newest deletion or restore in the page's log tells.
    """
    for part in query(site, list='logevents', letype='delete',
                      letitle=title, lelimit=10, leprop='type'):
        for event in part.get('logevents', []):
            if event.get('action') in ('delete', 'restore'):
                return event['action'] == 'restore'
        break  # ten entries of revision deletion: call it re-created
    return False


def plan_restore(page: pywikibot.Page,
                 revs: list[DeletedRevision] | None,
                 behind: dict[str, Any] | None, *,
                 since: Any = None, until: Any = None,
                 except_user: str | None = None) -> RestorePlan:
    """Return what to restore of *page*.

    :param revs: its deleted revisions, or None if they were not read
        (the whole page is restored)
    :param behind: the current revision to restore behind
        (:func:`restore_behind`), or None
    :param since: ``-since``; *until* and *except_user* likewise
    :raises NothingToUndeleteError: nothing is deleted, or nothing
        selected
    """
    title = page.title()
    if except_user or since or until:
        selection = select_revisions(page, revisions=revs, since=since,
                                     until=until, except_user=except_user)
    else:
        selection = None
    if behind:
        # restored behind the current revision: only older ones,
        # and page revisions only (a file's versions stay deleted)
        older = {r.timestamp.totimestampformat(): r for r in revs or []
                 if r.timestamp.isoformat() < behind['timestamp']}
        wanted = older if selection is None else set(
            selection.timestamps) & set(older)
        selection = UndeleteSelection(tuple(sorted(wanted)))
        revs = [older[ts] for ts in selection.timestamps]
    if selection is not None:
        if selection.empty:
            raise NothingToUndeleteError(f'{title}: nothing selected')
        what = (f'{len(selection.timestamps)} revision(s)'
                + (f', {len(selection.fileids)} file version(s)'
                   if selection.fileids else ''))
    else:
        if revs == []:
            raise NothingToUndeleteError(f'{title}: nothing deleted')
        what = (f'all {len(revs)} revision(s)' if revs is not None
                else 'all revisions')
    return RestorePlan(selection, revs, what, behind=bool(behind))
