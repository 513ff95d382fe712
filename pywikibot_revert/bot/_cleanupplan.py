"""The plan of ``pwb cleanup``: all an account left, read before any write.

Read from the wiki in a few listings: the account's contributions
(``list=usercontribs``, 500 a request, which also tell the pages it
created), its moves and uploads (``list=logevents``), then, 50 pages a
request, who wrote each page it created (``prop=contributors``) and
what is at each title a move goes back to. Then sorted so that each
step works:

- a page only the account wrote (every revision, every file version)
  is deleted; its talk page with it when that is the account's alone
  too. A page it created that others edited is not: its edits are
  undone like any other, and it is listed for review;
- a move goes back unless the page moved is to be deleted anyway, or
  its old title has a page of its own now (listed for review). The
  redirects its moves left are not deleted: the moves back go over
  them;
- the account's edits are rolled back or undone, except on pages to be
  deleted. The revision a move adds to the page it moves is no edit:
  the move back undoes it;
- a file it overwrote is reverted, unless it is to be deleted.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pywikibot

from ._adminplan import AdminPlan, account_log
from ..exceptions import MissingTargetError, OtherAuthorsError, \
    TitleTakenError
from ..ops._delete import DeletePlan, own_pages, plan_delete
from ..ops._move import MoveBack, move_backs, plan_move_back, title_states
from ..ops._undelete import FILE_REVISION_GAP
from ..ops._undo_user_plan import top_run, user_edits, whole_history
from ..wiki._query import batch_size


__all__ = ['KINDS', 'CleanupPlan', 'read_plan']

#: what a cleanup does, in the order it does it; ``-only:`` picks
KINDS = ('logs', 'edits', 'buried', 'uploads', 'moves', 'creations')

#: how each kind is named in the plan's line
KIND_NAMES = {'rollbacks': 'rollback(s)',
              'undos': 'undo(s) under later edits',
              'files': 'file revert(s)', 'moves': 'move(s) back',
              'deletions': 'deletion(s)'}


@dataclass
class CleanupPlan:

    """What a cleanup of *user* will do, kind by kind.

    :ivar edits: title -> the user's edits there (rollback, undo)
    :ivar files: files the user overwrote, to revert
    :ivar moves: the moves to undo, newest first
    :ivar deletions: title -> the page to delete (talk page folded in)
    :ivar review: ``(title, error)`` of what is left for a person
    :ivar over: old title -> the revision id of the user's redirect
        there, which the move back goes over (MediaWiki deletes it;
        ``-undo`` restores it)
    """

    user: str
    edits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    moves: list[MoveBack] = field(default_factory=list)
    deletions: dict[str, DeletePlan] = field(default_factory=dict)
    review: list[tuple[str, Exception]] = field(default_factory=list)
    over: dict[str, int] = field(default_factory=dict)
    admin: AdminPlan = field(default_factory=AdminPlan)

    def counts(self) -> dict[str, int]:
        """Return how many writes of each kind the plan holds.

        A page with the user's edits on top is a rollback; one with
        edits under later edits an undo (a page may be both).
        """
        runs = [(top_run(es), len(es)) for es in self.edits.values()]
        return {'rollbacks': sum(top > 0 for top, _ in runs),
                'undos': sum(top < count for top, count in runs),
                'files': len(self.files), 'moves': len(self.moves),
                'deletions': len(self.deletions)}

    @property
    def total(self) -> int:
        """The run's items: each page with edits counts once."""
        return (len(self.edits) + len(self.files) + len(self.moves)
                + len(self.deletions) + self.admin.total)

    def line(self) -> str:
        """Say the plan in one line.

        >>> plan = CleanupPlan('Bot', files=['File:A.png'])
        >>> plan.line()
        '0 rollback(s), 0 undo(s) under later edits, 1 file revert(s), 0 move(s) back, 0 deletion(s); 0 for review'
        """
        counts = self.counts()
        logs = self.admin.line()
        return (', '.join(f'{counts[k]} {KIND_NAMES[k]}' for k in counts)
                + (f'; log actions: {logs}' if logs else '')
                + f'; {len(self.review) + len(self.admin.review)} for '
                'review')


def _own_page(title: str, edits: list[dict[str, Any]]) -> dict[str, Any]:
    """The page as :func:`own_pages` would read it, from its whole history.

    (No ``imageinfo``: an upload by anyone else breaks the chain.)
    """
    user = edits[0]['user']
    return {'title': title, 'pageid': edits[0]['pageid'],
            'length': edits[0].get('size', 0),
            'revisions': [{'revid': edits[0]['revid'], 'user': user}],
            'contributors': [] if pywikibot.tools.is_ip_address(user)
            else [{'name': user}],
            'anoncontributors': int(pywikibot.tools.is_ip_address(user))}


