"""The test command fails, not skips, when its wiki cannot start.

A machine or a chroot without PHP or MediaWiki must not give a green
run: ``bash .ci/test.sh`` and ``.ci/run``'s chroot lanes run pytest,
whose ``wiki`` fixture (tests/conftest.py) fails then, unless the
developer asks for skips with ``PWBREVERT_ALLOW_NO_WIKI=1``.

No wiki needed: each case runs pytest on one wiki test in a process
of its own, where the wiki cannot start.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
#: any test that needs the wiki
WIKI_TEST = ('tests/test_script_rollback.py::'
             'test_help_lists_options_and_generators')


def _pytest_without_wiki(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run :data:`WIKI_TEST` in a pytest of its own, with *env* added."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(('PWBREVERT_', 'PYWIKIBOT_', 'PYTEST_'))}
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-rs', WIKI_TEST], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize('case', ['no php on PATH', 'chroot without php'])
def test_wiki_tests_fail_when_the_wiki_cannot_start(case, tmp_path):
    if case == 'no php on PATH':
        # python is called by its full path; nothing else is on PATH
        env = {'PATH': str(tmp_path)}
        missing = 'missing: php'
    else:
        (tmp_path / 'tmp').mkdir()  # looks like a chroot, has nothing
        env = {'PWBREVERT_MW_CHROOT': str(tmp_path)}
        missing = f'missing: MediaWiki in {tmp_path}'
    run = _pytest_without_wiki(env)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert '1 error' in out and 'skipped' not in out, out
    assert missing in out and 'PWBREVERT_ALLOW_NO_WIKI=1' in out, out


def test_a_laptop_may_skip_them_on_request(tmp_path):
    run = _pytest_without_wiki({'PATH': str(tmp_path),
                                'PWBREVERT_ALLOW_NO_WIKI': '1'})
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert '1 skipped' in out and 'missing: php' in out, out
