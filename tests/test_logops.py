"""A rogue administrator's protections, blocks and rights put back.

``RogueAdmin`` (sysop, bureaucrat) acts on the real test wiki; ``Admin``
plans with the library and puts each action back. The wiki's state is
asserted (protection levels and expiries, block ids, group memberships
with their expiries), and so is what the library refuses: an action
changed since by another admin is left as that admin left it.
"""
from __future__ import annotations

import pytest

from pywikibot_revert import (
    BlockResult,
    ChangedByOthersError,
    NoLongerInForceError,
    ProtectResult,
    Refusal,
    RightsResult,
    UnblockResult,
)
from pywikibot_revert.ops._block import (
    BlockAction,
    UnblockPlan,
    find_unblock,
    plan_unblocks,
    reblock,
    unblock,
)
from pywikibot_revert.ops._userrights import (
    RightsBack,
    RightsChange,
    find_rights,
    plan_rights_back,
    rights_back,
)
from pywikibot_revert.ops._protect import (
    PROTECT_ACTIONS,
    ProtectBack,
    ProtectChange,
    Protection,
    find_protect,
    plan_protect_back,
    protect_back,
)
from harness.wikitools import add_block, edit, new_user


pytestmark = [pytest.mark.wiki]

ROGUE = 'RogueAdmin'


@pytest.fixture(scope='module')
def rogue(wiki, config_dir):
    """The compromised administrator's site (sysop, bureaucrat)."""
    return new_user(wiki, config_dir, ROGUE, ('sysop', 'bureaucrat'))


def post(site, **params):
    """Send a write as *site*'s user; return the answer."""
    token = site.tokens['userrights' if params['action'] == 'userrights'
                        else 'csrf']
    return site.simple_request(**params, token=token).submit()


def rogue_log(site, letype, titles):
    """The rogue's log entries of *letype* about *titles*, as dicts."""
    data = site.simple_request(
        action='query', list='logevents', letype=letype, leuser=ROGUE,
        leprop='ids|title|type|user|timestamp|details|comment',
        lelimit='max', formatversion=2).submit()
    return [e for e in data['query']['logevents'] if e['title'] in titles]


def protection(site, title):
    """The page's own protection now: {type: (level, expiry)}, cascade."""
    data = site.simple_request(action='query', prop='info',
                               inprop='protection', titles=title,
                               formatversion=2).submit()
    levels = data['query']['pages'][0]['protection']
    return ({p['type']: (p['level'], p['expiry']) for p in levels},
            any(p.get('cascade') for p in levels))


# -- protections ----------------------------------------------------------

@pytest.fixture
def protected(site, rogue, unique):
    """Pages the rogue protected, modified, unprotected; one changed since.

    - A: Admin's edit=autoconfirmed (a month) and move=sysop; the rogue
      makes it edit=sysop, move=sysop until 2031, cascading.
    - B: unprotected; the rogue protects it (edit=sysop).
    - C: Admin's edit=autoconfirmed; the rogue unprotects it.
    - D: the rogue protects it, then Admin changes it: left alone.
    """
    titles = {k: f'{unique} {k}' for k in 'ABCD'}
    for title in titles.values():
        edit(site, title, 'text')
    post(site, action='protect', title=titles['A'],
         protections='edit=autoconfirmed|move=sysop',
         expiry='1 month|infinite')
    post(site, action='protect', title=titles['C'],
         protections='edit=autoconfirmed', expiry='infinite')
    before = {k: protection(site, t) for k, t in titles.items()}
    post(rogue, action='protect', title=titles['A'],
         protections='edit=sysop|move=sysop',
         expiry='infinite|2031-01-01T00:00:00Z', cascade=1)
    post(rogue, action='protect', title=titles['B'],
         protections='edit=sysop', expiry='infinite')
    post(rogue, action='protect', title=titles['C'], protections='')
    post(rogue, action='protect', title=titles['D'],
         protections='edit=sysop', expiry='infinite')
    post(site, action='protect', title=titles['D'],
         protections='edit=autoconfirmed', expiry='infinite')
    after = {k: protection(site, t) for k, t in titles.items()}
    return titles, before, after


