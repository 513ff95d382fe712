"""Lift the very blocks the user placed, by block id (``action=unblock``).

A ``block`` log entry names the target, not the block: the block is
found in ``list=blocks`` (50 targets per request) as the one *by* the
user whose timestamp is the entry's (within :data:`SLACK` seconds; a
``reblock`` updates the block's timestamp and author). From MediaWiki
1.42 a wiki with ``$wgEnableMultiBlocks`` lets a user hold several
blocks, and another admin's block on the same user must stay: a block
is always lifted by its ``id``, never by user name.

Refused (:class:`~pywikibot_revert.results.Refusal`): a block that is
gone (expired, lifted: :exc:`~pywikibot_revert.exceptions.NoLongerInForceError`);
one changed since by someone else, and a ``reblock`` of another admin's
block, which lifting would lift too
(:exc:`~pywikibot_revert.exceptions.ChangedByOthersError`). Unblocks by
the user are parsed (:class:`BlockAction`) but never reversed: they are
for a person to review.

For ``-undo``, :func:`reblock` places the block again with its
settings; a target blocked meanwhile is refused where the wiki holds
one block per user (``newblock``, MediaWiki 1.44+, adds a block
instead).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot
from pywikibot.tools import MediaWikiVersion, is_ip_address, is_ip_network

from ..exceptions import ChangedByOthersError, NoLongerInForceError
from ..results import BlockResult, Refusal, UnblockResult
from ..wiki._params import batched
from ..wiki._query import query, read
from ..wiki._i18n import plugin_message
from ..wiki._rights import require_rights
from ..wiki._write import is_simulation, reconcile_by, submit_write
from ._logactions import (
    by_target,
    is_past,
    norm_expiry,
    seconds_apart,
    utc_now,
    wiki_expiry,
)


__all__ = ['BLOCK_ACTIONS', 'NEWBLOCK_SINCE', 'SLACK', 'BlockAction',
           'UnblockPlan', 'current_blocks', 'find_block', 'find_unblock',
           'plan_target', 'plan_unblocks', 'reblock', 'unblock']

#: the block log actions whose block is lifted (``unblock`` is not)
BLOCK_ACTIONS = ('block', 'reblock')
#: seconds between a log entry's and its block's timestamps
SLACK = 2
#: the first MediaWiki release whose action=block takes newblock
NEWBLOCK_SINCE = MediaWikiVersion('1.44')
#: the flags of a block that are put back by reblock (hidename never)
FLAGS = ('anononly', 'nocreate', 'autoblock', 'noemail', 'allowusertalk')


def _target(title: str) -> str:
    """The user or IP of a block log entry's title (``User:X``)."""
    return title.split(':', 1)[1] if ':' in title else title


@dataclass(frozen=True)
class BlockAction:

    """One ``block`` log entry (``block``, ``reblock`` or ``unblock``).

    :ivar flags: the log's flags, e.g. ``('nocreate', 'noautoblock')``
    :ivar blockid: the block's id where the entry gives it (``blockId``)
    """

    logid: int
    target: str
    timestamp: str
    user: str
    action: str
    expiry: str = 'infinity'
    flags: tuple[str, ...] = ()
    blockid: int | None = None
    sitewide: bool = True

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> BlockAction:
        """Build from a ``block`` log entry (``formatversion=2``).

        >>> a = BlockAction.from_entry({'logid': 17, 'title': 'User:Ed',
        ...     'action': 'reblock', 'user': 'Rogue',
        ...     'timestamp': '2026-12-07T05:11:42Z', 'params': {
        ...         'duration': '4 days', 'flags': ['nocreate'],
        ...         'sitewide': True, 'expiry': '2026-12-11T05:11:42Z'}})
        >>> a.target, a.expiry, a.flags
        ('Ed', '2026-12-11T05:11:42Z', ('nocreate',))
        """
        params = entry.get('params') or {}
        blockid = params.get('blockId')
        return cls(entry['logid'], _target(entry['title']),
                   entry.get('timestamp', ''), entry.get('user', ''),
                   entry['action'],
                   norm_expiry(params.get('expiry') or params.get('duration')),
                   tuple(params.get('flags') or ()),
                   int(blockid) if blockid else None,
                   params.get('sitewide', True) not in (False, None))


@dataclass(frozen=True)
class UnblockPlan:

    """A block of the user to lift, with what reblock needs to restore it.

    :ivar restrictions: a partial block's ``{'pages': [titles],
        'namespaces': [ids]}``, empty for a sitewide one
    """

    target: str
    blockid: int
    logids: tuple[int, ...]
    by: str
    timestamp: str
    expiry: str = 'infinity'
    flags: tuple[str, ...] = ()
    reason: str = ''
    restrictions: dict[str, Any] | None = None

    @classmethod
    def from_block(cls, block: dict[str, Any],
                   logids: tuple[int, ...]) -> UnblockPlan:
        """Build from a ``list=blocks`` item (``formatversion=2``)."""
        restrictions = block.get('restrictions') or {}
        return cls(block['user'], block['id'], logids, block['by'],
                   block['timestamp'], norm_expiry(block.get('expiry')),
                   tuple(f for f in FLAGS if block.get(f)),
                   block.get('reason', ''),
                   {'pages': [p['title'] for p in
                              restrictions.get('pages', [])],
                    'namespaces': list(restrictions.get('namespaces', []))}
                   if block.get('partial') else None)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> UnblockPlan:
        """Build from :func:`dataclasses.asdict` output."""
        return cls(**{**data, 'logids': tuple(data.get('logids', ())),
                      'flags': tuple(data.get('flags', ()))})


