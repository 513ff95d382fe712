"""The plugin's messages, and the message package pwb switches to.

When ``pwb`` runs a script found through the ``scriptspath`` entry
point, it imports ``<scripts package>.i18n`` and makes it the
process-wide message package (``i18n.set_messages_package``). Installed
as ``pywikibot_revert_scripts.i18n``, this package holds the plugin's
own bundle ``pwbrevert/<lang>.json`` (the default summaries MediaWiki
has no message for) and stands in for the message package pywikibot
used before: any other resource, such as core's ``pywikibot`` bundle,
is read from core's messages package. So under ``pwb`` both
``i18n.twtranslate(lang, 'pwbrevert-...')`` and core's messages work.

In plain library use the process-wide package stays whatever it was:
the plugin reads its bundle through :mod:`importlib.resources` and
translates with ``i18n.translate`` (see
``pywikibot_revert.wiki._i18n``), never switching the global.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
from typing import Any

#: the plugin's bundle: the twtranslate keys' prefix, a folder here
BUNDLE = 'pwbrevert'

_HERE = os.path.dirname(os.path.abspath(__file__))


def _core_messages() -> Any:
    """Return core's messages package (scripts' first), or None."""
    for name in ('pywikibot_scripts.i18n', 'pywikibot.scripts.i18n'):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


class _Loader:

    """This package's loader, reading core's messages for the rest.

    ``pkgutil.get_data`` (what twtranslate reads a bundle with) joins
    the resource to this package's folder and asks its loader; a file
    not here is looked up in core's messages package instead.
    """

    def __init__(self, loader: Any, core: Any) -> None:
        self._loader = loader
        self._core = core

    def get_data(self, path: str) -> bytes:
        """Return the file *path*, from here or from core's messages."""
        try:
            return self._loader.get_data(path)
        except OSError:
            rel = os.path.relpath(os.path.abspath(path), _HERE)
            if self._core is None or rel.startswith(os.pardir):
                raise
            data = pkgutil.get_data(self._core.__name__,
                                    rel.replace(os.sep, '/'))
            if data is None:
                raise
            return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


_core = _core_messages()
if __spec__ is not None and not isinstance(__spec__.loader, _Loader):
    __loader__ = __spec__.loader = _Loader(__spec__.loader, _core)
if _core is not None:
    # our folder first: pywikibot lists bundles from the first entry
    __path__ = [_HERE, *(p for p in _core.__path__ if p != _HERE)]
