#!/usr/bin/env bash
# The test command: bootstrap, then pytest with any arguments given.
#   bash .ci/test.sh                 # everything
#   bash .ci/test.sh -m 'not slow'   # quick run
# VENV and PYWIKIBOT_SPEC are passed on to .ci/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
bash .ci/bootstrap.sh
# The linter first: pyflakes, pycodestyle and bugbear checks. E501 is
# left to review (doctest output lines are long); B905 (zip strict=)
# needs Python 3.10.
"$VENV/bin/ruff" check --quiet --select E,F,W,B --ignore E501,B905,E731 \
    pywikibot_revert scripts tests benchmarks
# exec: pytest's exit status is this script's.
exec "$VENV/bin/python" -m pytest "$@"
