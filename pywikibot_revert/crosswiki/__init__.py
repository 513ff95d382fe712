"""One command over many wikis: ``-sites:`` and ``-global``.

- ``_sites``: the wikis of a run, named or found by CentralAuth;
- ``_run``: the run: the command line, the question, the combined
  summary;
- ``_checks``: each wiki checked before the first write, side by side;
- ``_reports``: the wikis' ``-report`` rows merged into one;
- ``_workers``: each wiki in a thread of its own, N at a time;
- ``_child``: what a wiki's thread knows of the run: its wiki, the
  prefix of its lines.
"""
