"""Put a user's groups back as they were before the user changed them.

A ``rights`` log entry holds the groups before and after, with their
expiries (``oldmetadata``/``newmetadata``, MediaWiki 1.29+; 1.35 to
1.43 write the same shape). Several changes of one user's groups go
back once, to the groups before the oldest; a membership whose expiry
has come since is not added back. ``rights/autopromote`` entries (the
wiki's own promotions) are never taken.

Only where nobody changed that user's groups since: a later ``rights``
entry by someone else, or groups now not as the user left them
(``list=users&usprop=groupmemberships``, 50 users per request), is
refused (:exc:`~pywikibot_revert.exceptions.ChangedByOthersError`),
at planning and again right before the write.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot

from ..exceptions import (
    ChangedByOthersError,
    MissingRightError,
    NoLongerInForceError,
    OutcomeUnknownError,
)
from ..results import Refusal, RightsResult
from ..wiki._params import batched
from ..wiki._query import read
from ..wiki._i18n import plugin_message
from ..wiki._rights import require_rights
from ..wiki._write import is_simulation, reconcile_by, submit_write
from ._logactions import as_left, by_target, is_past, log_of, norm_expiry, wiki_expiry


__all__ = ['Groups', 'RightsBack', 'RightsChange', 'current_groups',
           'find_rights', 'plan_rights_back', 'plan_user',
           'require_changeable', 'rights_back']

#: ``(group, expiry)`` memberships, sorted by group
Groups = tuple[tuple[str, str], ...]


def memberships(names: Any, metadata: Any = None) -> Groups:
    """Return ``(group, expiry)`` pairs from a log entry's lists.

    >>> memberships(['bot', 'sysop'], [{'group': 'sysop',
    ...     'expiry': '2030-01-01T00:00:00Z'}])
    (('bot', 'infinity'), ('sysop', '2030-01-01T00:00:00Z'))
    """
    expiries = {m['group']: m.get('expiry') for m in metadata or ()}
    return tuple(sorted((g, norm_expiry(expiries.get(g)))
                        for g in names or ()))


def active(groups: Groups, now: str) -> Groups:
    """Return the memberships whose expiry has not come by *now*."""
    return tuple(m for m in groups if not is_past(m[1], now))


def _text(groups: Groups) -> str:
    return ', '.join(f'{g} ({e})' for g, e in groups) or 'no groups'


@dataclass(frozen=True)
class RightsChange:

    """One ``rights`` log entry: the groups before and after."""

    logid: int
    target: str
    timestamp: str
    user: str
    old: Groups = ()
    new: Groups = ()

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> RightsChange:
        """Build from a ``rights/rights`` log entry (``formatversion=2``).

        :raises ValueError: another action (``autopromote``, ...)
        """
        if entry.get('action') != 'rights':
            raise ValueError(f'rights log action {entry.get("action")!r} '
                             'is not put back (only rights)')
        params = entry.get('params') or {}
        title = entry['title']
        return cls(entry['logid'], title.split(':', 1)[-1],
                   entry.get('timestamp', ''), entry.get('user', ''),
                   memberships(params.get('oldgroups'),
                               params.get('oldmetadata')),
                   memberships(params.get('newgroups'),
                               params.get('newmetadata')))


@dataclass(frozen=True)
class RightsBack:

    """A user whose groups go from *expected* back to *target*."""

    user: str
    logids: tuple[int, ...]
    target: Groups
    expected: Groups

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> RightsBack:
        """Build from :func:`dataclasses.asdict` output."""
        return cls(data['user'], tuple(data.get('logids', ())),
                   tuple(tuple(m) for m in data['target']),
                   tuple(tuple(m) for m in data['expected']))

    def reverse(self) -> RightsBack:
        """The write that puts the user's change back (``-undo``)."""
        return RightsBack(self.user, self.logids, self.expected, self.target)


def current_groups(site: Any, users: list[str], *, batch: int = 50
                   ) -> tuple[dict[str, Groups], str]:
    """Read each user's explicit memberships now, and the wiki's time.

    :return: user -> memberships (a missing user has none), and the
        wiki's time (``curtimestamp``)
    """
    found: dict[str, Groups] = {}
    now = ''
    for chunk in batched(users, batch):
        data = read(site, action='query', list='users', ususers=chunk,
                    usprop='groupmemberships', curtimestamp=1,
                    formatversion=2)
        now = now or data.get('curtimestamp', '')
        for user in data.get('query', {}).get('users', []):
            found[user['name']] = tuple(sorted(
                (m['group'], norm_expiry(m.get('expiry')))
                for m in user.get('groupmemberships', [])))
    return found, now


def plan_user(changes: list[RightsChange], entries: list[dict[str, Any]],
              current: Groups, now: str) -> RightsBack:
    """Plan one user's groups from the changes, its log and its state.

    >>> rogue = RightsChange(7, 'Ed', '', 'Rogue', (), (('sysop', 'infinity'),))
    >>> plan_user([rogue], [], (('sysop', 'infinity'),), '2030-01-01T00:00:00Z')
    RightsBack(user='Ed', logids=(7,), target=(), expected=(('sysop', 'infinity'),))

    :param changes: the user's changes of this user's groups, oldest first
    :param entries: this user's ``rights`` log
    :raises ChangedByOthersError: changed since by someone else
    :raises NoLongerInForceError: the groups are already as before
    """
    first, last = changes[0], changes[-1]
    ours = {c.logid for c in changes}
    target = active(first.old, now)
    expected = active(last.new, now)
    as_left(first.target, ('the groups', 'are'), first.user,
            current=current, target=target, expected=expected,
            others=[e for e in entries if e['logid'] > first.logid
                    and e['logid'] not in ours
                    and e.get('action') == 'rights'], show=_text)
    return RightsBack(first.target, tuple(sorted(ours)), target, expected)


