"""The message package pwb switches to for this plugin's scripts.

When ``pwb`` runs a script found through the ``scriptspath`` entry
point, it imports ``<scripts package>.i18n`` and makes it the
process-wide message package. This plugin has no messages of its own
(its summaries are the wiki's or the operator's), so, installed as
``pywikibot_revert_scripts.i18n``, this module stands in for the message
package pywikibot used before: core's messages keep working.
"""
from __future__ import annotations

import importlib
import sys


def _core_messages():
    for name in ('pywikibot_scripts.i18n', 'pywikibot.scripts.i18n'):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


if __name__ == 'pywikibot_revert_scripts.i18n':
    _core = _core_messages()
    if _core is not None:
        sys.modules[__name__] = _core
