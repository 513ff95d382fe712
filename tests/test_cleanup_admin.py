"""``pwb cleanup`` after a compromised administrator: the log actions.

A rogue administrator's deletions are restored, each as far as that
deletion took; what was deleted or restored again by someone else since
is left, as is what no API action reverses (each a report row with a
link to its log entry); ``-undo`` deletes again what the run restored.
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import pywikibot

from harness.wikitools import (
    Conversation,
    delete,
    deleted_count,
    edit,
    exists,
    file_sha1s,
    journal_states,
    new_user,
    posts,
    pwb,
    revisions,
    text_of,
    upload,
    wiki_changes,
    wiki_state,
)
from harness.wikitools import add_block
from test_logops import blocks_on, groups_of, post, protection
from test_script_cleanup import (
    _kill_at_held,
    last_logid,
    report_rows,
    rows_naming,
)


pytestmark = pytest.mark.wiki


def _ids(site: Any, title: str) -> list[int]:
    return [r['revid'] for r in revisions(site, title)]


def state_of(site: Any, prot: dict[str, str],
             users: dict[str, str]) -> dict[str, Any]:
    """The protections, groups and blocks of the pages and users."""
    return {'prot': {k: protection(site, v) for k, v in prot.items()},
            'groups': {k: groups_of(site, v) for k, v in users.items()},
            'blocks': {k: blocks_on(site, v) for k, v in users.items()}}


def comments_since(site: Any, logid: int, user: str | None = None
                   ) -> list[tuple[str, str]]:
    """(type/action, comment) of each log entry after *logid*."""
    data = site.simple_request(
        action='query', list='logevents', lelimit='max',
        leprop='ids|type|comment', formatversion=2,
        **({'leuser': user} if user else {})).submit()
    return [(f'{e["type"]}/{e["action"]}', e.get('comment', ''))
            for e in data['query']['logevents'] if e['logid'] > logid]


def hide(site: Any, revid: int, **bits: str) -> None:
    """Change a revision's visibility as *site*'s user."""
    site.simple_request(action='revisiondelete', type='revision', ids=revid,
                        reason='test', token=site.tokens['csrf'],
                        **bits).submit()


def flags(site: Any, revid: int) -> set[str]:
    """The hidden parts of a revision, as *site*'s user is told."""
    data = site.simple_request(action='query', prop='revisions',
                               revids=revid,
                               rvprop='ids|sha1|user|comment',
                               formatversion=2).submit()
    rev = data['query']['pages'][0]['revisions'][0]
    return {k for k in ('sha1hidden', 'commenthidden', 'userhidden')
            if rev.get(k)}


