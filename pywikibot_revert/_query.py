"""Reads, through ``site.simple_request``, with typed errors.

Every read of the plugin goes through :func:`read`: pywikibot keeps its
retries, throttle and maxlag handling (reads are safe to repeat), and
API errors come out typed (:func:`~pywikibot_revert._apierrors.translated`).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._apierrors import translated
from ._exceptions import MissingTargetError
from ._params import PARAM_SINCE, query_params


__all__ = ['latest_revisions', 'latest_revisions_at', 'query', 'query_pages',
           'read', 'revision_texts', 'top_revisions']


def read(site: Any, *, page: Any = None, **params: Any) -> dict[str, Any]:
    """Send one read request and return the answer.

    :param page: the page concerned, named in a typed error
    """
    with translated(page=page, site=site):
        return site.simple_request(**params).submit()


def query(site: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield the ``query`` part of each answer, following ``continue``.

    Uses ``formatversion=2``. Prop queries may return the same page in
    several answers, each with a part of its list: callers merge.

    :raises UnsupportedParameterError: a parameter the wiki's MediaWiki
        version lacks, before any request
    """
    # Only a gated parameter needs the wiki's version (siteinfo).
    if any(('query', key) in PARAM_SINCE for key in params):
        params = query_params(site.mw_version, **params)
    params = {'action': 'query', 'formatversion': 2, **params}
    cont: dict[str, Any] = {}
    while True:
        data = read(site, **params, **cont)
        yield data.get('query', {})
        if 'continue' not in data:
            return
        cont = data['continue']


def query_pages(site: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield each page dict of every answer (see :func:`query`)."""
    for part in query(site, **params):
        yield from part.get('pages', [])


def top_revisions(site: Any, *, title: str | None = None,
                  pageid: int | None = None,
                  limit: int | str = 'max') -> list[dict[str, Any]]:
    """Return the newest revisions of a page, newest first (one read).

    Each item has ``revid``, ``parentid``, ``user`` (absent when
    hidden, then ``userhidden`` is set), ``timestamp`` and ``tags``.

    :raises MissingTargetError: the page does not exist
    """
    where = {'titles': title} if title is not None else {'pageids': pageid}
    data = read(site, action='query', prop='revisions',
                rvprop='ids|user|tags|timestamp', rvlimit=limit,
                formatversion=2, **where)
    pages = data.get('query', {}).get('pages', [])
    if not pages or pages[0].get('missing') or pages[0].get('invalid'):
        raise MissingTargetError(
            f'page {title or pageid} does not exist on {site}', site=site,
            code='missingtitle')
    return pages[0].get('revisions', [])


def revision_texts(site: Any, revids: list[int]) -> dict[int, str]:
    """Return the wikitext of revisions, 50 revisions per request."""
    texts = {}
    for first in range(0, len(revids), 50):
        data = read(site, action='query', prop='revisions',
                    revids=revids[first:first + 50], rvprop='ids|content',
                    rvslots='main', formatversion=2)
        for page in data.get('query', {}).get('pages', []):
            for rev in page.get('revisions', []):
                slot = rev.get('slots', {}).get('main', {})
                texts[rev['revid']] = slot.get('content', '')
    return texts


def latest_revisions_at(site: Any, titles: list[str]
                        ) -> tuple[dict[str, dict[str, Any] | None],
                                   str | None]:
    """Return each page's latest revision (None: missing), and the time.

    One read serves up to 50 titles.

    :param titles: titles as pywikibot normalises them
    :return: title -> ``revid``, ``user``, ``timestamp`` (or None); and
        the wiki's time at the first read (an edit's ``starttimestamp``)
    """
    latest: dict[str, dict[str, Any] | None] = {}
    start = None
    for first in range(0, len(titles), 50):
        data = read(site, action='query', prop='revisions', curtimestamp=1,
                    titles=titles[first:first + 50],
                    rvprop='ids|user|timestamp', formatversion=2)
        start = start or data.get('curtimestamp')
        for page in data.get('query', {}).get('pages', []):
            revs = page.get('revisions') or [None]
            latest[page['title']] = None if page.get('missing') else revs[0]
    return latest, start


def latest_revisions(site: Any, titles: list[str]
                     ) -> dict[str, dict[str, Any] | None]:
    """Return each page's latest revision, None for a missing page.

    See :func:`latest_revisions_at`.
    """
    return latest_revisions_at(site, titles)[0]
