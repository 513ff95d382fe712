"""What the log-action operations share: expiries, the clock, log reads.

Protections, blocks and group memberships each carry an expiry, which
the API spells several ways (``infinite`` in a log entry, ``infinity``
in ``prop=info``, ``indefinite`` in a request); they are compared here
in one spelling, :data:`INFINITY`, or as an ISO 8601 UTC timestamp,
which compare as strings.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from ..exceptions import ChangedByOthersError, NoLongerInForceError
from ..wiki._query import query


__all__ = ['INFINITY', 'as_left', 'by_target', 'is_past', 'log_of',
           'norm_expiry', 'seconds_apart', 'utc_now', 'wiki_expiry']

#: how an expiry that never comes is written here
INFINITY = 'infinity'

_NEVER = {'infinite', 'indefinite', 'infinity', 'never', ''}


def norm_expiry(value: Any) -> str:
    """Return an expiry as :data:`INFINITY` or an ISO timestamp.

    >>> norm_expiry('infinite'), norm_expiry(None)
    ('infinity', 'infinity')
    >>> norm_expiry('2030-01-01T00:00:00Z')
    '2030-01-01T00:00:00Z'
    """
    if value is None or str(value).strip().lower() in _NEVER:
        return INFINITY
    return str(value)


def wiki_expiry(value: str) -> str:
    """Return an expiry as a write request spells it.

    >>> wiki_expiry('infinity'), wiki_expiry('2030-01-01T00:00:00Z')
    ('infinite', '2030-01-01T00:00:00Z')
    """
    return 'infinite' if norm_expiry(value) == INFINITY else value


def is_past(expiry: str, now: str) -> bool:
    """Return whether *expiry* has come by *now* (ISO timestamps).

    >>> is_past('infinity', '2030-01-01T00:00:00Z')
    False
    >>> is_past('2029-12-31T23:59:59Z', '2030-01-01T00:00:00Z')
    True
    """
    expiry = norm_expiry(expiry)
    return expiry != INFINITY and expiry <= now


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=timezone.utc)


def seconds_apart(one: str, other: str) -> float:
    """Return how many seconds lie between two ISO timestamps.

    >>> seconds_apart('2030-01-01T00:00:02Z', '2030-01-01T00:00:00Z')
    2.0
    """
    return abs((_parse(one) - _parse(other)).total_seconds())


def utc_now(offset: float = 0) -> str:
    """Return this machine's UTC time (plus *offset* seconds), ISO.

    The plans take the wiki's time where a read gives it
    (``curtimestamp``); this is the fallback.
    """
    now = datetime.now(timezone.utc) + timedelta(seconds=offset)
    return now.strftime('%Y-%m-%dT%H:%M:%SZ')


def by_target(items: Iterable[Any], key: str) -> dict[str, list[Any]]:
    """Group log actions by *key* (a title or user), each oldest first.

    >>> from types import SimpleNamespace as N
    >>> groups = by_target([N(logid=2, t='A'), N(logid=1, t='A'),
    ...                     N(logid=3, t='B')], 't')
    >>> {k: [i.logid for i in v] for k, v in groups.items()}
    {'A': [1, 2], 'B': [3]}
    """
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(getattr(item, key), []).append(item)
    for group in groups.values():
        group.sort(key=lambda item: item.logid)
    return groups


def log_of(site: Any, letype: str, title: str) -> list[dict[str, Any]]:
    """Return the log entries of one type about one title, newest first.

    ``list=logevents`` takes one title per request: one read (and its
    continuations) per page or user, not per entry. A page's or a
    user's protection, block or rights log is short.
    """
    entries: list[dict[str, Any]] = []
    for part in query(site, list='logevents', letype=letype,
                      letitle=title, lelimit='max',
                      leprop='ids|title|type|user|timestamp|details'):
        entries.extend(part.get('logevents', []))
    return entries


def as_left(name: str, what: tuple[str, str], user: str, *, current: Any,
            target: Any, expected: Any, others: list[dict[str, Any]],
            show: Any = str) -> None:
    """Raise unless the state is still what *user* left, to put back.

    :param name: the page or user, for the message
    :param what: the state's name and its verb, e.g. ``('the groups',
        'are')``
    :param current: the state now; *target* the one to put back,
        *expected* the one *user* left
    :param others: later log entries of someone else about it
    :param show: how a state is written in a message
    :raises NoLongerInForceError: it is at *target* already (whoever
        put it back: a resumed run included)
    :raises ChangedByOthersError: someone else changed it since
    """
    noun, verb = what
    if current == target:
        raise NoLongerInForceError(
            f'{name}: {noun} {verb} already as before the changes of '
            f'{user} ({show(target)})')
    if others:
        other = max(others, key=lambda e: e['logid'])
        raise ChangedByOthersError(
            f'{name}: {noun} {"was" if verb == "is" else "were"} changed '
            f'since by {other.get("user")} (log {other["logid"]}); left as '
            f'{"it is" if verb == "is" else "they are"}',
            by=other.get('user'))
    if current != expected:
        raise ChangedByOthersError(
            f'{name}: {noun} {verb} {show(current)}, not what {user} left '
            f'({show(expected)}); left as {"it is" if verb == "is" else "they are"}')
