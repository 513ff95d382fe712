#!/usr/bin/env python3
r"""Revert overwritten files to an earlier version.

With -user:NAME ("file rollback"), every file whose current version
NAME uploaded goes back to the newest version not uploaded by NAME;
without page selection, NAME's overwrites are taken from the upload
log. With -to:TIMESTAMP, each selected file goes back to the version
that was current at that time.

A file with no earlier version to go back to, or whose current version
is already someone else's, is skipped and counted. A file is reverted
only from the version the plan was made from: after a confirmation, or
when read more than a few seconds before, it is read again, and a new
upload since is never overwritten. Each revert is read back; if an
upload still slipped in just before it, that upload is put back at once
and the file is counted as a conflict (exit status 1).

Usage::

    pwb filerevert -user:NAME [page selection] [options]
    pwb filerevert -to:TIMESTAMP page selection [options]
    pwb filerevert -undo:JOURNAL

Options:

-user:NAME        Undo NAME's overwrites.
                  (Not the global -user option: put the acting
                  account before the script name.)

-to:TS            Go back to the version current at TS (UTC:
                  20261123154500 or 2026-11-23T15:45:00Z).

-summary:TEXT     Upload comment. Default: the wiki's own, as its
                  revert form fills it (MediaWiki:Filerevert-
                  defaultcomment with the date and time of the version
                  reverted to, e.g. "Reverted to version as of 19:05,
                  29 November 2026 (UTC)"); -simulate shows it.

-nouser           Keep user names out of every default comment (the
                  wiki's file revert comment names none).

-always           Do not ask for each file (nor to confirm the wiki and
                  account named before the first write).

-journal:FILE     JSON Lines journal (mode 600) for resume and undo.

-report:FILE      Write every item not done (skipped, failed, conflict,
                  declined) with its reason and review links:
                  .wiki (a sortable table to save on a wiki page), .csv
                  or .jsonl, by the extension. Rows are written as the
                  run goes.

-undo:FILE        Reverse a journal: each file goes back to the version
                  the revert replaced (only if unchanged since).

-maxwait:SEC      How long to wait out rate limits and lag (default 300).

-simulate         (global) Write nothing; show what would happen.

&params;

&crosswiki;

Examples::

    pwb filerevert -user:Vandal -always -journal:files.jsonl
    pwb filerevert -to:2026-11-20T00:00:00Z -cat:Logos -simulate
    pwb filerevert -undo:files.jsonl -always
    pwb filerevert -user:Vandal -sites:commons:commons,wikipedia:en \
        -journal:files.d

The exit status is 0 when every action succeeded (skips included), and
non-zero when an action failed or the run was interrupted.
"""
from __future__ import annotations

import sys

from pywikibot import pagegenerators

from pywikibot_revert.bot._cli import run
from pywikibot_revert.crosswiki._run import CROSSWIKI_HELP
from pywikibot_revert.bot._filerevert import FileRevertBot


docuReplacements = {'&params;': pagegenerators.parameterHelp,  # noqa: N816
                    '&crosswiki;': CROSSWIKI_HELP}


def main(*args: str) -> None:
    """Run ``pwb filerevert`` with *args*."""
    status = run(FileRevertBot, *args)
    if status:
        sys.exit(status)


if __name__ == '__main__':
    main()
