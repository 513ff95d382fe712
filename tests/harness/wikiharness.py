"""A real, throwaway MediaWiki served on the loopback interface.

The harness installs MediaWiki (the Debian ``mediawiki`` package, PHP's
sqlite backend) into a private directory, creates a few users with
distinct rights and serves it with PHP's built-in web server on
``127.0.0.1``. It is used by the pytest fixtures in ``conftest.py``, by
demos and by benchmarks, so it depends on the standard library only
(pywikibot is merely the program it writes configuration for).

Example::

    with TestWiki(Path('/tmp/w')) as wiki:
        cfg = wiki.write_pywikibot_config(Path('/tmp/w/pwb'), 'Vandal')
        wiki.run_pwb(['login'], cfg)

Other MediaWiki releases run from a Debian chroot made by
``.ci/chroot.sh`` (e.g. bullseye: 1.35, trixie: 1.43): every PHP process
(install, maintenance scripts, the web server) then runs inside it, and
the root directory must lie inside the chroot, where PHP can see it::

    chroot = Path('/var/cache/pywikibot-revert/chroots/trixie')
    with TestWiki(chroot / 'tmp' / 'w', chroot=chroot) as wiki:
        assert wiki.mw_version >= (1, 43)

More wikis made from an installed one by :meth:`TestWiki.clone` cost a
file copy, not an install (:mod:`harness.multiwiki` serves several at
once).

Layout of the root directory:

- ``LocalSettings.php``, ``runtime.php``, ``router.php``: configuration
- ``data/``, ``images/``: wiki state, saved by :meth:`TestWiki.snapshot`
- ``sessions/``: login sessions, kept across :meth:`TestWiki.restore`
- ``snapshots/NAME/``: saved states; ``pristine`` is made by install
- ``server.log``: the web server's access log and PHP errors
- ``users.json``: the generated passwords (mode 600)
"""
from __future__ import annotations

import atexit
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import string
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple


__all__ = (
    'CODE', 'FAMILY', 'MW_DIR', 'USER_GROUPS', 'LogLine', 'TestWiki',
    'WikiUnavailable', 'free_port', 'make_png', 'mediawiki_version',
    'missing_requirements',
)

#: Where the Debian package puts MediaWiki; override with MW_INSTALL_PATH.
MW_DIR = Path(os.environ.get('MW_INSTALL_PATH', '/usr/share/mediawiki'))

# Where MediaWiki is inside a chroot made by .ci/chroot.sh (MW_INSTALL_PATH
# describes this machine, not the chroot).
_CHROOT_MW_DIR = Path('/usr/share/mediawiki')

#: Users created on install, with the groups ``createAndPromote.php``
#: adds. ``Admin`` is made by ``install.php`` itself (sysop, bureaucrat,
#: interface-admin). ``rollbacker`` has the rollback right only;
#: ``suppress`` (oversight) may hide revisions from admins too.
USER_GROUPS: dict[str, tuple[str, ...]] = {
    'Admin': ('sysop', 'bureaucrat', 'interface-admin'),
    'Vandal': (),
    'Editor': (),
    'Nobody': (),
    'Botty': ('bot', 'sysop'),
    'Rollbacker': ('rollbacker',),
    'Oversighter': ('suppress',),
}

#: pywikibot family and code of a test wiki: an AutoFamily named by the
#: key of ``family_files`` has a single code equal to its name.
FAMILY = 'testwiki'
CODE = 'testwiki'

# Access lines of PHP's built-in server, e.g.
# "[Mon Nov 23 15:41:02 2026] 127.0.0.1:58804 [200]: POST /api.php"
# With PHP_CLI_SERVER_WORKERS each line starts with "[PID] " too.
# PHP 7.4 (MediaWiki 1.35) and 8.4 (1.43) write the same format.
_LOG_RE = re.compile(
    r'^(?:\[\d+\] )?\[[^\]]+\] \S+:\d+ \[(?P<status>\d{3})\]: '
    r'(?P<method>[A-Z]+) (?P<path>\S+)')

