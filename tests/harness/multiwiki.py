"""Several throwaway wikis at once, for tests that work across wikis.

The wikis are clones of the session's wiki (:meth:`TestWiki.clone
<harness.wikiharness.TestWiki.clone>`: a file copy, no install), each
served on a port of its own, with the same users and passwords.
pywikibot knows each one as an AutoFamily named in :data:`FAMILIES`; the
only code of an AutoFamily is its name, so
``pywikibot.Site('xwb', 'xwb')`` is the wiki of family ``xwb``, and so
is ``pwb -family:xwb -lang:xwb SCRIPT``.

Like :mod:`harness.wikiharness` this module needs the standard library
only; pywikibot is imported by the helpers that use it, since a process
reads its configuration directory once, on the first import.

Example::

    wikis = start_wikis(wiki, tmp / 'wikis')
    cfg = write_multi_config(tmp / 'pwb', wikis,
                             {'xwa': 'Admin', 'xwb': 'Vandal',
                              'xwc': 'Admin'}, default=wiki)
    try:
        wiki.run_pwb(['-family:xwb', '-lang:xwb', 'login'], cfg)
    finally:
        stop_wikis(wikis)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .wikiharness import (
    _USER_CONFIG, CODE, FAMILY, TestWiki, _write_private, free_port,
)

if TYPE_CHECKING:
    from pywikibot.site import APISite


__all__ = (
    'FAMILIES', 'PASSWORD_FILE', 'run_python', 'site_of', 'start_wikis',
    'stop_wikis', 'write_multi_config',
)

#: Family names of the wikis made by :func:`start_wikis` by default.
FAMILIES = ('xwa', 'xwb', 'xwc')

#: The password file of a configuration from :func:`write_multi_config`.
#: Not ``user-password.py``: the harness rewrites that file in every
#: configuration directory it wrote whenever a wiki starts, with the
#: ``testwiki`` family's lines only.
PASSWORD_FILE = 'multi-password.py'


def start_wikis(base: TestWiki, root: Path,
                families: Iterable[str] = FAMILIES) -> dict[str, TestWiki]:
    """Clone *base* once per family and start every clone.

    Each clone lives in ``root/FAMILY`` and is served on a free port
    of its own. If one fails to start, those started are stopped.

    :param base: an installed wiki, e.g. the session's ``wiki`` fixture
    :param root: directory for the clones; inside *base*'s chroot if it
        has one
    :param families: family names, one wiki each
    :return: the running wikis by family name, in the order given
    """
    wikis: dict[str, TestWiki] = {}
    try:
        for family in families:
            # One at a time: a port is only taken once its wiki listens,
            # so the next free_port() cannot hand it out again.
            wikis[family] = base.clone(Path(root) / family,
                                       free_port()).start()
    except BaseException:
        stop_wikis(wikis)
        raise
    return wikis


def stop_wikis(wikis: dict[str, TestWiki]) -> None:
    """Stop every wiki of *wikis*; their installations stay.

    :param wikis: wikis from :func:`start_wikis`
    """
    for wiki in wikis.values():
        wiki.stop()


def _users_of(wiki: TestWiki) -> dict[str, str]:
    """Return the user names and passwords of *wiki*."""
    if wiki.users:
        return wiki.users
    return json.loads((wiki.root / 'users.json').read_text('utf-8'))


def write_multi_config(config_dir: Path, wikis: dict[str, TestWiki],
                       usernames: dict[str, str], *,
                       default: TestWiki | None = None,
                       default_user: str = 'Admin',
                       api_urls: dict[str, str] | None = None,
                       extra: str = '') -> Path:
    """Write a pywikibot configuration directory for several wikis.

    Every key of *wikis* becomes an AutoFamily of that name, whose only
    code is the name too. If *default* is given, it is the default
    site, as family and code ``testwiki`` (as in
    :meth:`TestWiki.write_pywikibot_config`); otherwise the first wiki
    of *wikis* is. Throttles and retries are those of a one-wiki
    configuration. The password of every user of every wiki is in
    :data:`PASSWORD_FILE` (mode 600), which the harness leaves alone.

    Example, with one family reached through a fault proxy::

        with FaultProxy(wikis['xwb'].port) as proxy:
            cfg = write_multi_config(
                tmp / 'pwb', wikis, {name: 'Admin' for name in wikis},
                api_urls={'xwb': proxy.url + '/api.php'})

    :param config_dir: directory to use as PYWIKIBOT_DIR; created if
        missing
    :param wikis: the wikis by family name, e.g. from
        :func:`start_wikis`
    :param usernames: the default user of each family of *wikis*
    :keyword default: the wiki of family ``testwiki``, the default site
    :keyword default_user: the default user of *default*
    :keyword api_urls: api.php URLs by family name (``testwiki`` for
        *default*), in place of the wikis' own, e.g. a fault proxy's
    :keyword extra: Python source appended to ``user-config.py``
    :return: *config_dir*
    :raises ValueError: no wikis, a family of *wikis* is ``testwiki``
        while *default* is given, *usernames* does not name the user of
        every family, or *api_urls* names an unknown family
    """
    if not wikis:
        raise ValueError('no wikis to configure')
    if default is not None and FAMILY in wikis:
        raise ValueError(f'{FAMILY!r} is the family of the default wiki')
    if set(usernames) != set(wikis):
        raise ValueError(f'usernames names {sorted(usernames)}, '
                         f'but the wikis are {sorted(wikis)}')
    api_urls = dict(api_urls or {})
    known = set(wikis) | ({FAMILY} if default is not None else set())
    if unknown := set(api_urls) - known:
        raise ValueError(f'api_urls names unknown families '
                         f'{sorted(unknown)}')

    # (family, code, wiki, default user), the default site first
    sites = [(name, name, wiki, usernames[name])
             for name, wiki in wikis.items()]
    if default is not None:
        sites.insert(0, (FAMILY, CODE, default, default_user))

    family, code, wiki, username = sites[0]
    text = _USER_CONFIG.format(
        family=family, code=code, username=username,
        api_url=api_urls.get(family, wiki.api_url))
    text = text.replace("password_file = 'user-password.py'",
                        f'password_file = {PASSWORD_FILE!r}')
    if PASSWORD_FILE not in text:  # a safeguard: else logins would fail
        raise RuntimeError('wikiharness._USER_CONFIG names no '
                           "'user-password.py' to replace")
    for family, code, wiki, username in sites[1:]:
        text += (f'# {wiki.url}\n'
                 f'family_files[{family!r}] = '
                 f'{api_urls.get(family, wiki.api_url)!r}\n'
                 f'usernames[{family!r}][{code!r}] = {username!r}\n')
    if extra:
        text += '\n' + extra.rstrip('\n') + '\n'

    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / 'user-config.py').write_text(text, encoding='utf-8')
    lines = [f'({code!r}, {family!r}, {name!r}, {password!r})'
             for family, code, wiki, _ in sites
             for name, password in _users_of(wiki).items()]
    _write_private(config_dir / PASSWORD_FILE, '\n'.join(lines) + '\n')
    return config_dir


def site_of(family: str, user: str | None = None) -> APISite:
    """Return the site of *family* as *user*, not logged in yet.

    For a process whose PYWIKIBOT_DIR is a configuration from
    :func:`write_multi_config`, e.g. a script given to
    :func:`run_python`; the pytest process has the session's own.

    :param family: a family name, e.g. ``'xwb'``; also its code
    :param user: user name; the family's default user if None
    :return: the site
    """
    import pywikibot
    return pywikibot.Site(family, family, user=user)


def run_python(config_dir: Path, source: str, *args: str,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python *source* in a process using pywikibot configuration.

    Example::

        out = run_python(cfg, 'import sys; from harness import multiwiki; '
                         'print(multiwiki.site_of(sys.argv[1]))', 'xwb')

    :param config_dir: directory to use as PYWIKIBOT_DIR, e.g. from
        :func:`write_multi_config`
    :param source: the program, run as ``python -c SOURCE ARGS``; the
        directory of the harness package (tests/) is on its ``sys.path``
    :param args: its arguments, in ``sys.argv[1:]``
    :param timeout: seconds before the program is killed
    :return: the finished process, output captured as text
    """
    env = TestWiki.pywikibot_env(config_dir)
    tests = str(Path(__file__).resolve().parent.parent)
    env['PYTHONPATH'] = os.pathsep.join(filter(None, (
        tests, env.get('PYTHONPATH'))))
    return subprocess.run(
        [sys.executable, '-c', source, *args], env=env, cwd=config_dir,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        encoding='utf-8', timeout=timeout, check=False)
