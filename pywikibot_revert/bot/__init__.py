"""The scripts' machinery, on pywikibot's ``BaseBot`` loop.

- ``_base``: the common bot (options, run policy, life cycle);
- ``_cli``, ``_options``: the one command-line parser;
- ``_pagecount``: how many pages a selection names;
- ``_journal``: the journal of writes, for resume and undo;
- ``_report``, ``_reported``: the review report;
- ``_progress``: status lines on long runs;
- ``_rollback``, ``_buried``, ``_undelete``, ``_filerevert``: the bots
  behind ``pwb rollback``, ``pwb undelete`` and ``pwb filerevert``;
- ``_reverse``: ``-undo:JOURNAL``, a run's writes reversed.
"""
