"""Read helpers on top of ``site.simple_request`` with continuation."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pywikibot.page import BasePage


def query(site: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield the ``query`` part of each answer, following ``continue``.

    Uses ``formatversion=2``. Prop queries may return the same page in
    several answers, each with a part of its list: callers merge.
    """
    params = {'action': 'query', 'formatversion': 2, **params}
    cont: dict[str, Any] = {}
    while True:
        data = site.simple_request(**params, **cont).submit()
        yield data.get('query', {})
        if 'continue' not in data:
            return
        cont = data['continue']


def query_pages(site: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield each page dict of every answer (see :func:`query`)."""
    for part in query(site, **params):
        yield from part.get('pages', [])


def title_of(item: Any) -> str:
    """Return the title of a Page, or the text itself.

    (A plain ``str`` has a ``title()`` method too: it capitalises words.)
    """
    if isinstance(item, BasePage):
        return item.title()
    return str(item)
