"""The test harness: what the tests run against, none of it a test.

The test modules and ``conftest.py`` import it as ``harness`` (pytest
and ``conftest.py`` put ``tests/`` on ``sys.path``), and so do the
benchmarks, which put ``tests/`` there themselves. This file imports
nothing; each module is imported by its own name.

- :mod:`harness.wikiharness`: a throwaway MediaWiki served on
  127.0.0.1 (``TestWiki``); standard library only, for the benchmarks
  too.
- :mod:`harness.multiwiki`: clones of it running at once, known to
  pywikibot as the families ``xwa``, ``xwb`` and ``xwc``.
- :mod:`harness.faultproxy`: a loopback proxy between pywikibot and a
  wiki that drops, holds or garbles chosen requests.
- :mod:`harness.wikitools`: seeding and reading a wiki through
  pywikibot, and driving ``pwb`` as an operator would.
- :mod:`harness.fakesite`: ``FakeSite``, the one stand-in for an
  APISite in the unit tests.
- :mod:`harness.errors`: the sets of error classes the unit tests go
  through.
- :mod:`harness.demo`: the main job on a local demo wiki, a program
  (``bash .ci/demo.sh``).
"""
