"""Tests of the test wiki harness itself (tests/harness/wikiharness.py)."""
from __future__ import annotations

import hashlib
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

import pywikibot
from pywikibot.site import APISite
from harness.wikiharness import (
    USER_GROUPS, TestWiki, make_png, mediawiki_version,
)

# Left out on the oldest pywikibot (pywikibot_neutral, see .ci/run):
# the harness, not the plugin; every test run there starts it.
pytestmark = pytest.mark.pywikibot_neutral


def test_make_png_distinct(tmp_path: Path) -> None:
    """Seeds give valid PNG files; different seeds different bytes."""
    one = make_png(tmp_path / 'a.png', 1).read_bytes()
    again = make_png(tmp_path / 'b.png', 1).read_bytes()
    two = make_png(tmp_path / 'c.png', 2, size=(4, 3)).read_bytes()
    assert one.startswith(b'\x89PNG\r\n\x1a\n')
    assert one == again
    assert one != two
    assert two[16:24] == bytes.fromhex('0000000400000003')  # IHDR w, h


@pytest.mark.wiki
def test_siteinfo(wiki: TestWiki) -> None:
    """api.php answers on 127.0.0.1 with the wiki's own URL."""
    url = f'{wiki.api_url}?action=query&meta=siteinfo&format=json'
    with urllib.request.urlopen(url, timeout=10) as resp:
        general = json.load(resp)['query']['general']
    assert general['generator'].startswith('MediaWiki 1.')
    assert general['server'] == wiki.url == f'http://127.0.0.1:{wiki.port}'
    # other tests of the session may have added accounts
    assert set(USER_GROUPS) <= set(wiki.users)
    assert all(len(password) >= 10 for password in wiki.users.values())
    assert wiki.api_get(action='query', meta='siteinfo')[
        'query']['general']['sitename'] == 'TestWiki'
    # the job queue is reachable from the CLI too; one type only, as
    # test_load.py runs it: the whole queue of a session that ran the
    # load test takes about 50 s
    wiki.run_jobs('deletePage')


def test_repr_hides_passwords(wiki: TestWiki) -> None:
    """Neither repr nor str of the harness shows a password."""
    for password in wiki.users.values():
        assert password not in repr(wiki)
        assert password not in str(wiki)


@pytest.mark.wiki
def test_default_site(site: APISite) -> None:
    """pywikibot.Site() is the test wiki, logged in as Admin."""
    assert site == pywikibot.Site()
    assert (site.family.name, site.code) == ('testwiki', 'testwiki')
    assert site.user() == 'Admin'
    assert site.has_group('sysop')
    assert site.has_right('rollback')
    assert site.has_right('undelete')


@pytest.mark.wiki
@pytest.mark.parametrize(('username', 'right', 'expected'), [
    ('Admin', 'rollback', True),
    ('Admin', 'deletedhistory', True),
    ('Admin', 'deleterevision', True),
    ('Admin', 'suppressrevision', False),
    ('Nobody', 'rollback', False),
    ('Nobody', 'delete', False),
    ('Vandal', 'edit', True),
    ('Vandal', 'rollback', False),
    ('Editor', 'rollback', False),
    ('Botty', 'markbotedits', True),
    ('Botty', 'bot', True),
    ('Botty', 'noratelimit', True),
    ('Rollbacker', 'rollback', True),
    ('Rollbacker', 'delete', False),
    ('Oversighter', 'suppressrevision', True),
    ('Oversighter', 'rollback', False),
])
def test_user_rights(site_for: Callable[[str], APISite], username: str,
                     right: str, expected: bool) -> None:
    """Every user logs in and has exactly the rights it is made for."""
    user_site = site_for(username)
    assert user_site.user() == username
    assert user_site.has_right(right) is expected


@pytest.mark.wiki
def test_two_users_one_process(site_for: Callable[[str], APISite],
                               site: APISite, unique: str) -> None:
    """Edits from two sites in one process are made by the right users."""
    vandal, editor = site_for('Vandal'), site_for('Editor')
    title = f'{unique} page'
    for user_site, text in ((vandal, 'vandalism'), (editor, 'good text'),
                            (vandal, 'more vandalism'),
                            (editor, 'good text again')):
        page = pywikibot.Page(user_site, title)
        page.text = text
        page.save(summary=f'edit by {user_site.user()}')
    page = pywikibot.Page(site, title)
    assert page.latest_revision.user == 'Editor'
    assert [rev.user for rev in page.revisions()] == [
        'Editor', 'Vandal', 'Editor', 'Vandal']
    # The sites are still logged in as their own users.
    for user_site in (vandal, editor, site):
        data = user_site.simple_request(action='query',
                                        meta='userinfo').submit()
        assert data['query']['userinfo']['name'] == user_site.user()


