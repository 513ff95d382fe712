"""Page generators of the scripts, streamed from the wiki's lists.

Each follows continuation to the end, :data:`LISTING_BATCH` items per
request: every page, not the first 500. Nothing is kept per page: a log
names a page as often as it was deleted or overwritten, and the bot
that reads it keeps the one set of titles of its run (:func:`unique`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import pywikibot

from ._query import query_items


__all__ = ['DELETION_LEPROP', 'LISTING_BATCH', 'deletion_log_entries',
           'listing_limit', 'overwritten_files', 'top_contributions',
           'unique']


T = TypeVar('T')


#: items (contributions, log entries) per listing request. Not the API
#: maximum (5,000 with ``apihighlimits``): an answer that size takes
#: about 3 MB while it is parsed, which made a run's peak memory grow
#: with its size up to 5,000 pages. 1,000 keeps the peak flat from 1,000
#: pages on, for one more request per 1,000 pages (each of which costs
#: a write anyway).
LISTING_BATCH = 1000


def listing_limit(site: Any) -> int | str:
    """Return the ``*limit`` of a listing: :data:`LISTING_BATCH` or less.

    Without ``apihighlimits`` the API's maximum, 500, is below it.
    """
    return LISTING_BATCH if site.has_right('apihighlimits') else 'max'


def unique(items: Iterable[T], key: Callable[[T], Any] | None = None
           ) -> Iterator[T]:
    """Yield each page once, by title, in the order first seen.

    A page selection can name a page twice (``-page:A -cat:B`` with A
    in B), and a log names a page at each deletion. This is the one
    set of titles a run keeps, and it grows with the run: the listings
    here do not keep one of their own.

    **Example:**

    .. code-block:: python

       pages = [pywikibot.Page(site, t) for t in ('A', 'B', 'A')]
       assert [p.title() for p in unique(pages)] == ['A', 'B']
       # (page, entry) pairs of a log: the first entry of each page
       firsts = unique(deletion_log_entries(site), key=lambda pair:
                       pair[0].title())

    :param key: the title of an item; by default ``item.title()``
    """
    seen: set[Any] = set()
    for item in items:
        title = item.title() if key is None else key(item)
        if title not in seen:
            seen.add(title)
            yield item


def top_contributions(site: Any, *, user: str | None = None,
                      iprange: str | None = None, since: Any = None,
                      until: Any = None,
                      namespaces: Iterable[int] | None = None
                      ) -> Iterator[tuple[pywikibot.Page, dict[str, Any]]]:
    """Yield ``(page, contribution)`` where the user made the latest edit.

    Streams ``list=usercontribs`` with ``ucshow=top``,
    :data:`LISTING_BATCH` contributions per request (500 without
    ``apihighlimits``). Each contribution
    has ``revid``, ``parentid`` (0: the edit created the page),
    ``pageid``, ``user``, ``userid``, ``ns`` and ``title``: what a
    rollback needs, no more (about 600 bytes each while an answer is
    parsed, 950 with ``timestamp`` and the flags).

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
        'list': 'usercontribs', 'ucshow': 'top',
        'uclimit': listing_limit(site),
        'ucprop': 'ids|title',
        'ucend': since.totimestampformat() if since else None,
        'ucstart': until.totimestampformat() if until else None,
        'ucnamespace': '|'.join(map(str, namespaces)) if namespaces else None,
        'ucuser': user, 'uciprange': iprange,
    }
    params = {k: v for k, v in params.items() if v is not None}
    for contrib in query_items(site, 'usercontribs', **params):
        yield pywikibot.Page(site, contrib['title']), contrib


#: what a deletion log entry is read with: enough to name it
DELETION_LEPROP = 'title|type|ids|user|timestamp|comment'


def _log_entries(site: Any, **params: Any
                 ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(title, entry)`` for each entry of a log that names a page."""
    for event in query_items(site, 'logevents', list='logevents',
                             lelimit=listing_limit(site), **params):
        if event.get('title'):
            yield event['title'], event


def deletion_log_entries(site: Any, *, admin: str | None = None,
                 start: Any = None, end: Any = None
                 ) -> Iterator[tuple[pywikibot.Page, dict[str, Any]]]:
    """Yield ``(page, entry)`` for each deletion in the log.

    Only deletions (``delete/delete``) count, not restores nor revision
    deletions; oldest first, :data:`LISTING_BATCH` entries a request
    (with its ``comment``, an entry is larger than a contribution). The
    entry (``logid``, ``user``, ``timestamp``, ``comment``) names what an
    undelete reverses (:func:`~pywikibot_revert.wiki._messages.undelete_reason`)
    without a read per page. A page deleted twice in the window comes
    twice: pass the pairs through :func:`unique` to keep its first.

    **Example:**

    .. code-block:: python

       pairs = deletion_log_entries(site, admin='Hasty')
       for page, entry in unique(pairs, key=lambda p: p[0].title()):
           print(page.title(), entry['logid'])

    :param admin: only deletions by this user
    :param start: the oldest deletion time to include
    :param end: the newest deletion time to include
    """
    params = {'leaction': 'delete/delete', 'leprop': DELETION_LEPROP,
              'ledir': 'newer', 'leuser': admin or None,
              'lestart': start.totimestampformat() if start else None,
              'leend': end.totimestampformat() if end else None}
    for title, entry in _log_entries(
            site, **{k: v for k, v in params.items() if v is not None}):
        yield pywikibot.Page(site, title), entry


def overwritten_files(site: Any, user: str) -> Iterator[pywikibot.FilePage]:
    """Yield the file of each overwrite by *user* (``upload/overwrite``).

    A file overwritten twice comes twice: see :func:`unique`.
    """
    for title, _ in _log_entries(site, leaction='upload/overwrite',
                                 leuser=user, leprop='title|type'):
        yield pywikibot.FilePage(site, title)
