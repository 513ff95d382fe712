"""A Wikimedia-like test wiki: the anti-abuse extensions switched on.

Debian's ``mediawiki`` package bundles the extensions that guard every
Wikimedia wiki: AbuseFilter, SpamBlacklist, TitleBlacklist and
ConfirmEdit. :func:`make_wikimedia_like` clones the session's wiki
(:meth:`TestWiki.clone <harness.wikiharness.TestWiki.clone>`, a file
copy), loads them, lets ``update.php`` make their tables, adds the
filters of :data:`FILTERS` and saves the result as snapshot
:data:`SNAPSHOT`, so each test restores it.

- AbuseFilter: a filter that disallows an edit adding :data:`DISALLOW`,
  and one that only warns about an edit adding :data:`WARN`; neither
  applies to the accounts that seed pages (:data:`SEEDERS`).
- SpamBlacklist and TitleBlacklist: empty until a test writes
  ``MediaWiki:Spam-blacklist`` or ``MediaWiki:Titleblacklist``
  (:func:`blacklist`), so pages can be seeded before.
- ConfirmEdit: a captcha (the default SimpleCaptcha, a sum) on every
  edit of an account without ``skipcaptcha``. Every user has it but
  the group ``rollbacker``: :data:`CAPTCHA_USER` (``Rollbacker``) is
  asked; sysops and bots skip it, as on Wikimedia wikis.

Like :mod:`harness.wikiharness` this module needs the standard library
only (:func:`blacklist` imports :class:`~harness.wikitools.ApiClient`,
hence pywikibot, when called).

Example::

    wm = make_wikimedia_like(wiki, session_dir / 'wikimedia').start()
    blacklist(wm, 'Spam-blacklist', r'spam\\.example')
    wm.restore(SNAPSHOT)
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from .wikiharness import TestWiki


__all__ = ('CAPTCHA_USER', 'CLEANER', 'DISALLOW', 'EXTENSIONS', 'FILTERS',
           'bundled_extensions',
           'SEEDERS', 'SNAPSHOT', 'WARN', 'blacklist', 'make_wikimedia_like')

#: the extensions loaded, all bundled by Debian's mediawiki package
EXTENSIONS = ('AbuseFilter', 'SpamBlacklist', 'TitleBlacklist',
              'ConfirmEdit')

#: text whose addition an AbuseFilter filter disallows
DISALLOW = 'AFDISALLOW'
#: text whose addition an AbuseFilter filter warns about
WARN = 'AFWARN'
#: the account ConfirmEdit asks for a captcha on every edit
CAPTCHA_USER = 'Rollbacker'
#: an account that may roll back, undelete and delete, but not
#: override the title blacklist (``tboverride``: sysops have it)
CLEANER = 'Cleaner'
#: the accounts the filters let through, so that a test can seed what
#: a cleanup's undo would bring back
SEEDERS = ('Editor', 'Vandal')
#: AbuseFilter filters: (id, pattern, action, parameters)
_SEEDER = ' & '.join(f'user_name != "{name}"' for name in SEEDERS)
FILTERS = (
    (1, f'added_lines contains "{DISALLOW}" & {_SEEDER}', 'disallow', ''),
    (2, f'added_lines contains "{WARN}" & {_SEEDER}', 'warn',
     'abusefilter-warning'),
)
#: the snapshot with the extensions' tables and the filters
SNAPSHOT = 'wikimedia'

_SETTINGS = r"""
# ---- added by tests/harness/wikimedia.py ----
wfLoadExtensions( [ {extensions} ] );
# Only the on-wiki lists (MediaWiki:Spam-blacklist, ...), never a
# download of Meta-Wiki's.
$wgBlacklistSettings = [ 'spam' => [ 'files' => [] ],
    'email' => [ 'files' => [] ] ];