def plan_rights_back(site: Any, changes: list[RightsChange]
                     ) -> list[RightsBack | Refusal]:
    """Plan putting back the groups the user changed.

    **Example:**

    .. code-block:: python

       changes = [RightsChange.from_entry(e.data) for e in
                  site.logevents('rights', user='RogueAdmin')
                  if e.action() == 'rights']
       for item in plan_rights_back(site, changes):
           if isinstance(item, RightsBack):
               rights_back(site, item)

    :return: one item per user, a plan or a
        :class:`~pywikibot_revert.results.Refusal`
    """
    groups = by_target(changes, 'target')
    users = sorted(groups, key=lambda u: groups[u][0].logid)
    current, now = current_groups(site, users)
    plans: list[RightsBack | Refusal] = []
    for user in users:
        group = groups[user]
        try:
            plans.append(plan_user(
                group, log_of(site, 'rights', f'User:{user}'),
                current.get(user, ()), now))
        except (ChangedByOthersError, NoLongerInForceError) as err:
            plans.append(Refusal(user, tuple(c.logid for c in group), err))
    return plans


def changes_to(plan: RightsBack, now: str
               ) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the groups to add (with expiry) and to remove.

    >>> plan = RightsBack('Ed', (7,), (('bot', '2030-01-01T00:00:00Z'),),
    ...                   (('bot', 'infinity'), ('sysop', 'infinity')))
    >>> changes_to(plan, '2029-01-01T00:00:00Z')
    ([('bot', '2030-01-01T00:00:00Z')], ['sysop'])
    """
    target = dict(active(plan.target, now))
    expected = dict(plan.expected)
    add = [(g, e) for g, e in sorted(target.items()) if expected.get(g) != e]
    remove = sorted(g for g in expected if g not in target)
    return add, remove


def require_changeable(site: Any, add: list[str], remove: list[str]) -> None:
    """Raise unless the account may add and remove these groups.

    A bureaucrat has no ``userrights`` right: the groups it may change
    are the wiki's ``$wgAddGroups``/``$wgRemoveGroups`` (one read,
    ``uiprop=changeablegroups``).

    :raises MissingRightError: a group it may not add or remove
    """
    require_rights(site, 'userrights')
    data = read(site, action='query', meta='userinfo',
                uiprop='changeablegroups', formatversion=2)
    may = data['query']['userinfo'].get('changeablegroups', {})
    refused = sorted(set(add) - set(may.get('add', []))
                     - set(may.get('add-self', []))) + sorted(
        set(remove) - set(may.get('remove', []))
        - set(may.get('remove-self', [])))
    if refused:
        raise MissingRightError(
            f'userrights: {site.user()} may not change the groups '
            f'{", ".join(refused)} on {site}', right='userrights',
            site=site, code='permissiondenied')


def find_rights(site: Any, plan: RightsBack) -> dict[str, Any] | None:
    """Ask the wiki whether *plan*'s groups landed (one read).

    :raises OutcomeUnknownError: the groups are in neither state
    """
    current, now = current_groups(site, [plan.user])
    state = current.get(plan.user, ())
    if state == active(plan.target, now):
        add, remove = changes_to(plan, now)
        return {'user': plan.user, 'added': [g for g, _ in add],
                'removed': remove}
    if state == active(plan.expected, now):
        return None
    raise OutcomeUnknownError(
        f'User:{plan.user}: the groups are {_text(state)}, neither the '
        'ones put back nor the ones before; check them by hand', site=site)


def rights_back(site: Any, plan: RightsBack, *, reason: str | None = None,
                max_wait: float | None = None) -> RightsResult:
    """Set *plan*'s user's groups back to ``plan.target``.

    The groups are read right before: the write is sent only while they
    are still ``plan.expected``.

    :raises ChangedByOthersError: the groups changed since the plan
    :raises NoLongerInForceError: they are at the target already
    :raises MissingRightError: the account may not change a group
    """
    current, now = current_groups(site, [plan.user])
    state = current.get(plan.user, ())
    if state != active(plan.expected, now):
        if state == active(plan.target, now):
            raise NoLongerInForceError(
                f'User:{plan.user}: the groups are already '
                f'{_text(state)}', site=site)
        raise ChangedByOthersError(
            f'User:{plan.user}: the groups are {_text(state)} now, not '
            f'{_text(plan.expected)} as planned; left as they are',
            site=site)
    add, remove = changes_to(plan, now)
    require_changeable(site, [g for g, _ in add], remove)
    logs = ', '.join(str(i) for i in plan.logids)
    params: dict[str, Any] = {
        'action': 'userrights', 'user': plan.user,
        'reason': reason or plugin_message(site, 'rights-back',
                                           logids=logs or '-')}
    if add:
        params['add'] = '|'.join(g for g, _ in add)
        # one expiry per added group, in the order of add
        params['expiry'] = '|'.join(wiki_expiry(e) for _, e in add)
    if remove:
        params['remove'] = '|'.join(remove)
    answer = submit_write(
        site, params, token='userrights', max_wait=max_wait,
        page=pywikibot.User(site, plan.user),
        reconcile=reconcile_by('userrights',
                               lambda: find_rights(site, plan)))
    data = answer.get('userrights', {})
    reconciled = bool(answer.get('reconciled'))
    return RightsResult(
        plan.user, tuple(data.get('added', [g for g, _ in add])),
        tuple(data.get('removed', remove)), plan.logids,
        simulated=is_simulation() and not reconciled, reconciled=reconciled)
