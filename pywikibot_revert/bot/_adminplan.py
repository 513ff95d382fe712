"""What an administrator's account did in the logs, sorted for a cleanup.

A compromised administrator's damage is in the logs as much as in the
edits. :func:`read_admin_plan` reads the account's log entries in one
listing (``list=logevents``, 500 a request) and sorts each into

- what the cleanup reverses: deletions (restored), protections (put
  back as they were before), blocks (the very block lifted, by its id),
  user rights changes (the groups put back) and revision deletions
  (the visibility put back);
- what it leaves for a person, with a link to the entry: unblocks (a
  user is never blocked again automatically), restores, and everything
  no API action can reverse (history merges, imports, filter changes,
  global actions);
- what other kinds of the cleanup take care of (page creations, moves,
  uploads) or what changes nothing worth putting back (patrols, thanks,
  the account's own creation).

Only the kinds the run does are read further; this module reads the
entries, the operations read what each needs.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pywikibot

from ._visibilityplan import visibility_backs
from ..ops._block import BlockAction, plan_unblocks
from ..ops._protect import ProtectChange, plan_protect_back
from ..ops._userrights import RightsChange, plan_rights_back
from ..exceptions import NoLongerInForceError
from ..results import Refusal
from ..wiki._listings import listing_limit
from ..wiki._query import query, query_items


__all__ = ['ADMIN_KINDS', 'AdminPlan', 'DeletionBack', 'account_log',
           'plan_restores', 'read_admin_plan', 'review_reason']

#: (log type, action) -> the part of the plan that reverses it
ADMIN_KINDS = {
    ('delete', 'delete'): 'restores',
    ('delete', 'revision'): 'revdels',
    ('protect', 'protect'): 'protections',
    ('protect', 'modify'): 'protections',
    ('protect', 'unprotect'): 'protections',
    ('block', 'block'): 'blocks',
    ('block', 'reblock'): 'blocks',
    ('rights', 'rights'): 'rights',
}

#: why a deletion is not restored again
RESTORED = 'restored already by this account'

#: the parts of the plan, in the order a run does them, and their names
PARTS = {'restores': 'restore(s)', 'revdels': 'revision visibility change(s)',
         'protections': 'protection(s)', 'blocks': 'unblock(s)',
         'rights': 'user rights change(s)'}

#: log types other kinds of the cleanup reverse, or with nothing to undo
NOT_ADMIN = frozenset({'create', 'move', 'upload', 'patrol', 'thanks',
                       'review', 'pagetriage-curation'})
#: actions of ``newusers`` about the account itself
OWN_ACCOUNT = frozenset({'create', 'autocreate', 'newusers'})

#: why an entry is left for a person, by (type, action) or type
_WHY = {
    ('block', 'unblock'): 'an unblock: never blocked again automatically',
    ('delete', 'restore'): 'a restore: delete again by hand if wrong',
    ('delete', 'event'): 'a log entry hidden: no API action shows it',
    ('protect', 'move_prot'): 'protection moved with its page',
    ('newusers', 'create2'): 'an account created for someone else',
    ('newusers', 'byemail'): 'an account created for someone else',
    'merge': 'a history merge: no API action splits it again',
    'import': 'an import: no API action removes imported revisions',
    'abusefilter': 'an edit filter changed: put it back on '
                   'Special:AbuseFilter',
    'contentmodel': 'a content model changed',
    'managetags': 'a change tag defined or deleted',
    'tag': 'change tags added or removed',
    'suppress': 'a suppression: ask an oversighter',
    'renameuser': 'an account renamed',
    'gblblock': 'a global block', 'gblrename': 'a global rename',
    'globalauth': 'a global account locked or hidden',
    'gblrights': 'global rights changed',
    'interwiki': 'the interwiki table changed',
}


def review_reason(entry: dict[str, Any]) -> str:
    """Say why a log entry is left for a person.

    >>> review_reason({'type': 'merge', 'action': 'merge'})
    'a history merge: no API action splits it again'
    >>> review_reason({'type': 'stable', 'action': 'config'})
    'stable/config: no API action reverses it'
    """
    kind, action = entry.get('type'), entry.get('action')
    return (_WHY.get((kind, action)) or _WHY.get(kind)
            or f'{kind}/{action}: no API action reverses it')


@dataclass(frozen=True)
class DeletionBack:

    """A deletion by the account, and what of it to restore.

    What a deletion took is told apart from what an earlier deletion
    of the same title took by time: the revisions newer than the
    previous deletion (*since*) and not newer than this one. With no
    previous deletion, the whole archive is this deletion's.

    >>> d = DeletionBack('Page', 12, '2026-12-01T10:00:00Z', 'Rogue',
    ...                  since='2026-11-01T10:00:00Z')
    >>> d.window
    ('2026-11-01T10:00:01Z', '2026-12-01T10:00:00Z')

    :ivar user: who deleted (the account)
    :ivar since: the previous deletion of the title, or None
    :ivar comment: the deletion's reason
    """

    title: str
    logid: int
    timestamp: str
    user: str
    since: str | None = None
    comment: str = ''

    @property
    def window(self) -> tuple[str | None, str]:
        """The oldest and newest time of the revisions to restore.

        A revision saved in the second of the previous deletion is left
        out: it may be that deletion's.
        """
        if self.since is None:
            return None, self.timestamp
        after = (pywikibot.Timestamp.fromISOformat(self.since)
                 + datetime.timedelta(seconds=1))
        return after.isoformat(), self.timestamp


@dataclass
class AdminPlan:

    """The account's log entries, by what reverses them.

    :ivar restores: the deletions to restore, newest first
    :ivar revdels: the visibility to put back, per page
    :ivar protections: the protections to put back, per page
    :ivar blocks: the blocks to lift, per user
    :ivar rights: the groups to put back, per user
    :ivar review: entries left for a person: ``(entry, why)``
    :ivar settled: entries already as before (put back by an earlier
        run, or by someone): ``(entry, why)``, skipped
    """

    restores: list[DeletionBack] = field(default_factory=list)
    revdels: list[dict[str, Any]] = field(default_factory=list)
    protections: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    rights: list[dict[str, Any]] = field(default_factory=list)
    review: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    settled: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The run's items: one per entry to reverse."""
        return sum(len(getattr(self, part)) for part in PARTS)

    def line(self) -> str:
        """Say the plan in a few words; empty when there is nothing.

        >>> AdminPlan(protections=[{}, {}]).line()
        '2 protection(s)'
        """
        return ', '.join(f'{len(getattr(self, part))} {name}'
                         for part, name in PARTS.items()
                         if getattr(self, part))


