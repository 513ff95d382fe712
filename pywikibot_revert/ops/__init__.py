"""The operations: one each, each planned, written and checked.

Each operation reads a plan from the wiki, sends one write through
``wiki._write`` and, where the outcome is uncertain, asks the wiki
whether it landed. They are what ``page.revert`` and the public
functions of :mod:`pywikibot_revert` call; the scripts' bots call them
too.

- ``_rollback``, ``_rollback_plan``: roll back a user's latest edits;
  what a mass rollback would undo, planned for many pages per read;
- ``_undo_user``, ``_undo_user_plan``, ``_undo_user_preview``: undo a
  user's runs buried under later edits, with MediaWiki's undo: the
  writes and the one loop over the runs; the runs found; what an undo
  would write;
- ``_undelete``: restore deleted revisions, never more than asked for;
- ``_filerevert``, ``_filehistory``: revert a file to an old version;
- ``_delete``: delete a page the user alone wrote, read back after;
- ``_move``: move a page back along a move the user made;
- ``_revdel``: hide or show parts of revisions (revision deletion);
- ``_protect`` (and ``_protection``), ``_block``, ``_userrights``,
  ``_logactions``: a rogue administrator's protections, blocks and
  group changes put back (by block id for blocks), never over a later
  change by someone else; what the three share (expiries, the clock, a
  title's log);
- ``_edit``: conflict-safe edits and the put-back after a conflict;
- ``_wikitext``, ``_spamlinks``: what a change does to wikitext; links
  to a spam domain removed.
"""
