"""Planning the put-back of protections, blocks and rights (no wiki).

The log entries, blocks and memberships are recorded from MediaWiki
1.35, 1.39 and 1.43 (``tests/data/logops_shapes.json``): a rogue
account (``Rogue``) modified a protection Admin set on ``P1``,
protected and unprotected ``P2``, protected the missing ``P3``,
blocked Editor, gave Editor ``sysop`` (a month) and ``bot``, took
``bot`` again, and took ``sysop`` from Botty.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pywikibot_revert import ChangedByOthersError, NoLongerInForceError
from pywikibot_revert.ops._protect import (
    PROTECT_ACTIONS,
    ProtectBack,
    ProtectChange,
    Protection,
    _request,
    plan_page,
)


SHAPES = json.loads((Path(__file__).parent / 'data' / 'logops_shapes.json')
                    .read_text('utf-8'))
VERSIONS = sorted(SHAPES)
NOW = '2026-12-08T00:00:00Z'


def log(version, letype, title=None):
    return [e for e in SHAPES[version]['log'] if e['type'] == letype
            and (title is None or e['title'] == title)]


def info(version, title):
    page = next(p for p in SHAPES[version]['info'] if p['title'] == title)
    return Protection.from_info(page['protection'])


def rogue_changes(version, title):
    return sorted((ProtectChange.from_entry(e)
                   for e in log(version, 'protect', title)
                   if e['user'] == 'Rogue'
                   and e['action'] in PROTECT_ACTIONS),
                  key=lambda c: c.logid)


@pytest.mark.parametrize('version', VERSIONS)
def test_protect_entry_shape(version):
    modify = next(e for e in log(version, 'protect', 'P1')
                  if e['action'] == 'modify')
    change = ProtectChange.from_entry(modify)
    assert change.protection == Protection(
        (('edit', 'sysop', 'infinity'),
         ('move', 'sysop', '2030-01-01T00:00:00Z')), True)
    assert change.pageid > 0 and change.user == 'Rogue'
    unprotect = next(e for e in log(version, 'protect', 'P2')
                     if e['action'] == 'unprotect')
    assert ProtectChange.from_entry(unprotect).protection == Protection()
    missing = log(version, 'protect', 'P3')[0]
    assert ProtectChange.from_entry(missing).pageid == 0


@pytest.mark.parametrize('version', VERSIONS)
def test_info_matches_what_the_log_set(version):
    # the page's state reads back equal to the entry that set it
    assert info(version, 'P1') == rogue_changes(version, 'P1')[-1].protection
    assert info(version, 'P2') == Protection()
    assert info(version, 'P3') == rogue_changes(version, 'P3')[-1].protection


@pytest.mark.parametrize('version', VERSIONS)
def test_modify_goes_back_to_the_previous_entry(version):
    entries = log(version, 'protect', 'P1')
    plan = plan_page(rogue_changes(version, 'P1'), entries,
                     info(version, 'P1'), NOW)
    admin = next(e for e in entries if e['user'] == 'Admin')
    assert plan.target == ProtectChange.from_entry(admin).protection
    assert plan.target.levels[0][:2] == ('edit', 'autoconfirmed')
    assert plan.expected == info(version, 'P1')
    # the month Admin set is over later: only move=sysop is put back
    later = plan_page(rogue_changes(version, 'P1'), entries,
                      info(version, 'P1'), '2027-02-01T00:00:00Z')
    assert later.target == Protection((('move', 'sysop', 'infinity'),))


@pytest.mark.parametrize('version', VERSIONS)
def test_protect_then_unprotect_is_nothing_to_do(version):
    with pytest.raises(NoLongerInForceError):
        plan_page(rogue_changes(version, 'P2'), log(version, 'protect', 'P2'),
                  info(version, 'P2'), NOW)


@pytest.mark.parametrize('version', VERSIONS)
def test_create_protection_of_a_missing_page_is_lifted(version):
    plan = plan_page(rogue_changes(version, 'P3'), log(version, 'protect', 'P3'),
                     info(version, 'P3'), NOW)
    assert plan.target == Protection() and plan.pageid == 0
    params = _request(plan, NOW, 'r')
    assert (params['protections'], params['expiry']) == ('create=all',
                                                          'infinite')


@pytest.mark.parametrize('version', VERSIONS)
def test_a_later_entry_by_someone_else_is_refused(version):
    entries = log(version, 'protect', 'P1')
    later = dict(entries[0], logid=999, user='Other', action='modify')
    with pytest.raises(ChangedByOthersError) as info_:
        plan_page(rogue_changes(version, 'P1'), [later, *entries],
                  info(version, 'P1'), NOW)
    assert info_.value.by == 'Other'


@pytest.mark.parametrize('version', VERSIONS)
def test_a_state_not_left_by_the_user_is_refused(version):
    with pytest.raises(ChangedByOthersError):
        plan_page(rogue_changes(version, 'P1'), log(version, 'protect', 'P1'),
                  Protection((('edit', 'sysop', 'infinity'),)), NOW)


def test_several_changes_go_back_once_to_the_oldest_before():
    def entry(logid, user, action, level=None):
        details = [{'type': 'edit', 'level': level,
                    'expiry': 'infinite'}] if level else []
        return {'logid': logid, 'title': 'P', 'pageid': 3, 'action': action,
                'user': user, 'params': {'details': details}}
    entries = [entry(4, 'Rogue', 'protect', 'sysop'),
               entry(3, 'Rogue', 'unprotect'),
               entry(2, 'Rogue', 'modify', 'sysop'),
               entry(1, 'Admin', 'protect', 'autoconfirmed')]
    changes = sorted((ProtectChange.from_entry(e) for e in entries[:3]),
                     key=lambda c: c.logid)
    plan = plan_page(changes, entries, changes[-1].protection, NOW)
    assert plan.logids == (2, 3, 4)
    assert str(plan.target) == 'edit=autoconfirmed (infinity)'


def test_request_lifts_types_the_target_lacks_and_keeps_cascade():
    plan = ProtectBack('P', 1, (5,), Protection(
        (('edit', 'sysop', 'infinity'),), True), Protection(
        (('edit', 'autoconfirmed', '2030-01-01T00:00:00Z'),
         ('move', 'sysop', 'infinity'))))
    assert _request(plan, NOW, 'why') == {
        'action': 'protect', 'title': 'P', 'reason': 'why',
        'protections': 'edit=sysop|move=all', 'expiry': 'infinite|infinite',
        'cascade': 1}
    record = json.loads(json.dumps(dataclasses.asdict(plan)))
    assert ProtectBack.from_record(record) == plan
    assert plan.reverse().target == plan.expected


def test_other_protect_actions_are_not_taken():
    with pytest.raises(ValueError):
        ProtectChange.from_entry({'logid': 1, 'title': 'P',
                                  'action': 'move_prot', 'params': {}})


# -- blocks ---------------------------------------------------------------

from pywikibot_revert.ops._block import (  # noqa: E402
    BlockAction,
    UnblockPlan,
    _block_request,
    plan_target,
)


class _Site:
    def __init__(self, version):
        from pywikibot.tools import MediaWikiVersion
        self.mw_version = MediaWikiVersion(version)


@pytest.mark.parametrize('version', VERSIONS)
def test_block_entry_shape(version):
    entry = next(e for e in log(version, 'block') if e['user'] == 'Rogue')
    action = BlockAction.from_entry(entry)
    assert (action.target, action.action) == ('Editor', 'block')
    assert action.expiry == entry['params']['expiry']
    # no version up to 1.43 names the block in its log entry
    assert action.blockid is None and 'blockId' not in entry['params']
    assert action.sitewide


@pytest.mark.parametrize('version', VERSIONS)
def test_the_users_block_is_found_by_author_and_time(version):
    entry = next(e for e in log(version, 'block') if e['user'] == 'Rogue')
    blocks = SHAPES[version]['blocks']
    plan = plan_target([BlockAction.from_entry(entry)],
                       [b for b in blocks if b['user'] == 'Editor'], NOW)
    assert plan.by == 'Rogue' and plan.target == 'Editor'
    assert plan.blockid == next(b['id'] for b in blocks
                                if b['user'] == 'Editor')
    assert plan.restrictions is None
    # Admin's block on Vandal (placed in the same second) is never
    # taken for the rogue's: refused, never planned
    admin = next(e for e in log(version, 'block') if e['user'] == 'Admin')
    with pytest.raises(ChangedByOthersError):
        plan_target([dataclasses.replace(BlockAction.from_entry(admin),
                                         user='Rogue')],
                    [b for b in blocks if b['user'] == 'Vandal'], NOW)


def test_a_block_taken_over_by_someone_else_is_refused():
    action = BlockAction(9, 'Ed', '2026-12-07T05:11:42Z', 'Rogue', 'block')
    other = {'id': 4, 'user': 'Ed', 'by': 'Admin', 'expiry': 'infinity',
             'timestamp': '2026-12-07T06:00:00Z'}
    with pytest.raises(ChangedByOthersError) as info_:
        plan_target([action], [other], NOW)
    assert info_.value.by == 'Admin'


def test_a_reblock_of_another_admins_block_is_refused():
    action = BlockAction(9, 'Ed', '2026-12-07T05:11:42Z', 'Rogue', 'reblock')
    mine = {'id': 4, 'user': 'Ed', 'by': 'Rogue', 'expiry': 'infinity',
            'timestamp': '2026-12-07T05:11:42Z'}
    with pytest.raises(ChangedByOthersError):
        plan_target([action], [mine], NOW)
    # a reblock of the user's own block is lifted
    first = dataclasses.replace(action, logid=8, action='block')
    assert plan_target([first, action], [mine], NOW).logids == (8, 9)


def test_an_expired_block_is_gone():
    action = BlockAction(9, 'Ed', '2026-12-07T05:11:42Z', 'Rogue', 'block')
    mine = {'id': 4, 'user': 'Ed', 'by': 'Rogue',
            'expiry': '2026-12-07T06:00:00Z',
            'timestamp': '2026-12-07T05:11:42Z'}
    with pytest.raises(NoLongerInForceError):
        plan_target([action], [mine], NOW)


def test_a_block_named_by_its_id_wins():
    action = BlockAction(9, 'Ed', '2026-12-07T05:11:42Z', 'Rogue', 'block',
                         blockid=5)
    one = {'id': 4, 'user': 'Ed', 'by': 'Rogue', 'expiry': 'infinity',
           'timestamp': '2026-12-07T05:11:42Z'}
    assert plan_target([action], [one, dict(one, id=5)], NOW).blockid == 5


def test_reblock_request_keeps_settings_and_adds_a_block_on_1_44():
    block = {'id': 4, 'user': 'Ed', 'by': 'Rogue', 'expiry': 'infinity',
             'timestamp': '2026-12-07T05:11:42Z', 'nocreate': True,
             'hidden': True, 'allowusertalk': True, 'partial': True,
             'reason': 'r', 'restrictions': {
                 'pages': [{'id': 3, 'ns': 0, 'title': 'P1'}],
                 'namespaces': [4]}}
    plan = UnblockPlan.from_block(block, (9,))
    assert plan.flags == ('nocreate', 'allowusertalk')  # hidename never
    params = _block_request(_Site('1.43'), plan, 'why')
    assert params == {'action': 'block', 'user': 'Ed', 'reason': 'why',
                      'expiry': 'infinite', 'nocreate': 1,
                      'allowusertalk': 1, 'partial': 1,
                      'pagerestrictions': 'P1', 'namespacerestrictions': '4'}
    assert _block_request(_Site('1.44'), plan, 'why')['newblock'] == 1
    record = json.loads(json.dumps(dataclasses.asdict(plan)))
    assert UnblockPlan.from_record(record) == plan


# -- user rights ----------------------------------------------------------

from pywikibot_revert.ops._userrights import (  # noqa: E402
    RightsBack,
    RightsChange,
    changes_to,
    plan_user,
)


def rights(version, user):
    return sorted((RightsChange.from_entry(e) for e in log(version, 'rights')
                   if e['title'] == f'User:{user}' and e['user'] == 'Rogue'),
                  key=lambda c: c.logid)


def groups_now(version, user):
    found = next(u for u in SHAPES[version]['users'] if u['name'] == user)
    return tuple(sorted((m['group'], m['expiry'])
                        for m in found['groupmemberships']))


@pytest.mark.parametrize('version', VERSIONS)
def test_rights_entry_shape(version):
    added, removed = rights(version, 'Editor')
    assert added.old == ()
    assert dict(added.new)['bot'] == 'infinity'
    assert dict(added.new)['sysop'].startswith('20')  # the month
    assert removed.new == groups_now(version, 'Editor')


@pytest.mark.parametrize('version', VERSIONS)
def test_several_rights_changes_go_back_once(version):
    changes = rights(version, 'Editor')
    plan = plan_user(changes, log(version, 'rights', 'User:Editor'),
                     groups_now(version, 'Editor'), NOW)
    assert plan.target == () and len(plan.logids) == 2
    assert changes_to(plan, NOW) == ([], ['sysop'])
    botty = plan_user(rights(version, 'Botty'), [],
                      groups_now(version, 'Botty'), NOW)
    assert changes_to(botty, NOW) == ([('sysop', 'infinity')], [])


def test_an_expired_membership_is_not_added_back():
    change = RightsChange(5, 'Ed', '', 'Rogue',
                          (('bot', '2026-12-07T12:00:00Z'),
                           ('sysop', 'infinity')), ())
    plan = plan_user([change], [], (), NOW)
    assert plan.target == (('sysop', 'infinity'),)


def test_rights_changed_since_by_someone_else_are_refused():
    change = RightsChange(5, 'Ed', '', 'Rogue', (), (('sysop', 'infinity'),))
    later = {'logid': 6, 'action': 'rights', 'user': 'Admin'}
    with pytest.raises(ChangedByOthersError) as info_:
        plan_user([change], [later], (('sysop', 'infinity'),), NOW)
    assert info_.value.by == 'Admin'
    with pytest.raises(ChangedByOthersError):
        plan_user([change], [], (('bot', 'infinity'),), NOW)
    with pytest.raises(NoLongerInForceError):
        plan_user([change], [], (), NOW)


def test_autopromote_is_never_taken_and_records_round_trip():
    with pytest.raises(ValueError):
        RightsChange.from_entry({'logid': 1, 'title': 'User:Ed',
                                 'action': 'autopromote', 'params': {}})
    plan = RightsBack('Ed', (5,), (('bot', '2030-01-01T00:00:00Z'),),
                      (('sysop', 'infinity'),))
    record = json.loads(json.dumps(dataclasses.asdict(plan)))
    assert RightsBack.from_record(record) == plan
    assert changes_to(plan, NOW) == ([('bot', '2030-01-01T00:00:00Z')],
                                     ['sysop'])
    assert changes_to(plan.reverse(), NOW) == ([('sysop', 'infinity')],
                                               ['bot'])
