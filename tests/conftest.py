"""Pytest fixtures: a throwaway MediaWiki and pywikibot sites on it.

pywikibot reads its configuration directory (``PYWIKIBOT_DIR``) once, when
it is first imported. So this module, which pytest imports before any test
module, picks the port and writes the configuration right away; the
``wiki`` fixture starts the wiki on that port only when a test needs it.
Nothing here imports pywikibot at module level.

Without PHP or MediaWiki the wiki tests fail; set
``PWBREVERT_ALLOW_NO_WIKI=1`` to skip them instead.

Set ``PWBREVERT_KEEP_WIKI=1`` to keep the session's directory (wiki,
server log, pywikibot configuration) after the run.

Set ``PWBREVERT_MW_CHROOT`` to a chroot made by ``.ci/chroot.sh`` to test
against the MediaWiki release installed in it rather than this
machine's, e.g. ``PWBREVERT_MW_CHROOT=$(bash .ci/chroot.sh trixie)`` for
1.43. The session's directory, and pytest's ``tmp_path`` with it, are
then inside the chroot's ``/tmp``, where its PHP can see them.
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# Test modules import the harness package (tests/harness/) as
# ``harness``, whatever pytest's import mode is.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from harness.wikiharness import (  # noqa: E402
    CODE, FAMILY, TestWiki, free_port, missing_requirements,
)

if TYPE_CHECKING:
    from pywikibot.site import APISite


if 'pywikibot' in sys.modules:  # configured already, from somewhere else
    raise RuntimeError('pywikibot was imported before tests/conftest.py '
                       'could set PYWIKIBOT_DIR')
CHROOT = Path(os.environ['PWBREVERT_MW_CHROOT']).resolve() \
    if os.environ.get('PWBREVERT_MW_CHROOT') else None
if CHROOT and not (CHROOT / 'tmp').is_dir():
    raise RuntimeError(f'PWBREVERT_MW_CHROOT={CHROOT} is no chroot; '
                       'make one with: bash .ci/chroot.sh SUITE')
SESSION_DIR = Path(tempfile.mkdtemp(
    prefix='pwbrevert-', dir=CHROOT / 'tmp' if CHROOT else None))
WIKI = TestWiki(SESSION_DIR / 'wiki', free_port(), chroot=CHROOT)
CONFIG_DIR = WIKI.write_pywikibot_config(SESSION_DIR / 'pywikibot', 'Admin')
os.environ['PYWIKIBOT_DIR'] = str(CONFIG_DIR)
os.environ.pop('PYWIKIBOT_NO_USER_CONFIG', None)
# requests must not send loopback traffic to a proxy.
_env = TestWiki.pywikibot_env(CONFIG_DIR)
os.environ['NO_PROXY'] = os.environ['no_proxy'] = _env['NO_PROXY']

_counter = itertools.count(1)
_log_start = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used by this test suite."""
    config.addinivalue_line(
        'markers', 'wiki: needs the throwaway MediaWiki (PHP, mediawiki)')
    if CHROOT and config.option.basetemp is None:
        # Tests may install wikis of their own below tmp_path.
        config.option.basetemp = str(SESSION_DIR / 'pytest')


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Tell which MediaWiki is tested, and where its server log is."""
    where = f' (chroot {CHROOT})' if CHROOT else ''
    return [f'MediaWiki: {WIKI.mw_version_string or "not installed"}'
            f'{where}',
            f'test wiki: {WIKI.url} in {WIKI.root}']


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the wiki and remove the session directory."""
    WIKI.stop()
    if not os.environ.get('PWBREVERT_KEEP_WIKI'):
        shutil.rmtree(SESSION_DIR, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach what the web server logged to the report of a failed test."""
    outcome = yield
    report = outcome.get_result()
    start = item.stash.get(_log_start, None)
    if report.failed and start is not None and WIKI.log_file.exists():
        with WIKI.log_file.open('rb') as f:
            f.seek(start)
            text = f.read()[-20000:].decode('utf-8', 'replace')
        report.sections.append(('test wiki server.log', text))


@pytest.fixture(autouse=True)
def _wiki_marker(request: pytest.FixtureRequest) -> None:
    """Start the wiki for tests marked ``wiki``; note the log position."""
    if request.node.get_closest_marker('wiki') is not None \
            or 'wiki' in request.fixturenames:
        request.getfixturevalue('wiki')
        request.node.stash[_log_start] = WIKI.log_file.stat().st_size


@pytest.fixture(scope='session')
def wiki() -> Iterator[TestWiki]:
    """The session's MediaWiki, installed and served on 127.0.0.1.

    Fails if PHP or MediaWiki is missing: a machine or chroot without
    them must not give a green run. ``PWBREVERT_ALLOW_NO_WIKI=1`` (a
    developer's laptop) skips the wiki tests instead.
    """
    if missing := missing_requirements(CHROOT):
        reason = ('test wiki unavailable, missing: ' + ', '.join(missing)
                  + '; run .ci/bootstrap.sh')
        if os.environ.get('PWBREVERT_ALLOW_NO_WIKI') == '1':
            pytest.skip(reason + ' (PWBREVERT_ALLOW_NO_WIKI=1)')
        pytest.fail(reason + '; PWBREVERT_ALLOW_NO_WIKI=1 skips the wiki '
                    'tests instead', pytrace=False)
    if not WIKI.running:
        # This also fills in the password file of CONFIG_DIR, which was
        # written before the passwords existed.
        WIKI.start()
    yield WIKI
    WIKI.stop()


@pytest.fixture(scope='session')
def session_dir() -> Path:
    """The session's directory: its wiki, logs and pywikibot configuration.

    For what outlives one test, e.g. the clones of a module's
    cross-wiki fixture; a test's own files go to ``tmp_path``.
    """
    return SESSION_DIR


@pytest.fixture(scope='session')
def config_dir() -> Path:
    """The PYWIKIBOT_DIR of this process (default user ``Admin``)."""
    return CONFIG_DIR


@pytest.fixture(scope='session')
def site_for(wiki: TestWiki) -> Callable[[str], APISite]:
    """Factory: a logged in APISite of the test wiki for a user.

    Usage: ``vandal = site_for('Vandal')``. Sites are cached by
    pywikibot, so each user logs in once per session. Several users may
    be logged in at once (see the cookie note in wikiharness).
    """
    import pywikibot

    def make(username: str) -> APISite:
        site = pywikibot.Site(CODE, FAMILY, user=username)
        site.login()
        assert site.user() == username, f'not logged in as {username}'
        return site

    return make


@pytest.fixture(scope='session')
def site(site_for: Callable[[str], APISite]) -> APISite:
    """The test wiki's APISite, logged in as ``Admin``."""
    return site_for('Admin')


@pytest.fixture(scope='session')
def config_dir_for(wiki: TestWiki) -> Callable[..., Path]:
    """Factory: a pywikibot config directory for ``pwb`` subprocesses.

    Usage: ``cfg = config_dir_for('Vandal')``, then
    ``wiki.run_pwb(['login'], cfg)``. Directories are shared per
    (user, extra) within the session, so cookies are reused.
    """
    made: dict[tuple[str, str], Path] = {}

    def make(username: str, extra: str = '') -> Path:
        key = (username, extra)
        if key not in made:
            path = SESSION_DIR / 'configs' / f'{username}-{len(made)}'
            made[key] = wiki.write_pywikibot_config(path, username, extra)
        return made[key]

    return make


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> str:
    """A title prefix no other test of the session uses.

    E.g. ``'T12 test rollback twice'``: safe in page and file titles.
    """
    name = re.sub(r'[^A-Za-z0-9]+', ' ', request.node.name)[:30].strip()
    return f'T{next(_counter)} {name}'


@pytest.fixture
def fresh_user(wiki: TestWiki, config_dir: Path,
               unique: str) -> Callable[[str], tuple[str, Any]]:
    """Factory: an account of this test's own, so it owns all its edits.

    Usage: ``name, vandal = fresh_user('Vandal')`` gives e.g.
    ``'VandalT12'`` and a logged-in APISite for it.
    """
    from harness.wikitools import new_user

    def make(prefix: str) -> tuple[str, Any]:
        name = f'{prefix}{unique.split()[0]}'
        return name, new_user(wiki, config_dir, name)

    return make


@pytest.fixture
def proxied_config(wiki: TestWiki, config_dir_for: Callable[..., Path],
                   unique: str) -> Iterator[tuple[Path, Any]]:
    """A ``pwb`` config (Admin) whose wiki is reached through a fault proxy.

    Usage: ``cfg, proxy = proxied_config``; the proxy is this test's own.
    """
    from harness.faultproxy import FaultProxy
    from harness.wikitools import proxied_config_dir
    with FaultProxy(wiki.port) as proxy:
        yield proxied_config_dir(wiki, config_dir_for, proxy.url,
                                 unique), proxy
