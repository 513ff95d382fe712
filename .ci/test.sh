#!/usr/bin/env bash
# The test command: bootstrap, then pytest with any arguments given.
#   bash .ci/test.sh                 # everything
#   bash .ci/test.sh -m 'not slow'   # quick run
# VENV and PYWIKIBOT_SPEC are passed on to .ci/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
bash .ci/bootstrap.sh
# exec: pytest's exit status is this script's.
exec "$VENV/bin/python" -m pytest "$@"
