#!/usr/bin/env bash
# The package as a newcomer gets it; safe to run again and again.
#
# 1. Build the sdist and the wheel (python -m build) and check their
#    metadata (twine check --strict: the long description is README.md,
#    Markdown) and what each archive holds.
# 2. For the oldest and the newest supported pywikibot line: a new venv
#    with the wheel and that pywikibot from the package index, then,
#    from an empty directory, import the package and run
#    `pwb rollback|undelete|filerevert|cleanup -help`.
# 3. The development install the README names: `pip install -e .
#    --config-settings editable_mode=strict`, then `pwb rollback -help`.
# dist/ then holds the two files checked here, nothing else.
#
# Nothing is installed from or imported out of the checkout: the build
# runs on a copy of the sources (so it writes no egg-info or build/ into
# the checkout while a test run reads it: .ci/run runs this next to a
# suite), and the venvs live in a temporary directory, run from there
# with PYTHONPATH unset.
#
# Environment:
#   TOOLS_VENV  venv for build and twine (.venv-tools): CI tools, not
#               dependencies of the package
#   PYTHON      interpreter that makes the venvs (python3)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PYTHON=${PYTHON:-python3}
TOOLS_VENV=${TOOLS_VENV:-.venv-tools}
# The supported range (setup.cfg: pywikibot >= 10.7, < 12), both ends.
pywikibot_specs=('pywikibot>=10.7,<11' 'pywikibot>=11,<12')

echo '=== packaging: sdist and wheel, installed from the wheel with' \
     'pywikibot 10.7 and 11.x ==='
start=$SECONDS
failed=()
ok() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failed+=("$*"); }
# Run a step quietly into its own log; show the log only if it fails.
quiet() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        grep -v "^WARNING: Location '.*' is ignored" "$log" | tail -n 40
        return 1
    fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/pwbrevert-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- tools ----------------------------------------------------------------
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    echo "package.sh: $PYTHON cannot make venvs (on Debian: run" \
         ".ci/bootstrap.sh, which installs python3-venv)"
    exit 1
fi
if [[ ! -x $TOOLS_VENV/bin/python ]]; then
    "$PYTHON" -m venv "$TOOLS_VENV"
fi
if ! quiet "$work/tools.log" "$TOOLS_VENV/bin/python" -m pip install \
        --quiet --disable-pip-version-check --upgrade build twine; then
    echo 'package.sh: installing build and twine failed'
    exit 1
fi
tools=$(cd "$TOOLS_VENV/bin" && pwd)

# --- build ------------------------------------------------------------------
# The sources without what .gitignore keeps out (venvs, build output,
# caches, a user-config.py with its password file).
mkdir "$work/src" "$work/dist"
tar -C "$root" --exclude-vcs --exclude='./.venv*' --exclude=./build \
    --exclude=./dist --exclude='*.egg-info' --exclude=__pycache__ \
    --exclude=.pytest_cache --exclude=.ruff_cache \
    --exclude=./benchmarks/results --exclude=logs --exclude='apicache*' \
    --exclude=user-config.py --exclude=user-password.py --exclude='*.lwp' \
    --exclude=throttle.ctrl -cf - . | tar -C "$work/src" -xf -
if ! quiet "$work/build.log" "$tools/python" -m build \
        --outdir "$work/dist" "$work/src"; then
    echo 'package.sh: python -m build failed'
    exit 1