def plan_for(site, titles):
    entries = rogue_log(site, 'protect', set(titles.values()))
    changes = [ProtectChange.from_entry(e) for e in entries
               if e['action'] in PROTECT_ACTIONS]
    return {item.title if isinstance(item, ProtectBack) else item.target:
            item for item in plan_protect_back(site, changes)}


def test_protections_put_back(site, protected):
    titles, before, after = protected
    assert after['A'] == ({'edit': ('sysop', 'infinity'),
                           'move': ('sysop', '2031-01-01T00:00:00Z')}, True)
    plans = plan_for(site, titles)
    refused = plans[titles['D']]
    assert isinstance(refused, Refusal)
    assert isinstance(refused.error, ChangedByOthersError)
    assert refused.error.by == 'Admin'
    for key in 'ABC':
        plan = plans[titles[key]]
        assert isinstance(plan, ProtectBack), plan
        result = protect_back(site, plan)
        assert isinstance(result, ProtectResult) and not result.simulated
        assert protection(site, titles[key]) == before[key], key
        assert find_protect(site, plan) is not None
    assert before['B'] == ({}, False)
    assert before['A'][0]['edit'][0] == 'autoconfirmed'
    assert before['A'][0]['edit'][1] != 'infinity'  # the month kept
    # D is as Admin left it: nothing was written
    assert protection(site, titles['D']) == after['D']


def test_protection_reverse_puts_the_rogue_state_back(site, protected):
    titles, before, after = protected
    plan = plan_for(site, titles)[titles['A']]
    protect_back(site, plan)
    assert protection(site, titles['A']) == before['A']
    record = ProtectBack.from_record(__import__('dataclasses').asdict(plan))
    assert record == plan
    protect_back(site, record.reverse())
    assert protection(site, titles['A']) == after['A']
    assert find_protect(site, plan) is None


def test_protection_changed_between_plan_and_write(site, protected):
    titles, before, after = protected
    plan = plan_for(site, titles)[titles['B']]
    post(site, action='protect', title=titles['B'],
         protections='edit=autoconfirmed', expiry='infinite')
    changed = protection(site, titles['B'])
    with pytest.raises(ChangedByOthersError):
        protect_back(site, plan)
    assert protection(site, titles['B']) == changed


def test_protection_already_back_is_nothing_to_do(site, protected):
    titles, before, after = protected
    plan = plan_for(site, titles)[titles['C']]
    protect_back(site, plan)
    with pytest.raises(NoLongerInForceError):
        protect_back(site, plan)
    refused = plan_for(site, titles)[titles['C']]
    assert isinstance(refused, Refusal)
    assert isinstance(refused.error, NoLongerInForceError)
    assert Protection.none() != plan.target


# -- blocks ---------------------------------------------------------------

def blocks_on(site, user):
    """The blocks on *user* now: [(id, by, expiry, nocreate)]."""
    data = site.simple_request(
        action='query', list='blocks', bkusers=user,
        bkprop='id|user|by|timestamp|expiry|flags', formatversion=2
    ).submit()
    return sorted((b['id'], b['by'], b['expiry'], b['nocreate'])
                  for b in data['query']['blocks'])


def block(site, user, **params):
    return post(site, action='block', user=user, reason='test',
                **params)['block']['id']


def unblock_plans(site, users):
    entries = rogue_log(site, 'block', {f'User:{u}' for u in users})
    actions = [BlockAction.from_entry(e) for e in entries]
    return {item.target: item for item in plan_unblocks(site, actions)}


@pytest.fixture
def targets(wiki, config_dir, unique):
    """Three fresh accounts to block."""
    n = unique.split()[0]
    names = [f'Blocked{k}{n}' for k in 'ABC']
    for name in names:
        wiki.create_user(name)
    return names


