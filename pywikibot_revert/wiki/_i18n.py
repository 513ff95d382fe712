"""The plugin's own messages, in the wiki's content language.

Default summaries and reasons MediaWiki has no message for come from the
plugin's bundle ``pwbrevert`` (``en``, ``de``, ``uk`` and the ``qqq``
documentation), shipped in the scripts' message package
``pywikibot_revert_scripts.i18n`` in pywikibot's layout
(``pwbrevert/<lang>.json``, keys ``pwbrevert-<name>``).

The texts are filled by pywikibot's ``i18n.translate``: its language
fallbacks (``altlang``, then English) and its ``{{PLURAL:...}}``
handling, as ``twtranslate`` does. The bundle is read here with
:mod:`importlib.resources`, not through the process-wide message
package: that one is pwb's to choose (for this plugin's scripts it is
the package above, where ``twtranslate`` finds the same files), and a
library user's process keeps its own.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pywikibot import i18n

from ._messages import content_language


__all__ = ['BUNDLE', 'PACKAGE', 'bundle', 'plugin_message']

#: the message package the bundle is installed in
PACKAGE = 'pywikibot_revert_scripts.i18n'
#: the bundle's name: its folder and its keys' prefix
BUNDLE = 'pwbrevert'


@functools.lru_cache(maxsize=None)
def bundle() -> dict[str, dict[str, str]]:
    """Return the bundle as key -> language -> text (``qqq`` left out).

    >>> bundle()['pwbrevert-undo-undelete']['en']
    'Undo undelete'
    """
    folder = resources.files(PACKAGE).joinpath(BUNDLE)
    texts: dict[str, dict[str, str]] = {}
    for entry in folder.iterdir():
        lang, _, ext = entry.name.rpartition('.')
        if ext != 'json' or lang == 'qqq':
            continue
        for key, text in json.loads(entry.read_text('utf-8')).items():
            if not key.startswith('@'):
                texts.setdefault(key, {})[lang] = text
    return texts


def plugin_message(source: Any, name: str, /, **params: Any) -> str:
    """Return the plugin's message *name*, filled, in the wiki's language.

    >>> plugin_message('de', 'undo-rollback', revid=42)
    'Zurücksetzung rückgängig gemacht (Version 42)'
    >>> plugin_message('uk', 'remove-links', count=5, domain='x.example')
    'Вилучення 5 посилань на x.example'
    >>> plugin_message('fr', 'undo-undelete')  # no French: English
    'Undo undelete'

    :param source: a site (its content language is used) or a language
        code
    :param name: the key without the bundle's prefix
    :param params: the message's ``%(name)s`` parameters
    """
    lang = source if isinstance(source, str) else content_language(source)
    texts = bundle()[f'{BUNDLE}-{name}']
    # a str code: translate would take a site's code, not its language
    text = i18n.translate(lang, texts, params or None, fallback=True)
    return text if params else text.replace('%%', '%')
