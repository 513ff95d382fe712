"""How many pages a page selection names, when that is cheap to know.

A run's status lines (:mod:`~pywikibot_revert.bot._progress`) show a share
and an ETA when the total is known. A selection made only of page
lists (``-page:``, a local ``-file:``) tells it without a request; a
listing of the wiki (a category, contributions) is not read up front
just to count it.
"""
from __future__ import annotations

import os
from typing import Any

import pywikibot
from pywikibot.pagegenerators import GeneratorFactory, TextIOPageGenerator


__all__ = ['page_list_total']

#: GeneratorFactory settings that filter the page lists, or add pages
#: to them when the generators are combined
_FACTORY_FILTERS = ('limit', 'intersect', 'titlefilter_list',
                    'titlenotfilter_list', 'articlefilter_list',
                    'articlenotfilter_list', 'catfilter_list',
                    'claimfilter_list', 'qualityfilter_list', '_namespaces')
_FACTORY_SETTINGS = ('subpage_max_depth', 'redirectfilter',
                     '_allpages_args')


def _local_file_list(gen: Any) -> list[pywikibot.Page] | None:
    """Read the titles of a ``-file:`` list, if *gen* is one, not begun.

    Only a local file is read (no request): a URL, or a generator that
    is not pywikibot's ``TextIOPageGenerator``, gives None.
    """
    if getattr(gen, 'gi_code', None) is not TextIOPageGenerator.__code__ \
            or getattr(gen, 'gi_frame', None) is None:
        return None
    source = gen.gi_frame.f_locals.get('source')
    site = gen.gi_frame.f_locals.get('site')
    if not isinstance(source, str) or not os.path.isfile(source):
        return None  # a URL, or a file that is not there: read at run time
    try:
        # a generator of our own: pywikibot's is left as it was on error
        return list(TextIOPageGenerator(source, site=site))
    except (OSError, UnicodeError):
        return None


def page_list_total(factory: GeneratorFactory) -> int | None:
    """Return how many pages a selection of page lists names, or None.

    A selection made only of ``-page:`` and local ``-file:`` lists, with
    no filter, is counted without a request: the ``-file:`` lists are
    read now (and handed to the factory as lists, so each is read once).
    Any other generator (a category, a listing of the wiki) is not read
    up front just to count: None.

    :return: the number of distinct titles, as the run treats them
    """
    if not factory.gens \
            or any(getattr(factory, name, None) for name in _FACTORY_FILTERS) \
            or any(getattr(factory, name, None) is not None
                   for name in _FACTORY_SETTINGS):
        return None
    lists = []
    for gen in factory.gens:
        if not isinstance(gen, (list, tuple)):
            gen = _local_file_list(gen)
            if gen is None:
                return None
        lists.append(gen)
    factory.gens[:] = lists
    return len({page.title() for pages in lists for page in pages})
