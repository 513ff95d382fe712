"""Many throwaway wikis behind one web server: a wiki farm.

:mod:`harness.multiwiki` serves each wiki with a ``php -S`` of its own;
for 30 to 300 wikis that is too many processes, ports and copies. A
:class:`Farm` serves N wikis from ONE ``php -S`` on one port, each under
a path of its own (``http://127.0.0.1:PORT/fw01/api.php``,
``/fw02/api.php``...). Each wiki has its own SQLite database (a copy of
the pristine snapshot of an installed :class:`~harness.wikiharness.
TestWiki`, the session's wiki), its own upload, session and temporary
directories, and so the same users and passwords as that wiki. The
localisation cache is Debian's (``/var/cache/mediawiki``), shared by
all, as by every test wiki: the messages are the same on each.

How a request finds its wiki: the router script takes the first path
segment (``fw01``), defines ``FARM_WIKI`` and lets the built-in server
run the entry point through ``docroot/fw01``, a symbolic link to
MediaWiki's directory. The farm's ``LocalSettings.php`` reads the
constant (or the environment variable of that name, for maintenance
scripts) and includes ``common.php``: the base wiki's settings with
every path, ``$wgDBname``, ``$wgSitename``, ``$wgScriptPath`` and the
cookie names made the wiki's own.

pywikibot knows each wiki as an AutoFamily of its name (as in
:mod:`harness.multiwiki`, whose :func:`~harness.multiwiki.
write_multi_config` takes the :class:`FarmWiki` objects as they are), so
``-sites:fw01:fw01,fw02:fw02`` names two of them. A
:class:`~harness.faultproxy.FaultProxy` with ``latency=`` in front of the
farm makes every request cost a network round trip.

Like :mod:`harness.wikiharness` this module needs the standard library
only.

Example::

    with Farm(wiki, tmp / 'farm', 30) as farm, \\
            FaultProxy(farm.port, latency=0.1) as proxy:
        cfg = farm.write_config(tmp / 'pwb', via=proxy.url)
        wiki.run_pwb(['rollback', '-user:Vandal',
                      '-sites:' + farm.sites_arg(), '-always'], cfg)

Layout of the root directory:

- ``LocalSettings.php``, ``common.php``, ``runtime.php``,
  ``router.php``: configuration
- ``docroot/NAME``: links to MediaWiki, one per wiki
- ``wikis/NAME/``: ``data/`` (the databases), ``images/``,
  ``sessions/``, ``tmp/`` of each wiki, and a ``LocalSettings.php``
  naming it, for maintenance scripts
- ``pristine/``: the base wiki's pristine data, copied once
- ``server.log``: the web server's access log and PHP errors
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .multiwiki import write_multi_config
from .wikiharness import (
    _OPENER, _PHP_SEND_FILE, LogLine, PhpServer, TestWiki, _php_prefix,
    free_port,
)


__all__ = ('Farm', 'FarmWiki')

#: Names of the farm's wikis: a prefix and a number.
_NAME_RE = re.compile(r'^[a-z]{1,8}\d{1,4}$')

# The settings pywikibot's loopback test wikis need were written into
# the base wiki's LocalSettings.php by install.php and wikiharness; the
# farm reuses that text. These rewrites make a wiki's own what names
# the base wiki; each must match exactly once (see _common_settings).
_REWRITES = (
    # install.php writes the database directory as an absolute path
    (r'^\$wgSQLiteDataDir = .*;$', '$wgSQLiteDataDir = "$farmDir/data";'),
    (r'^\$wgDBname = .*;$', '$wgDBname = $farmName;'),
    (r'^\$wgSitename = .*;$', '$wgSitename = strtoupper( $farmName );'),
    (r'^\$wgScriptPath = .*;$', '$wgScriptPath = "/$farmName";'),
    (r"^\$wgUploadPath = '/images';$",
     '$wgUploadPath = "/$farmName/images";'),
    # cookies are per host, not per path: name them after the wiki too,
    # or one client's sessions on two wikis would overwrite each other
    (r"^\$wgCookiePrefix = 'testwiki' \. ",
     "$wgCookiePrefix = $farmName . '_' . "),
    (r"^require __DIR__ \. '/runtime\.php';$",
     "require FARM_ROOT . '/runtime.php';"),
)

# Chooses the wiki of a request (router.php's constant) or of a
# maintenance script (the environment). An unknown name ends the
# request: no wiki's settings apply to it.
_SELECTOR = r"""<?php
# ---- written by tests/harness/farm.py ----
define( 'FARM_ROOT', __DIR__ );
$farmName = defined( 'FARM_WIKI' ) ? FARM_WIKI : getenv( 'FARM_WIKI' );
if ( !is_string( $farmName ) || !preg_match( '/^[a-z]{1,8}\d{1,4}$/',
        $farmName ) || !is_dir( __DIR__ . "/wikis/$farmName" ) ) {
    if ( PHP_SAPI !== 'cli' ) {
        http_response_code( 404 );
    }
    echo "farm: no wiki named by FARM_WIKI\n";
    exit( 1 );
}
$farmDir = __DIR__ . "/wikis/$farmName";
require __DIR__ . '/common.php';
"""

# The first path segment names the wiki; /NAME/images/ is served from
# the wiki's upload directory, anything else by the built-in server from
# docroot/NAME, a link to MediaWiki (return false), in the same request,
# so the constants defined here hold for api.php too. MediaWiki 1.35
# reads its settings only from the MW_CONFIG_FILE constant.
_ROUTER = r"""<?php
$path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( !preg_match( '!^/([a-z]{1,8}\d{1,4})(/.*)?$!', $path, $m )
        || !is_dir( __DIR__ . "/wikis/{$m[1]}" ) ) {
    http_response_code( 404 );
    header( 'Content-Type: text/plain' );
    echo "farm: no such wiki\n";
    return true;
}
define( 'FARM_WIKI', $m[1] );
define( 'MW_CONFIG_FILE', __DIR__ . '/LocalSettings.php' );
$rest = $m[2] ?? '/';
if ( strncmp( $rest, '/images/', 8 ) !== 0 ) {
    return false;
}
$base = __DIR__ . "/wikis/{$m[1]}/images/";
$file = realpath( $base . substr( $rest, 8 ) );
""" + _PHP_SEND_FILE


class FarmWiki:

    """One wiki of a :class:`Farm`.

    It has the attributes :func:`harness.multiwiki.write_multi_config`
    and :class:`harness.wikitools.ApiClient` callers read from a
    :class:`~harness.wikiharness.TestWiki`: ``url``, ``api_url``,
    ``users``, ``root``, ``port``.

    :param farm: the farm serving it
    :param name: its name, also its path segment and pywikibot family
    """

    def __init__(self, farm: Farm, name: str) -> None:
        """Initializer."""
        self.farm = farm
        self.name = name

    def __repr__(self) -> str:
        """Return e.g. ``FarmWiki('fw01', 'http://127.0.0.1:4000/fw01')``."""
        return f'{type(self).__name__}({self.name!r}, {self.url!r})'

    @property
    def root(self) -> Path:
        """The wiki's directory: data, images, sessions, tmp."""
        return self.farm.root / 'wikis' / self.name

    @property
    def port(self) -> int:
        """The farm's port."""
        return self.farm.port

    @property
    def url(self) -> str:
        """Base URL of the wiki, e.g. ``http://127.0.0.1:PORT/fw01``."""
        return f'{self.farm.url}/{self.name}'

    @property
    def api_url(self) -> str:
        """URL of the wiki's api.php."""
        return f'{self.url}/api.php'

    @property
    def users(self) -> dict[str, str]:
        """User names and passwords, those of the base wiki."""
        return self.farm.users

    def api_get(self, **params: str | int) -> dict[str, Any]:
        """GET api.php without pywikibot (see :meth:`TestWiki.api_get`)."""
        query = urllib.parse.urlencode(
            {'format': 'json', 'formatversion': 2, **params})
        with _OPENER.open(f'{self.api_url}?{query}', timeout=30) as resp:
            return json.load(resp)

    def restore(self) -> None:
        """Bring this wiki back to the base wiki's pristine state.

        Its sessions stay, as with :meth:`TestWiki.restore`. Call it
        between requests to this wiki: a database replaced mid-request
        would be inconsistent (the other wikis may be busy).
        """
        self.farm._copy_pristine(self.root)

    def maintenance(self, script: str, *args: str,
                    timeout: float = 120) -> str:
        """Run a MediaWiki maintenance script against this wiki.

        As :meth:`TestWiki.maintenance
        <harness.wikiharness.TestWiki.maintenance>`, with the wiki's own
        ``LocalSettings.php``, which names it and includes the farm's.

        Example::

            wiki.maintenance('createAndPromote.php', 'Farmhand', password)

        :param script: file name in MediaWiki's maintenance directory
        :param args: its arguments
        :param timeout: seconds before the script is killed
        :return: the script's standard output
        """
        runner = TestWiki(self.root, self.port, chroot=self.farm.chroot)
        return runner.maintenance(script, *args, timeout=timeout)

    def request_count(self, path_prefix: str = '/api.php') -> int:
        """Return how many requests the farm answered for this wiki.

        :param path_prefix: count only paths starting so below the
            wiki's own, e.g. ``/api.php``
        """
        return self.farm.request_counts(path_prefix)[self.name]