def test_blocks_lifted_by_id_and_another_admins_block_stays(
        wiki, site, rogue, targets):
    first, second, third = targets
    block(rogue, first, expiry='3 days', nocreate=1)
    block(rogue, first, expiry='5 days', nocreate=1, reblock=1)
    if wiki.mw_version >= (1, 42):
        # multiblocks: Admin's block, then the rogue's, on one user
        # (1.43's API refuses a second block: inserted, logged); an
        # unblock by user name would lift Admin's
        admin_id = add_block(wiki, second, 'Admin', 'admin')
        rogue_id = add_block(wiki, second, ROGUE, 'rogue', log=True)
        assert {b[0] for b in blocks_on(site, second)} == {rogue_id, admin_id}
    else:
        # one block per user: the rogue reblocks over Admin's block
        admin_id = block(site, second, expiry='infinite')
        assert block(rogue, second, expiry='1 day', reblock=1) == admin_id
    # changed since: Admin reblocked the rogue's block of the third
    block(rogue, third, expiry='1 day')
    block(site, third, expiry='2 days', reblock=1)
    third_before = blocks_on(site, third)

    plans = unblock_plans(site, targets)
    plan = plans[first]
    assert isinstance(plan, UnblockPlan)
    assert plan.flags == ('nocreate',) and plan.by == ROGUE
    assert plan.blockid == blocks_on(site, first)[0][0]
    result = unblock(site, plan)
    assert isinstance(result, UnblockResult)
    assert blocks_on(site, first) == []
    assert find_unblock(site, plan) is not None

    if wiki.mw_version >= (1, 42):
        plan = plans[second]
        assert isinstance(plan, UnblockPlan) and plan.blockid == rogue_id
        unblock(site, plan)
        assert [b[:2] for b in blocks_on(site, second)] == [
            (admin_id, 'Admin')]
    else:
        refused = plans[second]
        assert isinstance(refused, Refusal)
        assert isinstance(refused.error, ChangedByOthersError)
        assert [b[0] for b in blocks_on(site, second)] == [admin_id]
    refused = plans[third]
    assert isinstance(refused.error, ChangedByOthersError)
    assert refused.error.by == 'Admin'
    assert blocks_on(site, third) == third_before


def test_block_gone_is_nothing_to_do_and_reblock_restores_it(
        wiki, site, rogue, targets):
    first, second, _ = targets
    block(rogue, first, expiry='3 days', nocreate=1)
    rogue_block = blocks_on(site, first)
    block(rogue, second, expiry='1 day')
    post(site, action='unblock', user=second, reason='test')
    plans = unblock_plans(site, [first, second])
    assert isinstance(plans[second].error, NoLongerInForceError)
    plan = plans[first]
    unblock(site, plan)
    with pytest.raises(NoLongerInForceError):
        unblock(site, plan)  # cantunblock
    record = UnblockPlan.from_record(
        __import__('dataclasses').asdict(plan))
    assert record == plan
    result = reblock(site, record)
    assert isinstance(result, BlockResult) and result.blockid
    again = blocks_on(site, first)
    assert [(b[1], b[2], b[3]) for b in again] == [
        ('Admin', rogue_block[0][2], True)]
    assert again[0][0] == result.blockid


def test_reblock_refused_where_the_user_holds_one_block(
        wiki, site, rogue, targets):
    first = targets[0]
    block(rogue, first, expiry='3 days')
    plan = unblock_plans(site, [first])[first]
    unblock(site, plan)
    admin_id = block(site, first, expiry='1 day')
    if wiki.mw_version >= (1, 44):
        reblock(site, plan)
        assert len(blocks_on(site, first)) == 2
    else:
        with pytest.raises(ChangedByOthersError):
            reblock(site, plan)
        assert [b[0] for b in blocks_on(site, first)] == [admin_id]


