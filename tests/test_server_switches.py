"""The wiki's own switches, flipped mid-run: read-only mode, rate limits.

No proxy here: MediaWiki itself refuses the writes.

- Read-only: MediaWiki 1.39 is read-only while ``$wgReadOnlyFile``
  exists and is not empty; its default is ``$wgUploadDirectory/
  lock_yBgMBwiR`` (a dynamic default, so the test wiki's own upload
  directory). A test creates it mid-run and removes it to resume.
- Rate limits: a second wiki with real ``$wgRateLimits`` for
  ``rollback`` (the key ``RollbackPage::authorizeRollback`` pings, with
  the ``user`` and ``newbie`` types), and accounts of the
  ``rollbacker`` group, which lack ``noratelimit`` (sysops have it).

Each case shows the clean stop (exit 1, one "Stopped" line, no
traceback, the journal and the wiki agree) and the resume with the same
journal: every page rolled back exactly once.
"""
from __future__ import annotations

import time

import pytest
import pywikibot
from pywikibot import config

from harness.wikiharness import TestWiki, free_port
from harness.wikitools import (
    edit,
    journal_states,
    pwb,
    revisions,
    rollback_count,
    rolled_back_titles,
    watch_pwb,
)


# pywikibot_neutral tests (left out on the oldest pywikibot, see
# .ci/run): the wiki refuses; kept there: one rate-limit case, where
# pywikibot reads the limits (APISite.ratelimit).
pytestmark = pytest.mark.wiki

#: MediaWiki 1.39's default $wgReadOnlyFile, below $wgUploadDirectory
READ_ONLY_FILE = 'images/lock_yBgMBwiR'
READ_ONLY_REASON = 'Test maintenance window'

#: rollbacks a non-exempt account may make per window on the rate wiki
RATE, WINDOW = 2, 4


def _vandalise(editor, vandal, titles):
    for title in titles:
        edit(editor, title, 'good')
        edit(vandal, title, 'bad')


def _assert_stopped(code, out, *words):
    """A clean stop: status 1, one "Stopped" line naming *words*."""
    assert code == 1, out
    assert 'Traceback' not in out, out
    stopped = [line for line in out.splitlines() if 'Stopped:' in line]
    assert len(stopped) == 1, out
    for word in words:
        assert word in stopped[0], stopped[0]


def _assert_split(site, out, titles, journal):
    """Pages before the stop rolled back, the rest untouched; journal too.

    :return: the titles rolled back before the stop
    """
    before = rolled_back_titles(out)
    assert before == titles[:len(before)] and 0 < len(before) < len(titles)
    for title in titles:
        assert rollback_count(site, title) == (title in before), title
    refused = titles[len(before)]
    # done records only for those; the refused write failed (the wiki
    # showed nothing was written), no intent is left dangling
    assert journal_states(journal) == {
        **{f'rollback|{t}|Vandal': 'done' for t in before},
        f'rollback|{refused}|Vandal': 'failed'}
    return before


def _assert_all_once(site, titles, journal, user):
    for title in titles:
        assert rollback_count(site, title) == 1, title
        assert revisions(site, title)[0]['user'] == user, title
    assert set(journal_states(journal).values()) == {'done'}


# -- read-only ----------------------------------------------------------


@pytest.mark.pywikibot_neutral
def test_read_only_mid_run_stops_cleanly_then_resumes(wiki, site, site_for,
                                                      config_dir_for,
                                                      unique, tmp_path):
    titles = [f'{unique} {i}' for i in range(5)]
    _vandalise(site_for('Editor'), site_for('Vandal'), titles)
    cfg = config_dir_for('Admin', f'# {unique}')
    journal = tmp_path / 'readonly.jsonl'
    args = ['rollback', '-user:Vandal', *[f'-page:{t}' for t in titles],
            '-always', '-maxwait:2', f'-journal:{journal}']
    lock = wiki.root / READ_ONLY_FILE
    try:
        start = time.monotonic()
        code, out = watch_pwb(
            wiki, cfg, args, after='rolled back', timeout=60,
            act=lambda: lock.write_text(READ_ONLY_REASON))
        took = time.monotonic() - start
        assert wiki.api_get(action='query', meta='siteinfo')[
            'query']['general'].get('readonly'), 'the switch did not work'
    finally:
        lock.unlink(missing_ok=True)
    _assert_stopped(code, out, f'stayed read-only ({READ_ONLY_REASON})',
                    'nothing was written')
    assert took >= 2, 'it did not wait out -maxwait first'
    _assert_split(site, out, titles, journal)

    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    _assert_all_once(site, titles, journal, 'Admin')