fi
sdist=$(echo "$work"/dist/*.tar.gz)
wheel=$(echo "$work"/dist/*.whl)
[[ -f $sdist && -f $wheel ]] || { echo 'package.sh: no sdist or wheel'; exit 1; }
ok "python -m build: $(basename "$sdist"), $(basename "$wheel")"

if quiet "$work/twine.log" "$tools/twine" check --strict "$sdist" "$wheel"
then
    ok 'twine check --strict: both (README.md renders as the description)'
else
    fail 'twine check --strict'
fi

# What each archive holds. The sdist: the package, the scripts, every
# file of tests/ (the suite runs from it, conftest.py and the harness
# package tests/harness/ included), benchmarks/*.py (test_load.py seeds
# with them), .ci/, the README and user-config.example.py; no secrets,
# caches or results. The wheel: pywikibot_revert and
# pywikibot_revert_scripts (the scripts and the i18n package pwb
# imports), and no top-level "scripts" or "tests".
# shellcheck disable=SC2016
if contents=$("$tools/python" - "$work/src" "$sdist" "$wheel" <<'EOF'
import sys
import tarfile
import zipfile
from pathlib import Path

src, sdist, wheel = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
problems = []
with tarfile.open(sdist) as tar:
    names = {n.split('/', 1)[1] for n in tar.getnames() if '/' in n}
want = {'PKG-INFO', 'README.md', 'user-config.example.py', 'setup.cfg',
        'pyproject.toml', 'MANIFEST.in',
        'pywikibot_revert/_scripts_i18n/__init__.py'}
for pattern in ('pywikibot_revert/*.py', 'pywikibot_revert/*/*.py',
                'scripts/*.py', 'tests/*', 'tests/*/*',
                'benchmarks/*.py', '.ci/*'):
    want.update(str(p.relative_to(src)) for p in src.glob(pattern)
                if p.is_file())
problems += [f'sdist lacks {n}' for n in sorted(want - names)]
for name in names:
    parts = name.split('/')
    if ('__pycache__' in parts or parts[-1] in ('user-config.py',
            'user-password.py') or name.endswith('.lwp')
            or name.startswith(('benchmarks/results', '.venv', 'dist/'))):
        problems.append(f'sdist holds {name}')
with zipfile.ZipFile(wheel) as whl:
    wnames = set(whl.namelist())
top = {n.split('/', 1)[0] for n in wnames}
extra = {t for t in top if not t.endswith('.dist-info')} - {
    'pywikibot_revert', 'pywikibot_revert_scripts'}
problems += [f'wheel holds a top-level {t}' for t in sorted(extra)]
want_whl = {'pywikibot_revert_scripts/__init__.py',
            'pywikibot_revert_scripts/i18n/__init__.py'}
want_whl.update(f'pywikibot_revert_scripts/{p.name}'
                for p in (src / 'scripts').glob('*.py'))
want_whl.update(str(p.relative_to(src))
                for p in (src / 'pywikibot_revert').glob('**/*.py')
                if '_scripts_i18n' not in p.parts)
problems += [f'wheel lacks {n}' for n in sorted(want_whl - wnames)]
entry = next((whl_n for whl_n in wnames
              if whl_n.endswith('.dist-info/entry_points.txt')), None)
if entry is None:
    problems.append('wheel has no entry_points.txt')
else:
    with zipfile.ZipFile(wheel) as whl:
        text = whl.read(entry).decode()
    if 'scriptspath = pywikibot_revert_scripts:base_dir' not in text:
        problems.append('wheel lacks the [pywikibot] scriptspath entry point')
if problems:
    print('\n'.join(f'        {p}' for p in problems))
    sys.exit(1)
print(f'sdist: {len(names)} files ({len(want)} required present);'
      f' wheel: {len(wnames)} files, packages {", ".join(sorted(top))}')
EOF
); then
    ok "contents: $contents"
else
    fail 'contents of the sdist and the wheel'
    echo "$contents"
fi