# -- user rights ----------------------------------------------------------

def groups_of(site, user):
    """The user's explicit memberships now: {group: expiry}."""
    data = site.simple_request(action='query', list='users', ususers=user,
                               usprop='groupmemberships',
                               formatversion=2).submit()
    return {m['group']: m['expiry']
            for m in data['query']['users'][0]['groupmemberships']}


def rights_plans(site, users):
    entries = rogue_log(site, 'rights', {f'User:{u}' for u in users})
    changes = [RightsChange.from_entry(e) for e in entries
               if e['action'] == 'rights']
    return {item.user if isinstance(item, RightsBack) else item.target:
            item for item in plan_rights_back(site, changes)}


@pytest.fixture
def regrouped(wiki, site, rogue, unique):
    """Users whose groups the rogue changed; one changed since by Admin.

    - A: Admin's bot; the rogue adds sysop (a month) and bureaucrat,
      then removes bot.
    - B: Admin's bot for two months; the rogue removes it.
    - C: the rogue adds sysop; Admin adds bot after.
    """
    n = unique.split()[0]
    users = {k: f'Grouped{k}{n}' for k in 'ABC'}
    for name in users.values():
        wiki.create_user(name)
    post(site, action='userrights', user=users['A'], add='bot',
         reason='test')
    post(site, action='userrights', user=users['B'], add='bot',
         expiry='2 months', reason='test')
    before = {k: groups_of(site, u) for k, u in users.items()}
    post(rogue, action='userrights', user=users['A'],
         add='sysop|bureaucrat', expiry='1 month|infinite', reason='rogue')
    post(rogue, action='userrights', user=users['A'], remove='bot',
         reason='rogue')
    post(rogue, action='userrights', user=users['B'], remove='bot',
         reason='rogue')
    post(rogue, action='userrights', user=users['C'], add='sysop',
         reason='rogue')
    post(site, action='userrights', user=users['C'], add='bot',
         reason='test')
    after = {k: groups_of(site, u) for k, u in users.items()}
    return users, before, after


def test_groups_put_back_with_their_expiries(site, regrouped):
    users, before, after = regrouped
    assert set(after['A']) == {'sysop', 'bureaucrat'}
    assert after['A']['sysop'] != 'infinity'
    assert before['B']['bot'] != 'infinity'
    plans = rights_plans(site, users.values())
    refused = plans[users['C']]
    assert isinstance(refused, Refusal)
    assert isinstance(refused.error, ChangedByOthersError)
    assert refused.error.by == 'Admin'
    for key in 'AB':
        plan = plans[users[key]]
        assert isinstance(plan, RightsBack), plan
        assert len(plan.logids) == (2 if key == 'A' else 1)
        result = rights_back(site, plan)
        assert isinstance(result, RightsResult) and not result.simulated
        assert groups_of(site, users[key]) == before[key], key
        assert find_rights(site, plan) is not None
    assert groups_of(site, users['C']) == after['C']


def test_groups_reverse_and_changed_between_plan_and_write(site, regrouped):
    users, before, after = regrouped
    plans = rights_plans(site, users.values())
    plan = RightsBack.from_record(
        __import__('dataclasses').asdict(plans[users['A']]))
    assert plan == plans[users['A']]
    rights_back(site, plan)
    assert groups_of(site, users['A']) == before['A']
    with pytest.raises(NoLongerInForceError):
        rights_back(site, plan)
    rights_back(site, plan.reverse())
    assert groups_of(site, users['A']) == after['A']
    assert find_rights(site, plan) is None
    # B: Admin changes the groups between the plan and the write
    plan = plans[users['B']]
    post(site, action='userrights', user=users['B'], add='sysop',
         reason='test')
    changed = groups_of(site, users['B'])
    with pytest.raises(ChangedByOthersError):
        rights_back(site, plan)
    assert groups_of(site, users['B']) == changed
