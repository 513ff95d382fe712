"""The scripts: ``pwb cleanup``, ``pwb rollback``, ``pwb undelete``,
``pwb filerevert``.

Installed as the package ``pywikibot_revert_scripts``; its
``base_dir`` is the entry point pywikibot's ``pwb`` searches
(``[pywikibot] scriptspath``). In a checkout, ``user_script_paths =
['scripts']`` finds the same files.
"""
from __future__ import annotations

from pathlib import Path


#: the directory pwb searches for ``<script>.py``
base_dir = Path(__file__).parent
