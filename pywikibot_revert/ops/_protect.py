"""Put back the protection a page had before the user changed it.

Each ``protect`` log entry (``protect``, ``modify``, ``unprotect``)
says what protection the user set, not what was there before: that is
the page's previous protect log entry (what is left of it: a level
whose expiry has come is gone), or none. A page the user changed several
times goes back once, to the state before the oldest change.

Another account's decision is never overwritten: a page whose protect
log has an entry after the user's first change that is not the user's,
or whose protection now is not what the user's last change set, is
refused (:exc:`~pywikibot_revert.exceptions.ChangedByOthersError`), at
planning and again right before the write.

Reads are batched: ``prop=info&inprop=protection`` for 50 titles per
request; the protect log, which ``list=logevents`` gives for one title
per request, once per page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot

from ..exceptions import (
    ChangedByOthersError,
    NoLongerInForceError,
    OutcomeUnknownError,
)
from ..results import ProtectResult, Refusal
from ..wiki._i18n import plugin_message
from ..wiki._rights import require_rights
from ..wiki._write import is_simulation, reconcile_by, submit_write
from ._logactions import as_left, by_target, log_of, wiki_expiry
from ._protection import Level, Protection, current_protections


__all__ = ['PROTECT_ACTIONS', 'ProtectBack', 'ProtectChange', 'Protection',
           'current_protections', 'find_protect', 'plan_protect_back',
           'protect_back']

#: the protect log actions that are put back
PROTECT_ACTIONS = ('protect', 'modify', 'unprotect')

@dataclass(frozen=True)
class ProtectChange:

    """One ``protect`` log entry: the protection the user set."""

    logid: int
    title: str
    pageid: int
    action: str
    timestamp: str
    user: str
    levels: tuple[Level, ...] = ()
    cascade: bool = False

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> ProtectChange:
        """Build from a ``protect`` log entry (``formatversion=2``).

        >>> c = ProtectChange.from_entry({'logid': 12, 'title': 'P1',
        ...     'pageid': 2, 'action': 'modify', 'user': 'Rogue',
        ...     'timestamp': '2026-12-07T05:11:42Z', 'params': {
        ...         'cascade': True, 'details': [
        ...             {'type': 'edit', 'level': 'sysop',
        ...              'expiry': 'infinite', 'cascade': True}]}})
        >>> c.protection
        Protection(levels=(('edit', 'sysop', 'infinity'),), cascade=True)

        :raises ValueError: not an action of :data:`PROTECT_ACTIONS`
        """
        action = entry.get('action')
        if action not in PROTECT_ACTIONS:
            raise ValueError(f'protect log action {action!r} is not put '
                             'back (only ' + ', '.join(PROTECT_ACTIONS) + ')')
        params = entry.get('params') or {}
        protection = Protection.from_levels(
            [(d['type'], d['level'], d.get('expiry'))
             for d in params.get('details') or ()],
            params.get('cascade') not in (None, False))
        return cls(entry['logid'], entry['title'],
                   entry.get('logpage') or entry.get('pageid') or 0,
                   action, entry.get('timestamp', ''), entry.get('user', ''),
                   protection.levels, protection.cascade)

    @property
    def protection(self) -> Protection:
        """The protection this entry set."""
        return Protection(self.levels, self.cascade)


@dataclass(frozen=True)
class ProtectBack:

    """A page whose protection goes back to *target*.

    :ivar logids: the user's entries put back, oldest first
    :ivar target: the protection before the user's first change
    :ivar expected: the protection the user's last change left, which
        must still be in force when the write is sent
    """

    title: str
    pageid: int
    logids: tuple[int, ...]
    target: Protection
    expected: Protection

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ProtectBack:
        """Build from :func:`dataclasses.asdict` output."""
        return cls(data['title'], data.get('pageid', 0),
                   tuple(data.get('logids', ())),
                   Protection.from_record(data['target']),
                   Protection.from_record(data['expected']))

    def reverse(self) -> ProtectBack:
        """The write that puts the user's protection back (``-undo``)."""
        return ProtectBack(self.title, self.pageid, self.logids,
                           self.expected, self.target)


def _before(entries: list[dict[str, Any]], first: int, now: str
            ) -> Protection:
    """Return the protection in force before log entry *first*."""
    earlier = [e for e in entries if e['logid'] < first
               and e.get('action') in PROTECT_ACTIONS]
    if not earlier:
        return Protection.none()
    last = max(earlier, key=lambda e: e['logid'])
    return ProtectChange.from_entry(last).protection.active(now)