# -- rate limits --------------------------------------------------------


@pytest.fixture(scope='module')
def rate_wiki(tmp_path_factory):
    """A second wiki with real rollback rate limits (an install, ~4 s).

    Registered in this process's pywikibot as ``ratewiki`` for seeding.
    """
    root = tmp_path_factory.mktemp('ratewiki')
    settings = ''.join(
        f"$wgRateLimits['rollback']['{kind}'] = [ {RATE}, {WINDOW} ];\n"
        for kind in ('user', 'newbie'))
    rwiki = TestWiki(root / 'wiki', free_port(), rate_limits=True,
                     settings=settings)
    with rwiki:
        config.family_files['ratewiki'] = rwiki.api_url
        yield rwiki


@pytest.fixture
def limited(rate_wiki, config_dir, unique, tmp_path):
    """Three vandalised pages and a fresh rollbacker (its own counter)."""
    def site_as(name):
        # the session wiki's harness rewrites this file now and then
        path = config_dir / 'user-password.py'
        line = (f"('ratewiki', 'ratewiki', {name!r}, "
                f'{rate_wiki.users[name]!r})')
        if line not in path.read_text('utf-8'):
            with path.open('a', encoding='utf-8') as f:
                f.write(line + '\n')
        s = pywikibot.Site('ratewiki', 'ratewiki', user=name)
        s.login()
        return s

    name = f'Limited{unique.split()[0]}'
    rate_wiki.create_user(name, ('rollbacker',))
    titles = [f'{unique} {i}' for i in range(RATE + 1)]
    _vandalise(site_as('Editor'), site_as('Vandal'), titles)
    cfg = rate_wiki.write_pywikibot_config(tmp_path / 'pwb', name)
    journal = tmp_path / 'limited.jsonl'
    args = ['rollback', '-user:Vandal', *[f'-page:{t}' for t in titles],
            '-always', f'-journal:{journal}']
    return site_as('Admin'), name, titles, cfg, journal, args


def test_rate_limit_past_maxwait_stops_then_resumes(rate_wiki, limited):
    site, name, titles, cfg, journal, args = limited
    code, out = pwb(rate_wiki, cfg, *args, '-maxwait:1')
    _assert_stopped(code, out, 'rate limit', 'nothing was written')
    assert _assert_split(site, out, titles, journal) == titles[:RATE]
    time.sleep(WINDOW)  # the window passes
    # (a bound to spare: the limiter's window is not to the second)
    code, out = pwb(rate_wiki, cfg, *args, f'-maxwait:{WINDOW * 5}')
    assert code == 0, out
    _assert_all_once(site, titles, journal, name)


@pytest.mark.pywikibot_neutral
def test_rate_limit_within_maxwait_is_waited_out(rate_wiki, limited):
    site, name, titles, cfg, journal, args = limited
    start = time.monotonic()
    code, out = pwb(rate_wiki, cfg, *args, f'-maxwait:{WINDOW * 5}')
    took = time.monotonic() - start
    assert code == 0, out
    # it waited: refused, paused, tried again until the window passed
    waits = out.count(f'{titles[RATE]}]] was not done; retrying in')
    assert waits >= 1 and 'API error ratelimited' in out, out
    assert took >= 1, out
    _assert_all_once(site, titles, journal, name)