@pytest.fixture(scope='module')
def rogue(wiki, site, site_for, config_dir, config_dir_for,
          tmp_path_factory) -> dict[str, Any]:
    """A rogue administrator's deletions and an unblock, and the runs.

    :return: the titles, the revisions before, and each run's exit
        status and output, the report and the wiki's changes
    """
    tmp = tmp_path_factory.mktemp('rogue')
    name = f'RogueAdmin{int(time.time() * 1000) % 10 ** 8}'
    rogue = new_user(wiki, config_dir, name, ('sysop', 'bureaucrat'))
    editor, admin = site_for('Editor'), site
    u = f'Rogue {name}'
    t = {'whole': f'{u} whole', 'again': f'{u} deleted twice',
         'recreated': f'{u} recreated', 'restored': f'{u} restored',
         'file': f'File:{u} logo.png'}
    shown = {'hidden': f'{u} hidden', 'hidden again': f'{u} shown again'}
    for title in (t['whole'], t['recreated'], t['restored'],
                  *shown.values()):
        edit(editor, title, 'one')
        time.sleep(1.05)  # a second each: restores select by timestamp
        edit(editor, title, 'two')
    # more of the same, so the rogue's actions number 30
    bulk = [f'{u} bulk {i}' for i in range(12)]
    for title in bulk:
        edit(editor, title, f'{title} text')
    edit(editor, t['again'], 'old text')
    delete(admin, t['again'], 'a deletion of its own')
    time.sleep(1.05)
    edit(editor, t['again'], 'new text')
    sha1 = upload(editor, t['file'], tmp, 9101)
    before = {k: _ids(site, v) for k, v in t.items()}
    victim = f'{name} victim'
    new_user(wiki, config_dir, victim)
    site.simple_request(action='block', user=victim,
                        expiry='1 week', reason='test',
                        token=site.tokens['csrf']).submit()
    time.sleep(1.05)
    # protections: Admin's before; one changed again by Admin after
    prot = {k: f'{u} protected {k}' for k in ('new', 'raised', 'lifted',
                                             'taken')}
    for title in prot.values():
        edit(editor, title, 'text')
    post(admin, action='protect', title=prot['raised'],
         protections='edit=autoconfirmed|move=sysop',
         expiry='1 month|infinite')
    post(admin, action='protect', title=prot['lifted'],
         protections='edit=autoconfirmed', expiry='infinite')
    # users: to block, and whose groups change
    users = {k: f'{name} {k}' for k in ('blocked', 'shared', 'promoted',
                                        'demoted', 'taken')}
    for user in users.values():
        new_user(wiki, config_dir, user)
    post(admin, action='userrights', user=users['demoted'], add='bot',
         expiry='2 months', reason='test')
    out_before = {'prot': {k: protection(site, v) for k, v in prot.items()},
                  'groups': {k: groups_of(site, v) for k, v in users.items()},
                  'blocks': {k: blocks_on(site, v) for k, v in users.items()}}

    # the rogue administrator
    for title in [*t.values(), *bulk]:
        delete(rogue, title, 'rogue')
    post(rogue, action='protect', title=prot['new'],
         protections='edit=sysop', expiry='infinite')
    post(rogue, action='protect', title=prot['raised'],
         protections='edit=sysop|move=sysop', expiry='infinite|infinite',
         cascade=1)
    post(rogue, action='protect', title=prot['lifted'], protections='')
    post(rogue, action='protect', title=prot['taken'],
         protections='edit=sysop', expiry='infinite')
    post(rogue, action='block', user=users['blocked'], expiry='1 week',
         nocreate=1, reason='rogue')
    post(rogue, action='block', user=users['shared'], expiry='infinite',
         reason='rogue')
    post(rogue, action='userrights', user=users['promoted'],
         add='sysop', expiry='1 month', reason='rogue')
    post(rogue, action='userrights', user=users['demoted'], remove='bot',
         reason='rogue')
    post(rogue, action='userrights', user=users['taken'], add='bot',
         reason='rogue')
    first = {k: _ids(site, v)[-1] for k, v in shown.items()}
    hide(rogue, first['hidden'], hide='content|user')
    hide(rogue, first['hidden again'], hide='comment|user')
    rogue.simple_request(action='unblock', user=victim,
                         reason='rogue', token=rogue.tokens['csrf']).submit()
    # others, after it
    time.sleep(1.05)
    edit(editor, t['recreated'], 'a page of its own')
    other = new_user(wiki, config_dir, f'{name} other', ('sysop',))
    other.simple_request(action='undelete', title=t['restored'],
                         reason='mine', token=other.tokens['csrf']).submit()
    # the user name shown again, the summary still hidden: neither as
    # the rogue left it nor as before
    hide(admin, first['hidden again'], show='user')
    post(admin, action='protect', title=prot['taken'],
         protections='edit=autoconfirmed', expiry='infinite')
    post(admin, action='userrights', user=users['taken'], remove='bot',
         add='sysop', reason='mine')
    # another admin's block beside the rogue's (MediaWiki 1.42+)
    shared = (add_block(wiki, users['shared'], 'Admin')
              if wiki.mw_version >= (1, 42) else None)
    out: dict[str, Any] = {'t': t, 'before': before, 'sha1': sha1,
                           'user': name, 'victim': victim,
                           'archived': {k: deleted_count(site, v)
                                        for k, v in t.items()},
                           'recreated': _ids(site, t['recreated']),
                           'first': first, 'prot': prot, 'users': users,
                           'bulk': bulk,
                           'shared': shared, 'seeded': out_before,
                           'rogue_state': state_of(site, prot, users)}
    cfg = config_dir_for('Admin')
    state = wiki_state(site, *t.values())
    out['simulate'] = pwb(wiki, cfg, 'cleanup', f'-user:{name}',
                          '-only:logs', '-simulate')
    out['simulated'] = (wiki_state(site, *t.values()) == state,
                        wiki_changes(site, state))
    journal, report = tmp / 'j.jsonl', tmp / 'r.jsonl'
    logid = last_logid(site)
    out['run'] = pwb(wiki, cfg, 'cleanup', f'-user:{name}', '-only:logs',
                     '-always', '-nouser', f'-journal:{journal}',
                     f'-report:{report}')
    out['comments'] = comments_since(site, logid)
    out['after'] = {k: _ids(site, v) for k, v in t.items()}
    out['bulk_after'] = [exists(site, title) for title in bulk]
    out['actions'] = len(comments_since(site, 0, user=name))
    out['archived_after'] = {k: deleted_count(site, v) for k, v in t.items()}
    out['sha1s'] = file_sha1s(site, t['file'])
    out['flags'] = {k: flags(editor, v) for k, v in first.items()}
    out['state'] = state_of(site, prot, users)
    out['rows'] = report_rows(report)
    # again, without the journal: the wiki tells what is back already
    logid = last_logid(site)
    out['rerun'] = pwb(wiki, cfg, 'cleanup', f'-user:{name}', '-only:logs',
                       '-always')
    out['rerun_writes'] = comments_since(site, logid)
    out['undo'] = pwb(wiki, cfg, 'cleanup', f'-undo:{journal}', '-always')
    out['exists_after_undo'] = {k: exists(site, v) for k, v in t.items()}
    out['flags_after_undo'] = {k: flags(editor, v) for k, v in first.items()}
    out['state_after_undo'] = state_of(site, prot, users)
    return out