def account_log(site: Any, user: str, since: Any = None,
                until: Any = None, letype: str | None = None
                ) -> list[dict[str, Any]]:
    """Read the account's log entries, newest first (500 a request).

    Of every type, one listing serves the cleanup's moves, uploads and
    protections as well as the log actions to reverse.

    :param letype: only entries of this type
    """
    params = {'leuser': user, 'letype': letype,
              'leprop': 'ids|title|type|user|timestamp|details|comment',
              'lestart': until.totimestampformat() if until else None,
              'leend': since.totimestampformat() if since else None}
    return list(query_items(site, 'logevents', list='logevents',
                            lelimit=listing_limit(site),
                            **{k: v for k, v in params.items()
                               if v is not None}))


def read_admin_plan(site: Any, user: str, *, since: Any = None,
                    until: Any = None,
                    selected: set[str] | None = None,
                    namespaces: list[int] | None = None,
                    entries: list[dict[str, Any]] | None = None
                    ) -> AdminPlan:
    """Sort the account's log entries (one listing, 500 a request).

    **Example:**

    .. code-block:: python

       plan = read_admin_plan(site, 'RogueAdmin')
       len(plan.protections), len(plan.review)

    :param selected: only entries about these titles (a block's or a
        rights change's title is the user page), if given
    :param namespaces: only entries about titles in these namespaces
    :param entries: the entries if already read, newest first
    """
    plan = AdminPlan()
    deletions = []
    for entry in (entries if entries is not None
                  else account_log(site, user, since, until)):
        if (selected is not None and entry.get('title') not in selected
                or namespaces is not None
                and entry.get('ns') not in namespaces):
            continue
        key = (entry.get('type'), entry.get('action'))
        part = ADMIN_KINDS.get(key)
        if part == 'restores':
            deletions.append(entry)
        elif part:
            getattr(plan, part).append(entry)
        elif key[0] in NOT_ADMIN or (key[0] == 'newusers'
                                     and key[1] in OWN_ACCOUNT):
            continue
        else:
            plan.review.append((entry, review_reason(entry)))
    plan.restores, left = plan_restores(site, deletions)
    for entry, why in left:
        (plan.settled if why == RESTORED else plan.review).append(
            (entry, why))
    plan.revdels, left = visibility_backs(plan.revdels)
    plan.review.extend(left)
    # each read 50 pages or users a request, and each title's log
    planners = {'protections': (ProtectChange, plan_protect_back, ''),
                'blocks': (BlockAction, plan_unblocks, 'User:'),
                'rights': (RightsChange, plan_rights_back, 'User:')}
    for part, (parse, planner, prefix) in planners.items():
        entries = getattr(plan, part)
        planned = planner(site, [parse.from_entry(e) for e in entries]) \
            if entries else []
        setattr(plan, part, [p for p in planned
                             if not isinstance(p, Refusal)])
        for p in planned:
            if isinstance(p, Refusal):
                entry = {'title': prefix + p.target, 'logid': p.logids[-1],
                         **_entry_of(entries, p.logids[-1])}
                # already as before: an earlier run (or someone) put it back
                (plan.settled if isinstance(p.error, NoLongerInForceError)
                 else plan.review).append((entry, str(p.error)))
    return plan


