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

import sqlite3
import time
from pathlib import Path

from .wikiharness import TestWiki


__all__ = ('CAPTCHA_USER', 'CLEANER', 'DISALLOW', 'EXTENSIONS', 'FILTERS',
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
wfLoadExtensions( [ 'AbuseFilter', 'SpamBlacklist', 'TitleBlacklist',
    'ConfirmEdit' ] );
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
$wgGroupPermissions['sysop']['abusefilter-modify'] = true;
$wgGroupPermissions['sysop']['abusefilter-log-detail'] = true;
"""


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
    wm.settings = wm.settings + _SETTINGS
    wm._write_runtime()  # the maintenance scripts read the settings
    wm.maintenance('update.php', '--quick', '--skip-external-dependencies',
                   timeout=300)
    db = sqlite3.connect(wm.root / 'data' / 'testwiki.sqlite')
    with db:
        now = time.strftime('%Y%m%d%H%M%S', time.gmtime())
        for filter_id, pattern, action, params in FILTERS:
            db.execute(
                'INSERT INTO abuse_filter (af_id, af_pattern, af_user, '
                'af_user_text, af_timestamp, af_enabled, af_comments, '
                'af_public_comments, af_hidden, af_hit_count, af_throttled, '
                'af_deleted, af_actions, af_global, af_group) VALUES '
                "(?, ?, 1, 'Admin', ?, 1, '', ?, 0, 0, 0, 0, ?, 0, "
                "'default')",
                (filter_id, pattern, now, f'test filter {action}', action))
            db.execute('INSERT INTO abuse_filter_action (afa_filter, '
                       'afa_consequence, afa_parameters) VALUES (?, ?, ?)',
                       (filter_id, action, params))
    db.close()
    wm.create_user(CLEANER, ('cleaner',))
    wm.snapshot(SNAPSHOT)
    wm.timings['wikimedia'] = time.monotonic() - start
    return wm


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
