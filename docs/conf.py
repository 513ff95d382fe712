"""Sphinx configuration of the pywikibot-revert docs.

Build: ``bash .ci/docs.sh`` (``sphinx-build -W -n -b html docs
docs/_build/html``: warnings are errors, every cross-reference must
resolve).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The package and the scripts come from this checkout, not from an
# installed copy: the pages describe these sources (.ci/docs.sh installs
# only the dependencies).
sys.path[:0] = [str(ROOT), str(ROOT / 'docs' / '_ext')]
# Importing pywikibot (autodoc, the scripts' pages) must not read a
# developer's user-config.py in the checkout, nor want one.
os.environ['PYWIKIBOT_NO_USER_CONFIG'] = '2'

import pywikibot_revert  # noqa: E402

project = 'pywikibot-revert'
author = 'the pywikibot-revert authors'
copyright = 'the pywikibot-revert authors, MIT License'  # noqa: A001
release = version = pywikibot_revert.__version__

extensions = [
    'sphinx.ext.autodoc',
    # Markdown, for benchmarks/README.md only: it is the one source of
    # the benchmark tables (read on GitHub as it is), and
    # docs/benchmarks.rst includes it rather than copying it.
    'myst_parser',
    # docs/_ext: the scripts' -help, the API error table, the layout tree
    'pwbrevert_docs',
]
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']
root_doc = 'index'

# Sphinx's bundled theme: nothing to install beyond Sphinx.
html_theme = 'alabaster'
html_theme_options = {
    'description': 'Rollback, undelete and filerevert for pywikibot',
    'fixed_sidebar': True,
    # the layout tree and the -help texts are ~100 columns wide
    'page_width': '1300px',
    'sidebar_width': '230px',
    'body_max_width': 'none',
}
html_title = f'{project} {release}'
html_static_path: list[str] = []

autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
add_module_names = False

nitpicky = True
# No intersphinx: the docs build without a network, so pywikibot's and
# the standard library's objects named in signatures and docstrings
# cannot link anywhere. These are the external names only; anything of
# this package must resolve (typing's names and builtins need no entry:
# Sphinx never warns about them).
nitpick_ignore_regex = [
    (r'py:.*', r'pywikibot(\..+)?'),
    (r'py:.*', r'(collections\.abc|dataclasses)\..+'),
]

# MyST (benchmarks/README.md): GitHub-style tables and footnotes
# are plain Markdown; nothing else is enabled.
myst_enable_extensions: list[str] = []
myst_heading_anchors = 3
