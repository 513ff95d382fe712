"""One command over many wikis: ``-sites:`` and ``-global``.

- ``_sites``: the wikis of a run, named or found by CentralAuth;
- ``_run``: the parent run: preflight, children, combined summary;
- ``_reports``: the wikis' ``-report`` rows merged into one;
- ``_workers``: one ``pwb`` process per wiki, N at a time;
- ``_child``: what a wiki's run tells its parent.
"""
