#!/usr/bin/env bash
# The main job on a local demo wiki: set everything up (Debian packages,
# venv, the package), then run tests/harness/demo.py.
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
bash .ci/bootstrap.sh
exec "$VENV/bin/python" tests/harness/demo.py