def plan_page(changes: list[ProtectChange], entries: list[dict[str, Any]],
              current: Protection, now: str) -> ProtectBack:
    """Plan one page from the user's changes, its log and its state (pure).

    >>> def entry(logid, user, action, level=None):
    ...     details = [{'type': 'edit', 'level': level,
    ...                 'expiry': 'infinite'}] if level else []
    ...     return {'logid': logid, 'title': 'P', 'pageid': 3,
    ...             'action': action, 'user': user,
    ...             'params': {'details': details}}
    >>> log = [entry(2, 'Rogue', 'modify', 'sysop'),
    ...        entry(1, 'Admin', 'protect', 'autoconfirmed')]
    >>> rogue = [ProtectChange.from_entry(log[0])]
    >>> now = '2030-01-01T00:00:00Z'
    >>> plan = plan_page(rogue, log, rogue[0].protection, now)
    >>> str(plan.target)
    'edit=autoconfirmed (infinity)'
    >>> log.insert(0, entry(3, 'Admin', 'modify', 'sysop'))
    >>> plan_page(rogue, log, rogue[0].protection, now)
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.ChangedByOthersError: P: the protection was changed since by Admin (log 3); left as it is

    :param changes: the user's changes of this page, oldest first
    :param entries: the page's protect log
    :param current: the page's protection now
    :raises ChangedByOthersError: changed since by someone else
    :raises NoLongerInForceError: the protection is already as before
    """
    first, last = changes[0], changes[-1]
    title = first.title
    ours = {c.logid for c in changes}
    target = _before(entries, first.logid, now)
    expected = last.protection.active(now)
    as_left(title, ('the protection', 'is'), first.user, current=current,
            target=target, expected=expected,
            others=[e for e in entries if e['logid'] > first.logid
                    and e['logid'] not in ours])
    return ProtectBack(title, first.pageid or last.pageid,
                       tuple(sorted(ours)), target, expected)


def plan_protect_back(site: Any, changes: list[ProtectChange]
                      ) -> list[ProtectBack | Refusal]:
    """Plan putting back the protections the user changed.

    **Example:**

    .. code-block:: python

       entries = site.logevents('protect', user='RogueAdmin')
       changes = [ProtectChange.from_entry(e.data) for e in entries
                  if e.action() in PROTECT_ACTIONS]
       for item in plan_protect_back(site, changes):
           if isinstance(item, ProtectBack):
               protect_back(site, item)

    :param changes: the user's protect log entries, in any order
    :return: one item per page, in the order of the titles' first
        change: a plan, or a :class:`~pywikibot_revert.results.Refusal`
    """
    groups = by_target(changes, 'title')
    titles = sorted(groups, key=lambda t: groups[t][0].logid)
    current, now = current_protections(site, titles)
    plans: list[ProtectBack | Refusal] = []
    for title in titles:
        group = groups[title]
        try:
            plans.append(plan_page(group, log_of(site, 'protect', title),
                                   current.get(title, Protection.none()),
                                   now))
        except (ChangedByOthersError, NoLongerInForceError) as err:
            plans.append(Refusal(title, tuple(c.logid for c in group), err))
    return plans


def find_protect(site: Any, plan: ProtectBack) -> dict[str, Any] | None:
    """Ask the wiki whether *plan*'s protection landed (one read).

    :return: the ``protect`` answer's gist when the page is at the
        target, None when it is still as the user left it
    :raises OutcomeUnknownError: the page is in neither state
    """
    current = current_protections(site, [plan.title])[0].get(
        plan.title, Protection.none())
    if current == plan.target:
        return {'title': plan.title, 'protections': list(plan.target.levels)}
    if current == plan.expected:
        return None
    raise OutcomeUnknownError(
        f'{plan.title}: the protection is {current}, neither the one put '
        f'back nor the one before; check it by hand', site=site)


def _request(plan: ProtectBack, now: str, reason: str) -> dict[str, Any]:
    """The ``action=protect`` parameters that set ``plan.target``."""
    target = plan.target.active(now)
    kept = {t for t, _, _ in target.levels}
    levels = list(target.levels) + [
        (t, 'all', 'infinity') for t, _, _ in plan.expected.levels
        if t not in kept]
    params: dict[str, Any] = {
        'action': 'protect', 'title': plan.title, 'reason': reason,
        'protections': '|'.join(f'{t}={lv}' for t, lv, _ in levels)}
    if levels:
        params['expiry'] = '|'.join(wiki_expiry(e) for _, _, e in levels)
    if target.cascade:
        params['cascade'] = 1
    return params


def protect_back(site: Any, plan: ProtectBack, *, reason: str | None = None,
                 max_wait: float | None = None) -> ProtectResult:
    """Set *plan*'s page back to ``plan.target``.

    The page's protection is read right before: the write is sent only
    while it is still ``plan.expected`` (MediaWiki's ``protect`` has no
    base to conflict with).

    :param reason: the protect log reason; default names the entries
    :raises ChangedByOthersError: the protection changed since the plan
    :raises NoLongerInForceError: it is at the target already
    :raises MissingRightError: ``protect`` is missing
    """
    require_rights(site, 'protect')
    current, now = current_protections(site, [plan.title])
    state = current.get(plan.title, Protection.none())
    if state != plan.expected:
        if state == plan.target:
            raise NoLongerInForceError(
                f'{plan.title}: the protection is already {state}',
                site=site)
        raise ChangedByOthersError(
            f'{plan.title}: the protection is {state} now, not '
            f'{plan.expected} as planned; left as it is', site=site)
    logs = ', '.join(str(i) for i in plan.logids)
    params = _request(plan, now, reason or plugin_message(
        site, 'protect-back', logids=logs or '-'))
    answer = submit_write(
        site, params, token='csrf', page=pywikibot.Page(site, plan.title),
        max_wait=max_wait,
        reconcile=reconcile_by('protect', lambda: find_protect(site, plan)))
    reconciled = bool(answer.get('reconciled'))
    target = plan.target.active(now)
    return ProtectResult(
        plan.title, plan.pageid, plan.logids, target.levels, target.cascade,
        simulated=is_simulation() and not reconciled, reconciled=reconciled)