def current_blocks(site: Any, targets: list[str], *, batch: int = 50
                   ) -> dict[str, list[dict[str, Any]]]:
    """Read the blocks on each target: users 50 per request, IPs one each.

    :return: target -> its blocks (``list=blocks``, ``formatversion=2``)
    """
    prop = 'id|user|by|timestamp|expiry|flags|reason|restrictions'
    found: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
    users = [t for t in targets
             if not (is_ip_address(t) or is_ip_network(t))]
    reads = [{'bkusers': chunk} for chunk in batched(users, batch)]
    reads += [{'bkip': t} for t in targets if t not in users]
    for params in reads:
        for part in query(site, list='blocks', bkprop=prop, bklimit='max',
                          **params):
            for block in part.get('blocks', []):
                found.setdefault(block.get('user', ''), []).append(block)
    return found


def plan_target(actions: list[BlockAction], blocks: list[dict[str, Any]],
                now: str) -> UnblockPlan:
    """Find the block the user's last action on a target left (pure).

    >>> act = BlockAction(9, 'Ed', '2026-12-07T05:11:42Z', 'Rogue', 'block')
    >>> mine = {'id': 4, 'user': 'Ed', 'by': 'Rogue',
    ...         'timestamp': '2026-12-07T05:11:43Z', 'expiry': 'infinity'}
    >>> other = dict(mine, id=5, by='Admin', timestamp='2026-12-07T05:00:00Z')
    >>> plan_target([act], [other, mine], '2026-12-08T00:00:00Z').blockid
    4
    >>> plan_target([act], [other], '2026-12-08T00:00:00Z')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.NoLongerInForceError: Ed: the block Rogue placed is gone (expired or lifted)

    :param actions: the user's block and reblock actions on one
        target, oldest first
    :param blocks: the target's blocks now
    :raises ChangedByOthersError: reblocked since by someone else, or
        the user's first action reblocked another admin's block
    :raises NoLongerInForceError: the block is gone
    """
    first, last = actions[0], actions[-1]
    logids = tuple(a.logid for a in actions)
    if first.action == 'reblock':
        raise ChangedByOthersError(
            f'{first.target}: {first.user} changed a block placed before '
            f'(reblock, log {first.logid}); lifting it would lift that '
            'block too; left for review')
    live = [b for b in blocks if not is_past(b.get('expiry'), now)]
    for block in live:
        if last.blockid is not None and block['id'] == last.blockid \
                and block.get('by') == last.user:
            return UnblockPlan.from_block(block, logids)
    for block in live:
        if block.get('by') == last.user and seconds_apart(
                block['timestamp'], last.timestamp) <= SLACK:
            return UnblockPlan.from_block(block, logids)
    # a reblock by someone else takes the block over (author, time);
    # a block placed after this one was lifted is someone else's too:
    # either way it is not touched
    later = [b for b in live if b.get('by') != last.user
             and b['timestamp'] >= last.timestamp]
    if later:
        by = later[0].get('by')
        raise ChangedByOthersError(
            f'{first.target}: blocked since by {by} (block '
            f'{later[0]["id"]}); left as it is', by=by)
    raise NoLongerInForceError(
        f'{first.target}: the block {last.user} placed is gone (expired '
        'or lifted)')


def plan_unblocks(site: Any, actions: list[BlockAction]
                  ) -> list[UnblockPlan | Refusal]:
    """Plan lifting the blocks the user placed (one read per 50 users).

    **Example:**

    .. code-block:: python

       actions = [BlockAction.from_entry(e.data) for e in
                  site.logevents('block', user='RogueAdmin')]
       for item in plan_unblocks(site, actions):
           if isinstance(item, UnblockPlan):
               unblock(site, item)

    :param actions: the user's block log entries; unblocks are left out
    :return: one item per target, a plan or a
        :class:`~pywikibot_revert.results.Refusal`
    """
    groups = by_target([a for a in actions if a.action in BLOCK_ACTIONS],
                       'target')
    targets = sorted(groups, key=lambda t: groups[t][0].logid)
    blocks = current_blocks(site, targets)
    now = utc_now()
    plans: list[UnblockPlan | Refusal] = []
    for target in targets:
        group = groups[target]
        try:
            plans.append(plan_target(group, blocks.get(target, []), now))
        except (ChangedByOthersError, NoLongerInForceError) as err:
            plans.append(Refusal(target, tuple(a.logid for a in group), err))
    return plans


