"""Conditions of real wikis, made to happen for real on the test wiki.

Edits from any address (the test wiki trusts ``X-Forwarded-For`` from
loopback, see the harness settings), IPv6 spelt as operators type it, an
IPv6 range; a protected page in the middle of a batch; a server error
that lasts; a page moved between the plan and the write; a temporary
account's edits (MediaWiki 1.43). Each test reads the wiki's state and
the journal afterwards.
"""
from __future__ import annotations

import ipaddress
import itertools
import signal
from typing import Any

import pytest

from pywikibot_revert.bot._journal import Journal
from harness.wikitools import (
    Conversation,
    anon_edit,
    delete,
    deleted_count,
    edit,
    exists,
    protect,
    pwb,
    revisions,
    rolled_back_titles,
    signal_pwb,
    text_of,
    while_held,
)


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# conditions of real wikis, made on the test wiki.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]

# documentation addresses (RFC 3849), one /48 per test
_NETS = itertools.count(0x100)


def _ipv6_net() -> str:
    """A /48 of 2001:db8::/32 no other test of the session edits from."""
    return f'2001:db8:{next(_NETS):x}'


def _writes(proxy: Any, action: str) -> dict[str, int]:
    """Title -> how many *action* writes reached the wiki (not faulted)."""
    counts: dict[str, int] = {}
    for req in proxy.requests_for(action):
        if req.method == 'POST' and req.fault in (None, 'hold',
                                                  'hold_before_forward'):
            title = req.params.get('title') or req.params.get('pageid')
            counts[title] = counts.get(title, 0) + 1
    return counts


def _by_title(journal, kind: str) -> dict[str, str]:
    """Title -> the last record type of its *kind* write in the journal.

    ``done``, ``failed``, ``skipped`` (refused by the wiki as nothing to
    do), ``uncertain``; ``intent`` for a write nobody recorded the end of.
    """
    states = {}
    for rec in Journal.read(journal):
        if str(rec.get('key', '')).startswith(kind + '|'):
            states[rec['key'].split('|')[1]] = rec['type']
    return states


# -- IPv6 ------------------------------------------------------------------


@pytest.mark.parametrize('spelling', [
    str.lower,                          # 2001:db8:100::7
    lambda ip: ipaddress.IPv6Address(ip).exploded,  # 2001:0db8:0100:...
    str.upper,                          # 2001:DB8:100::7
], ids=['compressed', 'full', 'upper'])
def test_ipv6_vandal_in_any_spelling(wiki, site, site_for, config_dir_for,
                                     unique, tmp_path, spelling):
    """``-user:`` an IPv6 address as typed; MediaWiki stores it its way."""
    ip = f'{_ipv6_net()}::7'
    titles = [f'{unique} v6 {i}' for i in range(2)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        anon_edit(wiki.api_url, title, 'ipv6 vandalism', ip=ip)
    stored = revisions(site, titles[0])[0]['user']
    # MediaWiki's spelling: upper case, every group, no leading zeros
    assert stored == ':'.join(f'{int(g, 16):X}' for g in
                              ipaddress.IPv6Address(ip).exploded.split(':'))
    journal = tmp_path / 'v6.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{spelling(ip)}', '-always', f'-journal:{journal}')
    assert code == 0, out
    assert sorted(rolled_back_titles(out)) == titles, out
    for title in titles:
        revs = revisions(site, title)
        assert revs[0]['user'] == 'Admin' and revs[1]['user'] == stored
        assert text_of(site, title) == 'good'
    assert _by_title(journal, 'rollback') == dict.fromkeys(titles, 'done')
    assert {r['user'] for r in Journal.read(journal)
            if r['type'] == 'intent'} == {stored}


def test_iprange_over_ipv6(wiki, site, site_for, config_dir_for, unique,
                           tmp_path):
    """``-iprange:`` a /64: both addresses in it, not the one next to it."""
    net = _ipv6_net()
    inside = {f'{unique} in0': f'{net}::5', f'{unique} in1': f'{net}::ff:6'}
    outside = f'{unique} out'
    for title, ip in [*inside.items(), (outside, f'{net}:1::5')]:
        edit(site_for('Editor'), title, 'good')
        anon_edit(wiki.api_url, title, 'range vandalism', ip=ip)
    journal = tmp_path / 'range.jsonl'
    if wiki.mw_version >= (1, 36):
        # broader than the wiki's limit (IPv6: /32): a usage error
        # before the run, not an exception from its listing
        code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                        '-iprange:2001:db8::/16', '-always',
                        f'-journal:{journal}')
        assert code == 2 and '-iprange:' in out and '/32' in out, out
        assert 'Traceback' not in out and not journal.exists(), out
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-iprange:{net}::/64', '-always', f'-journal:{journal}')
    if wiki.mw_version < (1, 36):
        # no uciprange before 1.36: refused before any request is sent
        assert code == 1 and 'needs MediaWiki 1.36' in out, out
        assert not journal.exists() or not _by_title(journal, 'rollback')
        for title in [*inside, outside]:
            assert text_of(site, title) == 'range vandalism'
        return
    assert code == 0, out
    for title in inside:
        assert text_of(site, title) == 'good', out
        assert revisions(site, title)[0]['user'] == 'Admin'
    assert text_of(site, outside) == 'range vandalism'
    assert _by_title(journal, 'rollback') == dict.fromkeys(inside, 'done')


