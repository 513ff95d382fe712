"""Permissions, blocks, secrets and interruption, via ``pwb`` and the wiki."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from faultproxy import FaultProxy
from wikitools import (
    edit,
    interrupt_pwb,
    new_user,
    pwb,
    revisions,
    text_of,
    upload,
)


pytestmark = pytest.mark.wiki

TOKEN = re.compile(r'[0-9a-f]{32,40}\+\\')



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
    code, out = pwb(wiki, cfg, 'filerevert', '-to:2000-01-01T00:00:00Z',
                    f'-page:{title}', '-always')
    assert code != 0
    assert "'upload' right" in out or "'reupload' right" in out


def test_markbot_without_right_warns_first(wiki, config_dir_for, victim):
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'rollback',
                    '-user:Vandal', f'-page:{victim[0]}', '-markbot',
                    '-always')
    assert code == 0, out
    assert out.index('markbotedits') < out.index('rolled back')


@pytest.fixture
def proxied_config(wiki, config_dir_for, unique):
    with FaultProxy(wiki.port) as proxy:
        extra = (f"family_files['proxywiki'] = '{proxy.url}/api.php'\n"
                 "family = mylang = 'proxywiki'\n"
                 "usernames['proxywiki']['proxywiki'] = 'Admin'\n")
        cfg = config_dir_for('Admin', extra + f'# {unique}')
        with open(cfg / 'user-password.py', 'a', encoding='utf-8') as f:
            f.write(f"('proxywiki', 'proxywiki', 'Admin', "
                    f"{wiki.users['Admin']!r})\n")
        yield cfg, proxy


def test_no_secret_in_output_or_logs_with_debug(wiki, site, proxied_config,
                                                victim):
    cfg, proxy = proxied_config
    # a failed login request and a failed write are logged with their
    # parameters by pywikibot; -debug logs every request body
    proxy.add_fault('status', action='login', status=503)
    proxy.add_fault('status', action='rollback', status=503)
    code, out = pwb(wiki, cfg, 'rollback', '-debug', '-user:Vandal',
                    *[f'-page:{t}' for t in victim], '-always',
                    f'-journal:{cfg / "j.jsonl"}')
    assert code == 0, out
    assert all(revisions(site, t)[0]['user'] == 'Admin' for t in victim)
    password = wiki.users['Admin']
    texts = [out, (cfg / 'j.jsonl').read_text()]
    logs = list((cfg / 'logs').glob('*.log'))
    assert logs, 'pywikibot wrote no log'
    texts += [p.read_text(errors='replace') for p in logs]
    # the secrets were really sent (so the check can fail)
    sent = b''.join(r.body for r in proxy.requests)
    assert password.encode() in sent
    for text in texts:
        assert password not in text
        assert not TOKEN.search(text), TOKEN.search(text)
        assert 'lgpassword=***' in text or 'lgpassword' not in text


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


def test_two_processes_cannot_share_a_journal(wiki, config_dir_for, victim,
                                              tmp_path):
    journal = tmp_path / 'busy.jsonl'
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
    assert code != 0
    assert 'in use' in out


def test_ctrl_c_then_resume(wiki, site, site_for, config_dir,
                            config_dir_for, unique, tmp_path):
    name = f'Ctrlc{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    titles = [f'{unique} c{i}' for i in range(10)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vandal, title, 'bad')
    journal = tmp_path / 'int.jsonl'
    code, rest = interrupt_pwb(
        wiki, config_dir_for('Admin'),
        ['rollback', f'-user:{name}', '-always', f'-journal:{journal}'],
        after='rolled back', times=1, sig=signal.SIGINT)
    assert code != 0, rest
    assert 'interrupted' in rest
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{name}', '-always', f'-journal:{journal}')
    assert code == 0, out
    for title in titles:
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
