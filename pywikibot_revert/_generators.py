"""Page generators of the scripts, streamed from the wiki's lists.

Each follows continuation to the end, :data:`LISTING_BATCH` items per
request: every page, not the first 500. Nothing is kept per page but
where the input can repeat a page (a page selection, a log): its title.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pywikibot

from ._query import query_items


__all__ = ['DELETION_LEPROP', 'LISTING_BATCH', 'deletion_log_entries',
           'listing_limit', 'overwritten_files', 'top_contributions',
           'unique']


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


def unique(pages: Iterable[pywikibot.Page]) -> Iterator[pywikibot.Page]:
    """Yield each page once, by title, in the order first seen.

    A page selection can name a page twice (``-page:A -cat:B`` with A
    in B).

    **Example:**

    .. code-block:: python

       pages = [pywikibot.Page(site, t) for t in ('A', 'B', 'A')]
       assert [p.title() for p in unique(pages)] == ['A', 'B']
    """
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
    """Yield ``(title, entry)`` for each title of a log, at its first entry."""
    # a page deleted (or a file overwritten) twice is logged twice
    seen: set[str] = set()
    for event in query_items(site, 'logevents', list='logevents',
                             lelimit=listing_limit(site), **params):
        title = event.get('title')
        if title and title not in seen:
            seen.add(title)
            yield title, event


def deletion_log_entries(site: Any, *, admin: str | None = None,
                 start: Any = None, end: Any = None
                 ) -> Iterator[tuple[pywikibot.Page, dict[str, Any]]]:
    """Yield ``(page, entry)`` for each page deleted in the log, once.

    Only deletions (``delete/delete``) count, not restores nor revision
    deletions; oldest first, :data:`LISTING_BATCH` entries a request
    (with its ``comment``, an entry is larger than a contribution). Each
    page comes with its first deletion in the window (``logid``, ``user``,
    ``timestamp``, ``comment``), which names what an undelete reverses
    (:func:`~pywikibot_revert._messages.undelete_reason`) without a
    read per page.

    **Example:**

    .. code-block:: python

       for page, entry in deletion_log_entries(site, admin='Hasty'):
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
    """Yield each file *user* overwrote (``upload/overwrite``), once."""
    for title, _ in _log_entries(site, leaction='upload/overwrite',
                                 leuser=user, leprop='title|type'):
        yield pywikibot.FilePage(site, title)