@pytest.mark.wiki
def test_upload_versions(site: APISite, wiki: TestWiki, unique: str,
                         tmp_path: Path) -> None:
    """Two uploads a second apart give two versions, both served."""
    page = pywikibot.FilePage(site, f'File:{unique}.png')
    sources = [make_png(tmp_path / f'{seed}.png', seed) for seed in (1, 2)]
    for i, source in enumerate(sources):
        if i:
            time.sleep(1.1)  # versions are keyed by timestamp (seconds)
        page.text = f'version {i}'
        assert page.upload(str(source), ignore_warnings=True)
    page = pywikibot.FilePage(site, f'File:{unique}.png')
    history = page.get_file_history()
    assert len(history) == 2
    expected = [hashlib.sha1(s.read_bytes()).hexdigest() for s in sources]
    assert sorted(info.sha1 for info in history.values()) == sorted(expected)
    latest = page.latest_file_info
    assert latest.sha1 == expected[1]
    # The router serves the upload directory below the wiki root.
    assert latest.url.startswith(wiki.url + '/images/')
    with urllib.request.urlopen(latest.url, timeout=10) as resp:
        assert resp.read() == sources[1].read_bytes()


@pytest.mark.wiki
def test_snapshot_restore(wiki: TestWiki, site: APISite,
                          unique: str) -> None:
    """restore() forgets later edits and keeps clients logged in."""
    wiki.snapshot('before')
    assert 'before' in wiki.snapshots()
    title = f'{unique} page'
    page = pywikibot.Page(site, title)
    page.text = 'to be forgotten'
    page.save(summary='test')
    assert pywikibot.Page(site, title).exists()

    wiki.restore('before')
    assert not pywikibot.Page(site, title).exists()
    # Still logged in: one request, no login (pywikibot would log in
    # again quietly if the session had been lost).
    before = wiki.request_count()
    data = site.simple_request(action='query', meta='userinfo').submit()
    assert data['query']['userinfo']['name'] == 'Admin'
    assert wiki.request_count() == before + 1
    # Editing still works after the server restart.
    page = pywikibot.Page(site, title)
    page.text = 'after restore'
    page.save(summary='test')
    assert pywikibot.Page(site, title).text == 'after restore'
    with pytest.raises(FileNotFoundError):
        wiki.restore('no such snapshot')


@pytest.mark.wiki
def test_request_count(wiki: TestWiki) -> None:
    """The server log counts requests as the server saw them."""
    before = wiki.request_count('/api.php')
    for _ in range(3):
        urllib.request.urlopen(
            f'{wiki.api_url}?action=query&format=json', timeout=10).close()
    assert wiki.request_count('/api.php') == before + 3
    assert all(line.status == 200 for line in wiki.server_log_lines()[-3:])


