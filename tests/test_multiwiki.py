"""Tests of the multi-wiki harness: clones, their config, URL mapping.

Three clones of the session's wiki run at once (:mod:`harness.multiwiki`); a
pywikibot configuration knows them as the AutoFamilies ``xwa``, ``xwb``
and ``xwc``. pywikibot runs in subprocesses here: this process's
pywikibot has read the session's configuration for good.
"""
from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.multiwiki import (
    FAMILIES, PASSWORD_FILE, run_python, start_wikis, stop_wikis,
    write_multi_config,
)
from harness.wikiharness import TestWiki
from harness.wikitools import anon_edit

pytestmark = pytest.mark.wiki

USERNAMES = {'xwa': 'Admin', 'xwb': 'Vandal', 'xwc': 'Editor'}

# Maps each URL given in argv to {family: from_url(URL)} and to the
# family of pywikibot.Site(url=URL), which asks every family in turn
# (or to the error it raised).
FROM_URL = """\
import json, sys
import pywikibot
from pywikibot.family import Family
families = sys.argv[1].split(',')
result = {}
for url in sys.argv[2:]:
    codes = {fam: Family.load(fam).from_url(url) for fam in families}
    try:
        site = pywikibot.Site(url=url).family.name
    except Exception as err:
        site = type(err).__name__
    result[url] = {'codes': codes, 'site': site}
print(json.dumps(result))
"""


@pytest.fixture(scope='module')
def wikis(wiki: TestWiki,
          tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, TestWiki]]:
    """Three clones of the session's wiki, running."""
    # pytest's temporary directories lie inside the chroot if there is
    # one (see conftest.py), as the clones must.
    started = start_wikis(wiki, tmp_path_factory.mktemp('multiwiki'))
    yield started
    stop_wikis(started)


