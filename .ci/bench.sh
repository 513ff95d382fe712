#!/usr/bin/env bash
# The benchmark: set everything up (Debian packages, venv, the package),
# then run benchmarks/run.py with any arguments given, e.g.
#   bash .ci/bench.sh --n 100 --files 40 --repeat 5
#   bash .ci/bench.sh --only '' --scale 5000 --scale-baseline
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
bash .ci/bootstrap.sh
exec "$VENV/bin/python" benchmarks/run.py "$@"