$wgTitleBlacklistSources = [];
$wgCaptchaTriggers['edit'] = true;
$wgCaptchaTriggers['create'] = true;
$wgGroupPermissions['user']['skipcaptcha'] = true;
$wgRevokePermissions['rollbacker']['skipcaptcha'] = true;
# An account that may clean up but has no tboverride (sysops have it).
$wgGroupPermissions['cleaner']['rollback'] = true;
$wgGroupPermissions['cleaner']['undelete'] = true;
$wgGroupPermissions['cleaner']['delete'] = true;
$wgGroupPermissions['cleaner']['deletedhistory'] = true;
$wgGroupPermissions['cleaner']['deletedtext'] = true;
$wgGroupPermissions['cleaner']['browsearchive'] = true;
"""
_ABUSEFILTER_SETTINGS = r"""
$wgGroupPermissions['sysop']['abusefilter-modify'] = true;
$wgGroupPermissions['sysop']['abusefilter-log-detail'] = true;
"""


def bundled_extensions(chroot: Path | None = None) -> tuple[str, ...]:
    """Return which of :data:`EXTENSIONS` the MediaWiki under test has.

    Debian's 1.39 and 1.43 bundle all four; 1.35 (bullseye) has no
    AbuseFilter (its ``extensions/AbuseFilter`` is a dangling link).

    :param chroot: the chroot of the MediaWiki under test, if any
    """
    found = []
    for name in EXTENSIONS:
        path = Path('/usr/share/mediawiki/extensions', name)
        if chroot is not None:
            # links in the chroot are absolute paths inside it
            while (inside := Path(chroot, path.relative_to('/'))
                   ).is_symlink():
                path = Path(os.path.join(path.parent, os.readlink(inside)))
            path = inside
        if (path / 'extension.json').is_file():
            found.append(name)
    return tuple(found)


def make_wikimedia_like(base: TestWiki, root: Path) -> TestWiki:
    """Clone *base* into *root* and turn it into a Wikimedia-like wiki.

    The clone is not started; its snapshot :data:`SNAPSHOT` holds the
    extensions' tables and the filters. ``update.php`` is the cost
    (a few seconds), paid once; :attr:`TestWiki.timings` has it as
    ``wikimedia``.

    :param base: an installed wiki, e.g. the session's
    :param root: directory for the clone; inside *base*'s chroot if any
    :return: the wiki, stopped
    """
    start = time.monotonic()
    wm = base.clone(root)
    extensions = bundled_extensions(wm.chroot)
    wm.settings += _SETTINGS.replace('{extensions}', ', '.join(
        f"'{name}'" for name in extensions))
    if 'AbuseFilter' in extensions:
        wm.settings += _ABUSEFILTER_SETTINGS
    wm._write_runtime()  # the maintenance scripts read the settings
    wm.maintenance('update.php', '--quick', '--skip-external-dependencies',
                   timeout=300)
    if 'AbuseFilter' in extensions:
        _add_filters(wm.root / 'data' / 'testwiki.sqlite')
    wm.create_user(CLEANER, ('cleaner',))
    wm.snapshot(SNAPSHOT)
    wm.timings['wikimedia'] = time.monotonic() - start
    return wm


def _add_filters(database: Path) -> None:
    """Insert :data:`FILTERS` into the wiki's sqlite *database*.

    AbuseFilter has no API to make filters; its tables are the same
    from 1.39 on but for the author (an actor from 1.43).
    """
    db = sqlite3.connect(database)
    with db:
        columns = {row[1] for row in db.execute(
            'PRAGMA table_info(abuse_filter)')}
        now = time.strftime('%Y%m%d%H%M%S', time.gmtime())
        # 1.43 names the filter's author by actor, earlier releases by
        # user id and name
        author = ({'af_actor': db.execute(
            "SELECT actor_id FROM actor WHERE actor_name = 'Admin'"
        ).fetchone()[0]} if 'af_actor' in columns
            else {'af_user': 1, 'af_user_text': 'Admin'})
        for filter_id, pattern, action, params in FILTERS:
            row = {'af_id': filter_id, 'af_pattern': pattern, **author,
                   'af_timestamp': now, 'af_enabled': 1, 'af_comments': '',
                   'af_public_comments': f'test filter {action}',
                   'af_hidden': 0, 'af_hit_count': 0, 'af_throttled': 0,
                   'af_deleted': 0, 'af_actions': action, 'af_global': 0,
                   'af_group': 'default'}
            row = {k: v for k, v in row.items() if k in columns}
            db.execute(f'INSERT INTO abuse_filter ({", ".join(row)}) '
                       f'VALUES ({", ".join("?" * len(row))})',
                       tuple(row.values()))
            db.execute('INSERT INTO abuse_filter_action (afa_filter, '
                       'afa_consequence, afa_parameters) VALUES (?, ?, ?)',
                       (filter_id, action, params))
    db.close()


def blacklist(wm: TestWiki, page: str, *lines: str) -> int:
    """Write the blacklist *page* of *wm* as ``Admin``.

    :param page: ``Spam-blacklist`` or ``Titleblacklist`` (in the
        MediaWiki namespace)
    :param lines: its entries (regular expressions)
    :return: the new revision id
    """
    from .wikitools import ApiClient
    admin = ApiClient(wm.api_url, 'Admin', wm.users['Admin'])
    return admin.edit(f'MediaWiki:{page}', '\n'.join(lines) + '\n',
                      'blacklist for a test')