@pytest.fixture(scope='module')
def multi_config(wiki: TestWiki, wikis: dict[str, TestWiki],
                 tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pywikibot configuration of the session's wiki and the clones.

    A family ``shadow`` points at a port whose number is the start of
    ``xwb``'s: pywikibot prefilters URLs with ``domain in netloc``.
    """
    shadow = str(wikis['xwb'].port)[:-1]
    extra = f"family_files['shadow'] = 'http://127.0.0.1:{shadow}/api.php'"
    return write_multi_config(tmp_path_factory.mktemp('multipwb'), wikis,
                              USERNAMES, default=wiki, extra=extra)


def _exists(wiki: TestWiki, title: str) -> bool:
    """Ask *wiki*'s API whether *title* exists."""
    page = wiki.api_get(action='query', titles=title)['query']['pages'][0]
    return 'missing' not in page


def test_clones_run_on_their_own_ports(wiki: TestWiki,
                                       wikis: dict[str, TestWiki]) -> None:
    """Each clone is served on its own port, which it knows as its own."""
    assert list(wikis) == list(FAMILIES)
    ports = {wiki.port, *(w.port for w in wikis.values())}
    assert len(ports) == 4
    for clone in wikis.values():
        assert clone.running
        assert 'install' not in clone.timings and 'clone' in clone.timings
        general = clone.api_get(action='query',
                                meta='siteinfo')['query']['general']
        assert general['server'] == clone.url
        assert clone.snapshots() == ['pristine']
        assert clone.users == wiki.users
        users = clone.root / 'users.json'
        assert stat.S_IMODE(users.stat().st_mode) == 0o600
        # the database is the clone's own, not the base's
        settings = clone.settings_file.read_text('utf-8')
        assert str(wiki.root) not in settings
        assert "$wgSQLiteDataDir = __DIR__ . '/data';" in settings


def test_clones_are_independent(wiki: TestWiki,
                                wikis: dict[str, TestWiki]) -> None:
    """An edit on one wiki is on no other; restore() resets a clone."""
    title = 'Multiwiki independence'
    anon_edit(wikis['xwb'].api_url, title, 'only on xwb')
    assert _exists(wikis['xwb'], title)
    assert not any(_exists(w, title)
                   for w in (wiki, wikis['xwa'], wikis['xwc']))

    wikis['xwb'].restore()
    assert wikis['xwb'].running
    assert not _exists(wikis['xwb'], title)


def test_clone_refusals(wiki: TestWiki, tmp_path: Path) -> None:
    """No clone onto the wiki itself, nor of a wiki never installed."""
    with pytest.raises(ValueError, match='onto itself'):
        wiki.clone(wiki.root)
    with pytest.raises(FileNotFoundError, match='pristine'):
        TestWiki(tmp_path / 'none', chroot=wiki.chroot).clone(
            tmp_path / 'clone')
    if wiki.chroot is not None:
        with pytest.raises(ValueError, match='not inside the chroot'):
            wiki.clone(Path('/nonexistent/clone'))


def test_multi_config_files(wiki: TestWiki, wikis: dict[str, TestWiki],
                            multi_config: Path) -> None:
    """Every family is configured; every user's password is in one file."""
    text = (multi_config / 'user-config.py').read_text('utf-8')
    assert "family = 'testwiki'" in text
    assert f"family_files['testwiki'] = {wiki.api_url!r}" in text
    for name, clone in wikis.items():
        assert f'family_files[{name!r}] = {clone.api_url!r}' in text
        assert (f'usernames[{name!r}][{name!r}] = {USERNAMES[name]!r}'
                in text)
    assert text.count('password_file') == 1
    assert f'password_file = {PASSWORD_FILE!r}' in text

    secret = multi_config / PASSWORD_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    lines = secret.read_text('utf-8').splitlines()
    assert len(lines) == sum(len(w.users) for w in [wiki, *wikis.values()])
    assert f"('xwc', 'xwc', 'Editor', {wiki.users['Editor']!r})" in lines
    # the harness writes user-password.py only where it wrote a config
    assert not (multi_config / 'user-password.py').exists()


def test_write_multi_config_refusals(wiki: TestWiki,
                                     wikis: dict[str, TestWiki],
                                     tmp_path: Path) -> None:
    """Missing users, unknown families and a second testwiki are errors."""
    with pytest.raises(ValueError, match='usernames'):
        write_multi_config(tmp_path, wikis, {'xwa': 'Admin'})
    with pytest.raises(ValueError, match='unknown'):
        write_multi_config(tmp_path, wikis, USERNAMES,
                           api_urls={'xwd': 'http://127.0.0.1:1/api.php'})
    with pytest.raises(ValueError, match='default'):
        write_multi_config(tmp_path, {'testwiki': wikis['xwa']},
                           {'testwiki': 'Admin'}, default=wiki)
    assert not (tmp_path / 'user-config.py').exists()


def test_first_family_is_default_without_default(
        wikis: dict[str, TestWiki], tmp_path: Path) -> None:
    """Without *default*, the first family is the default site."""
    cfg = write_multi_config(
        tmp_path, wikis, USERNAMES,
        api_urls={'xwc': 'http://127.0.0.1:9/api.php'})
    text = (cfg / 'user-config.py').read_text('utf-8')
    assert "family = 'xwa'\nmylang = 'xwa'\n" in text
    assert 'testwiki' not in text
    assert "family_files['xwc'] = 'http://127.0.0.1:9/api.php'" in text
    out = run_python(cfg, 'import pywikibot; print(pywikibot.Site())')
    assert out.stdout.strip() == 'xwa:xwa', out.stderr


@pytest.mark.parametrize('args', [
    ['-family:xwb', '-lang:xwb', 'login'],
    ['login', '-family:xwb', '-lang:xwb'],
], ids=['global-first', 'global-last'])
def test_pwb_login_per_family(wiki: TestWiki, wikis: dict[str, TestWiki],
                              multi_config: Path, args: list[str]) -> None:
    """``pwb -family:xwb -lang:xwb login`` logs in on xwb, and only there.

    With the global options before the script name, the wrapper makes
    a site before the script handles its arguments; pywikibot 11 then
    warns "Site objects have been created before arguments were
    handled", which is harmless here.
    """
    before = {name: w.request_count('/api.php')
              for name, w in wikis.items()}
    out = wiki.run_pwb(args, multi_config)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'Logged in on xwb:xwb as Vandal.' in out.stdout + out.stderr
    after = {name: w.request_count('/api.php')
             for name, w in wikis.items()}
    assert after['xwb'] > before['xwb']
    assert (after['xwa'], after['xwc']) == (before['xwa'], before['xwc'])


def test_from_url_maps_each_wiki(wiki: TestWiki, wikis: dict[str, TestWiki],
                                 multi_config: Path) -> None:
    """``Family.from_url`` finds the family of a base or an article URL.

    The API URL is not recognised (pywikibot then makes an AutoFamily
    of its own), nor the same wiki as ``localhost``. ``shadow``'s port
    is a prefix of ``xwb``'s, which passes pywikibot's substring
    prefilter, but the host and port must then be equal.
    """
    families = ['testwiki', *FAMILIES, 'shadow']
    xwb = wikis['xwb']
    bases = {wiki.url: 'testwiki',
             **{w.url: name for name, w in wikis.items()}}
    articles = [xwb.url + '/', xwb.url + '/index.php?title=Foo',
                xwb.url + '/index.php/Foo']
    localhost = xwb.url.replace('127.0.0.1', 'localhost')
    out = run_python(multi_config, FROM_URL, ','.join(families),
                     *bases, *articles, xwb.api_url, localhost)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)

    def only(family: str | None) -> dict[str, str | None]:
        return {fam: fam if fam == family else None for fam in families}

    for url, name in bases.items():
        assert result[url] == {'codes': only(name), 'site': name}, url
    for url in articles:
        assert result[url] == {'codes': only('xwb'), 'site': 'xwb'}, url
    assert result[xwb.api_url]['codes'] == only(None)
    assert result[xwb.api_url]['site'] not in families
    assert result[localhost]['codes'] == only(None)