# -- a protected page in the middle of a batch -----------------------------


def test_protected_page_in_the_middle_of_a_batch(wiki, site, site_for,
                                                 config_dir_for, fresh_user,
                                                 unique, tmp_path):
    """A rollbacker meets a sysop-protected page; the pages after it are done."""
    vandal, vsite = fresh_user('Prot')
    titles = [f'{unique} p{i}' for i in range(5)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vsite, title, 'bad')
    protected = titles[2]
    protect(site, protected)
    top = revisions(site, protected)[0]['revid']
    journal = tmp_path / 'prot.jsonl'
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'rollback',
                    f'-user:{vandal}', *[f'-page:{t}' for t in titles],
                    '-always', f'-journal:{journal}')
    assert 'Summary:' in out, out
    assert rolled_back_titles(out) == [t for t in titles if t != protected]
    for title in titles:
        if title == protected:
            assert revisions(site, title)[0]['revid'] == top, out
            assert text_of(site, title) == 'bad'
        else:
            assert revisions(site, title)[0]['user'] == 'Rollbacker', title
            assert text_of(site, title) == 'good'
    states = _by_title(journal, 'rollback')
    assert states == {t: 'failed' if t == protected else 'done'
                      for t in titles}, states
    assert code != 0, out  # a page left undone is not a clean run


# -- a server error that lasts ---------------------------------------------


def test_lasting_5xx_stops_cleanly_and_the_rerun_does_the_rest_once(
        wiki, site, site_for, fresh_user, proxied_config, unique, tmp_path):
    cfg, proxy = proxied_config
    vandal, vsite = fresh_user('Down')
    titles = [f'{unique} s{i}' for i in range(5)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vsite, title, 'bad')
    journal = tmp_path / '5xx.jsonl'
    args = ['rollback', f'-user:{vandal}', *[f'-page:{t}' for t in titles],
            '-always', '-maxwait:2', f'-journal:{journal}']
    # from the third write on, every write is answered 503, 500, ...
    proxy.add_fault('status', action='rollback', skip=2, times=1000,
                    when=lambda r: r.method == 'POST')
    code, out = pwb(wiki, cfg, *args)
    assert code != 0, out
    assert 'Summary:' in out, out
    first = _writes(proxy, 'rollback')
    assert sorted(first) == titles[:2] and set(first.values()) == {1}, first
    for title in titles:
        done = title in first
        assert text_of(site, title) == ('good' if done else 'bad'), title
    states = _by_title(journal, 'rollback')
    assert {t for t, s in states.items() if s == 'done'} == set(titles[:2])

    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    second = _writes(proxy, 'rollback')
    # exactly once over both runs: the rerun sends only the rest
    assert second == dict.fromkeys(titles[2:], 1), second
    for title in titles:
        revs = revisions(site, title)
        assert revs[0]['user'] == 'Admin' and text_of(site, title) == 'good'
        assert sum('mw-rollback' in r['tags'] for r in revs) == 1, title
    assert _by_title(journal, 'rollback') == dict.fromkeys(titles, 'done')


# -- a page moved between the plan and the write ---------------------------


def _move(site: Any, old: str, new: str) -> None:
    site.simple_request(action='move', **{'from': old}, to=new,
                        reason='test', token=site.tokens['csrf']).submit()


def _asked(talk: Conversation, question: str) -> None:
    """Say yes to the wiki and account; wait for *question*."""
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for(question)


def _moved_and_vandalised(site_for: Any, vsite: Any, title: str,
                          moved: str) -> None:
    """Editor moves *title*; the vandal edits the redirect left behind."""
    _move(site_for('Editor'), title, moved)
    edit(vsite, title, 'bad on the redirect')


