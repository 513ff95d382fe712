"""Permissions, blocks, secrets and interruption, via ``pwb`` and the wiki."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse

import pytest

from harness.wikitools import (
    edit,
    file_versions,
    new_user,
    posts,
    pwb,
    revisions,
    signal_pwb,
    text_of,
    upload,
    wiki_changes,
    wiki_state,
    write_history,
    write_title,
    written_titles,
)


# mediawiki_neutral tests (left out on the other MediaWiki releases,
# see .ci/run): Ctrl-C, journals and secrets are our own, on ordinary
# writes.
pytestmark = pytest.mark.wiki

TOKEN = re.compile(r'[0-9a-f]{32,40}\+\\')
ENCODED_TOKEN = re.compile(r'(?i)[0-9a-f]{32,40}%2B%5C')



@pytest.fixture
def victim(site_for, unique):
    """Two pages with a vandal edit on top."""
    titles = [f'{unique} a', f'{unique} b']
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(site_for('Vandal'), title, 'bad')
    return titles


def _sysop(wiki, config_dir, name):
    return new_user(wiki, config_dir, name, ('sysop',))


def test_sitewide_block_stops_before_any_write(wiki, site, config_dir,
                                               config_dir_for, victim,
                                               unique):
    name = f'Blocked{unique.split()[0]}'
    _sysop(wiki, config_dir, name)
    site.simple_request(action='block', user=name, expiry='1 day',
                        reason='test', token=site.tokens['csrf']).submit()
    tops = [revisions(site, t)[0]['revid'] for t in victim]
    code, out = pwb(wiki, config_dir_for(name), 'rollback', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always')
    assert code != 0
    assert 'blocked' in out.lower()
    assert [revisions(site, t)[0]['revid'] for t in victim] == tops


def test_partial_block_fails_that_page_only(wiki, site, config_dir,
                                            config_dir_for, victim, unique):
    name = f'Partial{unique.split()[0]}'
    _sysop(wiki, config_dir, name)
    site.simple_request(action='block', user=name, expiry='1 day',
                        partial=True, pagerestrictions=victim[0],
                        reason='test',
                        allowusertalk=True,
                        token=site.tokens['csrf']).submit()
    code, out = pwb(wiki, config_dir_for(name), 'rollback', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always')
    assert revisions(site, victim[0])[0]['user'] == 'Vandal', out
    assert revisions(site, victim[1])[0]['user'] == name, out
    assert code == 1, out


def test_botpassword_without_grant(wiki, site, config_dir_for, victim,
                                   unique, tmp_path):
    app = f'limited{unique.split()[0].lower()}'
    # a password given on the command line did not verify on 1.39;
    # the generated one does
    out = wiki.maintenance('createBotPassword.php', f'--appid={app}',
                           '--grants=basic,editpage', 'Admin')
    secret = re.search(r"password:'([^']+)'", out).group(1)
    cfg = config_dir_for('Admin', f'# bot password {app}')
    (cfg / 'user-password.py').write_text(
        f"('testwiki', 'testwiki', 'Admin', BotPassword({app!r}, "
        f"{secret!r}))\n", encoding='utf-8')
    os.chmod(cfg / 'user-password.py', 0o600)
    tops = [revisions(site, t)[0]['revid'] for t in victim]
    code, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always')
    assert code != 0
    assert "'rollback' right" in out
    assert secret not in out
    assert [revisions(site, t)[0]['revid'] for t in victim] == tops
    title = f'File:{unique} f.png'
    upload(site, title, tmp_path, 1)
    upload(site, title, tmp_path, 2)
    first = file_versions(site, title)[-1]['timestamp']
    before = wiki_state(site, title)
    # the first version is the one -to: names: a revert would be real
    code, out = pwb(wiki, cfg, 'filerevert', f'-to:{first}',
                    f'-page:{title}', '-always')
    assert wiki_state(site, title) == before, wiki_changes(site, before)
    assert code != 0
    assert "'upload' right" in out or "'reupload' right" in out


def test_markbot_without_right_warns_first(wiki, site, config_dir_for,
                                           victim):
    """Warned first, then the one page rolled back, not marked bot."""
    before = wiki_state(site, *victim)
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'rollback',
                    '-user:Vandal', f'-page:{victim[0]}', '-markbot',
                    '-always')
    assert code == 0, out
    assert out.index('markbotedits') < out.index('rolled back')
    # one change: the rollback of the page asked for, by Rollbacker,
    # not flagged bot; the other page as it was
    assert wiki_changes(site, before) == [
        ('edit', '', victim[0], 'Rollbacker', False)]
    top = revisions(site, victim[0])[0]
    assert 'mw-rollback' in top['tags'] and text_of(site, victim[0]) == 'good'
    after = wiki_state(site, *victim)
    assert after[victim[1]] == before[victim[1]]


def _secrets_sent(proxy, cfg):
    """The tokens and session cookie values the run sent to the wiki.

    Tokens are read off the requests the proxy saw; cookie values off
    pywikibot's cookie jar after the run, each one checked as sent.
    """
    tokens = {value for req in proxy.requests
              for key, value in req.params.items()
              if key.endswith('token') and value != '+\\'}
    cookie_headers = ' '.join(req.header('Cookie') or ''
                              for req in proxy.requests)
    cookies = set()
    for jar_file in cfg.glob('pywikibot-*.lwp'):
        jar = http.cookiejar.LWPCookieJar(jar_file)
        jar.load(ignore_discard=True)
        cookies |= {c.value for c in jar
                    if c.name.endswith(('_session', 'Token')) and c.value}
    assert any(TOKEN.fullmatch(t) for t in tokens), 'no token was sent'
    assert cookies, 'no session cookie in the jar'
    for value in cookies:
        assert f'={value}' in cookie_headers, 'a cookie was not sent'
    return tokens | cookies


def _assert_nothing_leaked(secrets, texts):
    """No secret in *texts*: raw, URL-encoded, or escaped in a repr."""
    for secret in secrets:
        forms = {secret, urllib.parse.quote(secret, safe=''),
                 urllib.parse.quote_plus(secret),
                 secret.replace('\\', '\\\\'),
                 secret.replace('\\', '\\\\\\\\')}
        for text in texts:
            for form in forms:
                assert form not in text, (
                    f'a secret ({len(secret)} characters) leaked as '
                    f'...{text[max(text.find(form) - 60, 0):text.find(form)]}')
    for text in texts:
        assert not TOKEN.search(text), TOKEN.search(text)
        assert not ENCODED_TOKEN.search(text), ENCODED_TOKEN.search(text)


def _debug_texts(cfg, out, journal):
    logs = list((cfg / 'logs').glob('*.log'))
    assert logs, 'pywikibot wrote no log'
    return [out, journal.read_text()] + [p.read_text(errors='replace')
                                         for p in logs]


@pytest.mark.mediawiki_neutral
def test_no_secret_in_output_or_logs_with_debug(wiki, site, proxied_config,
                                                victim):
    cfg, proxy = proxied_config
    # a failed login request and a failed write are logged with their
    # parameters by pywikibot; -debug logs every request body; an API
    # error (here readonly, which pywikibot waits on) logs the request's
    # parameters as a wrapped repr
    proxy.add_fault('status', action='login', status=503)
    proxy.add_fault('status', action='rollback', status=503)
    proxy.add_fault('api_error', action='rollback', api_code='readonly',
                    skip=1)
    journal = cfg / 'j.jsonl'
    code, out = pwb(wiki, cfg, 'rollback', '-debug', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    assert all(revisions(site, t)[0]['user'] == 'Admin' for t in victim)
    texts = _debug_texts(cfg, out, journal)
    assert any('readonly' in text for text in texts[2:])
    password = wiki.users['Admin']
    # the secrets were really sent (so the check can fail)
    sent = b''.join(r.body for r in proxy.requests)
    assert password.encode() in sent
    _assert_nothing_leaked({password, *_secrets_sent(proxy, cfg)}, texts)
    for text in texts:
        assert 'lgpassword=***' in text or 'lgpassword' not in text


def test_no_botpassword_secret_in_output_or_logs_with_debug(
        wiki, site, proxied_config, victim, unique):
    cfg, proxy = proxied_config
    app = f'debug{unique.split()[0].lower()}'
    out = wiki.maintenance('createBotPassword.php', f'--appid={app}',
                           '--grants=basic,editpage,rollback', 'Admin')
    secret = re.search(r"password:'([^']+)'", out).group(1)
    # the last matching line of the password file wins
    with open(cfg / 'proxy-password.py', 'a', encoding='utf-8') as f:
        f.write(f"('proxywiki', 'proxywiki', 'Admin', "
                f'BotPassword({app!r}, {secret!r}))\n')
    # a login refused with an API error is logged with its parameters
    proxy.add_fault('api_error', action='login', api_code='readonly')
    proxy.add_fault('api_error', action='rollback', api_code='readonly')
    journal = cfg / 'bp.jsonl'
    code, out = pwb(wiki, cfg, 'rollback', '-debug', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    assert all(revisions(site, t)[0]['user'] == 'Admin' for t in victim)
    logins = [r for r in proxy.requests_for('login') if r.method == 'POST']
    assert any(r.params.get('lgname') == f'Admin@{app}'
               and r.params.get('lgpassword') == secret for r in logins)
    texts = _debug_texts(cfg, out, journal)
    _assert_nothing_leaked({secret, wiki.users['Admin'],
                            *_secrets_sent(proxy, cfg)}, texts)


@pytest.mark.mediawiki_neutral
def test_undo_refuses_a_journal_of_another_wiki(wiki, site, proxied_config,
                                                config_dir_for, victim):
    cfg, _ = proxied_config
    journal = cfg / 'other.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    '-user:Vandal', f'-page:{victim[0]}', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code != 0
    assert 'written for' in out
    assert revisions(site, victim[0])[0]['user'] == 'Admin'


@pytest.mark.mediawiki_neutral
def test_two_processes_cannot_share_a_journal(wiki, site, config_dir_for,
                                              victim, tmp_path):
    """Refused while another process holds the journal: nothing written,
    on the wiki or in the journal."""
    journal = tmp_path / 'busy.jsonl'
    before = wiki_state(site, *victim)
    holder = subprocess.Popen(
        [sys.executable, '-c',
         'import fcntl, os, sys, time\n'
         f'fd = os.open({str(journal)!r}, os.O_RDWR | os.O_CREAT, 0o600)\n'
         'fcntl.flock(fd, fcntl.LOCK_EX)\n'
         'print("locked", flush=True)\n'
         'time.sleep(60)\n'], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                        '-user:Vandal', f'-page:{victim[0]}', '-always',
                        f'-journal:{journal}')
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert wiki_state(site, *victim) == before, wiki_changes(site, before)
    assert journal.read_bytes() == b''
    assert code != 0
    assert 'in use' in out


@pytest.mark.mediawiki_neutral
def test_ctrl_c_then_resume(wiki, site, site_for, config_dir,
                            proxied_config, unique, tmp_path):
    """Ctrl-C while a rollback is on the wire; the rerun settles it.

    The 2nd rollback reaches the wiki, its answer is held, and the run
    gets SIGINT then. Over both runs every rollback is sent once, and
    the journal tells each page done once: the wiki alone would answer
    a rollback sent twice ``alreadyrolled`` and look the same.
    """
    name = f'Ctrlc{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    titles = [f'{unique} c{i}' for i in range(10)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vandal, title, 'bad')
    journal = tmp_path / 'int.jsonl'
    cfg, proxy = proxied_config
    args = ['rollback', f'-user:{name}', '-always', f'-journal:{journal}']
    proxy.add_fault('hold', action='rollback', skip=1,
                    when=lambda r: r.method == 'POST')
    code, rest = signal_pwb(wiki, cfg, args, sig=signal.SIGINT,
                            when=lambda: proxy.wait_held(0.1) is not None)
    assert code != 0, rest
    assert 'interrupted' in rest
    (held,) = proxy.held
    first = write_title(posts(proxy, 'rollback')[0])
    history = write_history(journal)
    assert history[first] == ['intent', 'done'], history
    assert history[write_title(held)][0] == 'intent', history
    assert 'done' not in history[write_title(held)], history
    assert len(history) == 2, history
    proxy.clear_faults()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    assert written_titles(proxy, 'rollback') == dict.fromkeys(titles, 1)
    history = write_history(journal)
    for title in titles:
        assert history[title].count('done') == 1, (title, history)
        assert history[title][-1] == 'done', (title, history)
        revs = revisions(site, title)
        assert text_of(site, title) == 'good'
        assert sum('mw-rollback' in r['tags'] for r in revs) == 1


def test_rate_limit_past_maxwait_stops_and_resume_finishes(wiki, site,
                                                           proxied_config,
                                                           victim):
    cfg, proxy = proxied_config
    journal = cfg / 'slow.jsonl'
    proxy.add_fault('api_error', action='rollback', api_code='ratelimited',
                    times=1000)
    args = ['rollback', '-user:Vandal', *[f'-page:{t}' for t in victim],
            '-always', '-maxwait:1', f'-journal:{journal}']
    code, out = pwb(wiki, cfg, *args)
    assert code == 1, out
    assert 'Stopped' in out and 'interrupted' in out
    assert all(revisions(site, t)[0]['user'] == 'Vandal' for t in victim)
    proxy.clear_faults()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    assert all(revisions(site, t)[0]['user'] == 'Admin' for t in victim)


@pytest.mark.parametrize('code', ['permissiondenied',
                                  'assertnameduserfailed'])
def test_lost_right_or_session_stops_the_run_at_once(wiki, site,
                                                     proxied_config, victim,
                                                     code):
    """One refusal stops the run: the other pages are not tried."""
    cfg, proxy = proxied_config
    proxy.add_fault('api_error', action='rollback', api_code=code,
                    times=1000)
    code_, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                     *[f'-page:{t}' for t in victim], '-always')
    assert code_ == 1, out
    assert 'Stopped' in out and code in out
    rollbacks = [r for r in proxy.requests_for('rollback')
                 if r.method == 'POST']
    assert len(rollbacks) == 1
    assert all(revisions(site, t)[0]['user'] == 'Vandal' for t in victim)
