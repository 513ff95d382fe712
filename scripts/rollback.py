#!/usr/bin/env python3
r"""Roll back a user's (or an IP range's) latest edits on many pages.

Reverts, page by page, the latest run of edits by one user, exactly as
the rollback link does. A page where someone else edited after the user
is skipped and counted, never reverted; so is a page the user alone
wrote (that one is for deletion, not rollback).

Without page selection options, every page where the user made the
latest edit is treated (all of them, streamed from the user's
contributions); with them, only those pages.

With -buried, the user's edits under later edits are undone too, with
MediaWiki's own undo, which merges the reversal with the later edits:
each run of the user's consecutive edits, newest first. An undo that
does not merge leaves the page as it is and lists it in the summary
and the -report; one that would change nothing (a later edit removed
the spam already) is skipped as "already clean". Each edit names the
revision it was planned on, so an edit made meanwhile is an edit
conflict, never overwritten.

Usage::

    pwb rollback -user:NAME [page selection] [options]
    pwb rollback -user:NAME -buried [-addedlink:DOMAIN] [options]
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
                  link to DOMAIN or a subdomain (spam cleanup). With
                  -buried, where an undo does not merge, the links to
                  DOMAIN are removed from the current text instead:
                  bracketed and bare links, a <ref> or list item that
                  holds only such a link, a citation template whose
                  url= points there; nothing else changes.

-buried           Also undo the user's edits under later edits (needs
                  -user). The default summary names the user and the
                  revisions undone. Pages where the user is on top are
                  rolled back as without it.

&hide;

-summary:TEXT     Edit summary; default: the wiki's rollback summary
                  (MediaWiki:Revertpage, in the wiki's content
                  language); with -buried, MediaWiki:Undo-summary for
                  one revision, "Undo revisions A to B by NAME" (in the
                  wiki's language) for several.

-nouser           Keep the user's name out of every default summary:
                  MediaWiki:Revertpage-nouser for the rollbacks,
                  MediaWiki:Undo-summary-username-hidden and "Undo
                  revisions A to B by a hidden user" for -buried. For
                  abusive user names that should not be repeated.

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

-undo:FILE        Reverse a journal, newest first: one edit puts each
                  page back where it was before the run (only where
                  the page is still at the run's last revision).

-report:FILE      Write every item not done (skipped, failed, conflict,
                  declined, not merged) with its reason and review links:
                  .wiki (a sortable table to save on a wiki page), .csv
                  or .jsonl, by the extension. Rows are written as the
                  run goes.


-maxwait:SEC      How long to wait out rate limits, lag and read-only
                  before stopping cleanly (default 300).

-simulate         (global) Write nothing; show what would happen.

-ns:NS            With the contribution listing: only these namespaces.

&params;

&crosswiki;

Examples::

    pwb rollback -user:Spambot -addedlink:spam.example -always \
        -journal:spam.jsonl
    pwb rollback -user:Spambot -buried -addedlink:spam.example \
        -journal:spam.jsonl -report:review.wiki
    pwb rollback -user:Vandal -since:2026-11-23T00:00:00Z -simulate
    pwb rollback -user:Vandal -cat:Protected_pages
    pwb rollback -iprange:192.0.2.0/24 -always
    pwb rollback -undo:spam.jsonl -always
    pwb rollback -user:Spambot -sites:wikipedia:de,wiktionary:de \
        -journal:spam.d
    pwb rollback -user:Spambot -global -buried -journal:spam.d \
        -report:review.csv
    pwb rollback -undo:spam.d -always

The exit status is 0 when every action succeeded (skips included), and
non-zero when an action failed or the run was interrupted.
"""
from __future__ import annotations

import sys

from pywikibot import pagegenerators

from pywikibot_revert.bot._cli import run
from pywikibot_revert.bot._hide import HIDE_HELP
from pywikibot_revert.crosswiki._run import CROSSWIKI_HELP
from pywikibot_revert.bot._rollback import RollbackBot


docuReplacements = {'&params;': pagegenerators.parameterHelp,  # noqa: N816
                    '&crosswiki;': CROSSWIKI_HELP, '&hide;': HIDE_HELP}


def main(*args: str) -> None:
    """Run ``pwb rollback`` with *args*."""
    status = run(RollbackBot, *args)
    if status:
        sys.exit(status)


if __name__ == '__main__':
    main()