# Settings appended to the LocalSettings.php written by install.php.
# Paths use __DIR__ so only runtime.php depends on the port.
_SETTINGS = r"""
# ---- added by tests/harness/wikiharness.py ----
$wgShowExceptionDetails = true;
$wgDebugLogFile = '';
$wgTmpDirectory = __DIR__ . '/tmp';
$wgEnableEmail = false;
$wgPingback = false;
# Uploads: files live below the wiki root and are served by router.php.
$wgEnableUploads = true;
$wgUploadDirectory = __DIR__ . '/images';
$wgUploadPath = '/images';
$wgFileExtensions = [ 'png', 'gif', 'jpg', 'jpeg', 'webp', 'svg' ];
# ImageMagick may or may not be on a machine: never depend on it.
$wgUseImageMagick = false;
# Jobs run only when asked (TestWiki.run_jobs) so requests stay
# deterministic and quick.
$wgJobRunRate = 0;
# No object cache: with APCu, MediaWiki 1.39 serves stale data for a few
# seconds after a change (e.g. a tag just created "is not allowed to be
# manually applied"), and every request costs only ~20% more without.
# The main stash (upload stash etc.) stays in data/, so it is
# snapshotted with the pages it belongs to.
$wgMainCacheType = CACHE_NONE;
$wgParserCacheType = CACHE_NONE;
$wgMessageCacheType = CACHE_NONE;
# Sessions live in their own sqlite file outside data/, so that
# TestWiki.restore() does not log clients out.
$wgSessionCacheType = 'harness-sessions';
$wgObjectCaches['harness-sessions'] = [
    'class' => SqlBagOStuff::class,
    'loggroup' => 'SQLBagOStuff',
    'server' => [
        'type' => 'sqlite',
        'dbname' => 'sessions',
        'tablePrefix' => '',
        'variables' => [ 'synchronous' => 'NORMAL' ],
        'dbDirectory' => __DIR__ . '/sessions',
        'trxMode' => 'IMMEDIATE',
        'flags' => 0,
    ],
];
# Failed logins in tests must not lock an account out.
$wgPasswordAttemptThrottle = [];
$wgAccountCreationThrottle = [];
# Admins may revision-delete (as on Wikimedia wikis; not a 1.39 default).
$wgGroupPermissions['sysop']['deleterevision'] = true;
$wgGroupPermissions['sysop']['deletelogentry'] = true;
# Trust X-Forwarded-For from loopback clients, so that a test's second
# client can edit as any address, IPv6 and ranges included (the header
# names a documentation address such as 2001:db8::7); without the
# header a client is 127.0.0.1 as before.
$wgCdnServers = [ '127.0.0.1', '::1' ];
$wgUsePrivateIPs = true;
# Temporary accounts (MediaWiki 1.43+): known to the wiki always, made
# only for a request that asks with the X-Harness-Temp-Account header,
# so anonymous edits of other tests stay an IP's. An anonymous edit so
# marked is saved by a new account named like "~2026-1".
if ( version_compare( MW_VERSION, '1.43', '>=' ) ) {
    $wgAutoCreateTempUser['known'] = true;
    $wgAutoCreateTempUser['enabled'] =
        isset( $_SERVER['HTTP_X_HARNESS_TEMP_ACCOUNT'] );
}
# Several blocks on one user (MediaWiki 1.42+): another admin's block
# stays when a rogue admin's block on the same user is lifted, by id.
# Older releases hold one block per user (tests assert both).
if ( version_compare( MW_VERSION, '1.42', '>=' ) ) {
    $wgEnableMultiBlocks = true;
}
# A group that can roll back but has no other extra rights.
$wgGroupPermissions['rollbacker']['rollback'] = true;
# A group that may overwrite only files whose current version it
# uploaded itself ('user' grants 'reupload' to everyone, so it is
# revoked here); tests/test_versions.py pins filerevert's rights with it.
$wgGroupPermissions['ownreuploader']['reupload-own'] = true;
$wgRevokePermissions['ownreuploader']['reupload'] = true;
# Cookies are per host, not per port: name them after the port so that
# two test wikis do not share them. pywikibot also keeps one cookie jar
# per process, so two accounts logged in to one wiki would overwrite each
# other's session cookie. Its User-Agent names the account
# (".../wiki/User:NAME"): name the cookies after it too, so the sessions
# coexist. Other clients get one cookie name per port.
$wgCookiePrefix = 'testwiki' . ( $_SERVER['SERVER_PORT'] ?? '' );
$harnessUa = $_SERVER['HTTP_USER_AGENT'] ?? '';
if ( preg_match( '!User:([^\s;/)]+)!', $harnessUa, $harnessMatch ) ) {
    $harnessName = rawurldecode( $harnessMatch[1] );
    $harnessSafe = preg_replace( '/\W/', '', $harnessName );
    $wgCookiePrefix .= '_' . $harnessSafe
        . ( $harnessSafe === $harnessName
            ? '' : substr( md5( $harnessName ), 0, 8 ) );
}
unset( $harnessUa, $harnessMatch, $harnessName, $harnessSafe );
# $wgServer and the TestWiki arguments; rewritten on every start.
require __DIR__ . '/runtime.php';
"""

# Rate limits are off unless TestWiki(rate_limits=True): a test suite
# edits far faster than the default 90 edits or 10 rollbacks a minute.
# MediaWiki counts hits in the main cache, so limits need one.
_NO_RATE_LIMITS = '$wgRateLimits = [];\n'
_RATE_LIMITS = '$wgMainCacheType = CACHE_DB;\n'

# The end of a router script: send $file, an upload below $base, or 404
# (the test wiki's router and the farm's share it).
_PHP_SEND_FILE = r"""if ( $file === false || strncmp( $file, $base, strlen( $base ) ) !== 0
    || !is_file( $file ) ) {
    http_response_code( 404 );
    return true;
}
$type = mime_content_type( $file ) ?: 'application/octet-stream';
header( "Content-Type: $type" );
header( 'Content-Length: ' . filesize( $file ) );
readfile( $file );
return true;
"""

