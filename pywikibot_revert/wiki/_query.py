"""Reads, through ``site.simple_request``, with typed errors.

Every read of the plugin goes through :func:`read`: pywikibot keeps its
retries, throttle and maxlag handling (reads are safe to repeat), and
API errors come out typed (:func:`~pywikibot_revert.wiki._apierrors.translated`).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._apierrors import translated
from ..exceptions import MissingTargetError
from ._params import PARAM_SINCE, batched, query_params


__all__ = ['batch_size', 'latest_revisions', 'latest_revisions_at',
           'merged_pages', 'query', 'query_items', 'query_pages', 'read',
           'revision_texts', 'revisions_by_id', 'top_revisions']


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
        more = data.get('continue')
        part = data.get('query', {})
        # Neither the answer nor its part is held while the next one is
        # read and parsed: a listing's has up to 5,000 items.
        del data
        yield part
        del part
        if more is None:
            return
        cont = more


def query_items(site: Any, key: str, **params: Any
                ) -> Iterator[dict[str, Any]]:
    """Yield each item of the list *key* of every answer, letting go of each.

    The list is taken out of its answer and emptied as it is yielded:
    an item is freed once the caller is done with it, and when the next
    answer is parsed nothing of this one is left, so a listing of any
    length holds at most one answer's items (see :func:`query`).

    **Example:** the pages a user's contributions are the latest
    revision of::

        for contrib in query_items(site, 'usercontribs',
                                   list='usercontribs', ucuser='Vandal',
                                   ucshow='top', uclimit='max'):
            print(contrib['title'])
    """
    for part in query(site, **params):
        items = part.pop(key, None) or []
        del part
        items.reverse()
        while items:
            yield items.pop()


def query_pages(site: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield each page dict of every answer (see :func:`query_items`)."""
    return query_items(site, 'pages', **params)


def merged_pages(site: Any, titles: list[str], *, batch: int = 50,
                 **params: Any) -> dict[str, dict[str, Any]]:
    """Read props of many pages, each page's parts merged into one dict.

    A prop query continues one prop at a time, and a page comes back in
    several answers, each with a part of its lists: they are joined.
    One request (and its continuations) per *batch* titles.

    :return: title -> page (``formatversion=2``), the titles as given
        (before normalisation) included
    """
    pages: dict[str, dict[str, Any]] = {}
    for chunk in batched(titles, batch):
        aliases = {}
        for part in query(site, titles=chunk, **params):
            aliases.update((a['from'], a['to'])
                           for a in part.get('normalized', []))
            for page in part.get('pages', []):
                have = pages.setdefault(page['title'], {})
                for key, value in page.items():
                    if isinstance(value, list):
                        have.setdefault(key, []).extend(value)
                    else:
                        have[key] = value
        for alias, title in aliases.items():
            pages[alias] = pages.get(title, {})
    return pages


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


def batch_size(site: Any) -> int:
    """Return how many ids or titles one request may carry.

    500 with ``apihighlimits`` (administrators and bots), else 50.
    """
    return 500 if site.has_right('apihighlimits') else 50


def revisions_by_id(site: Any, revids: list[int], *, batch: int = 50
                    ) -> dict[int, dict[str, Any]]:
    """Return ``revid``, ``parentid`` and ``user`` of many revisions.

    One read per *batch* ids. A revision the wiki does not return (a
    bad or deleted id) is left out.
    """
    found = {}
    for ids in batched(revids, batch):
        data = read(site, action='query', prop='revisions', revids=ids,
                    rvprop='ids|user', formatversion=2)
        for page in data.get('query', {}).get('pages', []):
            for rev in page.get('revisions', []):
                found[rev['revid']] = rev
    return found


def revision_texts(site: Any, revids: list[int]) -> dict[int, str]:
    """Return the wikitext of revisions, 50 revisions per request.

    Texts larger together than the wiki's result size limit come in
    several answers (``rvcontinue``), which are followed: a text left
    out would make a diff of an empty text.
    """
    texts = {}
    for chunk in batched(revids, 50):
        for page in query_pages(site, prop='revisions', revids=chunk,
                                rvprop='ids|content', rvslots='main'):
            for rev in page.get('revisions', []):
                slot = rev.get('slots', {}).get('main', {})
                texts[rev['revid']] = slot.get('content', '')
    return texts


def latest_revisions_at(site: Any, titles: list[str], *, batch: int = 50
                        ) -> tuple[dict[str, dict[str, Any] | None],
                                   str | None]:
    """Return each page's latest revision (None: missing), and the time.

    One read serves up to *batch* titles (50; 500 with
    ``apihighlimits``, see :func:`batch_size`).

    :param titles: titles as pywikibot normalises them
    :return: title -> ``revid``, ``parentid``, ``user``, ``timestamp``
        and the page's ``pageid`` (or None); and the wiki's time at the first read (an edit's
        ``starttimestamp``)
    """
    latest: dict[str, dict[str, Any] | None] = {}
    start = None
    for chunk in batched(titles, batch):
        data = read(site, action='query', prop='revisions', curtimestamp=1,
                    titles=chunk, rvprop='ids|user|timestamp',
                    formatversion=2)
        start = start or data.get('curtimestamp')
        query = data.get('query', {})
        for page in query.get('pages', []):
            revs = page.get('revisions') or [None]
            # the page id names the page wherever it is moved later
            latest[page['title']] = (None if page.get('missing')
                                     or revs[0] is None else
                                     {**revs[0], 'pageid': page['pageid']})
        for alias in query.get('normalized', []):
            latest[alias['from']] = latest.get(alias['to'])
    return latest, start


def latest_revisions(site: Any, titles: list[str], *, batch: int = 50
                     ) -> dict[str, dict[str, Any] | None]:
    """Return each page's latest revision, None for a missing page.

    See :func:`latest_revisions_at`.
    """
    return latest_revisions_at(site, titles, batch=batch)[0]