# --- install and run --------------------------------------------------------
# Run from an empty directory that is also HOME: pywikibot finds no
# user-config.py there nor in ~/.pywikibot, so a developer's own config
# cannot change the outcome. pwb needs none for -help: pywikibot
# installed in a venv's site-packages acts as if
# PYWIKIBOT_NO_USER_CONFIG=2 were set (pywikibot/config.py), so its
# defaults load without a warning, and a script's -help contacts no
# wiki. No global option (e.g. -dir:) goes before the script name:
# with one, pwb makes the default Site first, which logs in to
# test.wikipedia.org.
home=$work/home
mkdir "$home"
in_home() {
    (cd "$home" && env -u PYWIKIBOT_DIR -u PYWIKIBOT_DIR_PWB \
        -u PYWIKIBOT_NO_USER_CONFIG -u PYTHONPATH HOME="$home" "$@")
}
# pip: from there too, but with the real HOME (its download cache).
in_dir() { (cd "$home" && env -u PYTHONPATH "$@"); }
# pwb SCRIPT OPTION: `pwb SCRIPT -help` exits 0 and names OPTION.
check_help() {
    local venv=$1 label=$2 script=$3 option=$4 out rc=0
    out=$(in_home "$venv/bin/pwb" "$script" -help 2>&1) || rc=$?
    if ((rc == 0)) && grep -qF -- "$option" <<<"$out" \
            && ! grep -qE '^(Traceback|CRITICAL)' <<<"$out"; then
        ok "$label: pwb $script -help exits 0, lists $option" \
           "($(wc -l <<<"$out") lines)"
    else
        fail "$label: pwb $script -help (exit $rc)"
        tail -n 15 <<<"$out" | sed 's/^/        /'
    fi
}
# The installed package, its version and where it came from.
check_import() {
    local venv=$1 label=$2 out
    # shellcheck disable=SC2016
    if out=$(in_home "$venv/bin/python" -c '
import importlib.metadata as m, sys
import pywikibot_revert, pywikibot_revert_scripts
print(pywikibot_revert.__version__)
print(m.version("pywikibot"))
print(pywikibot_revert.__file__)
print(pywikibot_revert_scripts.base_dir)' 2>&1); then
        local version pwb file base
        { read -r version; read -r pwb; read -r file; read -r base; } <<<"$out"
        if [[ $wheel == */pywikibot_revert-"$version"-* \
                && $file == "$venv"/* && $base == "$venv"/* ]]; then
            ok "$label: import pywikibot_revert -> $version with pywikibot" \
               "$pwb, from the venv"
            installed_pywikibot+=("$pwb")
        else
            fail "$label: import pywikibot_revert: version $version," \
                 "file $file, scripts $base"
        fi
    else
        fail "$label: import pywikibot_revert"
        tail -n 15 <<<"$out" | sed 's/^/        /'
    fi
}
check_scripts() {
    check_help "$1" "$2" rollback '-user:NAME'
    check_help "$1" "$2" undelete '-except-user:NAME'
    check_help "$1" "$2" filerevert '-to:TS'
    check_help "$1" "$2" cleanup '-only:KINDS'
}

installed_pywikibot=()
n=0
for spec in "${pywikibot_specs[@]}"; do
    n=$((n + 1))
    venv=$work/venv$n
    label="wheel + $spec"
    "$PYTHON" -m venv "$venv"
    if ! quiet "$work/pip$n.log" in_dir "$venv/bin/python" -m pip install \
            --disable-pip-version-check "$wheel" "$spec"; then
        fail "$label: pip install"
        continue
    fi
    if quiet "$work/pipcheck$n.log" "$venv/bin/python" -m pip check; then
        ok "$label: pip install, pip check"
    else
        fail "$label: pip check"
    fi
    check_import "$venv" "$label"
    check_scripts "$venv" "$label"
done

# A plain `pip install -e .` breaks pwb (No module named 'scripts'): its
# import hook maps pywikibot_revert_scripts to the checkout's scripts/,
# and pwb imports "<name of the scripts directory>.i18n". The strict
# mode links the files into a tree whose directory has the package's
# name; the README recommends it. (On the copy: it writes build/.)
venv=$work/venv-editable
label='editable (strict) install'
"$PYTHON" -m venv "$venv"
if quiet "$work/pip-e.log" in_dir "$venv/bin/python" -m pip install \
        --disable-pip-version-check -e "$work/src" \
        --config-settings editable_mode=strict "${pywikibot_specs[-1]}"; then
    ok "$label: pip install -e . --config-settings editable_mode=strict"
    check_help "$venv" "$label" rollback '-user:NAME'
else
    fail "$label: pip install"
fi

# dist/: exactly what was checked above (replaces older builds).
rm -rf dist
mkdir dist
cp "$sdist" "$wheel" dist/

echo "package.sh: pywikibot ${installed_pywikibot[*]:-none} tested;" \
     "dist/ holds $(cd dist && echo *); $((SECONDS - start)) s"
if ((${#failed[@]})); then
    echo "package.sh: ${#failed[@]} check(s) FAILED:"
    printf '  %s\n' "${failed[@]}"
    exit 1
fi
echo 'package.sh: all checks passed'