def test_simulate_writes_nothing(rogue):
    code, out = rogue['simulate']
    assert code == 0, out
    assert rogue['simulated'][0], rogue['simulated'][1]
    # the title created again is found when its turn comes
    assert 'log actions: 16 restore(s), 2 revision visibility change(s), 3 protection(s), 2 unblock(s), 2 user rights change(s); 4 for review' in out, out
    assert 'deleted twice: 1 revision(s) to restore' in out, out


def test_deletions_are_restored_as_far_as_they_went(rogue):
    code, out = rogue['run']
    assert code == 0, out
    before, after = rogue["before"], rogue["after"]
    assert after['whole'] == before['whole']
    # the deletion before the rogue's stays: only the new text is back
    assert after['again'] == before['again']
    assert rogue['archived_after']['again'] == 1
    assert rogue['sha1s'] == [rogue['sha1']]
    assert after['file'] == before['file']
    assert 'Summary: 23 done' in out, out
    assert all(rogue['bulk_after'])
    # deletions, hides, protections, blocks, rights, an unblock (and
    # the account's own creation)
    assert rogue['actions'] >= 30


def test_what_changed_since_is_left(rogue):
    after, rows = rogue['after'], rogue['rows']
    t = rogue['t']
    assert after['recreated'] == rogue['recreated']
    assert rogue['archived_after']['recreated'] == \
        rogue['archived']['recreated']
    assert rows_naming(rows, t['recreated'], 're-created since')
    assert after['restored'] == rogue['before']['restored']
    assert rows_naming(rows, t['restored'], 'review')


def test_unblock_is_left_for_review_with_a_link(rogue):
    rows = rogue['rows']
    found = rows_naming(rows, f'User:{rogue["victim"]}', 'review')
    assert len(found) == 1, rows
    assert 'Special:Redirect/logid/' in found[0].detail
    assert 'never blocked again' in found[0].detail


