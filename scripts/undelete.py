#!/usr/bin/env python3
r"""Restore deleted pages: a mistaken mass deletion, whole or in part.

Restores whole pages by default (file versions too). Never restores
more than asked for: with -except-user, -since or -until only the
matching deleted revisions come back. A page with nothing left to
restore is skipped and counted. A page created again since its
deletion is skipped too ("re-created since"): MediaWiki would merge the
archived history into it. -recreated:merge restores the older archived
revisions behind it instead, its current text unchanged (checked).

Usage::

    pwb undelete -logevents:delete,ADMIN,START,END [options]
    pwb undelete -page:TITLE | -file:LIST ... [options]
    pwb undelete -undo:JOURNAL

-logevents:delete,... selects what ADMIN deleted between START and END
(UTC, YYYYMMDD[HHMMSS], either order); only real deletions count, not
restores or revision deletions.

Options:

-except-user:NAME Restore every revision but NAME's.

-since:TS         Only revisions at or after TS, and

-until:TS         at or before TS (UTC: 20261123154500 or
                  2026-11-23T15:45:00Z).

-undeletetalk     Restore the talk pages too.

-recreated:WHAT   A page created again since the deletion: skip
                  (default) or merge (restore the older revisions
                  behind the current one; file versions stay deleted).

-summary:TEXT     Reason in the log. Default: one naming the deletion
                  undone, for pages selected with -logevents, e.g.
                  'Undoing: [[User:Hasty|Hasty]] deleted page [[:A]]
                  (log entry 1234 of 2026-11-29T19:05:14Z: "reason")',
                  the deletion in the words of the wiki's deletion log;
                  for
                  other pages "Restoring deleted revisions". In the
                  wiki's content language (English, German and
                  Ukrainian texts; English otherwise). -simulate shows
                  it.

-nouser           Keep the deleting admin's name (and the deletion's
                  own reason) out of the default reason: "Undoing a
                  deletion (log entry 1234 of ...)".

-tags:A,B         Change tags for the log entries.

-always           Do not ask for each page (nor to confirm the wiki and
                  account named before the first write).

-journal:FILE     JSON Lines journal (mode 600) for resume and undo.

-report:FILE      Write every item not done (skipped, failed, conflict,
                  declined) with its reason and review links:
                  .wiki (a sortable table to save on a wiki page), .csv
                  or .jsonl, by the extension. Rows are written as the
                  run goes.

-undo:FILE        Reverse a journal: delete again what it restored
                  (only pages nobody edited since).

-maxwait:SEC      How long to wait out rate limits and lag (default 300).

-simulate         (global) Write nothing; show what would happen.

&params;

&crosswiki;

Examples::

    pwb undelete -logevents:delete,MistakenAdmin,20261123,20261124 \
        -summary:"Restoring mistaken deletions" -always -journal:u.jsonl
    pwb undelete -file:titles.txt -except-user:Vandal -simulate
    pwb undelete -undo:u.jsonl -always
    pwb undelete -logevents:delete,MistakenBot,20261123,20261124 \
        -sites:wikipedia:de,wikipedia:fr -journal:u.d

The exit status is 0 when every action succeeded (skips included), and
non-zero when an action failed or the run was interrupted.
"""
from __future__ import annotations

import sys

from pywikibot import pagegenerators

from pywikibot_revert.bot._cli import run
from pywikibot_revert.crosswiki._run import CROSSWIKI_HELP
from pywikibot_revert.bot._undelete import UndeleteBot


docuReplacements = {'&params;': pagegenerators.parameterHelp,  # noqa: N816
                    '&crosswiki;': CROSSWIKI_HELP}


def main(*args: str) -> None:
    """Run ``pwb undelete`` with *args*."""
    status = run(UndeleteBot, *args)
    if status:
        sys.exit(status)


if __name__ == '__main__':
    main()
