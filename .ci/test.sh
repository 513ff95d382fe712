#!/usr/bin/env bash
# The test command: bootstrap, then pytest with any arguments given.
#   bash .ci/test.sh                 # everything
#   bash .ci/test.sh -m 'not wiki'   # only what needs no wiki
# VENV and PYWIKIBOT_SPEC are passed on to .ci/bootstrap.sh.
# The wiki tests fail when the test wiki cannot start (no PHP or
# MediaWiki, here or in PWBREVERT_MW_CHROOT); PWBREVERT_ALLOW_NO_WIKI=1
# skips them instead, on a laptop without them.
# SKIP_BOOTSTRAP=1 uses $VENV as it is: .ci/run bootstraps every venv
# first, as a reinstall would pull the package from under a test run
# that uses the same venv meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
if [[ ${SKIP_BOOTSTRAP:-} != 1 ]]; then
    bash .ci/bootstrap.sh
fi
# The linter: pyflakes, pycodestyle and bugbear checks. E501 is left to
# review (doctest output lines are long); B905 (zip strict=) needs
# Python 3.10. A lint failure fails the run, after the tests have run.
lint=0
"$VENV/bin/ruff" check --quiet --select E,F,W,B --ignore E501,B905,E731 \
    pywikibot_revert scripts tests benchmarks || lint=$?
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
if ((status == 0 && lint != 0)); then
    echo 'test.sh: the tests passed but the linter failed' >&2
    status=$lint
fi
exit "$status"