class Farm(PhpServer):

    """N wikis served by one ``php -S`` on 127.0.0.1, one path each.

    The wikis are made from the ``pristine`` snapshot of *base* (an
    installed :class:`~harness.wikiharness.TestWiki`, it need not run):
    its settings, users and passwords, its MediaWiki release and chroot.
    Making a wiki copies the snapshot's files (about 1 MB, see
    ``docs/development.rst`` for 30 and 300); no ``install.php`` runs.

    Example::

        farm = Farm(wiki, tmp / 'farm', 10).start()
        try:
            assert farm.wikis['fw02'].api_get(
                action='query', meta='siteinfo')['query']['general'][
                'sitename'] == 'FW02'
        finally:
            farm.stop()

    :param base: the installed wiki the farm's wikis are copies of
    :param root: directory of the farm, created if missing; inside
        *base*'s chroot if it has one; a farm there is replaced
    :param count: number of wikis
    :param prefix: names are *prefix* and a number: ``fw01``...
    :param port: TCP port; a free one if None
    :param workers: PHP_CLI_SERVER_WORKERS: requests served at once,
        over all wikis (each wiki has its own database, so they do not
        wait for each other's locks)
    :raises ValueError: a bad count or prefix, or *root* outside the
        chroot of *base*
    """

    __test__ = False  # a harness, not a test class for pytest to collect

    def __init__(self, base: TestWiki, root: Path, count: int = 30, *,
                 prefix: str = 'fw', port: int | None = None,
                 workers: int = 4) -> None:
        """Initializer."""
        if not 1 <= count <= 9999:
            raise ValueError(f'count must be 1 to 9999, got {count!r}')
        width = max(2, len(str(count)))
        names = [f'{prefix}{i:0{width}d}' for i in range(1, count + 1)]
        if not _NAME_RE.match(names[-1]):
            raise ValueError(f'bad prefix {prefix!r}: use 1 to 8 of a-z')
        self.base = base
        self.root = Path(root).resolve()
        self.chroot = base.chroot
        if self.chroot and not self.root.is_relative_to(self.chroot):
            raise ValueError(f'{self.root} is not inside the chroot '
                             f'{self.chroot}, where PHP could see it')
        self.port = port or free_port()
        self.workers = workers
        self.wikis = {name: FarmWiki(self, name) for name in names}
        self.users: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self._server: subprocess.Popen | None = None
        self._log: Any = None

    def __repr__(self) -> str:
        """Return e.g. ``Farm('/tmp/farm', 30 wikis, 4000)``."""
        return (f'{type(self).__name__}({str(self.root)!r}, '
                f'{len(self.wikis)} wikis, {self.port})')

    # -- addresses -------------------------------------------------------

    @property
    def built(self) -> bool:
        """Whether every wiki's directory exists."""
        return (self.root / 'common.php').is_file() and all(
            (w.root / 'LocalSettings.php').is_file()
            for w in self.wikis.values())

    def sites_arg(self, names: Any = None) -> str:
        """Return ``fw01:fw01,fw02:fw02,...`` for ``-sites:``.

        :param names: these wikis only; all if None
        """
        return ','.join(f'{n}:{n}' for n in (names or self.wikis))

    # -- building --------------------------------------------------------

    def build(self) -> Farm:
        """Write the settings and make every wiki from the base's snapshot.

        Anything below root is replaced. The time it took is in
        ``timings['build']``.

        :return: self
        :raises FileNotFoundError: the base has no pristine snapshot
        :raises RuntimeError: the base's settings cannot be rewritten
        """
        start = time.monotonic()
        pristine = self.base._snapshot_dir('pristine')
        if not (pristine / 'data').is_dir():
            raise FileNotFoundError(
                f'{self.base!r} has no installation with a pristine '
                'snapshot')
        if self.running:
            raise RuntimeError(f'{self!r} is running')
        common = self._common_settings()
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        (self.root / 'common.php').write_text(common, encoding='utf-8')
        (self.root / 'LocalSettings.php').write_text(_SELECTOR,
                                                     encoding='utf-8')
        (self.root / 'router.php').write_text(_ROUTER, encoding='utf-8')
        self._write_runtime()
        self.users = json.loads(
            (self.base.root / 'users.json').read_text('utf-8'))
        # the base's pristine files once, renamed for no wiki yet: a copy
        # per wiki then reads files of the farm only
        shutil.copytree(pristine, self.root / 'pristine', symlinks=True)
        docroot = self.root / 'docroot'
        docroot.mkdir()
        mw_dir = str(self.base.mw_dir)  # as PHP sees it
        for wiki in self.wikis.values():
            (docroot / wiki.name).symlink_to(mw_dir)
            self._copy_pristine(wiki.root)
            for part in ('sessions', 'tmp'):
                (wiki.root / part).mkdir()
            # for maintenance scripts, which no router names the wiki to
            (wiki.root / 'LocalSettings.php').write_text(
                f"<?php\ndefine( 'FARM_WIKI', '{wiki.name}' );\n"
                "require dirname( __DIR__, 2 ) . '/LocalSettings.php';\n",
                encoding='utf-8')
        self.timings['build'] = time.monotonic() - start
        return self

    def _copy_pristine(self, dest: Path) -> None:
        """Make *dest*'s data and images the pristine ones, renamed.

        The databases are named after ``$wgDBname`` (``testwiki.sqlite``,
        ``testwiki_jobqueue.sqlite``...), which is the wiki's name here.
        """
        name = dest.name
        src = self.root / 'pristine'
        for part in ('data', 'images'):
            shutil.rmtree(dest / part, ignore_errors=True)
            shutil.copytree(src / part, dest / part, symlinks=True)
        prefix = self._base_dbname()
        for path in (dest / 'data').iterdir():
            if path.name == f'{prefix}.sqlite' \
                    or path.name.startswith(f'{prefix}_'):
                path.rename(path.with_name(name + path.name[len(prefix):]))

    def _base_dbname(self) -> str:
        """Return the base wiki's ``$wgDBname``."""
        m = re.search(r'^\$wgDBname = "([^"]+)";$',
                      self.base.settings_file.read_text('utf-8'), re.M)
        if not m:
            raise RuntimeError(f'no $wgDBname in {self.base.settings_file}')
        return m[1]

    def _common_settings(self) -> str:
        """Return the base's settings made the farm's (``common.php``)."""
        text = self.base.settings_file.read_text('utf-8')
        for pattern, replacement in _REWRITES:
            text, count = re.subn(pattern, lambda m, r=replacement: r, text,
                                  flags=re.M)
            if count != 1:
                raise RuntimeError(
                    f'{self.base.settings_file}: {pattern!r} matched '
                    f'{count} times, not once; the farm cannot rewrite it')
        # every other path of the harness's settings is below the wiki
        text = text.replace('__DIR__', '$farmDir')
        # a wiki's cookies go to its own path only, as each wiki on the
        # Internet has a host of its own: a client does not send (nor
        # copy, at each request) every farm wiki's cookies to each
        text += '\n$wgCookiePath = "/$farmName/";\n'

        base_root = self.base._php_path(self.base.root)
        if re.search('["\']' + re.escape(base_root) + '["\'/]', text):
            raise RuntimeError(f'{self.base.settings_file} names '
                               f'{self.base.root}, where the farm cannot '
                               'rewrite it')
        return text

    def _write_runtime(self) -> None:
        """Write what may change between starts: the server's URL."""
        text = (f'<?php\n$wgServer = "{self.url}";\n'
                '$wgRateLimits = [];\n' + self.base.settings + '\n')
        (self.root / 'runtime.php').write_text(text, encoding='utf-8')

    def restore(self) -> None:
        """Bring every wiki back to the pristine state.

        The server is restarted if it runs, so no request sees a
        database being replaced; sessions stay.
        """
        running = self.running
        self.stop()
        for wiki in self.wikis.values():
            wiki.restore()
        if running:
            self._serve(30)

    # -- serving ---------------------------------------------------------

    def start(self, timeout: float = 30) -> Farm:
        """Build the farm unless it is, then serve it.

        :param timeout: seconds to wait for the first wiki to answer
        :return: self
        """
        if self.running:
            raise RuntimeError(f'{self!r} is running already')
        if not self.built:
            self.build()
        else:
            self.users = json.loads(
                (self.base.root / 'users.json').read_text('utf-8'))
        self._serve(timeout)
        return self

    def _php_path(self, path: Path) -> str:
        """Return *path* of this machine as PHP sees it."""
        if self.chroot is None:
            return str(path)
        return '/' + str(Path(path).resolve().relative_to(self.chroot))

    def _serve(self, timeout: float) -> None:
        """Start the web server and wait until the first wiki answers."""
        start = time.monotonic()
        self._write_runtime()
        docroot = self.root / 'docroot'
        self._launch(
            [*_php_prefix(self.chroot, Path(self._php_path(docroot))),
             '-S', f'127.0.0.1:{self.port}', '-t', self._php_path(docroot),
             self._php_path(self.root / 'router.php')],
            docroot, dict(os.environ))
        first = next(iter(self.wikis.values()))
        self._wait_serving(
            lambda: 'general' in first.api_get(
                action='query', meta='siteinfo').get('query', {}),
            timeout, start)

    def server_log_lines(self) -> list[LogLine]:
        """Return the access lines the web server has logged so far."""
        return TestWiki.server_log_lines(self)  # type: ignore[arg-type]

    def request_counts(self, path_prefix: str = '/api.php'
                       ) -> dict[str, int]:
        """Return how many requests the farm answered for each wiki.

        Take the difference of two calls to count the requests of one
        piece of work, as with :meth:`TestWiki.request_count`.

        :param path_prefix: count only paths starting so below each
            wiki's own, e.g. ``/api.php``
        :return: the count by wiki name, every wiki of the farm
        """
        counts = dict.fromkeys(self.wikis, 0)
        for line in self.server_log_lines():
            name, _, rest = line.path[1:].partition('/')
            if name in counts and ('/' + rest).startswith(path_prefix):
                counts[name] += 1
        return counts

    def disk_usage(self) -> int:
        """Return the bytes the wikis' directories take (files only)."""
        return sum(p.stat().st_size for p in (self.root / 'wikis').rglob('*')
                   if p.is_file() and not p.is_symlink())

    # -- pywikibot -------------------------------------------------------

    def write_config(self, config_dir: Path, username: str = 'Admin', *,
                     default: TestWiki | None = None,
                     via: str | dict[str, str] | None = None,
                     extra: str = '') -> Path:
        """Write a pywikibot configuration knowing every wiki of the farm.

        Each wiki is an AutoFamily of its name (code: the name too); see
        :func:`harness.multiwiki.write_multi_config`.

        :param config_dir: directory to use as PYWIKIBOT_DIR
        :param username: the default user on every wiki
        :keyword default: the default site (family ``testwiki``), e.g.
            the session's wiki; the first farm wiki if None
        :keyword via: base URL of a proxy in front of the farm, e.g. a
            :class:`~harness.faultproxy.FaultProxy` with latency; the
            wikis are reached through it. Or such a URL per wiki name
            (a proxy per wiki: each wiki then has a host and port of its
            own, as wikis on the Internet do)
        :keyword extra: Python source appended to ``user-config.py``
        :return: *config_dir*
        """
        api_urls = None
        if via is not None:
            urls = via if isinstance(via, dict) \
                else dict.fromkeys(self.wikis, via)
            api_urls = {name: f'{url.rstrip("/")}/{name}/api.php'
                        for name, url in urls.items()}
        return write_multi_config(
            config_dir, self.wikis,  # type: ignore[arg-type]
            {name: username for name in self.wikis}, default=default,
            api_urls=api_urls, extra=extra)
