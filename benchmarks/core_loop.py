"""The pywikibot core contenders: the obvious loops with core's own API.

- rollback: ``site.usercontribs(user=..., top=True)``, then
  ``Page.rollback(user=...)`` for each page. In pywikibot 11.9
  ``APISite.rollbackpage`` evaluates
  ``kwargs.pop('user', page.latest_revision.user)``, so the latest
  revision (with its text) is read for every page even when the user
  is given.
- undelete: ``site.logevents(logtype='delete', user=ADMIN)`` (deletions
  only, each title once), then ``Page.undelete(summary)``.
- filerevert: ``site.logevents(logtype='upload', user=...)``
  (overwrites only), ``FilePage.get_file_history()`` per file, then
  ``site.simple_request(action='filerevert', ...)``.

Usage (the benchmark runs it with ``PYWIKIBOT_DIR`` set to a fresh
configuration directory of the test wiki)::

    python benchmarks/core_loop.py rollback|undelete|filerevert

Timings go to ``BENCH_RESULT`` (see :mod:`probe`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe  # noqa: E402

#: at most this many error messages are kept for the report
MAX_ERRORS = 5


def _failure(errors: list[str], title: str, err: Exception) -> None:
    """Count a failed item; keep the first few messages."""
    probe.state['extra']['failed'] = probe.state['extra'].get('failed',
                                                              0) + 1
    if len(errors) < MAX_ERRORS:
        errors.append(f'{title}: {type(err).__name__}: {err}'[:300])


def rollback(site: Any, target: str, errors: list[str]) -> int:
    """Roll back *target*'s top edits; return how many were done."""
    import pywikibot
    from pywikibot.exceptions import Error

    done = 0
    for contrib in site.usercontribs(user=target, top=True):
        page = pywikibot.Page(site, contrib['title'])
        try:
            page.rollback(user=target)
        except Error as err:
            _failure(errors, contrib['title'], err)
        else:
            done += 1
    return done


def undelete(site: Any, admin: str, errors: list[str]) -> int:
    """Restore every page *admin* deleted; return how many."""
    from pywikibot.exceptions import Error

    done = 0
    seen: set[str] = set()
    for entry in site.logevents(logtype='delete', user=admin):
        if entry.action() != 'delete':
            continue
        page = entry.page()
        title = page.title()
        if title in seen:
            continue
        seen.add(title)
        try:
            page.undelete(summary='bench: restore')
        except Error as err:
            _failure(errors, title, err)
        else:
            done += 1
    return done


def filerevert(site: Any, target: str, errors: list[str]) -> int:
    """Revert every file *target* overwrote; return how many."""
    import pywikibot
    from pywikibot.exceptions import Error

    done = 0
    seen: set[str] = set()
    for entry in site.logevents(logtype='upload', user=target):
        if entry.action() != 'overwrite':
            continue
        filepage = pywikibot.FilePage(site, entry.page().title())
        title = filepage.title()
        if title in seen:
            continue
        seen.add(title)
        try:
            history = sorted(filepage.get_file_history().values(),
                             key=lambda info: info.timestamp, reverse=True)
            if not history or history[0].user != target:
                continue
            good = next((v for v in history[1:] if v.user != target), None)
            if good is None:
                continue
            site.simple_request(
                action='filerevert', filename=filepage.title(with_ns=False),
                archivename=good.archivename, comment='bench: revert',
                token=site.tokens['csrf']).submit()
        except Error as err:
            _failure(errors, title, err)
        else:
            done += 1
    return done


def main(argv: list[str] | None = None) -> int:
    """Run one core loop; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('job', choices=['rollback', 'undelete',
                                        'filerevert'])
    parser.add_argument('--target', default='Vandal',
                        help='whose work to revert')
    parser.add_argument('--admin', default='Admin',
                        help='who deleted the pages (undelete)')
    args = parser.parse_args(argv)

    probe.install()
    import pywikibot

    site = pywikibot.Site()
    site.login()
    probe.login_done()
    errors: list[str] = []
    if args.job == 'rollback':
        done = rollback(site, args.target, errors)
    elif args.job == 'undelete':
        done = undelete(site, args.admin, errors)
    else:
        done = filerevert(site, args.target, errors)
    probe.state['extra'].update(done=done, errors=errors)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
