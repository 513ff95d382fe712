"""``pwb cleanup -hide`` / ``pwb rollback -hide``: hidden after the revert.

A small spam incident per test: a fresh spambot edits pages on top and
once under a later edit; the run reverts and hides what it reverted,
read back as another user (``Editor``, no admin); a kill between the
revert and the hide is resumed; ``-undo`` shows them again.
"""
from __future__ import annotations

import signal
from collections import Counter

import pytest

from pywikibot_revert import visibility
from pywikibot_revert.bot._journal import Journal
from harness.wikitools import (
    edit,
    posts,
    pwb,
    revisions,
    signal_pwb,
    text_of,
)


pytestmark = pytest.mark.wiki

ALL = {'content', 'comment', 'user'}


@pytest.fixture
def incident(site_for, fresh_user, unique):
    """Two pages with spam on top, one with spam under Editor's edit.

    :return: the spambot's name, title -> (clean text, spam revids)
    """
    editor = site_for('Editor')
    name, spambot = fresh_user('Spambot')
    pages = {}
    for i in range(2):
        title = f'{unique} top {i}'
        edit(editor, title, f'Page {i}')
        spam = [edit(spambot, title, f'Page {i} call 555-01{i}{n}',
                     summary=f'my number 555-01{i}{n}') for n in range(2)]
        pages[title] = (f'Page {i}', spam)
    title = f'{unique} buried'
    edit(editor, title, 'First line\n\nSecond line')
    spam = [edit(spambot, title, 'First line 555-0199\n\nSecond line',
                 summary='call me')]
    edit(editor, title, 'First line 555-0199\n\nSecond line, better')
    pages[title] = ('First line\n\nSecond line, better', spam)
    return name, pages


def assert_cleaned_and_hidden(site, site_for, pages, name):
    editor = site_for('Editor')
    for title, (text, spam) in pages.items():
        assert text_of(site, title) == text, title
        # read as another user: not an admin, sees the flags only
        assert visibility(editor, spam) == {r: ALL for r in spam}, title
        latest = revisions(editor, title)[0]
        assert latest['user'] in ('Admin', 'Editor')
        assert visibility(editor, [latest['revid']]) == {
            latest['revid']: frozenset()}
        seen = {r['revid']: r for r in revisions(editor, title)}
        for revid in spam:
            assert seen[revid].get('userhidden') and 'user' not in seen[revid]


def assert_hides_follow_reverts(journal, pages):
    """Each page's hide is journalled done after its reverts are done."""
    records = Journal.read(journal)
    for title in pages:
        order = [(rec['type'], rec['key'].split('|')[0]) for rec in records
                 if rec.get('title') == title and rec.get('key')]
        first_hide = next(i for i, (_, kind) in enumerate(order)
                          if kind == 'revisiondelete')
        reverts_done = [i for i, (t, kind) in enumerate(order)
                        if t == 'done' and kind in ('rollback', 'buried')]
        assert reverts_done and max(reverts_done) < first_hide, order


def test_cleanup_hides_what_it_reverted_and_undo_shows_it(
        wiki, site, site_for, config_dir, incident, tmp_path):
    name, pages = incident
    journal = tmp_path / 'j.jsonl'
    code, out = pwb(wiki, config_dir, 'cleanup', f'-user:{name}', '-always',
                    '-hide:content,summary,user', f'-journal:{journal}')
    assert code == 0, out
    assert_cleaned_and_hidden(site, site_for, pages, name)
    assert_hides_follow_reverts(journal, pages)
    hides = [r for r in Journal.read(journal)
             if r['type'] == 'done' and r.get('action') == 'revisiondelete']
    assert sorted(r['title'] for r in hides) == sorted(pages)

    code, out = pwb(wiki, config_dir, 'cleanup', f'-undo:{journal}',
                    '-always')
    assert code == 0, out
    editor = site_for('Editor')
    for title, (_, spam) in pages.items():
        assert visibility(editor, spam) == {r: frozenset() for r in spam}
        # and the reverts themselves were undone after the show
        assert '555-01' in text_of(site, title) or 'buried' in title


def test_undo_shows_only_what_the_run_hid(wiki, site, site_for, config_dir,
                                          incident, tmp_path):
    name, pages = incident
    title = next(iter(pages))
    _, spam = pages[title]
    # hidden before the run: its summary; the run hides the rest
    site.simple_request(action='revisiondelete', type='revision',
                        ids=spam[0], hide='comment', reason='before',
                        token=site.tokens['csrf']).submit()
    journal = tmp_path / 'j.jsonl'
    code, out = pwb(wiki, config_dir, 'rollback', f'-user:{name}',
                    '-always', '-hide:content,summary,user',
                    f'-journal:{journal}')
    assert code == 0, out
    assert visibility(site, spam) == {r: ALL for r in spam}
    # someone shows the user of the second revision meanwhile: left alone
    site.simple_request(action='revisiondelete', type='revision',
                        ids=spam[1], show='user', reason='meanwhile',
                        token=site.tokens['csrf']).submit()
    code, out = pwb(wiki, config_dir, 'rollback', f'-undo:{journal}',
                    '-always')
    assert visibility(site, spam) == {spam[0]: {'comment'},
                                      spam[1]: {'content', 'comment'}}, out


@pytest.mark.parametrize('fault', ['hold_before_forward', 'hold'])
def test_killed_between_the_revert_and_the_hide(
        wiki, site, site_for, proxied_config, incident, tmp_path, fault):
    """Killed with the hide sent (landed or not): resumed, hidden once."""
    cfg, proxy = proxied_config
    name, pages = incident
    journal = tmp_path / 'j.jsonl'
    args = ['cleanup', f'-user:{name}', '-always',
            '-hide:content,summary,user', f'-journal:{journal}']
    proxy.add_fault(fault, action='revisiondelete',
                    when=lambda req: req.method == 'POST')
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: proxy.wait_held(0.1) is not None)
    assert code == -signal.SIGKILL, out
    killed = proxy.held[0].params['target']
    _, spam = pages[killed]
    # the revert had landed, the hide not (or not answered)
    assert text_of(site, killed) == pages[killed][0]
    landed = fault == 'hold'
    assert visibility(site, spam) == {
        r: ALL if landed else frozenset() for r in spam}
    sent = Counter(r.params['target'] for r in posts(proxy, 'revisiondelete'))

    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    sent.update(r.params['target'] for r in posts(proxy, 'revisiondelete'))
    # each page hidden once; the killed one sent again only if not landed
    assert sent == Counter({t: 1 for t in pages} | (
        {} if landed else {killed: 2})), out
    assert_cleaned_and_hidden(site, site_for, pages, name)
    assert_hides_follow_reverts(journal, pages)


def test_refused_without_the_right_or_with_a_bad_value(
        wiki, site, config_dir_for, incident, tmp_path):
    name, pages = incident
    before = {t: revisions(site, t)[0]['revid'] for t in pages}
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'rollback',
                    f'-user:{name}', '-always', '-hide:user')
    assert code == 2, out
    assert 'deleterevision' in out
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-user:{name}', '-always', '-hide:content,name')
    assert code == 2, out
    assert "'name'" in out
    assert {t: revisions(site, t)[0]['revid'] for t in pages} == before