def test_undo_deletes_again(rogue):
    code, out = rogue['undo']
    assert code == 0, out
    gone = rogue['exists_after_undo']
    assert not gone['whole'] and not gone['again'] and not gone['file']
    assert gone['recreated'] and gone['restored']
    assert rogue['flags_after_undo']['hidden'] == {'sha1hidden',
                                                    'userhidden'}


def test_visibility_is_put_back(rogue):
    flags = rogue['flags']
    # as another user sees it: shown again
    assert flags['hidden'] == set()
    # shown since by someone else: left, with a row
    assert flags['hidden again'] == {'commenthidden'}
    assert rows_naming(rogue['rows'], rogue['t']['whole'].replace(
        'whole', 'shown again'), 'changed since it was read')



def test_protections_are_put_back(rogue):
    prot, seeded, state = rogue['prot'], rogue['seeded'], rogue['state']
    for key in ('new', 'raised', 'lifted'):
        assert state['prot'][key] == seeded['prot'][key], key
    # changed again by Admin since: Admin's stays, and it is reported
    assert state['prot']['taken'] == ({'edit': ('autoconfirmed',
                                                'infinity')}, False)
    assert rows_naming(rogue['rows'], prot['taken'], 'review')


def test_the_rogue_blocks_are_lifted_by_id(rogue):
    blocks, seeded = rogue['state']['blocks'], rogue['seeded']['blocks']
    assert blocks['blocked'] == seeded['blocked'] == []
    if rogue['shared'] is None:  # before 1.42: one block per user
        assert blocks['shared'] == []
    else:  # the other admin's block stays
        assert [b[:2] for b in blocks['shared']] == [(rogue['shared'],
                                                      'Admin')]


def test_groups_are_put_back(rogue):
    groups, seeded = rogue['state']['groups'], rogue['seeded']['groups']
    assert groups['promoted'] == seeded['promoted'] == {}
    assert groups['demoted'] == seeded['demoted']
    assert set(groups['demoted']) == {'bot'}
    # Admin changed them since: left, with a row
    assert set(groups['taken']) == {'sysop'}
    assert rows_naming(rogue['rows'], f'User:{rogue["users"]["taken"]}',
                       'review')


def test_undo_puts_the_rogue_state_back(rogue):
    """After -undo the protections and groups are as the rogue left them.

    The blocks the run lifted are placed again, except where the user
    holds another block (before 1.44 a second one cannot be placed).
    """
    code, out = rogue['undo']
    assert code == 0, out
    now, then = rogue['state_after_undo'], rogue['rogue_state']
    for key in ('new', 'raised', 'lifted'):
        assert now['prot'][key] == then['prot'][key], key
    for key in ('promoted', 'demoted'):
        assert now['groups'][key] == then['groups'][key], key
    assert [b[2:] for b in now["blocks"]["blocked"]] == \
        [b[2:] for b in then["blocks"]["blocked"]]


def test_nouser_keeps_the_name_out_of_every_reason(rogue):
    """-nouser: no log comment the run wrote names the rogue account."""
    comments = rogue['comments']
    kinds = {kind for kind, _ in comments}
    assert {'delete/restore', 'delete/revision', 'protect/unprotect',
            'protect/modify', 'block/unblock', 'rights/rights'} <= kinds
    assert all(c and rogue['user'] not in c for _, c in comments), comments


# -- kill, race, bad input -----------------------------------------------

def _rogue_protects(wiki, config_dir, unique, count, by=None):
    """A fresh rogue administrator protects *count* pages.

    :param by: the site of the pages' author (default: the rogue)
    """
    name = f'Rogue{unique.split()[0]}'
    rogue = new_user(wiki, config_dir, name, ('sysop',))
    titles = [f'{unique} protected {i}' for i in range(count)]
    for title in titles:
        edit(by or rogue, title, 'text')
        post(rogue, action='protect', title=title, protections='edit=sysop',
             expiry='infinite')
    return name, titles