# Serves /images/ from the wiki root (the Debian docroot has a symlink
# there to the system wiki's uploads); anything else is left to the
# built-in server (return false), in the same request, so the constant
# defined here holds for api.php too. MediaWiki 1.35's entry points read
# neither the MW_CONFIG_FILE variable of the environment nor anything
# but the Debian docroot's LocalSettings.php, which is shared by every
# wiki of the chroot; the constant is honoured by every release.
_ROUTER = r"""<?php
if ( !defined( 'MW_CONFIG_FILE' ) ) {
    define( 'MW_CONFIG_FILE', __DIR__ . '/LocalSettings.php' );
}
$path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( strncmp( $path, '/images/', 8 ) !== 0 ) {
    return false;
}
$base = __DIR__ . '/images/';
$file = realpath( $base . substr( $path, 8 ) );
""" + _PHP_SEND_FILE

_USER_CONFIG = """\
# Generated by tests/harness/wikiharness.py for a throwaway test wiki.
family_files[{family!r}] = {api_url!r}
family = {family!r}
mylang = {code!r}
usernames[{family!r}][{code!r}] = {username!r}
password_file = 'user-password.py'
# A loopback wiki needs no politeness delays; fail fast instead of
# retrying for minutes.
put_throttle = 0
minthrottle = 0
maxthrottle = 1
max_retries = 2
retry_wait = 1
retry_max = 2
socket_timeout = (5, 60)
console_encoding = 'utf-8'
noisysleep = 60.0
"""


# Loopback traffic must never go through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class WikiUnavailable(RuntimeError):

    """PHP or MediaWiki is not installed on this machine."""


class LogLine(NamedTuple):

    """One access line of the web server's log."""

    status: int
    method: str
    path: str