def _check_moved(site: Any, vandal: str, title: str, moved: str,
                 journal: Any, out: str) -> None:
    """Nothing written on either title; the journal says not done."""
    # the redirect's vandal edit is not what the operator was shown
    assert [r['user'] for r in revisions(site, title)] == [vandal,
                                                           'Editor'], out
    assert text_of(site, title) == 'bad on the redirect'
    # the planned page: the move's null revision on top, by Editor
    revs = revisions(site, moved)
    assert [r['user'] for r in revs[:2]] == ['Editor', vandal], out
    assert text_of(site, moved) == 'bad'
    assert _by_title(journal, 'rollback') == {title: 'skipped'}, out


@pytest.mark.parametrize('how', ['question', 'held'])
def test_rollback_never_acts_on_the_redirect_left_by_a_move(
        wiki, site, site_for, fresh_user, config_dir_for, proxied_config,
        unique, tmp_path, how):
    """The rollback aims at the page planned, not at the title.

    The page is moved while the operator is asked (``question``), or
    while the rollback waits in the loopback proxy (``held``, with
    ``-always`` and the vandal's contributions as the selection), and
    the vandal edits the redirect left behind. Rolling back the title
    would undo that edit, which nobody planned or was shown.
    """
    vandal, vsite = fresh_user('Mover')
    title, moved = f'{unique} m', f'{unique} m moved'
    edit(site_for('Editor'), title, 'good')
    edit(vsite, title, 'bad')
    journal = tmp_path / 'move.jsonl'
    args = ['rollback', f'-user:{vandal}', f'-journal:{journal}']
    if how == 'question':
        talk = Conversation(wiki, config_dir_for('Admin'),
                            [*args, f'-page:{title}'])
        _asked(talk, f'on {title}?')
        _moved_and_vandalised(site_for, vsite, title, moved)
        talk.answer('y')
        code, out = talk.finish()
    else:
        cfg, proxy = proxied_config
        proxy.add_fault('hold_before_forward', action='rollback',
                        when=lambda r: r.method == 'POST')
        mover = while_held(proxy, lambda: _moved_and_vandalised(
            site_for, vsite, title, moved))
        code, out = pwb(wiki, cfg, *args, '-always')
        mover.join(30)
        assert len(proxy.requests_for('rollback')) == 1
    assert code == 0, out
    _check_moved(site, vandal, title, moved, journal, out)


def _run_moving(wiki, cfg_for, proxied_config, args, question, move,
                how, action):
    """Run ``pwb ARGS``; *move* at the question, or while *action* is held.

    :return: the exit status and output
    """
    if how == 'question':
        talk = Conversation(wiki, cfg_for('Admin'), args)
        _asked(talk, question)
        move()
        talk.answer('y')
        return talk.finish()
    cfg, proxy = proxied_config
    proxy.add_fault('hold_before_forward', action=action,
                    when=lambda r: r.method == 'POST')
    mover = while_held(proxy, move)
    code, out = pwb(wiki, cfg, *args, '-always')
    mover.join(30)
    return code, out


@pytest.mark.parametrize('how', ['question', 'held'])
def test_buried_undo_of_a_moved_page(wiki, site, site_for, fresh_user,
                                     config_dir_for, proxied_config, unique,
                                     tmp_path, how):
    """-buried: the undo edit never lands on the redirect left behind."""
    spammer, ssite = fresh_user('Bmover')
    title, moved = f'{unique} b', f'{unique} b moved'
    edit(site_for('Editor'), title, 'one\n\ntwo')
    edit(ssite, title, 'one SPAM\n\ntwo')
    edit(site_for('Editor'), title, 'one SPAM\n\ntwo later')
    journal = tmp_path / 'bmove.jsonl'
    code, out = _run_moving(
        wiki, config_dir_for, proxied_config,
        ['rollback', f'-user:{spammer}', '-buried', f'-page:{title}',
         f'-journal:{journal}'], f'on {title}?',
        lambda: _move(site_for('Editor'), title, moved), how, 'edit')
    assert [r['user'] for r in revisions(site, title)] == ['Editor'], out
    # stopped for that page: the plan no longer holds, nothing written
    assert text_of(site, moved) == 'one SPAM\n\ntwo later', out
    assert revisions(site, moved)[0]['user'] == 'Editor', out
    if how == 'question':
        # read again after the question: skipped before any write
        assert code == 0 and 'skipped (changed since it was read)' in out
        assert not _by_title(journal, 'buried'), out
    else:
        # the edit names its base revision, of the page now elsewhere:
        # MediaWiki refuses it (revwrongpage), a conflict by the policy
        assert code == 1 and '1 failed (1 conflict)' in out, out
        assert set(_by_title(journal, 'buried').values()) == {'failed'}


