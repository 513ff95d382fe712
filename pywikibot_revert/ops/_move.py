"""Move a page back along a move the user made (``action=move``).

Each ``move`` log entry names the page (its id), where it was and where
it went. Going back moves *that page*, named by its id (``fromid``), so
a page someone else put at the new title meanwhile is never moved. The
old title may hold nothing, or the redirect the move left: MediaWiki
moves over a redirect of one revision and refuses anything else
(``articleexists``, :exc:`~pywikibot_revert.exceptions.TitleTakenError`),
so a title that got a page of its own is never overwritten, even when
that happens between the plan and the write. ``ignorewarnings`` is
never sent.

A talk page and subpages the move took along have log entries of their
own, each moved back by itself. A chain (A to B, then B to C) goes back
newest first: C to B, then B to A.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot

from ..exceptions import (
    MissingTargetError,
    OutcomeUnknownError,
    TitleTakenError,
)
from ..results import MoveResult
from ..wiki._params import batched
from ..wiki._i18n import plugin_message
from ..wiki._query import query, read
from ..wiki._rights import require_rights
from ..wiki._validate import normalize_username
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['MoveBack', 'find_move', 'last_move', 'move_back',
           'move_backs', 'move_page_back', 'plan_move_back', 'title_states']


@dataclass(frozen=True)
class MoveBack:

    """One move by the user, to be undone: *pageid* goes to *target*.

    :ivar source: the title the user moved the page to
    :ivar target: the title it had before, where it goes back
    :ivar redirect: the user's move left a redirect at *target*
    """

    logid: int
    pageid: int
    source: str
    target: str
    timestamp: str = ''
    redirect: bool = True

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> MoveBack:
        """Build from a ``move`` log entry (``formatversion=2``).

        >>> MoveBack.from_entry({'logid': 5, 'logpage': 12, 'title': 'A',
        ...     'timestamp': '2026-12-01T00:00:00Z',
        ...     'params': {'target_title': 'B', 'suppressredirect': True}})
        MoveBack(logid=5, pageid=12, source='B', target='A', timestamp='2026-12-01T00:00:00Z', redirect=False)
        """
        params = entry.get('params', {})
        return cls(entry['logid'], entry.get('logpage') or entry['pageid'],
                   params['target_title'], entry['title'],
                   entry.get('timestamp', ''),
                   not params.get('suppressredirect', False))

    def reverse(self) -> MoveBack:
        """The move that undoes this one (for ``-undo``)."""
        return MoveBack(0, self.pageid, self.target, self.source,
                        redirect=False)


def move_backs(entries: list[dict[str, Any]]) -> list[MoveBack]:
    """Return the moves to undo, newest first (a chain goes back in order).

    >>> moves = move_backs([
    ...     {'logid': 1, 'logpage': 7, 'title': 'A',
    ...      'params': {'target_title': 'B'}},
    ...     {'logid': 2, 'logpage': 7, 'title': 'B',
    ...      'params': {'target_title': 'C'}}])
    >>> [(m.source, m.target) for m in moves]
    [('C', 'B'), ('B', 'A')]
    """
    moves = [MoveBack.from_entry(e) for e in entries
             if e.get('params', {}).get('target_title')]
    return sorted(moves, key=lambda m: m.logid, reverse=True)


def title_states(site: Any, titles: list[str], *, batch: int = 50
                 ) -> dict[str, dict[str, Any]]:
    """Read what is at each title: page id, redirect, one revision only.

    One request serves up to *batch* titles (``prop=info|revisions``).

    :return: title -> ``{'pageid', 'redirect', 'single', 'user',
        'revid'}`` (the latest revision), or ``{}`` for a missing title
    """
    states: dict[str, dict[str, Any]] = {}
    for chunk in batched(titles, batch):
        for part in query(site, prop='info|revisions', titles=chunk,
                          rvprop='ids|user'):
            aliases = {a['from']: a['to'] for a in part.get('normalized', [])}
            for page in part.get('pages', []):
                rev = (page.get('revisions') or [{}])[0]
                states[page['title']] = {} if page.get('missing') else {
                    'pageid': page['pageid'],
                    'redirect': bool(page.get('redirect')),
                    'single': rev.get('parentid') == 0,
                    'user': rev.get('user'), 'revid': rev.get('revid')}
            for alias, title in aliases.items():
                states[alias] = states.get(title, {})
    return states


def plan_move_back(move: MoveBack, target: dict[str, Any], *,
                   user: str) -> None:
    """Refuse a move back whose old title has a page of its own.

    The title may be missing, or hold a redirect of one revision by
    *user* (the one the move left): MediaWiki moves over that.

    >>> move = MoveBack(1, 7, 'B', 'A')
    >>> plan_move_back(move, {}, user='Bot')
    >>> plan_move_back(move, {'pageid': 9, 'redirect': True,
    ...                       'single': True, 'user': 'Bot'}, user='Bot')
    >>> plan_move_back(move, {'pageid': 9, 'redirect': False,
    ...                       'single': True, 'user': 'Ed'}, user='Bot')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.TitleTakenError: A: the old title has a page of its own now (by Ed); B stays where it is

    :param target: what is at the old title now (:func:`title_states`)
    :raises TitleTakenError: the old title has a page of its own
    """
    if not target:
        return
    if target['redirect'] and target['single'] and target['user'] == user:
        return
    raise TitleTakenError(
        f'{move.target}: the old title has a page of its own now (by '
        f'{target.get("user")}); {move.source} stays where it is',
        code='articleexists')


def find_move(site: Any, move: MoveBack) -> dict[str, Any] | None:
    """Ask the wiki whether *move* went back (one read, by page id).

    :return: the ``move`` answer the API would have given, or None when
        the page is still at the new title
    :raises OutcomeUnknownError: the page is somewhere else
    """
    data = read(site, action='query', pageids=move.pageid, formatversion=2)
    page = data['query']['pages'][0]
    title = page.get('title')
    if page.get('missing'):
        raise OutcomeUnknownError(
            f'{move.source}: page {move.pageid} is gone; check it by hand')
    if title == move.target:
        return {'from': move.source, 'to': move.target}
    if title == move.source:
        return None
    raise OutcomeUnknownError(
        f'{move.source}: page {move.pageid} is at {title} now, neither '
        f'at {move.source} nor at {move.target}; check it by hand')


def move_back(site: Any, move: MoveBack, *, summary: str | None = None,
              noredirect: bool | None = None,
              max_wait: float | None = None) -> MoveResult:
    """Move page *move.pageid* back to *move.target*.

    **Example:**

    .. code-block:: python

       entry = next(site.logevents('move', user='Vandal', total=1))
       result = move_back(site, MoveBack.from_entry(entry.data))
       print(result.source, '->', result.target, result.redirect_left)

    :param summary: the move's reason; default names the move undone
    :param noredirect: leave no redirect at the title it leaves;
        default: where the account has ``suppressredirect``
    :raises TitleTakenError: the old title has a page of its own
    :raises MissingRightError: ``move`` is missing
    """
    require_rights(site, 'move')
    if noredirect is None:
        noredirect = site.has_right('suppressredirect')
    params: dict[str, Any] = {
        'action': 'move', 'fromid': move.pageid, 'to': move.target,
        'reason': summary or plugin_message(
            site, 'move-back-log' if move.logid else 'move-back',
            source=move.source, target=move.target, logid=move.logid)}
    if noredirect:
        params['noredirect'] = 1
    page = pywikibot.Page(site, move.source)
    answer = submit_write(
        site, params, token='csrf', page=page, max_wait=max_wait,
        reconcile=reconcile_by('move', lambda: find_move(site, move)))
    data = answer.get('move', {})
    if is_simulation() and not answer.get('reconciled') and 'to' not in data:
        return MoveResult(move.source, move.target, move.pageid,
                          simulated=True)
    return MoveResult(
        source=data.get('from', move.source), target=move.target,
        pageid=move.pageid, redirect_left=redirect_created(
            {**data, 'reconciled': answer.get('reconciled')}, noredirect),
        reconciled=bool(answer.get('reconciled')))


def redirect_created(data: dict[str, Any], noredirect: bool) -> bool:
    """Tell from a ``move`` answer whether a redirect was left behind.

    pywikibot asks for ``formatversion=1``, where a flag is an empty
    string when set and absent when not; a reconciled answer (read back
    after a lost one) does not say, and the request's ``noredirect``
    does.

    >>> redirect_created({'redirectcreated': ''}, False)
    True
    >>> redirect_created({'from': 'B', 'to': 'A'}, False)
    False
    >>> redirect_created({'redirectcreated': False}, False)
    False
    >>> redirect_created({'from': 'B', 'to': 'A', 'reconciled': True}, False)
    True
    """
    if 'redirectcreated' in data:
        return data['redirectcreated'] not in (False, None)
    if data.get('reconciled'):
        return not noredirect
    return False


def last_move(page: pywikibot.Page, user: str) -> MoveBack:
    """Return *user*'s move that brought *page* to its title (reads twice).

    :raises MissingTargetError: *user* moved no page to this title, or
        the page there is another one
    """
    site = page.site
    pageid = page.pageid
    for part in query(site, list='logevents', letype='move', leuser=user,
                      leprop='ids|title|type|user|timestamp|details',
                      lelimit='max'):
        for entry in part.get('logevents', []):
            move = MoveBack.from_entry(entry)
            if move.pageid == pageid and move.source == page.title():
                return move
    raise MissingTargetError(
        f'{page.title()}: {user} did not move this page here',
        code='missingtitle')


def move_page_back(page: pywikibot.Page, *, user: str,
                   summary: str | None = None,
                   noredirect: bool | None = None,
                   max_wait: float | None = None) -> MoveResult:
    """Move *page* back to the title it had before *user* moved it.

    The user's newest move of this page to its title is read from the
    move log; the old title must be missing or hold the redirect that
    move left (``plan_move_back``).

    **Example:**

    .. code-block:: python

       page = pywikibot.Page(site, 'Sandbox (moved by a vandal)')
       result = page.revert.move_back(user='Vandal')
       print(result.target)

    :param user: who moved the page
    :raises TitleTakenError: the old title has a page of its own
    :raises MissingTargetError: *user* did not move the page there
    """
    user = normalize_username(user, page.site)
    move = last_move(page, user)
    plan_move_back(move, title_states(page.site, [move.target])
                   .get(move.target, {}), user=user)
    return move_back(page.site, move, summary=summary,
                     noredirect=noredirect, max_wait=max_wait)