def _log(site: Any, letype: str, user: str, since: Any, until: Any,
         log: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    if log is not None:  # the account's whole log, read once
        return [e for e in log if e.get('type') == letype]
    return account_log(site, user, since, until, letype=letype)


def _near(one: str, other: str,
          seconds: float = FILE_REVISION_GAP) -> bool:
    """Tell whether two ISO times are at most *seconds* apart.

    MediaWiki writes a move's (or an upload's) log entry and the
    revision it adds to the page in separate steps, which may fall in
    neighbouring seconds.

    >>> _near('2026-12-01T10:00:59Z', '2026-12-01T10:01:00Z')
    True
    >>> _near('2026-12-01T10:00:00Z', '2026-12-01T10:00:05Z')
    False
    """
    if not one or not other:
        return False
    delta = (pywikibot.Timestamp.fromISOformat(one)
             - pywikibot.Timestamp.fromISOformat(other))
    return abs(delta.total_seconds()) <= seconds


def _talk_title(site: Any, title: str) -> str | None:
    page = pywikibot.Page(site, title)
    if page.namespace().id < 0 or page.isTalkPage():
        return None
    return page.toggleTalkPage().title()


def read_plan(site: Any, user: str | None, *,
              kinds: tuple[str, ...] = KINDS, since: Any = None,
              until: Any = None, namespaces: list[int] | None = None,
              selected: set[str] | None = None,
              iprange: str | None = None,
              log: list[dict[str, Any]] | None = None) -> CleanupPlan:
    """Read and sort everything *user* left, before any write.

    With *iprange* instead of *user*: the edits and page creations of
    every IP in the range, each page for its own IP (the move and upload
    logs are read by account, and an IP may not move or upload on a
    wiki's default settings). The edits on top are rolled back, each
    for its latest IP; those under later edits are not undone.

    :param kinds: the kinds to plan (:data:`KINDS`)
    :param selected: only these titles (a page selection); a move
        counts when its old or new title is selected
    :param log: the account's log entries of every type, if read
        already (one listing instead of one per type)
    """
    plan = CleanupPlan(user or iprange or '')
    edits = user_edits(site, user, since=since, until=until,
                       namespaces=namespaces, iprange=iprange)
    moves = all_moves = [] if iprange else move_backs(
        [e for e in _log(site, 'move', user, since, until, log)
         if not namespaces or e.get('ns') in namespaces])
    uploads = [] if iprange else _log(site, 'upload', user, since, until,
                                      log)
    # an administrator's protections add revisions of their own too
    protects = [] if iprange or not {'edits', 'buried'} & set(kinds) \
        else _log(site, 'protect', user, since, until, log)

    def wanted(*titles: str) -> bool:
        return selected is None or any(t in selected for t in titles)

    # the pages the user created, and the files it uploaded first
    created = [t for t, es in edits.items()
               if any(e['new'] for e in es) and wanted(t)]
    # The redirect a move leaves is no creation of its own: the move
    # back goes over it. It goes with its page, where that is deleted
    redirects = {m.target: m for m in all_moves
                 if any(e['new'] and _near(e['timestamp'], m.timestamp)
                        for e in edits.get(m.target, []))}
    deleting = ('creations' in kinds, 'uploads' in kinds)
    candidates = [t for t in created
                  if deleting[pywikibot.Page(site, t).namespace().id == 6]]
    talks = {t: _talk_title(site, t) for t in candidates}
    first = {t: min(e['revid'] for e in edits[t] if e['new'])
             for t in created}
    # the account, or the IP of the range that created the page
    creator = {t: next(e['user'] for e in edits[t] if e['new'])
               for t in created}
    # A page whose listed edits run unbroken from its creation to its
    # latest revision has no revision by anyone else: the history is
    # that chain (and another's upload adds a revision to a file page).
    # Any other is read: every contributor, every file version. A talk
    # page goes with its page only where the user created it too: then
    # it is a candidate itself.
    pages = {t: _own_page(t, edits[t]) for t in candidates
             if whole_history(edits[t])}
    pages.update(own_pages(site, [t for t in candidates if t not in pages],
                           batch=batch_size(site)))
    for title in candidates:
        if title in redirects:
            continue
        try:
            own = plan_delete(pages[title], creator[title])
        except OtherAuthorsError as err:
            plan.review.append((title, err))
            continue
        except MissingTargetError:
            continue
        talk = pages.get(talks[title] or '')  # None unless a candidate
        talk_plan = None
        if talk and not talk.get('missing') and talks[title] in first:
            try:
                talk_plan = plan_delete(talk, creator[title])
            except (OtherAuthorsError, MissingTargetError):
                pass
        plan.deletions[title] = dataclasses.replace(
            own, first=first[title], talk=talk_plan and dataclasses.replace(
                talk_plan, first=first[talks[title]]))
    # a talk page deleted with its page is no item of its own
    for title in list(plan.deletions):
        talk = plan.deletions[title].talk
        if talk:
            plan.deletions.pop(talk.title, None)
    gone = {p.pageid for p in plan.deletions.values()}
    gone.update(p.talk.pageid for p in plan.deletions.values() if p.talk)
    for title, move in redirects.items():
        if move.pageid in gone and title in candidates:
            try:
                plan.deletions[title] = dataclasses.replace(
                    plan_delete(pages[title], creator[title]),
                    first=first[title])
            except (OtherAuthorsError, MissingTargetError):
                pass  # someone made the redirect a page: it stays

    over: set[str] = set()
    if 'moves' in kinds:
        over = _plan_moves(site, plan, moves, gone, wanted)
    # the revision a move or an upload adds to the page is no edit: the
    # move back and the file revert undo it. A page the user created and
    # others edited is listed for review, its creation not undone
    logged = _stamps([(m.pageid, m.timestamp) for m in all_moves]
                     + [(e.get('logpage') or e.get('pageid'), e['timestamp'])
                        for e in uploads])
    # nor, on a page with no other edit of the user, a protection's:
    # the protection put back undoes it
    protected = _stamps([(e.get('logpage') or e.get('pageid'),
                          e['timestamp']) for e in protects])
    talks_gone = {p.talk.title for p in plan.deletions.values() if p.talk}
    reviewed = {title for title, _ in plan.review}
    doing = {'edits', 'buried'} & set(kinds)
    for title, es in edits.items():
        if (title in plan.deletions or title in over or title in talks_gone
                or not doing or not wanted(title)):
            continue
        real = [e for e in es if not _null_at(e, logged)
                and not (e['new'] and title in reviewed)]
        if real and not all(_null_at(e, protected) for e in real):
            plan.edits[title] = real
    if 'uploads' in kinds:
        plan.files = sorted({
            e['title'] for e in uploads
            if e.get('action') in ('overwrite', 'revert')
            and e['title'] not in plan.deletions and wanted(e['title'])})
    return plan


def _stamps(pairs: list[tuple[int, str]]) -> dict[int, list[str]]:
    """Page id -> the times of the log entries about it."""
    stamps: dict[int, list[str]] = {}
    for pageid, stamp in pairs:
        stamps.setdefault(pageid, []).append(stamp)
    return stamps


def _null_at(edit: dict[str, Any], logged: dict[int, list[str]]) -> bool:
    """Whether *edit* is the null revision of a log entry of its page."""
    return edit['sizediff'] == 0 and any(
        _near(edit['timestamp'], stamp)
        for stamp in logged.get(edit['pageid'], ()))


def _plan_moves(site: Any, plan: CleanupPlan, moves: list[MoveBack],
                gone: set[int], wanted: Any) -> set[str]:
    """Add the moves that can go back to *plan*, newest first.

    Each page's moves form a chain, newest first. Where the page is now
    tells which of them are still to undo: at the newest move's new
    title, all; at an older move's new title, those from there on (a
    rerun after some went back); at the oldest old title, none. Each
    old title must be missing or hold the redirect the move left. A
    page found elsewhere, or whose move back meets a page of its own,
    stays where it is: its moves are listed for review.

    :return: the old titles the moves back go over (their redirects are
        neither deleted nor rolled back)
    """
    chains: dict[int, list[MoveBack]] = {}
    for move in moves:
        if move.pageid not in gone and wanted(move.source, move.target):
            chains.setdefault(move.pageid, []).append(move)
    titles = {t for chain in chains.values() for m in chain
              for t in (m.source, m.target)}
    states = title_states(site, sorted(titles), batch=batch_size(site))
    for pageid, chain in chains.items():
        at = next((t for t in titles
                   if states.get(t, {}).get('pageid') == pageid), None)
        if at == chain[-1].target:
            continue  # back already
        start = next((i for i, m in enumerate(chain) if m.source == at),
                     None)
        if start is None:
            plan.review.append((chain[0].source, TitleTakenError(
                f'{chain[0].source}: the page {plan.user} moved here is '
                f'not here any more ({at or "not found"}); not moved '
                'back')))
            continue
        for move in chain[start:]:
            try:
                plan_move_back(move, states.get(move.target, {}),
                               user=plan.user)
            except TitleTakenError as err:
                plan.review.append((move.target, err))
                break
            plan.moves.append(move)
            if states.get(move.target):
                plan.over[move.target] = states[move.target]['revid']
    plan.moves.sort(key=lambda m: m.logid, reverse=True)
    over = {m.target for m in plan.moves}
    for title in over:
        plan.deletions.pop(title, None)
    return over
