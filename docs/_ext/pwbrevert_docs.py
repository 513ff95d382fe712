"""Sphinx directives and hooks that keep the docs to one source each.

- ``.. script-help:: NAME``: the ``-help`` of ``scripts/NAME.py`` as a
  literal block, made the way pywikibot's ``bot.show_help`` makes it
  (the module docstring, ``.. version...`` notes dropped, each key of
  the script's ``docuReplacements`` replaced), so the page and
  ``pwb NAME -help`` say the same.
- ``.. api-error-table::``: the API error codes and the class each
  becomes, read from :data:`pywikibot_revert.API_ERRORS` itself.
- ``.. layout-tree::``: the package and the scripts as a tree, each
  module with the first line of its docstring, read from the files
  (nothing imported), so the tree names the modules that exist; the
  subpackages in the order of their layers, bottom up.
- The methods of ``page.revert`` are the plain functions with the page
  filled in: their entry points to the function instead of repeating
  its docstring.
- Every name of ``pywikibot_revert.__all__`` must be documented: a
  public name missing from the pages is a warning (an error under
  ``-W``).
"""
from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger(__name__)


def script_help(name: str) -> str:
    """Return the ``-help`` text of ``scripts/NAME.py``.

    The same steps as ``pywikibot.bot.show_help`` (pywikibot 11.9).
    """
    path = ROOT / 'scripts' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(
        f'pywikibot_revert_scripts.{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = re.sub(r'^\.\. version(added|changed)::.+', '', module.__doc__,
                  flags=re.MULTILINE | re.DOTALL)
    for key, value in getattr(module, 'docuReplacements', {}).items():
        text = text.replace(key, value.rstrip())
    return text.strip('\n')


class ScriptHelp(SphinxDirective):

    """``.. script-help:: rollback``: the script's ``-help`` text."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        self.env.note_dependency(str(ROOT / 'scripts' / f'{name}.py'))
        text = script_help(name)
        block = nodes.literal_block(text, text)
        block['language'] = 'text'
        return [block]


class ApiErrorTable(SphinxDirective):

    """``.. api-error-table::``: API code -> class, from the table."""

    def run(self) -> list[nodes.Node]:
        from pywikibot_revert import API_ERRORS
        lines = ['.. list-table::', '   :header-rows: 1', '',
                 '   * - API error code', '     - raised as']
        for code, cls in sorted(API_ERRORS.items()):
            lines += [f'   * - ``{code}``',
                      f'     - :exc:`~{cls.__module__}.{cls.__name__}`']
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source='API_ERRORS'),
                                self.content_offset, node)
        return node.children


def _summary(path: Path) -> str:
    """Return the first line of a module's docstring, markup removed."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding='utf-8')))
    line = doc.splitlines()[0] if doc else ''
    return re.sub(r'``|\*\*', '', line).rstrip('.')


#: the subpackages bottom up, as they import each other; others after
LAYERS = ('wiki', 'ops', 'bot', 'crosswiki')


def _order(path: Path) -> tuple[Any, ...]:
    if not path.is_dir():
        return (0, path.name.lstrip('_'))
    if path.name in LAYERS:
        return (1, LAYERS.index(path.name))
    return (2, path.name.lstrip('_'))


def _tree(folder: Path, prefix: str, rows: list[tuple[str, str]]) -> None:
    entries = sorted(
        (p for p in folder.iterdir()
         if (p.is_dir() and (p / '__init__.py').exists())
         or (p.suffix == '.py' and p.name != '__init__.py')),
        key=_order)
    for i, path in enumerate(entries):
        last = i == len(entries) - 1
        branch = '└── ' if last else '├── '
        if path.is_dir():
            rows.append((f'{prefix}{branch}{path.name}/',
                         _summary(path / '__init__.py')))
            _tree(path, prefix + ('    ' if last else '│   '), rows)
        else:
            rows.append((f'{prefix}{branch}{path.name}', _summary(path)))


class LayoutTree(SphinxDirective):

    """``.. layout-tree::``: the package and scripts, one line each."""

    def run(self) -> list[nodes.Node]:
        rows: list[tuple[str, str]] = []
        for top in ('pywikibot_revert', 'scripts'):
            rows.append((f'{top}/', _summary(ROOT / top / '__init__.py')))
            _tree(ROOT / top, '', rows)
            for path in (ROOT / top).rglob('*.py'):
                self.env.note_dependency(str(path))
        width = max(len(left) for left, _ in rows) + 2
        text = '\n'.join(f'{left:{width}}{right}'.rstrip()
                         for left, right in rows)
        block = nodes.literal_block(text, text)
        block['language'] = 'text'
        return [block]


def accessor_method_doc(app: Any, what: str, name: str, obj: Any,
                        options: Any, lines: list[str]) -> None:
    """Point a ``page.revert`` method to its function."""
    func = getattr(obj, '__wrapped__', None)
    if (what == 'method'
            and name.startswith('pywikibot_revert.RevertAccessor.')
            and func is not None and obj.__doc__ is func.__doc__):
        lines[:] = [f':func:`pywikibot_revert.{func.__name__}` for this '
                    'page (the page argument filled in).', '']


def check_public_names(app: Any, env: Any) -> None:
    """Warn about a name of ``pywikibot_revert.__all__`` not documented.

    A name is documented as ``pywikibot_revert.NAME`` or in the public
    module that defines it; with ``-W`` a missing one fails the build.
    """
    import pywikibot_revert
    objects = env.get_domain('py').objects
    for name in pywikibot_revert.__all__:
        home = getattr(getattr(pywikibot_revert, name), '__module__', '')
        if (f'pywikibot_revert.{name}' not in objects
                and f'{home}.{name}' not in objects):
            logger.warning('pywikibot_revert.%s is public (__all__) but '
                           'documented nowhere', name)


def setup(app: Any) -> dict[str, Any]:
    """Register the directives and hooks."""
    app.add_directive('script-help', ScriptHelp)
    app.add_directive('api-error-table', ApiErrorTable)
    app.add_directive('layout-tree', LayoutTree)
    app.connect('autodoc-process-docstring', accessor_method_doc)
    app.connect('env-check-consistency', check_public_names)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