def test_killed_while_a_protection_is_put_back(wiki, site, config_dir,
                                               proxied_config, unique,
                                               tmp_path):
    """Each protection put back once over both runs; the killed one settled.

    The held ``protect`` lands after the kill; the rerun reads the
    page's protection, finds it put back and sends nothing for it.
    """
    cfg, proxy = proxied_config
    name, titles = _rogue_protects(wiki, config_dir, unique, 3)
    journal = tmp_path / 'j.jsonl'
    args = ['cleanup', f'-user:{name}', '-only:logs', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold', action='protect',
                    when=lambda r: r.method == 'POST', skip=1)
    _kill_at_held(wiki, cfg, proxy, args)
    sent = Counter(r.params['title'] for r in posts(proxy, 'protect'))
    assert list(journal_states(journal).values()).count('intent') == 1

    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    sent.update(r.params['title'] for r in posts(proxy, 'protect'))
    assert sent == Counter(titles), out
    for title in titles:
        assert protection(site, title) == ({}, False), (title, out)
    states = journal_states(journal)
    assert {states.get(f'protect|{t}') for t in titles} == {'done'}, states


def test_protection_changed_while_asked_is_not_overwritten(
        wiki, site, config_dir, config_dir_for, unique, tmp_path):
    """Admin changes the protection while the operator is asked about it.

    The put-back reads the protection right before its write (after the
    answer): Admin's decision stays, and the page is reported.
    """
    name, (title,) = _rogue_protects(wiki, config_dir, unique, 1)
    report = tmp_path / 'r.jsonl'
    talk = Conversation(wiki, config_dir_for('Admin'), [
        'cleanup', f'-user:{name}', '-only:logs', f'-report:{report}'])
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for(f'{title}: put back protection')
    talk.wait_for('[y]es', count=2)
    post(site, action='protect', title=title,
         protections='edit=autoconfirmed', expiry='infinite')
    talk.answer('y')
    code, out = talk.finish()
    assert protection(site, title) == ({'edit': ('autoconfirmed',
                                                  'infinity')}, False), out
    rows = report_rows(report)
    assert [(r.outcome, r.reason) for r in rows if r.title == title] == \
        [('skipped', 'changed by someone else since')], (rows, out)
    assert code == 0, out


def test_bad_kind_exits_2_before_any_write(wiki, site, config_dir_for):
    state = wiki_state(site)
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    '-user:Admin', '-only:logs,blocks')
    assert code == 2, out
    assert 'logs' in out and 'blocks' in out, out
    assert wiki_state(site) == state


def test_a_protection_null_revision_is_no_edit(wiki, site, site_for,
                                               config_dir, config_dir_for,
                                               unique):
    """The revision a protection adds is no edit; the rest goes in order.

    MediaWiki records a protection with a null revision by the
    protecting account. On a page with no other edit of it, that is no
    rollback to plan. On a page it also vandalised, its edits are rolled
    back first and the protection put back after: put back first, its
    null revision would be on top of the rogue's edits, out of a
    rollback's reach.
    """
    name, (only, vandalised) = _rogue_protects(wiki, config_dir, unique, 2,
                                               by=site_for('Editor'))
    rogue = pywikibot.Site('testwiki', 'testwiki', user=name)
    good = revisions(site, vandalised)[1]['revid']
    edit(rogue, vandalised, 'vandalised')
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-user:{name}', '-always')
    assert code == 0, out
    assert '1 rollback(s)' in out and '2 protection(s)' in out, out
    assert 'Summary: 3 done, 0 skipped' in out, out
    for title in (only, vandalised):
        assert protection(site, title) == ({}, False), title
    top, back = revisions(site, vandalised)[:2]
    assert top['user'] == 'Admin' and back['user'] == 'Admin'
    assert text_of(site, vandalised) == 'text'
    assert good in _ids(site, vandalised)


def test_a_rerun_writes_nothing(rogue):
    """Run again without the journal: everything is back, nothing sent."""
    code, out = rogue['rerun']
    assert code == 0, out
    assert rogue['rerun_writes'] == [], out
    assert 'Summary: 0 done' in out, out
    assert 'no longer in force' in out, out
