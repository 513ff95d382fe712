"""Build API parameters for the wiki's MediaWiki version.

Pure functions: no request is made here. A parameter the wiki's version
does not know is never sent; asking for one is an
:exc:`UnsupportedParameterError` naming the version needed.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from pywikibot.tools import MediaWikiVersion

from ..exceptions import EmptySelectionError, UnsupportedParameterError


__all__ = ['PARAM_SINCE', 'batched', 'chunked', 'filerevert_params',
           'query_params', 'rollback_params', 'undelete_params']

#: (action, parameter) -> first MediaWiki version that knows it
PARAM_SINCE: dict[tuple[str, str], str] = {
    ('rollback', 'pageid'): '1.24',
    ('rollback', 'tags'): '1.27',
    ('rollback', 'watchlistexpiry'): '1.35',
    ('undelete', 'tags'): '1.27',
    ('undelete', 'watchlistexpiry'): '1.35',
    ('undelete', 'undeletetalk'): '1.39',
    ('filerevert', 'archivename'): '1.18',
    # 1.35 ignores it ("Unrecognized parameter") and then refuses the
    # query for want of ucuser
    ('query', 'uciprange'): '1.36',
}

WATCHLIST_VALUES = ('watch', 'unwatch', 'preferences', 'nochange')


def _version(version: MediaWikiVersion | str) -> MediaWikiVersion:
    if isinstance(version, MediaWikiVersion):
        return version
    return MediaWikiVersion(str(version))


def _check(action: str, params: dict[str, Any],
           version: MediaWikiVersion) -> dict[str, Any]:
    """Drop unset parameters and refuse unknown ones for *version*."""
    sent = {k: v for k, v in params.items()
            if v is not None and v is not False and v != []}
    for key in sent:
        since = PARAM_SINCE.get((action, key))
        if since and version < MediaWikiVersion(since):
            raise UnsupportedParameterError(
                f'action={action}: parameter {key!r} needs MediaWiki '
                f'{since} or newer; this wiki runs {version}')
    return sent


def _tags(tags: str | Iterable[str] | None) -> list[str] | None:
    if tags is None:
        return None
    if isinstance(tags, str):
        tags = tags.split(',')
    result = [t.strip() for t in tags if t.strip()]
    return result or None


def _watch(watchlist: str | None) -> str | None:
    if watchlist is not None and watchlist not in WATCHLIST_VALUES:
        raise ValueError(f'watchlist must be one of {WATCHLIST_VALUES}, '
                         f'not {watchlist!r}')
    return watchlist


def rollback_params(version: MediaWikiVersion | str, *,
                    user: str, title: str | None = None,
                    pageid: int | None = None, summary: str | None = None,
                    markbot: bool | None = None,
                    tags: str | Iterable[str] | None = None,
                    watchlist: str | None = None,
                    watchlistexpiry: str | None = None) -> dict[str, Any]:
    """Return ``action=rollback`` parameters, token not included.

    >>> rollback_params('1.39', title='A', user='X', tags='a, b')
    {'action': 'rollback', 'title': 'A', 'user': 'X', 'tags': ['a', 'b']}
    >>> rollback_params('1.23', pageid=5, user='X')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.UnsupportedParameterError: action=rollback: parameter 'pageid' needs MediaWiki 1.24 or newer; this wiki runs 1.23

    :raises ValueError: both or neither of *title* and *pageid*, an
        empty *user*, or a bad *watchlist* value
    :raises UnsupportedParameterError: a parameter the wiki lacks
    """
    if (title is None) == (pageid is None):
        raise ValueError('give exactly one of title and pageid')
    if not user:
        raise ValueError('rollback needs the user whose edits to revert')
    params = {'action': 'rollback', 'title': title, 'pageid': pageid,
              'user': user, 'summary': summary or None,
              'markbot': bool(markbot), 'tags': _tags(tags),
              'watchlist': _watch(watchlist),
              'watchlistexpiry': watchlistexpiry}
    return _check('rollback', params, _version(version))


def undelete_params(version: MediaWikiVersion | str, *, title: str,
                    timestamps: Sequence[str] | None = None,
                    fileids: Sequence[int] | None = None,
                    all_revisions: bool = False,
                    reason: str | None = None,
                    tags: str | Iterable[str] | None = None,
                    watchlist: str | None = None,
                    watchlistexpiry: str | None = None,
                    undeletetalk: bool = False) -> dict[str, Any]:
    """Return one ``action=undelete`` request's parameters.

    An empty selection means *everything* to the server, so it is
    refused unless *all_revisions* says so explicitly.

    >>> undelete_params('1.39', title='A', timestamps=['20260101000000'])
    {'action': 'undelete', 'title': 'A', 'timestamps': ['20260101000000']}
    >>> undelete_params('1.39', title='A', timestamps=[])
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.EmptySelectionError: A: nothing selected to undelete; pass all_revisions=True to restore every revision

    :raises EmptySelectionError: no selection and not *all_revisions*
    :raises ValueError: a selection together with *all_revisions*
    """
    timestamps = list(timestamps or [])
    fileids = [int(i) for i in fileids or []]
    if all_revisions and (timestamps or fileids):
        raise ValueError('all_revisions=True cannot go with a selection')
    if not all_revisions and not timestamps and not fileids:
        raise EmptySelectionError(
            f'{title}: nothing selected to undelete; pass '
            'all_revisions=True to restore every revision')
    params = {'action': 'undelete', 'title': title, 'reason': reason or None,
              'timestamps': timestamps, 'fileids': fileids,
              'tags': _tags(tags), 'watchlist': _watch(watchlist),
              'watchlistexpiry': watchlistexpiry,
              'undeletetalk': bool(undeletetalk)}
    return _check('undelete', params, _version(version))


def filerevert_params(version: MediaWikiVersion | str, *, filename: str,
                      archivename: str,
                      comment: str | None = None) -> dict[str, Any]:
    """Return ``action=filerevert`` parameters, token not included.

    *filename* is the title without namespace prefix, as the API wants.

    >>> filerevert_params('1.39', filename='A.png',
    ...                   archivename='20260101000000!A.png')
    {'action': 'filerevert', 'filename': 'A.png', 'archivename': '20260101000000!A.png'}
    """
    if not archivename:
        raise ValueError('filerevert needs an archive name')
    params = {'action': 'filerevert', 'filename': filename,
              'archivename': archivename, 'comment': comment or None}
    return _check('filerevert', params, _version(version))


def query_params(version: MediaWikiVersion | str,
                 **params: Any) -> dict[str, Any]:
    """Return ``action=query`` parameters, refusing any *version* lacks.

    >>> query_params('1.39', list='usercontribs', uciprange='10.0.0.0/24')
    {'action': 'query', 'list': 'usercontribs', 'uciprange': '10.0.0.0/24'}
    >>> query_params('1.35', list='usercontribs', uciprange='10.0.0.0/24')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.UnsupportedParameterError: action=query: parameter 'uciprange' needs MediaWiki 1.36 or newer; this wiki runs 1.35

    :raises UnsupportedParameterError: a parameter the wiki lacks
    """
    return _check('query', {'action': 'query', **params}, _version(version))


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of at most *size* items, lazily (for generators).

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError('chunk size must be positive')
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def chunked(items: Iterable[Any], size: int) -> list[list[Any]]:
    """Split *items* into lists of at most *size*.

    >>> chunked([1, 2, 3], 2)
    [[1, 2], [3]]
    """
    return list(batched(items, size))
