#!/usr/bin/env bash
# Make this machine able to run the tests; safe to run again and again.
#
# - Debian packages: PHP and MediaWiki for the throwaway test wiki
#   (apt-get runs only if one of them is missing).
# - A virtualenv ($VENV, default .venv) with this project installed the
#   way users get it: `pip install '.[test]'`, not editable, so the
#   packaging is tested too.
#
# Environment:
#   VENV            virtualenv directory, relative to the repository root
#   PYWIKIBOT_SPEC  extra requirement installed with the project, e.g.
#                   'pywikibot>=10.7,<11' for the oldest supported release
#   PYTHON          interpreter that creates the virtualenv (python3)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYWIKIBOT_SPEC=${PYWIKIBOT_SPEC:-}
PYTHON=${PYTHON:-python3}

log() { printf 'bootstrap: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------
apt_packages=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml
              php-apcu)
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    # Debian's python3 lacks venv support until python3-venv is installed.
    apt_packages+=(python3-venv)
    PYTHON=/usr/bin/python3
fi
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null \
        | grep -q '^install ok installed$' || missing+=("$pkg")
done
if ((${#missing[@]})); then
    command -v apt-get >/dev/null \
        || { log "need ${missing[*]}, but there is no apt-get"; exit 1; }
    sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    log "installing ${missing[*]}"
    # mediawiki pulls in apache2: keep apt from starting it (the tests
    # serve the wiki with PHP's own server on 127.0.0.1).
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        trap '"${sudo[@]}" rm -f "$policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- virtualenv with the project ------------------------------------------
if [[ ! -x $VENV/bin/python ]]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --upgrade pip
# A local directory is always rebuilt and reinstalled, so the venv gets
# the current sources even when the version number did not change.
"${pip[@]}" install --upgrade '.[test]' ${PYWIKIBOT_SPEC:+"$PYWIKIBOT_SPEC"}
# the linter run by .ci/test.sh (a CI tool, not a dependency)
"${pip[@]}" install --upgrade ruff
# importlib.metadata: importing pywikibot here would want a user-config.
log "$VENV: $("$VENV/bin/python" -c 'import importlib.metadata as m, platform
print("Python", platform.python_version(), "pywikibot", m.version("pywikibot"))')"
