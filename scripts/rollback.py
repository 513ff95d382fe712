#!/usr/bin/env python3
r"""Roll back a user's (or an IP range's) latest edits on many pages.

Reverts, page by page, the latest run of edits by one user, exactly as
the rollback link does. A page where someone else edited after the user
is skipped and counted, never reverted; so is a page the user alone
wrote (that one is for deletion, not rollback).

Without page selection options, every page where the user made the
latest edit is treated (all of them, streamed from the user's
contributions); with them, only those pages.

Usage::

    pwb rollback -user:NAME [page selection] [options]
    pwb rollback -iprange:CIDR [options]
    pwb rollback -undo:JOURNAL

Options:

-user:NAME        Whose edits to roll back (user name or IP).
                  This is not pywikibot's global -user option: to
                  choose the account that acts, put it before the
                  script name (pwb -user:CleanupBot rollback ...).

-iprange:CIDR     Instead of -user: roll back a whole IP range, each
                  page for its own latest IP editor.

-since:TS         Only contributions at or after TS, and

-until:TS         at or before TS. TS is UTC, 20261123154500 or
                  2026-11-23T15:45:00Z.

-addedlink:DOMAIN Only where the user's run of edits added an external
                  link to DOMAIN or a subdomain (spam cleanup).

-summary:TEXT     Edit summary; default: the wiki's rollback summary.

-markbot          Mark the rollback and the reverted edits as bot
                  edits (needs the markbotedits right; default: on for
                  bot accounts that have it).

-tags:A,B         Change tags for the rollback edits.

-watchlist:VALUE  watch, unwatch, preferences or nochange.

-always           Do not ask for each page; without it, the run first
                  asks to confirm the wiki (family:code and API URL)
                  and the account, then each page shows the diff that
                  would be undone and asks yes/no/all/quit.

-journal:FILE     Write a JSON Lines journal (mode 600): one record
                  before and after each write. Rerunning the same command
                  with the same journal resumes and never acts twice.

-undo:FILE        Reverse a journal, newest first (only where the page
                  is still at the rollback's revision).

-maxwait:SEC      How long to wait out rate limits, lag and read-only
                  before stopping cleanly (default 300).

-simulate         (global) Write nothing; show what would happen.

-ns:NS            With the contribution listing: only these namespaces.

&params;

Examples::

    pwb rollback -user:Spambot -addedlink:spam.example -always \
        -journal:spam.jsonl
    pwb rollback -user:Vandal -since:2026-11-23T00:00:00Z -simulate
    pwb rollback -user:Vandal -cat:Protected_pages
    pwb rollback -iprange:192.0.2.0/24 -always
    pwb rollback -undo:spam.jsonl -always

The exit status is 0 when every action succeeded (skips included), and
non-zero when an action failed or the run was interrupted.
"""
from __future__ import annotations

import sys

from pywikibot import pagegenerators

from pywikibot_revert._cli import run
from pywikibot_revert._rollback_bot import RollbackBot


docuReplacements = {'&params;': pagegenerators.parameterHelp}  # noqa: N816


def main(*args: str) -> None:
    """Run ``pwb rollback`` with *args*."""
    status = run(RollbackBot, *args)
    if status:
        sys.exit(status)


if __name__ == '__main__':
    main()
