"""The scripts' machinery, on pywikibot's ``BaseBot`` loop.

- ``_base``: the common bot (options, run policy, life cycle);
- ``_writes``: each write under the journal (resume, read-backs);
- ``_cli``, ``_options``: the one command-line parser;
- ``_pagecount``: how many pages a selection names;
- ``_preflight``: rights, and the operator's yes to the wiki, first;
- ``_journal``: the journal of writes, for resume and undo;
- ``_resume``: what a run settles first from a killed run's journal;
- ``_readback``: restores onto a missing title, read back in batches;
- ``_report``: the review report (``-report:FILE``);
- ``_wikitable``: the ``.wiki`` report's table, its cells escaped;
- ``_summary``: the counts a run ends with;
- ``_errors``: errors only the scripts raise, and the run policy;
- ``_progress``: status lines on long runs;
- ``_rollback``, ``_undelete``, ``_filerevert``, ``_cleanup``: the
  bots behind ``pwb rollback``, ``pwb undelete``, ``pwb filerevert``
  and ``pwb cleanup``;
- ``_cleanupplan``: all an account left, read before a cleanup's
  first write; ``_cleanup_steps``: its files, moves back and deletes;
- ``_restoreplan``: what the undelete bot restores of a page;
- ``_buried``: the buried undo (``-buried``) the rollback bot holds;
- ``_reverse``: ``-undo:JOURNAL``, a run's writes reversed;
  ``_reverse_cleanup``: a cleanup's deletes and moves back reversed.
"""