@pytest.mark.wiki
def test_pwb_subprocess_login(wiki: TestWiki,
                              config_dir_for: Callable[..., Path]) -> None:
    """``pwb login`` logs in non-interactively, in a subprocess."""
    cfg = config_dir_for('Vandal')
    proc = wiki.run_pwb(['login'], cfg, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert 'Logged in on testwiki:testwiki as Vandal' in output
    assert not any(password in output for password in wiki.users.values())
    # The user-config is honoured: no prompt, no warning.
    assert 'WARNING' not in output, output


@pytest.mark.wiki
def test_second_wiki(wiki: TestWiki, tmp_path: Path) -> None:
    """A wiki of its own installs, stops, and restarts keeping its users."""
    other = TestWiki(tmp_path / 'other', chroot=wiki.chroot)
    with other:
        assert other.port != wiki.port
        assert other.api_get(action='query', list='allusers')
        users = dict(other.users)
        assert set(other.timings) == {'install', 'users', 'serve'}
    assert not other.running
    again = TestWiki(tmp_path / 'other', other.port,
                     chroot=wiki.chroot).start()
    try:
        assert again.users == users  # an installed wiki is reused
        assert 'install' not in again.timings
        groups = {u['name']: set(u['groups']) for u in again.api_get(
            action='query', list='allusers', auprop='groups')['query'][
                'allusers']}
        for name, expected in USER_GROUPS.items():
            assert set(expected) <= groups[name], name
        assert 'sysop' not in groups['Rollbacker']
    finally:
        again.stop()


@pytest.mark.wiki
def test_no_stale_cache(site: APISite, site_for: Callable[[str], APISite],
                        unique: str) -> None:
    """A tag is usable right after its creation (no stale object cache)."""
    tag = f'{unique} tag'.replace(' ', '-').lower()

    def tags() -> set[str]:
        data = site.simple_request(action='query', list='tags',
                                   tglimit='max', formatversion=2).submit()
        return {t['name'] for t in data['query']['tags']}

    assert tag not in tags()  # (this used to be cached with APCu)
    site.simple_request(action='managetags', operation='create', tag=tag,
                        reason='test', token=site.tokens['csrf']).submit()
    vandal = site_for('Vandal')
    data = vandal.simple_request(
        action='edit', title=f'{unique} page', text='x', summary='test',
        tags=tag, token=vandal.tokens['csrf'], formatversion=2).submit()
    revid = data['edit']['newrevid']
    data = site.simple_request(action='query', prop='revisions',
                               revids=revid, rvprop='tags',
                               formatversion=2).submit()
    assert data['query']['pages'][0]['revisions'][0]['tags'] == [tag]


@pytest.mark.wiki
def test_create_user(wiki: TestWiki, site_for: Callable[[str], APISite],
                     unique: str) -> None:
    """A user made by a test can log in at once, with its groups."""
    name = f'Made {unique}'
    password = wiki.create_user(name, ('rollbacker',))
    assert wiki.users[name] == password and len(password) >= 10
    made = site_for(name)
    assert made.has_right('rollback') and not made.has_right('delete')
    # Adding a group keeps the password.
    assert wiki.create_user(name, ('bot',)) == password


def test_mediawiki_version_from_the_sources(tmp_path: Path) -> None:
    """The release is read from Defines.php, or $wgVersion before 1.35."""
    includes = tmp_path / 'new' / 'includes'
    includes.mkdir(parents=True)
    (includes / 'Defines.php').write_text(
        "<?php\ndefine( 'MW_VERSION', '1.43.12' );\n")
    assert mediawiki_version(tmp_path / 'new') == '1.43.12'
    includes = tmp_path / 'old' / 'includes'
    includes.mkdir(parents=True)
    (includes / 'DefaultSettings.php').write_text(
        "<?php\n$wgVersion = '1.31.16';\n")
    assert mediawiki_version(tmp_path / 'old') == '1.31.16'
    assert mediawiki_version(tmp_path / 'none') == ''


def test_chroot_paths(tmp_path: Path) -> None:
    """In a chroot PHP sees the wiki's paths without the chroot prefix."""
    chroot = tmp_path / 'chroot'
    (chroot / 'usr/share/mediawiki/includes').mkdir(parents=True)
    (chroot / 'usr/share/mediawiki/includes/Defines.php').write_text(
        "<?php\ndefine( 'MW_VERSION', '1.35.13' );\n")
    wiki = TestWiki(chroot / 'tmp' / 'w', 1, chroot=chroot)
    assert wiki.mw_version == (1, 35, 13)
    assert wiki.mw_version_string == '1.35.13'
    assert wiki.mw_dir == Path('/usr/share/mediawiki')
    assert wiki._php_path(wiki.settings_file) == '/tmp/w/LocalSettings.php'
    # Before 1.40 a maintenance script is run directly, after by run.php.
    assert wiki._script('runJobs.php') == [
        '/usr/share/mediawiki/maintenance/runJobs.php']
    assert 'chroot=' in repr(wiki)
    with pytest.raises(ValueError, match='not inside the chroot'):
        TestWiki(tmp_path / 'elsewhere', 1, chroot=chroot)


@pytest.mark.wiki
def test_release_under_test(wiki: TestWiki) -> None:
    """The harness names the release the API reports."""
    general = wiki.api_get(action='query', meta='siteinfo')['query'][
        'general']
    assert general['generator'] == f'MediaWiki {wiki.mw_version_string}'
    assert wiki.mw_version[:2] >= (1, 31)
    # A maintenance script runs in the same MediaWiki (and PHP).
    out = wiki.maintenance('getConfiguration.php', '--settings=wgVersion',
                           '--format=json')
    assert json.loads(out) == {'wgVersion': wiki.mw_version_string}