@pytest.mark.parametrize('how', ['question', 'held'])
def test_undelete_onto_a_title_moved_meanwhile(wiki, site, site_for,
                                               config_dir_for,
                                               proxied_config, unique,
                                               tmp_path, how):
    """A page moved onto the deleted title meanwhile.

    The deleted revisions would go into the history of the page moved
    there. At the question the run reads the title again and stops. The
    undelete API has no precondition, so a page moved there while the
    request is in flight gets them behind its own revision: the run
    finds that right after and says so (a conflict: check by hand).
    """
    title, other = f'{unique} u', f'{unique} u other'
    for text in ('a', 'b'):
        edit(site, title, text)
    delete(site, title)
    edit(site_for('Editor'), other, 'another page')
    journal = tmp_path / 'umove.jsonl'
    code, out = _run_moving(
        wiki, config_dir_for, proxied_config,
        ['undelete', f'-page:{title}', f'-journal:{journal}'],
        f'of {title}?', lambda: _move(site_for('Editor'), other, title),
        how, 'undelete')
    assert exists(site, other)  # the redirect left behind
    users = [r['user'] for r in revisions(site, title)]
    if how == 'question':
        assert code == 0, out
        assert 'skipped (changed since it was read)' in out, out
        # the page moved there keeps its own history only
        assert users == ['Editor'] * 2 and deleted_count(site, title) == 2
        assert 'done' not in _by_title(journal, 'undelete').values()
        return
    assert code == 1 and '1 failed (1 conflict)' in out, out
    assert 'a page came to this title while restoring' in out, out
    assert text_of(site, title) == 'another page'
    assert users == ['Editor'] * 2 + ['Admin'] * 2, out
    assert deleted_count(site, title) == 0
    # the write landed (done), then the read-back found the conflict;
    # an -undo checks the page before deleting
    assert [r['type'] for r in Journal.read(journal)
            if r.get('key') == f'undelete|{title}'] == [
                'intent', 'done', 'conflict']


# -- temporary accounts (MediaWiki 1.43) -----------------------------------

#: Whether the release has temporary accounts (``$wgAutoCreateTempUser``
#: as the harness sets it: 1.43 and later). 1.39 has an experimental
#: form with another name pattern; the harness leaves it off there.
TEMP_ACCOUNTS = {(1, 35): False, (1, 39): False, (1, 43): True}

#: a paragraph of its own, so that an undo under a later edit merges
_BASE = 'Intro.\n\nMiddle paragraph.\n\nEnd.'


class _Anonymous:

    """One anonymous visitor of the test wiki, its cookies kept.

    With ``temp=True`` its first edit asks for a temporary account (the
    harness's ``X-Harness-Temp-Account`` header) and the later ones are
    that account's.
    """

    def __init__(self, api_url: str, temp: bool) -> None:
        import http.cookiejar
        import urllib.request
        self.api_url = api_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.ProxyHandler({}))
        if temp:
            self.opener.addheaders.append(('X-Harness-Temp-Account', '1'))

    def edit(self, title: str, text: str) -> dict[str, Any]:
        import json
        import urllib.parse
        with self.opener.open(f'{self.api_url}?action=query&meta=tokens'
                              '&format=json&formatversion=2') as r:
            token = json.load(r)['query']['tokens']['csrftoken']
        body = urllib.parse.urlencode({
            'action': 'edit', 'title': title, 'text': text, 'token': token,
            'summary': 'test', 'format': 'json',
            'formatversion': 2}).encode()
        with self.opener.open(self.api_url, data=body) as r:
            answer = json.load(r)
        assert answer.get('edit', {}).get('result') == 'Success', answer
        return answer['edit']


