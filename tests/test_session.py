"""A login session lost mid-run, on the real wiki, with stdin closed.

MediaWiki keeps sessions in ``<wiki>/sessions/sessions.sqlite``; a
login with "remember me" (pywikibot's ``clientlogin`` asks for it) also
sets a token cookie from which MediaWiki makes a new session when the
old one is gone. So:

- deleting the session's rows is harmless: the next request gets a new
  session from the token cookie, and pywikibot's token refresh does the
  rest;
- ``invalidateUserSessions.php`` also resets the account's token: the
  wiki now sees an anonymous user and refuses the write
  (``assertnameduserfailed``). The plugin logs in again through
  pywikibot, with the password it has, and resends the refused write
  once; without a usable password it stops cleanly, and a rerun with the
  journal finishes.

Each run is watched with a timeout: a password prompt with stdin closed
would be a hang.
"""
from __future__ import annotations

import http.cookiejar
import sqlite3

import pytest

from harness.wikitools import (
    edit,
    journal_states,
    pwb,
    revisions,
    rollback_count,
    rolled_back_titles,
    watch_pwb,
)


pytestmark = pytest.mark.wiki

PAGES = 5


@pytest.fixture
def run(wiki, site_for, config_dir_for, unique, tmp_path):
    """A fresh sysop (its own sessions), vandalised pages and a journal."""
    name = f'Sess{unique.split()[0]}'
    wiki.create_user(name, ('sysop',))
    titles = [f'{unique} {i}' for i in range(PAGES)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(site_for('Vandal'), title, 'bad')
    cfg = config_dir_for(name, f'# {unique}')
    journal = tmp_path / 'session.jsonl'
    args = ['rollback', '-user:Vandal', *[f'-page:{t}' for t in titles],
            '-always', f'-journal:{journal}']
    return name, titles, cfg, journal, args


def _session_ids(cfg, name):
    """The session cookie values in the run's pywikibot cookie jar."""
    jar = http.cookiejar.LWPCookieJar(cfg / f'pywikibot-{name}.lwp')
    jar.load(ignore_discard=True)
    return [c.value for c in jar if c.name.endswith('_session')]


def _assert_each_rolled_back_once_by(site, titles, name):
    for title in titles:
        assert rollback_count(site, title) == 1, title
        assert revisions(site, title)[0]['user'] == name, title


def test_deleted_session_rows_are_renewed_by_the_wiki(wiki, site, run):
    name, titles, cfg, journal, args = run
    db_path = wiki.root / 'sessions' / 'sessions.sqlite'

    def drop_sessions():
        ids = _session_ids(cfg, name)
        assert ids, 'no session cookie in the jar'
        with sqlite3.connect(db_path) as db:
            dropped = sum(db.execute(
                'DELETE FROM objectcache WHERE keyname LIKE ?',
                (f'%:MWSession:{sid}',)).rowcount for sid in ids)
        db.close()
        assert dropped, 'the session was not in the store'

    code, out = watch_pwb(wiki, cfg, args, after='rolled back',
                          act=drop_sessions, timeout=60)
    assert code == 0, out
    assert 'Traceback' not in out
    _assert_each_rolled_back_once_by(site, titles, name)
    assert set(journal_states(journal).values()) == {'done'}


def test_invalidated_session_logs_in_again_and_finishes(wiki, site, run):
    name, titles, cfg, journal, args = run
    code, out = watch_pwb(
        wiki, cfg, args, after='rolled back', timeout=60,
        act=lambda: wiki.maintenance('invalidateUserSessions.php',
                                     f'--user={name}'))
    assert code == 0, out
    assert f'the session of {name} on testwiki:testwiki was lost; ' \
           'logging in again' in out
    assert 'Password for user' not in out and 'Traceback' not in out
    # the refused write was sent again once, as the same account
    assert sorted(rolled_back_titles(out)) == sorted(titles)
    _assert_each_rolled_back_once_by(site, titles, name)
    assert set(journal_states(journal).values()) == {'done'}


@pytest.mark.parametrize('password', ['wrong', None],
                         ids=['wrong password', 'no password'])
def test_lost_session_without_a_way_back_stops_then_resumes(
        wiki, site, run, password):
    name, titles, cfg, journal, args = run
    password_file = cfg / 'user-password.py'

    def lose_session_and_password():
        # pywikibot reads the password file at each login, not at start
        lines = [line for line in password_file.read_text().splitlines()
                 if f"'{name}'" not in line]
        if password:
            lines.append(f"('testwiki', 'testwiki', {name!r}, "
                         f"{password!r})")
        password_file.write_text('\n'.join(lines) + '\n')
        wiki.maintenance('invalidateUserSessions.php', f'--user={name}')

    try:
        code, out = watch_pwb(wiki, cfg, args, after='rolled back',
                              act=lose_session_and_password, timeout=60)
    finally:
        wiki.write_password_file(cfg)  # every password back
    assert code == 1, out
    assert 'Traceback' not in out and 'Password for user' not in out
    stopped = [line for line in out.splitlines() if 'Stopped:' in line]
    assert len(stopped) == 1, out
    assert 'assertnameduserfailed' in stopped[0]
    assert ('logging in again failed' if password else
            'no password') in stopped[0]
    assert 'rerun with the same -journal' in stopped[0]
    before = rolled_back_titles(out)
    assert before == titles[:len(before)] and 0 < len(before) < PAGES
    for title in titles:
        assert rollback_count(site, title) == (title in before), title
    states = journal_states(journal)
    refused = f'rollback|{titles[len(before)]}|Vandal'
    assert states == {**{f'rollback|{t}|Vandal': 'done' for t in before},
                      refused: 'failed'}, states

    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    _assert_each_rolled_back_once_by(site, titles, name)
    assert set(journal_states(journal).values()) == {'done'}
