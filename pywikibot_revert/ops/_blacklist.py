"""Links that SpamBlacklist now forbids, on pages a rollback restored.

SpamBlacklist (like AbuseFilter) checks edits, not rollbacks: a
rollback to a revision that links to a domain blacklisted since brings
that link back, and MediaWiki lets it. :class:`BlacklistedLinks` finds
such pages for the report, in batches: the external links of many
pages in one read (``prop=extlinks``), then many of those links in one
question to the blacklist (``action=spamblacklist``). A wiki without
SpamBlacklist (siteinfo's extensions) is never asked.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from ..wiki._query import query_pages, read


__all__ = ['BlacklistedLinks', 'blacklisted_by']

#: titles read per request, links asked per request (the API's limit
#: for a multi-value parameter without ``apihighlimits``)
BATCH = 50


def blacklisted_by(urls: list[str], matches: list[str]) -> list[str]:
    """Return the *urls* that one of the blacklist's *matches* is part of.

    ``action=spamblacklist`` answers for all the urls it was asked at
    once, with the text its expressions matched (e.g. the domain).

    >>> blacklisted_by(['http://Spam.example/a', 'https://ok.example/'],
    ...                ['spam.example'])
    ['http://Spam.example/a']
    """
    lowered = [m.lower() for m in matches if m]
    return [url for url in urls if any(m in url.lower() for m in lowered)]


class BlacklistedLinks:

    """The pages, among those added, that link where the blacklist forbids.

    Pages are added as they are rolled back; every :data:`BATCH` pages
    (and at :meth:`flush`) their links are read and checked, two
    requests for the batch plus one per :data:`BATCH` links.

    **Example:**

    .. code-block:: python

       links = BlacklistedLinks(site)
       for title in rolled_back:
           report(links.add(title))
       report(links.flush())  # {title: ('http://spam.example/x',)}

    :param site: the wiki
    """

    def __init__(self, site: Any) -> None:
        """Initializer."""
        self.site = site
        self.pending: list[str] = []

    @cached_property
    def enabled(self) -> bool:
        """Whether the wiki runs SpamBlacklist (one siteinfo read, cached)."""
        return self.site.has_extension('SpamBlacklist')

    def add(self, title: str) -> dict[str, tuple[str, ...]]:
        """Note *title*; check the batch once it is full.

        :return: what :meth:`flush` returns when the batch was checked,
            else nothing
        """
        if not self.enabled:
            return {}
        self.pending.append(title)
        return self.flush() if len(self.pending) >= BATCH else {}

    def flush(self) -> dict[str, tuple[str, ...]]:
        """Check the pages noted so far.

        :return: title -> its links the blacklist forbids, for the pages
            that have any
        """
        titles, self.pending = self.pending, []
        if not titles:
            return {}
        links: dict[str, list[str]] = {}
        for page in query_pages(self.site, titles='|'.join(titles),
                                prop='extlinks', ellimit='max'):
            for link in page.get('extlinks', []):
                url = link.get('url') or link.get('*', '')
                links.setdefault(page['title'], []).append(url)
        urls = sorted({url for found in links.values() for url in found})
        matches: list[str] = []
        for start in range(0, len(urls), BATCH):
            answer = read(self.site, action='spamblacklist',
                          url=urls[start:start + BATCH])
            result = answer.get('spamblacklist', {})
            if result.get('result') == 'blacklisted':
                matches += result.get('matches', [])
        return {title: tuple(bad) for title, found in links.items()
                if (bad := blacklisted_by(found, matches))}
