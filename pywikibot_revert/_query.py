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


__all__ = ['query', 'query_pages', 'read', 'revision_texts',
           'top_revisions']


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
    """
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
    """Return the wikitext of several revisions, read in one request.

    :param revids: at most 50 revision ids
    """
    data = read(site, action='query', prop='revisions', revids=revids,
                rvprop='ids|content', rvslots='main', formatversion=2)
    texts = {}
    for page in data.get('query', {}).get('pages', []):
        for rev in page.get('revisions', []):
            slot = rev.get('slots', {}).get('main', {})
            texts[rev['revid']] = slot.get('content', '')
    return texts