def test_temporary_account(wiki, site, site_for, config_dir_for, unique,
                           tmp_path):
    """A temporary account's edits: rollback, -buried, -report, -undo."""
    release = wiki.mw_version[:2]
    if release not in TEMP_ACCOUNTS:
        pytest.fail(f'MediaWiki {wiki.mw_version_string} is not in '
                    'TEMP_ACCOUNTS: look at what it does and add it')
    editor, visitor = site_for('Editor'), _Anonymous(wiki.api_url, True)
    top, buried, clash = (f'{unique} top', f'{unique} buried',
                          f'{unique} clash')
    edit(editor, top, 'good')
    visitor.edit(top, 'bad')
    temp = revisions(site, top)[0]['user']
    cfg = config_dir_for('Admin')
    if not TEMP_ACCOUNTS[release]:
        # no temporary accounts: the visitor is an IP, and a name of
        # their pattern is taken as a name, refused as unknown
        assert temp == '127.0.0.1'
        code, out = pwb(wiki, cfg, 'rollback', '-user:~2026-1', '-always')
        assert code == 2 and 'does not exist' in out, out
        assert text_of(site, top) == 'bad'
        return
    assert temp.startswith('~2026-'), temp
    edit(editor, buried, _BASE)
    visitor.edit(buried, _BASE.replace('Intro.', 'Intro. SPAM'))
    edit(editor, buried, _BASE.replace('Intro.', 'Intro. SPAM') + ' Later.')
    edit(editor, clash, _BASE)
    visitor.edit(clash, _BASE.replace('Middle paragraph.', 'Middle SPAM.'))
    clash_top = edit(editor, clash, _BASE.replace('Middle paragraph.',
                                                  'Middle SPAM, expanded.'))
    journal, report = tmp_path / 'temp.jsonl', tmp_path / 'temp.wiki'

    code, out = pwb(wiki, cfg, 'rollback', f'-user:{temp}', '-buried',
                    '-always', f'-journal:{journal}', f'-report:{report}')
    assert code == 0, out
    assert text_of(site, top) == 'good'
    assert revisions(site, top)[0]['user'] == 'Admin'
    assert text_of(site, buried) == _BASE + ' Later.'
    assert [r['user'] for r in revisions(site, buried)[:2]] == ['Admin',
                                                                'Editor']
    assert revisions(site, clash)[0]['revid'] == clash_top, out
    rows = [row for row in report.read_text().split('\n|-\n')
            if clash in row]
    assert len(rows) == 1, report.read_text()
    assert f'[[Special:Contributions/{temp}|{temp}]]' in rows[0]
    states = _by_title(journal, 'rollback')
    states.update(_by_title(journal, 'buried'))
    # the clash is refused by the wiki's merge (nothing written)
    assert states == {top: 'done', buried: 'done', clash: 'skipped'}, states

    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code == 0, out
    assert text_of(site, top) == 'bad'
    assert text_of(site, buried) == (_BASE.replace('Intro.', 'Intro. SPAM')
                                     + ' Later.')
    assert revisions(site, clash)[0]['revid'] == clash_top


def test_undelete_killed_before_its_read_back_is_checked_on_resume(
        wiki, site, site_for, proxied_config, unique, tmp_path):
    """A restore merged behind a moved page, the run killed before it knew.

    The read-back of a restore onto a missing title rides on a later
    batched read; the run is killed (SIGKILL) while that read is held.
    The journal's ``done`` is ``unchecked``, so the rerun reads the page
    back before anything else and reports the conflict.
    """
    cfg, proxy = proxied_config
    title, other = f'{unique} k', f'{unique} k other'
    for text in ('a', 'b'):
        edit(site, title, text)
    delete(site, title)
    edit(site_for('Editor'), other, 'another page')
    journal = tmp_path / 'ukill.jsonl'
    args = ['undelete', f'-page:{title}', f'-journal:{journal}', '-always']
    proxy.add_fault('hold_before_forward', action='undelete',
                    when=lambda r: r.method == 'POST')
    mover = while_held(proxy, lambda: _move(site_for('Editor'), other,
                                            title))
    # the plan is the first read of latest revisions; the next, after
    # the restore, carries its read-back
    proxy.add_fault('hold', action='query', skip=1, when=lambda r: (
        r.params.get('prop') == 'revisions'))
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: any(r.action == 'query'
                                            for r in proxy.held))
    mover.join(30)
    assert code == -signal.SIGKILL, out
    proxy.clear_faults()
    # restored behind the page moved there; the run never read it back
    assert [r['user'] for r in revisions(site, title)] == [
        'Editor'] * 2 + ['Admin'] * 2
    assert deleted_count(site, title) == 0
    key = f'undelete|{title}'
    (done,) = [r for r in Journal.read(journal)
               if r.get('key') == key and r['type'] == 'done']
    assert done['unchecked'] is True

    code, out = pwb(wiki, cfg, *args)

    assert code == 1, out
    assert 'restore(s) done but not checked' in out, out
    assert 'a page came to this title while restoring' in out, out
    assert [r['type'] for r in Journal.read(journal)
            if r.get('key') == key] == ['intent', 'done', 'conflict']
    # nothing written again: the moved page's history as it was
    assert [r['user'] for r in revisions(site, title)] == [
        'Editor'] * 2 + ['Admin'] * 2
    assert not [r for r in proxy.requests_for('undelete')
                if r.method == 'POST' and r.fault is None]