def plan_restores(site: Any, deletions: list[dict[str, Any]]
                  ) -> tuple[list[DeletionBack],
                             list[tuple[dict[str, Any], str]]]:
    """Decide what to restore of each title the account deleted.

    Each title's deletion log is read (one request a title: the API
    lists one title's log at a time): the account's newest deletion of
    it is restored only if nothing was deleted or restored there since;
    an older one of the account is part of the same restore. A title
    whose deletions were restored (or deleted again) by someone else
    since is left for a person.

    :param deletions: the account's ``delete/delete`` entries
    :return: the restores, and the entries left with why
    """
    backs, left = [], []
    done: set[str] = set()
    for entry in deletions:
        title = entry.get('title')
        if not title or title in done:
            continue
        done.add(title)
        log = [e for part in query(site, list='logevents', letype='delete',
                                   letitle=title, lelimit=50,
                                   leprop='ids|type|user|timestamp')
               for e in part.get('logevents', [])
               if e.get('action') in ('delete', 'restore')]
        newest = log[0] if log else None
        if (newest and newest.get('action') == 'restore'
                and newest.get('user') == site.username().split('@')[0]
                and len(log) > 1 and log[1].get('logid') == entry['logid']):
            left.append((entry, RESTORED))  # by this account: a rerun
            continue
        if newest is None or newest.get('logid') != entry.get('logid'):
            left.append((entry, 'deleted or restored again since: check '
                         'by hand'))
            continue
        before = next((e for e in log[1:] if e.get('action') == 'delete'),
                      None)
        if before is not None and log[1] is not before:
            # restored between two deletions: the archive does not tell
            # which revisions the second one took
            left.append((entry, 'restored between two deletions: which '
                         'revisions this one took is unknown; check by '
                         'hand'))
            continue
        since = before['timestamp'] if before else None
        backs.append(DeletionBack(title, entry['logid'], entry['timestamp'],
                                  entry.get('user', ''), since=since,
                                  comment=entry.get('comment', '')))
    return backs, left


def _entry_of(entries: list[dict[str, Any]], logid: int) -> dict[str, Any]:
    """The log entry *logid* of *entries* (its type, action, user, time)."""
    return next((e for e in entries if e.get('logid') == logid), {})
