#!/usr/bin/env bash
# The documentation (docs/), built as CI builds it; safe to run again
# and again. Warnings are errors and every cross-reference must
# resolve (sphinx-build -W -n); the HTML lands in docs/_build/html.
#
# The venv ($VENV, default .venv-docs) gets what setup.cfg names:
# install_requires (autodoc imports the package, the scripts' pages
# import the scripts) and the docs extra. The project itself is not
# installed there: Sphinx imports it from this checkout (docs/conf.py),
# so the pages describe these sources, and no pip build writes build/
# or *.egg-info into the tree while .ci/run's test suite reads it.
#
# Environment:
#   VENV    virtualenv directory, relative to the repository root
#   PYTHON  interpreter that makes the venv (python3)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv-docs}
PYTHON=${PYTHON:-python3}

if [[ ! -x $VENV/bin/python ]]; then
    if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
        echo "docs.sh: $PYTHON cannot make venvs (on Debian: run" \
             ".ci/bootstrap.sh, which installs python3-venv)" >&2
        exit 1
    fi
    "$PYTHON" -m venv "$VENV"
fi
mapfile -t requirements < <("$VENV/bin/python" - <<'EOF'
import configparser

cfg = configparser.ConfigParser()
cfg.read('setup.cfg')
for section, key in (('options', 'install_requires'),
                     ('options.extras_require', 'docs')):
    for line in cfg[section][key].splitlines():
        if line.strip():
            print(line.strip())
EOF
)
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "${requirements[@]}"

rm -rf docs/_build
# no __pycache__ from the checkout's modules (a test run may read them)
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m sphinx -W -n --keep-going \
    -q -b html docs docs/_build/html
echo "docs.sh: docs/_build/html/index.html built ($("$VENV/bin/python" \
    -c 'import sphinx; print("Sphinx", sphinx.__version__)'))"
