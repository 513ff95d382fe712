#!/usr/bin/env python3
r"""Clean up all an account left: edits, page creations, uploads, moves, logs.

Rollback undoes what an account changed. A spambot or a vandal leaves
more: pages it created, files it uploaded or overwrote, pages it moved;
a compromised administrator leaves its log actions too. This script
reads the account's whole footprint first (its contributions, its
logs), shows the plan as counts, and then undoes it in one run, in the
order that lets each step work:

0. its log actions, where it is an administrator: the pages it deleted
   restored (what each deletion took, not an older one's), the
   revisions it hid shown again (and those it showed hidden again), the
   protections it set, changed or lifted put back as they were, its
   blocks lifted by block id (another administrator's block on the same
   user stays) and the groups it gave or took put back with their
   expiries. Whatever someone else changed since is left; its unblocks,
   and what no API action reverses (history merges, imports, filter
   changes, global actions), are listed for review with a link to the
   log entry;
1. its edits, on each page's current title: rolled back where they are
   on top, undone with MediaWiki's undo where later edits are on top of
   them (as pwb rollback -buried);
2. the files it overwrote: reverted to the latest version by someone
   else;
3. the pages it moved: moved back, newest move first (a chain A->B->C
   goes back C->B->A), each talk page and subpage as the move took
   them, over the redirects the moves left, without leaving a redirect
   where the account has the suppressredirect right;
4. the pages only it wrote (every revision, every file version): deleted,
   with their talk page when that is its alone too.

Nothing is overwritten or deleted that the plan did not see: a page
someone else edited is not deleted (its edits by the account are undone
like any other, and it is listed for review); an old title that has a
page of its own now is not moved over (listed for review); a page edited
between the plan and its delete is left; and a delete that took an edit
made in its last second is restored at once. Without -always, each item
is shown (the diff, the move, the page to delete with its size) and
asked about.

Usage::

    pwb cleanup -user:NAME [-only:KINDS] [page selection] [options]
    pwb cleanup -iprange:CIDR [options]
    pwb cleanup -undo:JOURNAL

Options:

-user:NAME        Whose footprint to clean up (user name or IP).
                  This is not pywikibot's global -user option: to
                  choose the account that acts, put it before the
                  script name (pwb -user:CleanupBot cleanup ...).

-iprange:CIDR     Instead of -user: a whole IP range (MediaWiki 1.36+):
                  the edits on top rolled back, each page for its latest
                  IP, and the pages one IP of the range wrote alone
                  deleted. Edits under later edits, moves and uploads
                  are not read for a range (run -user:IP for one IP).

-only:KINDS       Only these kinds, comma separated (default: all):
                  logs (its log actions, as in 0. above), edits
                  (rollback of the edits on top), buried (undo of
                  the edits under later edits), uploads (files it
                  overwrote reverted, files only it uploaded deleted),
                  moves (moved back), creations (pages only it wrote
                  deleted).

-since:TS         Only what the account did at or after TS, and

-until:TS         at or before TS. TS is UTC, 20261123154500 or
                  2026-11-23T15:45:00Z.

&hide;

-summary:TEXT     The summary of every write. Default: the wiki's
                  rollback summary, the undo summary naming the user,
                  the wiki's file revert comment, "Moving back: A to B
                  (log N)", and for a deletion Nuke's reason where the
                  wiki has Nuke ("Mass deletion of pages added by
                  NAME"), else "Page created by NAME, with no other
                  author (cleanup)". MediaWiki's texts and the
                  plugin's (English, German, Ukrainian) are in the
                  wiki's content language.

-nouser           Keep the account's name out of every default summary
                  and reason: MediaWiki:Revertpage-nouser for the
                  rollbacks, MediaWiki:Undo-summary-username-hidden for
                  the undos, "Page created by a hidden user, with no
                  other author (cleanup)" for the deletions; for a
                  rogue administrator's log actions, restores and
                  unblocks that do not name it.

-markbot          Mark the rollbacks and the reverted edits as bot
                  edits (needs the markbotedits right).

-tags:A,B         Change tags for the rollback edits.

-watchlist:VALUE  watch, unwatch, preferences or nochange.

-always           Do not ask for each item; without it, the run first
                  asks to confirm the wiki and the account, then shows
                  each item and asks yes/no/all/quit.

-journal:FILE     Write a JSON Lines journal (mode 600): one record
                  before and after each write. Rerunning the same
                  command with the same journal resumes and never acts
                  twice.

-undo:FILE        Reverse a journal, newest first: each deleted page is
                  restored with exactly the revisions the run deleted
                  (and its talk page), each page moved back is moved
                  again, each edit and file revert is undone, each
                  restore deleted again, each protection, group change
                  and revision visibility put back as the account had
                  set it and each block lifted placed again; each only
                  where nobody changed it since.

-report:FILE      Write every item not done (left for review, skipped,
                  failed, conflict) with its reason: .wiki, .csv or
                  .jsonl, by the extension.

-maxwait:SEC      How long to wait out rate limits, lag and read-only
                  before stopping cleanly (default 300).

-simulate         (global) Write nothing; show the plan and what would
                  happen.

-ns:NS            Only these namespaces (for log actions: of the page
                  or, for blocks and groups, of the user page).

Rights: each kind needs its own (rollback; edit; move, and
suppressredirect to leave no redirect; upload and reupload; delete,
deletedhistory and undelete; for log actions undelete, deleterevision,
protect, block, and the groups a bureaucrat may change). A kind the account cannot do is named
before the first write and left out (listed in the report); the others
go on.

&params;

&crosswiki;

Examples::

    pwb cleanup -user:Spambot -simulate
    pwb cleanup -user:Spambot -always -journal:spam.jsonl \
        -report:review.wiki
    pwb cleanup -user:Spambot -only:moves,creations -since:20261201
    pwb cleanup -user:RogueAdmin -since:20261206 -nouser \
        -hide:summary,user -always -journal:rogue.jsonl -report:rogue.wiki
    pwb cleanup -undo:spam.jsonl -always

The exit status is 0 when every action succeeded (skips and items left
for review included), 1 when an action failed or the run was
interrupted, 2 for bad input (before any write).
"""
from __future__ import annotations

import sys

from pywikibot import pagegenerators

from pywikibot_revert.bot._cleanup import CleanupBot
from pywikibot_revert.bot._cli import run
from pywikibot_revert.bot._hide import HIDE_HELP
from pywikibot_revert.crosswiki._run import CROSSWIKI_HELP


docuReplacements = {'&params;': pagegenerators.parameterHelp,  # noqa: N816
                    '&crosswiki;': CROSSWIKI_HELP, '&hide;': HIDE_HELP}


def main(*args: str) -> None:
    """Run ``pwb cleanup`` with *args*."""
    status = run(CleanupBot, *args)
    if status:
        sys.exit(status)


if __name__ == '__main__':
    main()