def missing_requirements(chroot: Path | None = None) -> list[str]:
    """Return what is missing to run a test wiki; empty if nothing.

    :param chroot: check this chroot (see :class:`TestWiki`) rather
        than this machine
    :return: human readable names of missing programs and files
    """
    missing = []
    mw_dir = _host_path(chroot, _CHROOT_MW_DIR) if chroot else MW_DIR
    if not (mw_dir / 'maintenance' / 'install.php').is_file():
        hint = ('bash .ci/chroot.sh SUITE' if chroot
                else 'apt-get install mediawiki')
        missing.append(f'MediaWiki in {mw_dir} ({hint})')
    if chroot:
        if not os.access(_host_path(chroot, Path('/usr/bin/php')), os.X_OK):
            missing.append(f'php in {chroot} (bash .ci/chroot.sh SUITE)')
            return missing
        if not shutil.which('chroot'):
            missing.append('chroot (coreutils)')
            return missing
    elif not shutil.which('php'):
        missing.append('php (apt-get install php-cli)')
        return missing
    probe = subprocess.run(
        [*_php_prefix(chroot, Path('/')),
         '-r', 'exit(extension_loaded("pdo_sqlite") '
         '&& extension_loaded("intl") && extension_loaded("mbstring") '
         '&& extension_loaded("xml") ? 0 : 1);'],
        stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if probe.returncode:
        missing.append('PHP extensions (apt-get install php-sqlite3 '
                       'php-intl php-mbstring php-xml)')
    return missing


def mediawiki_version(mw_dir: Path = MW_DIR) -> str:
    """Return the version of the MediaWiki installed in *mw_dir*.

    It is read from the sources, so no wiki needs to run; the API's
    ``generator`` (``MediaWiki 1.43.1``) says the same.

    >>> mediawiki_version(Path('/nowhere'))
    ''

    :param mw_dir: MediaWiki's directory, as this process sees it
    :return: e.g. ``'1.39.17'``; empty if there is no MediaWiki
    """
    # MW_VERSION exists since 1.35; $wgVersion held it before.
    for name in ('Defines.php', 'DefaultSettings.php'):
        try:
            text = (Path(mw_dir) / 'includes' / name).read_text(
                'utf-8', 'replace')
        except OSError:
            continue
        if m := re.search(r"""define\(\s*'MW_VERSION',\s*'([^']+)'"""
                          r"""|\$wgVersion = '([^']+)'""", text):
            return m[1] or m[2]
    return ''


def _host_path(chroot: Path | None, path: Path) -> Path:
    """Return where *path*, as PHP sees it, is seen from here."""
    return Path(chroot, path.relative_to('/')) if chroot else path


def _php_prefix(chroot: Path | None, cwd: Path) -> list[str]:
    """Return the command that runs ``php`` in *cwd* (a PHP-side path)."""
    if chroot is None:
        return ['php']
    # chroot(8) changes to the new / ; env -C (coreutils >= 8.28, i.e.
    # Debian 10 and later) then changes to where MediaWiki expects.
    return ['chroot', str(chroot), 'env', '-C', str(cwd), 'php']


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    The port is taken below the kernel's ephemeral range when possible:
    a port handed out for "any port" binds or outgoing connections could
    be taken again by some other socket before the wiki starts on it.

    :return: port number
    """
    try:
        low = int(Path('/proc/sys/net/ipv4/ip_local_port_range')
                  .read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 0
    candidates = [random.randrange(20000, low) for _ in range(50)] \
        if low > 20100 else []
    for port in [*candidates, 0]:
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError('no free port')  # unreachable: port 0 always binds


def make_png(path: Path, seed: int, size: tuple[int, int] = (8, 8)) -> Path:
    """Write a small RGB PNG whose bytes depend on *seed*.

    Different seeds give different pixels, hence a different sha1, which
    MediaWiki needs to accept a new file version.

    :param path: file to write
    :param seed: pixel generator seed
    :param size: width and height in pixels
    :return: *path*
    """
    width, height = size
    rng = random.Random(seed)
    # Each row starts with filter type 0 (none).
    raw = b''.join(b'\x00' + rng.randbytes(3 * width) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data)))

    png = (b'\x89PNG\r\n\x1a\n'
           + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2,
                                        0, 0, 0))
           + chunk(b'IDAT', zlib.compress(raw, 9))
           + chunk(b'IEND', b''))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def _password() -> str:
    """Return a random password that needs no quoting anywhere."""
    alphabet = string.ascii_letters + string.digits
    return ''.join(secrets.choice(alphabet) for _ in range(24))


def _write_private(path: Path, text: str) -> None:
    """Write *text* to a file only its owner may read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        f.write(text)
    os.chmod(path, 0o600)  # O_CREAT's mode is ignored for existing files


class PhpServer:

    """A ``php -S`` of the harness on 127.0.0.1, and ``with`` for it.

    What :class:`TestWiki` and :class:`~harness.farm.Farm` share: the
    server in a process group of its own (its workers included), its
    log, its start (waiting until an answer says it serves) and stop.
    A subclass sets ``root``, ``port``, ``workers`` and ``timings``, and
    defines ``start()``.
    """

    root: Path
    port: int
    workers: int
    timings: dict[str, float]
    _server: subprocess.Popen | None = None
    _log: Any = None

    def __enter__(self) -> Any:
        """Start serving unless it does already."""
        if not self.running:
            self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving; the files stay."""
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f'http://127.0.0.1:{self.port}'

    @property
    def log_file(self) -> Path:
        """The web server's log."""
        return self.root / 'server.log'

    @property
    def running(self) -> bool:
        """Whether the web server process is alive."""
        return self._server is not None and self._server.poll() is None

    def _launch(self, argv: list[str], cwd: Path,
                env: dict[str, str]) -> None:
        """Start ``php -S`` (*argv*), its output in :attr:`log_file`."""
        env.pop('PHP_CLI_SERVER_WORKERS', None)
        if self.workers > 1:
            env['PHP_CLI_SERVER_WORKERS'] = str(self.workers)
        self._log = self.log_file.open('ab')
        self._server = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        atexit.register(self.stop)

    def _wait_serving(self, answers: Callable[[], bool], timeout: float,
                      start: float) -> None:
        """Wait until *answers()* is true; stop and raise if it never is.

        :param start: when the start began, for ``timings['serve']``
        """
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                tail = self.log_file.read_text('utf-8', 'replace')[-2000:]
                self.stop()
                raise RuntimeError(f'{self!r}: web server exited:\n{tail}')
            try:
                if answers():
                    break
            except (OSError, ValueError):
                pass  # not listening yet, or PHP still warming up
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f'{self!r}: api.php did not answer in {timeout} s')
            time.sleep(0.05)
        self.timings['serve'] = time.monotonic() - start

    def stop(self) -> None:
        """Stop the web server; the files stay."""
        server, self._server = self._server, None
        if server is not None and server.poll() is None:
            # The server runs in its own process group, workers included.
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None
        atexit.unregister(self.stop)


