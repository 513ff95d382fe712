"""Read file histories: one file with continuation, or many per request.

Unlike pywikibot's ``get_file_history()`` (a dict keyed by timestamp),
versions uploaded in the same second stay apart, and each version
carries the archive name ``action=filerevert`` needs, as the wiki lists
it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pywikibot

from ..wiki._apierrors import title_of
from ..exceptions import MissingTargetError
from ..wiki._params import chunked
from ..wiki._query import batch_size, query_pages
from ..results import FileVersion


__all__ = ['file_histories', 'file_history']

#: what each version is read with
IIPROP = 'archivename|timestamp|user|sha1|size|comment'
#: versions per file asked for when many files share one request
PER_FILE = 50


def _versions(page: dict[str, Any]) -> list[FileVersion]:
    return [FileVersion.from_api(v) for v in page.get('imageinfo', [])]


def file_history(filepage: pywikibot.FilePage, *,
                 limit: int | None = None) -> list[FileVersion]:
    """Return a file's versions, newest first, following continuation.

    Unlike pywikibot's ``get_file_history()`` (a dict keyed by
    timestamp), versions uploaded in the same second stay apart.

    :param limit: only the newest *limit* versions (one request)
    :raises MissingTargetError: no such file
    """
    site = filepage.site
    versions: list[FileVersion] = []
    seen = False
    for page in query_pages(site, prop='imageinfo', titles=filepage.title(),
                            iiprop=IIPROP, iilimit=limit or 'max'):
        seen = seen or bool(page.get('imageinfo'))
        versions.extend(_versions(page))
        if limit and len(versions) >= limit:
            break
    if not seen:
        raise MissingTargetError(f'{filepage.title()} has no file on {site}',
                                 page=filepage, code='missingtitle')
    return versions[:limit] if limit else versions


def file_histories(site: Any, titles: Iterable[Any], *,
                   heads: Iterable[Any] = ()
                   ) -> dict[str, list[FileVersion]]:
    """Return the histories of many files with one read per 50 files.

    One read names up to 50 titles, 500 with ``apihighlimits``. For
    several titles at once ``prop=imageinfo`` cuts each history at
    ``iilimit`` *without* a continuation, so a history that reaches the
    cut is read again on its own, unless only its newest versions are
    wanted.

    **Example:** plan the next files and read back the last reverts in
    one request::

        now = file_histories(site, waiting, heads=reverted)

    :param heads: more titles, of which only the newest
        ``PER_FILE`` versions are wanted (a read-back); they share
        the requests with *titles*
    :return: normalised title -> versions, newest first (empty list for
        a title without a file)
    """
    names = [title_of(t) for t in titles]
    tops = [title_of(t) for t in heads]
    result: dict[str, list[FileVersion]] = {}
    for batch in chunked(list(dict.fromkeys(names + tops)),
                         batch_size(site)):
        for page in query_pages(site, prop='imageinfo', titles=batch,
                                iiprop=IIPROP, iilimit=PER_FILE):
            result.setdefault(page['title'], []).extend(_versions(page))
    whole = {pywikibot.Page(site, name).title() for name in names}
    for title, versions in result.items():
        if len(versions) >= PER_FILE and title in whole:
            result[title] = file_history(pywikibot.FilePage(site, title))
    return result
