"""Page generators of the scripts, streamed from the wiki's lists.

Each follows continuation to the end at the API maximum per request:
every page, not the first 500, and nothing kept per page beyond what
de-duplication needs.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pywikibot

from ._query import query


__all__ = ['deletion_log_pages', 'overwritten_files', 'top_contributions',
           'unique']


def unique(pages: Iterable[pywikibot.Page]) -> Iterator[pywikibot.Page]:
    """Yield each page once, by title, in the order first seen."""
    seen: set[str] = set()
    for page in pages:
        if page.title() not in seen:
            seen.add(page.title())
            yield page


def top_contributions(site: Any, *, user: str | None = None,
                      iprange: str | None = None, since: Any = None,
                      until: Any = None,
                      namespaces: Iterable[int] | None = None
                      ) -> Iterator[tuple[pywikibot.Page, dict[str, Any]]]:
    """Yield ``(page, contribution)`` where the user made the latest edit.

    Streams ``list=usercontribs`` with ``ucshow=top``. Each contribution
    has ``revid``, ``parentid``, ``user``, ``title``, ``timestamp`` and
    ``new`` (the edit created the page).

    **Example:**

    .. code-block:: python

       for page, contrib in top_contributions(site, user='Spambot'):
           print(page.title(), contrib['revid'])

    :param user: the user name (or a single IP)
    :param iprange: a CIDR range instead of *user*
    """
    if (user is None) == (iprange is None):
        raise ValueError('give exactly one of user and iprange')
    params: dict[str, Any] = {
        'list': 'usercontribs', 'ucshow': 'top', 'uclimit': 'max',
        'ucprop': 'ids|title|timestamp|flags',
        'ucend': since.totimestampformat() if since else None,
        'ucstart': until.totimestampformat() if until else None,
        'ucnamespace': '|'.join(map(str, namespaces)) if namespaces else None,
        'ucuser': user, 'uciprange': iprange,
    }
    params = {k: v for k, v in params.items() if v is not None}
    for part in query(site, **params):
        for contrib in part.get('usercontribs', []):
            yield pywikibot.Page(site, contrib['title']), contrib


def _log_pages(site: Any, cls: type[pywikibot.Page],
               **params: Any) -> Iterator[pywikibot.Page]:
    seen: set[str] = set()
    for part in query(site, list='logevents', lelimit='max', **params):
        for event in part.get('logevents', []):
            title = event.get('title')
            if title and title not in seen:
                seen.add(title)
                yield cls(site, title)


def deletion_log_pages(site: Any, *, admin: str | None = None,
                       start: Any = None, end: Any = None
                       ) -> Iterator[pywikibot.Page]:
    """Yield each page deleted (``delete/delete``) in the log, once.

    Restores and revision deletions in the same log are left out.

    :param admin: only deletions by this user
    :param start: the oldest deletion time to include
    :param end: the newest deletion time to include
    """
    params = {'leaction': 'delete/delete', 'leprop': 'title|type|ids',
              'ledir': 'newer', 'leuser': admin or None,
              'lestart': start.totimestampformat() if start else None,
              'leend': end.totimestampformat() if end else None}
    return _log_pages(site, pywikibot.Page,
                      **{k: v for k, v in params.items() if v is not None})


def overwritten_files(site: Any, user: str) -> Iterator[pywikibot.FilePage]:
    """Yield each file *user* overwrote (``upload/overwrite``), once."""
    return _log_pages(site, pywikibot.FilePage, leaction='upload/overwrite',
                      leuser=user, leprop='title|type')
