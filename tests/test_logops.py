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
    ChangedByOthersError,
    NoLongerInForceError,
    ProtectResult,
    Refusal,
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
from harness.wikitools import edit, new_user


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