def _block_by_id(site: Any, blockid: int) -> dict[str, Any] | None:
    data = read(site, action='query', list='blocks', bkids=blockid,
                bkprop='id|user|by|timestamp', formatversion=2)
    return next(iter(data.get('query', {}).get('blocks', [])), None)


def find_unblock(site: Any, plan: UnblockPlan) -> dict[str, Any] | None:
    """Ask the wiki whether *plan*'s block is gone (one read).

    :return: the ``unblock`` answer's gist when it is gone, else None
    """
    if _block_by_id(site, plan.blockid) is not None:
        return None
    return {'id': plan.blockid, 'user': plan.target}


def unblock(site: Any, plan: UnblockPlan, *, reason: str | None = None,
            max_wait: float | None = None) -> UnblockResult:
    """Lift block ``plan.blockid`` (``action=unblock&id=``).

    :raises NoLongerInForceError: the block is gone already
        (``cantunblock``)
    :raises MissingRightError: ``block`` is missing
    """
    require_rights(site, 'block')
    logs = ', '.join(str(i) for i in plan.logids)
    params = {'action': 'unblock', 'id': plan.blockid,
              'reason': reason or plugin_message(
                  site, 'unblock-by', user=plan.by, logids=logs)}
    answer = submit_write(
        site, params, token='csrf', max_wait=max_wait,
        page=pywikibot.User(site, plan.target),
        reconcile=reconcile_by('unblock', lambda: find_unblock(site, plan)))
    reconciled = bool(answer.get('reconciled'))
    return UnblockResult(plan.target, plan.blockid, plan.logids,
                         simulated=is_simulation() and not reconciled,
                         reconciled=reconciled)


def find_block(site: Any, plan: UnblockPlan, since: str
               ) -> dict[str, Any] | None:
    """Return the block this account placed on the target since *since*."""
    me = site.username().split('@')[0]
    for block in current_blocks(site, [plan.target]).get(plan.target, []):
        if block.get('by') == me and block['timestamp'] >= since:
            return {'id': block['id'], 'user': plan.target,
                    'expiry': block.get('expiry')}
    return None


def _block_request(site: Any, plan: UnblockPlan, reason: str
                   ) -> dict[str, Any]:
    params: dict[str, Any] = {
        'action': 'block', 'user': plan.target, 'reason': reason,
        'expiry': wiki_expiry(plan.expiry)}
    params.update((flag, 1) for flag in plan.flags)
    if plan.restrictions is not None:
        params['partial'] = 1
        if plan.restrictions.get('pages'):
            params['pagerestrictions'] = '|'.join(plan.restrictions['pages'])
        if plan.restrictions.get('namespaces'):
            params['namespacerestrictions'] = '|'.join(
                str(ns) for ns in plan.restrictions['namespaces'])
    if site.mw_version >= NEWBLOCK_SINCE:
        params['newblock'] = 1  # never modify another admin's block
    return params


def reblock(site: Any, plan: UnblockPlan, *, reason: str | None = None,
            max_wait: float | None = None) -> BlockResult:
    """Place *plan*'s block again, with its settings (for ``-undo``).

    The expiry is the block's own: a block that would have expired is
    not placed again. Where the wiki holds one block per user (before
    MediaWiki 1.44's ``newblock``), a target blocked meanwhile is
    refused: re-blocking would change that block.

    :raises NoLongerInForceError: the block would have expired by now
    :raises ChangedByOthersError: the target is blocked by someone else
        (``alreadyblocked``)
    """
    require_rights(site, 'block')
    now = utc_now()
    if is_past(plan.expiry, now):
        raise NoLongerInForceError(
            f'{plan.target}: block {plan.blockid} would have expired '
            f'({plan.expiry}); not placed again', site=site)
    if site.mw_version < NEWBLOCK_SINCE:
        blocks = current_blocks(site, [plan.target]).get(plan.target, [])
        if blocks:
            raise ChangedByOthersError(
                f'{plan.target}: blocked meanwhile by {blocks[0].get("by")} '
                f'(block {blocks[0]["id"]}); a user holds one block here, '
                'not blocked again', site=site, by=blocks[0].get('by'))
    params = _block_request(site, plan, reason or plan.reason
                            or plugin_message(site, 'reblock',
                                              blockid=plan.blockid))
    since = utc_now(-SLACK)
    answer = submit_write(
        site, params, token='csrf', max_wait=max_wait,
        page=pywikibot.User(site, plan.target),
        reconcile=reconcile_by('block',
                               lambda: find_block(site, plan, since)))
    data = answer.get('block', {})
    reconciled = bool(answer.get('reconciled'))
    return BlockResult(plan.target, data.get('id'),
                       norm_expiry(data.get('expiry', plan.expiry)),
                       simulated=is_simulation() and not reconciled,
                       reconciled=reconciled)