class TestWiki(PhpServer):

    """A MediaWiki installed below *root*, served on 127.0.0.1:*port*.

    :param root: directory for the installation; created if missing
    :param port: TCP port; a free one if None
    :param rate_limits: keep MediaWiki's default rate limits (off
        by default: tests edit faster than they allow)
    :param settings: PHP code appended to the wiki's settings, e.g.
        ``'$wgRateLimits["edit"]["user"] = [2, 60];'``; applied on every
        start, so it may differ between starts of one installation
    :param workers: PHP_CLI_SERVER_WORKERS for the web server; 1 (one
        request at a time) is what the tests use. More helps concurrent
        readers only; pywikibot's sequential requests gain nothing.
    :param chroot: run PHP and the MediaWiki installed inside this
        directory (made by ``.ci/chroot.sh``) rather than this machine's;
        *root* must then be inside it
    :raises ValueError: *root* is outside *chroot*
    """

    __test__ = False  # a harness, not a test class for pytest to collect

    def __init__(self, root: Path, port: int | None = None, *,
                 rate_limits: bool = False, settings: str = '',
                 workers: int = 1, chroot: Path | None = None) -> None:
        """Initializer."""
        self.root = Path(root).resolve()
        self.chroot = Path(chroot).resolve() if chroot else None
        if self.chroot and not self.root.is_relative_to(self.chroot):
            # A bind mount would do too, but a mount left behind by a
            # crashed run would make a later rmtree of the chroot's /tmp
            # delete the files it shows.
            raise ValueError(f'{self.root} is not inside the chroot '
                             f'{self.chroot}, where PHP could see it')
        self.port = port or free_port()
        self.rate_limits = rate_limits
        self.settings = settings
        self.workers = workers
        self.users: dict[str, str] = {}
        self._server: subprocess.Popen | None = None
        self._log: Any = None
        self._config_dirs: set[Path] = set()
        self.timings: dict[str, float] = {}

    def __repr__(self) -> str:
        """Return a representation without any password."""
        chroot = f', chroot={str(self.chroot)!r}' if self.chroot else ''
        return (f'{type(self).__name__}({str(self.root)!r}, {self.port}'
                f'{chroot})')

    # -- addresses and state --------------------------------------------

    @property
    def api_url(self) -> str:
        """URL of api.php."""
        return f'{self.url}/api.php'

    @property
    def settings_file(self) -> Path:
        """The wiki's LocalSettings.php."""
        return self.root / 'LocalSettings.php'

    @property
    def mw_dir(self) -> Path:
        """MediaWiki's directory as PHP sees it."""
        return _CHROOT_MW_DIR if self.chroot else MW_DIR

    @property
    def mw_version_string(self) -> str:
        """The MediaWiki release under test, e.g. ``'1.43.1'``."""
        return mediawiki_version(_host_path(self.chroot, self.mw_dir))

    @property
    def mw_version(self) -> tuple[int, ...]:
        """The MediaWiki release under test, e.g. ``(1, 43, 1)``.

        Compare it with a tuple: ``wiki.mw_version >= (1, 39)``.
        """
        return tuple(int(part) for part in re.findall(
            r'\d+', self.mw_version_string.split('-')[0])[:3])

    @property
    def installed(self) -> bool:
        """Whether an installation exists below root."""
        return ((self.root / 'users.json').is_file()
                and self.settings_file.is_file())

    # -- lifecycle --------------------------------------------------------

    def start(self, fresh: bool = False, timeout: float = 30) -> TestWiki:
        """Install the wiki if needed, then serve it.

        :param fresh: discard an existing installation below root
        :param timeout: seconds to wait for the server to answer
        :return: self
        :raises WikiUnavailable: PHP or MediaWiki is not installed
        """
        if self.running:
            raise RuntimeError(f'{self!r} is running already')
        if fresh or not self.installed:
            self.install()
        else:
            self.users = json.loads(
                (self.root / 'users.json').read_text('utf-8'))
        for config_dir in self._config_dirs:  # written before the users
            self.write_password_file(config_dir)
        self._serve(timeout)
        return self

    def install(self) -> None:
        """Install MediaWiki below root and create the users.

        Anything installed there before is removed. The result is saved
        as snapshot ``pristine``.

        :raises WikiUnavailable: PHP or MediaWiki is not installed
        :raises RuntimeError: a PHP script failed
        """
        if missing := missing_requirements(self.chroot):
            raise WikiUnavailable('missing: ' + ', '.join(missing))
        start = time.monotonic()
        self._remove_installation()
        for name in ('images', 'sessions', 'tmp'):
            (self.root / name).mkdir(parents=True)
        self._write_runtime()
        (self.root / 'router.php').write_text(_ROUTER, encoding='utf-8')

        self.users = {'Admin': _password()}
        self._php([
            *self._script('install.php'),
            '--dbtype=sqlite', f'--dbpath={self._php_path(self.root)}/data',
            '--dbname=testwiki', f'--server={self.url}', '--scriptpath=',
            f'--pass={self.users["Admin"]}',
            f'--confpath={self._php_path(self.root)}',
            '--lang=en', 'TestWiki', 'Admin',
        ], config=False)
        with self.settings_file.open('a', encoding='utf-8') as f:
            f.write(_SETTINGS)
        self.timings['install'] = time.monotonic() - start

        start = time.monotonic()
        for name, groups in USER_GROUPS.items():
            if name != 'Admin':
                self.create_user(name, groups)
        _write_private(self.root / 'users.json', json.dumps(self.users))
        self.timings['users'] = time.monotonic() - start
        self.snapshot('pristine')

    def clone(self, root: Path, port: int | None = None) -> TestWiki:
        """Make another wiki from this one's ``pristine`` snapshot.

        No ``install.php`` runs: the settings, the users and the
        snapshot are copied, which takes a fraction of a second where
        an install takes seconds. The clone has the same users and
        passwords, the same arguments (rate limits, settings, workers)
        and chroot, but its own port, pages, files and sessions. It
        gets a ``pristine`` snapshot of its own, so :meth:`restore`
        works on it. Its ``$wgServer`` is its own: ``runtime.php`` is
        written on every :meth:`start`; so are its cookie names, which
        the settings take from the port of each request.

        Accounts made after the install are listed in :attr:`users`
        but do not exist on the clone, as after :meth:`restore`.

        Example::

            with wiki.clone(Path('/tmp/w2')) as other:
                assert other.users == wiki.users
                assert other.port != wiki.port

        :param root: directory for the clone, created if missing; an
            installation there is replaced
        :param port: TCP port; a free one if None
        :return: the clone, not started
        :raises ValueError: *root* is this wiki's root, or outside the
            chroot
        :raises FileNotFoundError: this wiki is not installed or has no
            ``pristine`` snapshot
        :raises RuntimeError: the settings name this wiki's directory
            in a way the clone cannot rewrite
        """
        start = time.monotonic()
        pristine = self._snapshot_dir('pristine')
        if not self.installed or not pristine.is_dir():
            raise FileNotFoundError(
                f'{self!r} has no installation with a pristine snapshot')
        clone = TestWiki(root, port, rate_limits=self.rate_limits,
                         settings=self.settings, workers=self.workers,
                         chroot=self.chroot)
        if clone.root == self.root:
            raise ValueError(f'cannot clone {self!r} onto itself')

        # install.php writes the database directory as an absolute path
        # ("$wgSQLiteDataDir = "/.../data";"), which the object caches
        # below it copy: left alone, the clone would use this wiki's
        # database. Every other path in the settings uses __DIR__.
        settings, count = re.subn(
            r'^\$wgSQLiteDataDir = .*;$',
            lambda m: "$wgSQLiteDataDir = __DIR__ . '/data';",
            self.settings_file.read_text('utf-8'), flags=re.M)
        own_root = re.compile('["\']' + re.escape(self._php_path(self.root))
                              + '["\'/]')
        if count != 1 or own_root.search(settings):
            raise RuntimeError(f'{self.settings_file} names {self.root} '
                               'where the clone cannot rewrite it')

        clone._remove_installation()
        clone.root.mkdir(parents=True, exist_ok=True)
        clone.settings_file.write_text(settings, encoding='utf-8')
        (clone.root / 'router.php').write_text(_ROUTER, encoding='utf-8')
        # runtime.php too, so maintenance scripts run before a start
        clone._write_runtime()
        clone.users = json.loads(
            (self.root / 'users.json').read_text('utf-8'))
        _write_private(clone.root / 'users.json', json.dumps(clone.users))
        shutil.copytree(pristine, clone._snapshot_dir('pristine'),
                        symlinks=True)
        for part in ('data', 'images'):
            shutil.copytree(pristine / part, clone.root / part,
                            symlinks=True)
        for name in ('sessions', 'tmp'):
            (clone.root / name).mkdir()
        clone.timings['clone'] = time.monotonic() - start
        return clone

    def _remove_installation(self) -> None:
        """Remove what an installation below root consists of."""
        for name in ('data', 'images', 'sessions', 'snapshots', 'tmp',
                     'LocalSettings.php', 'users.json'):
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def create_user(self, name: str, groups: Iterable[str] = (),
                    password: str | None = None) -> str:
        """Create an account, or add groups to an existing one.

        The password is recorded in :attr:`users` and in the password
        files of every configuration directory this harness wrote, so
        pywikibot can log in as *name* right away. Accounts made after
        a snapshot are gone after restoring it (but stay in
        :attr:`users`).

        :param name: user name
        :param groups: groups to add, e.g. ``('sysop',)``
        :param password: a password; a random one if None
        :return: the password
        """
        password = password or self.users.get(name) or _password()
        args = ['--force']  # an existing account is updated, not refused
        if groups:
            args.append('--custom-groups=' + ','.join(groups))
        self.maintenance('createAndPromote.php', *args, name, password)
        self.users[name] = password
        if (self.root / 'users.json').exists():  # not during install()
            _write_private(self.root / 'users.json', json.dumps(self.users))
            for config_dir in self._config_dirs:
                self.write_password_file(config_dir)
        return password

    def _serve(self, timeout: float) -> None:
        """Start the web server and wait until the API answers."""
        start = time.monotonic()
        self._write_runtime()
        # router.php is rewritten on every start: an installation made by
        # an older harness gets the current one.
        (self.root / 'router.php').write_text(_ROUTER, encoding='utf-8')
        env = dict(os.environ, MW_CONFIG_FILE=self._php_path(
            self.settings_file))
        self._launch(
            [*_php_prefix(self.chroot, self.mw_dir),
             '-S', f'127.0.0.1:{self.port}', '-t', str(self.mw_dir),
             self._php_path(self.root / 'router.php')],
            _host_path(self.chroot, self.mw_dir), env)
        probe = f'{self.api_url}?action=query&meta=siteinfo&format=json'

        def answers() -> bool:
            with _OPENER.open(probe, timeout=5) as resp:
                return 'general' in json.load(resp).get('query', {})

        self._wait_serving(answers, timeout, start)

    def _write_runtime(self) -> None:
        """Write the settings that may change between starts."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = (f'<?php\n$wgServer = "{self.url}";\n'
                + (_RATE_LIMITS if self.rate_limits else _NO_RATE_LIMITS)
                + self.settings + '\n')
        (self.root / 'runtime.php').write_text(text, encoding='utf-8')

    # -- PHP and maintenance scripts --------------------------------------

    def _php(self, args: list[str], config: bool = True,
             timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a PHP script quietly, raising with its output on failure.

        Arguments may hold passwords, so the error message shows the
        script name and output only.
        """
        env = dict(os.environ)
        if config:
            env['MW_CONFIG_FILE'] = self._php_path(self.settings_file)
            if self.mw_version < (1, 39):
                # 1.35's maintenance scripts ignore the variable (1.39's
                # read it); --conf works in both.
                args = [args[0], f'--conf={env["MW_CONFIG_FILE"]}',
                        *args[1:]]
        proc = subprocess.run([*_php_prefix(self.chroot, self.mw_dir), *args],
                              cwd=_host_path(self.chroot, self.mw_dir),
                              env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=timeout, check=False)
        if proc.returncode:
            name = next((a for a in args if a.endswith('.php')
                         and not a.endswith('run.php')), args[0])
            raise RuntimeError(
                f'{Path(name).name} failed ({proc.returncode}):\n'
                f'{proc.stdout[-2000:]}{proc.stderr[-2000:]}')
        return proc

    def _php_path(self, path: Path) -> str:
        """Return *path*, a path of this machine, as PHP sees it."""
        if self.chroot is None:
            return str(path)
        return '/' + str(Path(path).resolve().relative_to(self.chroot))

    def _script(self, script: str) -> list[str]:
        """Return the PHP arguments that run a maintenance *script*.

        From 1.40 on scripts are meant to be run by ``run.php``;
        running them directly is deprecated.
        """
        folder = self.mw_dir / 'maintenance'
        if self.mw_version >= (1, 40):
            return [str(folder / 'run.php'), str(folder / script)]
        return [str(folder / script)]

    def maintenance(self, script: str, *args: str,
                    timeout: float = 120) -> str:
        """Run a MediaWiki maintenance script against this wiki.

        :param script: file name in MediaWiki's maintenance directory,
            e.g. ``runJobs.php``, or the absolute path of a script of
            this machine (in the chroot, if any)
        :param args: its arguments; paths of this machine that lie in
            the chroot, alone or after ``--option=``, are passed as PHP
            inside it sees them
        :param timeout: seconds before the script is killed
        :return: the script's standard output
        """
        if self.chroot is not None:
            inside = re.compile(re.escape(str(self.chroot)) + '(?=/)')
            args = tuple(inside.sub('', str(arg)) for arg in args)
        if script == 'importDump.php' and not any(
                str(arg).startswith('--username-prefix') for arg in args):
            # Credit revisions to the local account of the same name, as
            # 1.39 does by default; 1.35 does so only given a prefix and
            # otherwise writes every name as "imported>NAME".
            args = ('--username-prefix=imported', *args)
        if Path(script).is_absolute():
            script = self._php_path(Path(script))
        return self._php([*self._script(script), *args],
                         timeout=timeout).stdout

    def run_jobs(self, job_type: str | None = None) -> str:
        """Run the job queue (web requests never do, $wgJobRunRate = 0).

        :param job_type: run only the jobs of this type, e.g.
            ``'deletePage'``; the queue holds every job of the session
            so far (after the 5,000-page load test, about 40 s of them)
        :return: the output of ``runJobs.php``
        """
        args = () if job_type is None else (f'--type={job_type}',)
        return self.maintenance('runJobs.php', *args)

    def api_get(self, **params: str | int) -> dict[str, Any]:
        """GET api.php without pywikibot, e.g. to check a result.

        :param params: API parameters; ``format=json`` and
            ``formatversion=2`` are added
        :return: the decoded answer
        """
        query = urllib.parse.urlencode(
            {'format': 'json', 'formatversion': 2, **params})
        with _OPENER.open(f'{self.api_url}?{query}', timeout=30) as resp:
            return json.load(resp)

    # -- snapshots --------------------------------------------------------

    def snapshot(self, name: str) -> Path:
        """Save the wiki's pages, users and files as *name*.

        Call it between requests (or with the server stopped): sqlite
        files copied mid-write would be inconsistent.

        :param name: snapshot name, a plain file name
        :return: the snapshot's directory
        """
        dest = self._snapshot_dir(name)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for part in ('data', 'images'):
            shutil.copytree(self.root / part, dest / part, symlinks=True)
        return dest

    def restore(self, name: str = 'pristine') -> None:
        """Bring the wiki back to snapshot *name*.

        A running server is restarted, so nothing cached in PHP outlives
        the restore. Login sessions are kept: clients stay logged in.

        :param name: a name given to :meth:`snapshot`
        :raises FileNotFoundError: no such snapshot
        """
        src = self._snapshot_dir(name)
        if not src.is_dir():
            raise FileNotFoundError(f'no snapshot {name!r} in {self.root}')
        running = self.running
        self.stop()
        for part in ('data', 'images'):
            shutil.rmtree(self.root / part, ignore_errors=True)
            shutil.copytree(src / part, self.root / part, symlinks=True)
        if running:
            self._serve(30)

    def snapshots(self) -> list[str]:
        """Return the names of the saved snapshots."""
        folder = self.root / 'snapshots'
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() \
            else []

    def _snapshot_dir(self, name: str) -> Path:
        if not name or Path(name).name != name or name.startswith('.'):
            raise ValueError(f'bad snapshot name {name!r}')
        return self.root / 'snapshots' / name

    # -- server log -------------------------------------------------------

    def server_log_lines(self, settle: float = 0.05) -> list[LogLine]:
        """Return the access lines the web server has logged so far.

        The server logs a request after answering it, so the last line
        may lag a moment behind the client: the log is read until it
        stops growing for *settle* seconds.

        :param settle: seconds without growth before reading
        :return: parsed lines, oldest first, over all server runs
        """
        if not self.log_file.exists():
            return []
        size = -1
        while (new_size := self.log_file.stat().st_size) != size:
            size = new_size
            time.sleep(settle)
        lines = []
        with self.log_file.open(encoding='utf-8', errors='replace') as f:
            for line in f:
                if m := _LOG_RE.match(line):
                    lines.append(LogLine(int(m['status']), m['method'],
                                         m['path']))
        return lines

    def request_count(self, path_prefix: str = '') -> int:
        """Return how many requests the server has answered.

        Take the difference of two calls to count the requests of one
        piece of work.

        :param path_prefix: count only paths starting so, e.g.
            ``/api.php``
        :return: number of logged requests
        """
        return sum(1 for line in self.server_log_lines()
                   if line.path.startswith(path_prefix))

    # -- pywikibot ---------------------------------------------------------

    def write_pywikibot_config(self, config_dir: Path,
                               username: str = 'Admin',
                               extra: str = '') -> Path:
        """Write a pywikibot configuration directory for this wiki.

        The family and the code are both ``testwiki``, so
        ``pywikibot.Site()`` and ``pywikibot.Site('testwiki',
        'testwiki', user=NAME)`` address this wiki. Every user's
        password is in ``user-password.py``, so any of them can log in.

        :param config_dir: directory to use as PYWIKIBOT_DIR
        :param username: default user of the site
        :param extra: Python source appended to ``user-config.py``
        :return: *config_dir*
        """
        config_dir = Path(config_dir)
        config_dir.mkdir(parents=True, exist_ok=True)
        text = _USER_CONFIG.format(family=FAMILY, code=CODE,
                                   api_url=self.api_url, username=username)
        if extra:
            text += '\n' + extra.rstrip('\n') + '\n'
        (config_dir / 'user-config.py').write_text(text, encoding='utf-8')
        self.write_password_file(config_dir)
        return config_dir

    def write_password_file(self, config_dir: Path) -> None:
        """(Re)write ``user-password.py`` in *config_dir* with all users.

        Useful when the configuration was written before the passwords
        were known (before :meth:`start`).

        :param config_dir: a directory from :meth:`write_pywikibot_config`
        """
        users = self.users
        if not users and (self.root / 'users.json').is_file():
            users = json.loads((self.root / 'users.json').read_text('utf-8'))
        self._config_dirs.add(Path(config_dir).resolve())
        lines = [f'({CODE!r}, {FAMILY!r}, {name!r}, {password!r})'
                 for name, password in users.items()]
        _write_private(Path(config_dir) / 'user-password.py',
                       '\n'.join(lines) + '\n')

    @staticmethod
    def pywikibot_env(config_dir: Path) -> dict[str, str]:
        """Return an environment for a pywikibot subprocess.

        :param config_dir: directory from :meth:`write_pywikibot_config`
        :return: a copy of os.environ using *config_dir*
        """
        env = dict(os.environ)
        env['PYWIKIBOT_DIR'] = str(Path(config_dir).resolve())
        for name in ('PYWIKIBOT_NO_USER_CONFIG', 'PYWIKIBOT_DIR_PWB',
                     'PYWIKIBOT_TEST_RUNNING'):
            env.pop(name, None)
        # A warnings filter of 'error' would turn pywikibot's own
        # deprecation notes into crashes of the program under test.
        if 'error' in env.get('PYTHONWARNINGS', ''):
            del env['PYTHONWARNINGS']
        env['PYTHONIOENCODING'] = 'utf-8'
        no_proxy = env.get('NO_PROXY', env.get('no_proxy', ''))
        if '127.0.0.1' not in no_proxy:
            no_proxy = ','.join(filter(None, (no_proxy, '127.0.0.1')))
        env['NO_PROXY'] = env['no_proxy'] = no_proxy
        return env

    def run_pwb(self, args: list[str], config_dir: Path,
                timeout: float = 300, input: str | None = None,
                ) -> subprocess.CompletedProcess:
        """Run pywikibot's ``pwb`` wrapper against this wiki.

        The ``pwb`` next to the running interpreter is used, so a
        virtualenv's own pywikibot runs.

        :param args: arguments after ``pwb``, e.g. ``['login']``
        :param config_dir: directory from :meth:`write_pywikibot_config`
        :param timeout: seconds before the program is killed
        :param input: text for its standard input; none if None
        :return: the finished process, output captured as text
        """
        pwb = Path(sys.executable).with_name('pwb')
        cmd = [str(pwb)] if pwb.exists() else [
            sys.executable, '-m', 'pywikibot.scripts.wrapper']
        return subprocess.run(
            [*cmd, *args], env=self.pywikibot_env(config_dir),
            cwd=config_dir, input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True, text=True, encoding='utf-8',
            timeout=timeout, check=False)
