"""Restore deleted revisions, never more than asked for.

Whether one undelete request landed, after an uncertain answer or a
kill, is :func:`landed` (pure) and :func:`find_undelete` (one or two
reads), as for every operation.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pywikibot

from ..exceptions import NothingToUndeleteError, OutcomeUnknownError
from ..wiki._params import chunked, undelete_params
from ..wiki._apierrors import title_of
from ..wiki._messages import undelete_reason
from ..wiki._listings import DELETION_LEPROP
from ..wiki._query import batch_size, query, query_pages, read
from ..results import DeletedRevision, UndeleteResult
from ..wiki._rights import require_rights
from ..wiki._validate import normalize_username, parse_timestamp
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['UndeleteSelection', 'deleted_file_ids', 'deleted_revisions',
           'find_undelete', 'landed', 'last_deletion', 'select_revisions',
           'undelete']

#: titles per prop=deletedrevisions request
TITLES_PER_READ = 50

#: seconds between a file version's time and its page revision's: the
#: two are written in separate steps
FILE_REVISION_GAP = 2


@dataclass(frozen=True)
class UndeleteSelection:

    """Which deleted revisions and file versions to restore.

    >>> UndeleteSelection(('20260101000000',), ()).empty
    False
    """

    timestamps: tuple[str, ...] = ()
    fileids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing is selected."""
        return not self.timestamps and not self.fileids


def _ts(value: Any) -> str | None:
    if value is None:
        return None
    return parse_timestamp(value).totimestampformat()


def last_deletion(site: Any, title: str) -> dict[str, Any] | None:
    """Return the newest deletion log entry of *title* (one read).

    :return: the entry (``logid``, ``user``, ``timestamp``,
        ``comment``), or None if the log has none
    """
    data = read(site, action='query', list='logevents',
                leaction='delete/delete', letitle=title, lelimit=1,
                leprop=DELETION_LEPROP, formatversion=2)
    events = data.get('query', {}).get('logevents', [])
    return events[0] if events else None


def deleted_revisions(site: Any, titles: Iterable[Any], *,
                      since: Any = None, until: Any = None,
                      user: str | None = None,
                      except_user: str | None = None
                      ) -> Iterator[tuple[str, list[DeletedRevision]]]:
    """Yield ``(title, deleted revisions)`` for many pages, batched.

    One ``prop=deletedrevisions`` request serves up to 50 titles
    (continuation followed). Needs the ``deletedhistory`` right.

    :param titles: page titles or Page objects
    :param since: oldest timestamp to include
    :param until: newest timestamp to include
    :param user: only revisions by this user
    :param except_user: leave out revisions by this user
    """
    require_rights(site, 'deletedhistory')
    extra = {'drvstart': _ts(since), 'drvend': _ts(until), 'drvdir': 'newer',
             'drvuser': normalize_username(user, site) if user else None,
             'drvexcludeuser': (normalize_username(except_user, site)
                                if except_user else None)}
    extra = {k: v for k, v in extra.items() if v is not None}
    names = [title_of(t) for t in titles]
    for batch in chunked(names, TITLES_PER_READ):
        found: dict[str, list[DeletedRevision]] = {}
        for page in query_pages(
                site, prop='deletedrevisions', titles=batch,
                drvprop='ids|timestamp|user|comment|size|sha1',
                drvlimit='max', **extra):
            revs = found.setdefault(page['title'], [])
            revs.extend(DeletedRevision.from_api(page['title'], r)
                        for r in page.get('deletedrevisions', []))
        for name in batch:
            title = pywikibot.Page(site, name).title()
            yield title, found.get(title, [])


def deleted_file_ids(site: Any, title: str, *, since: Any = None,
                     until: Any = None,
                     except_user: str | None = None,
                     along: Iterable[Any] | None = None) -> list[int]:
    """Return the ids of deleted versions of one file (list=filearchive).

    A file version and the page revision its upload added are written
    apart, and their times may fall in neighbouring seconds. To restore
    the versions that went with some deleted revisions, pass their
    timestamps as *along*, not the oldest as *since*: a version stamped
    a second before its revision would be left deleted.

    **Example:** the versions that belong with two revisions::

        ids = deleted_file_ids(site, 'File:Logo.png',
                               along=['20261201100000', '20261201100500'])

    :param title: the file's title, with or without namespace
    :param along: only versions uploaded within 2 s of one of these
        timestamps
    """
    require_rights(site, 'deletedhistory')
    name = pywikibot.FilePage(site, title).title(with_ns=False,
                                                  underscore=True)
    since_ts, until_ts = _ts(since), _ts(until)
    near = (None if along is None
            else [parse_timestamp(t) for t in along])
    skip = normalize_username(except_user, site) if except_user else None
    ids = []
    for part in query(site, list='filearchive', fafrom=name, fato=name,
                      faprop='timestamp|user', falimit='max'):
        for item in part.get('filearchive', []):
            stamp = pywikibot.Timestamp.fromISOformat(item['timestamp'])
            ts = stamp.totimestampformat()
            if since_ts and ts < since_ts or until_ts and ts > until_ts:
                continue
            if skip and item.get('user') == skip:
                continue
            if near is not None and not any(
                    abs((stamp - t).total_seconds()) <= FILE_REVISION_GAP
                    for t in near):
                continue
            ids.append(int(item['id']))
    return ids


def select_revisions(page: pywikibot.Page, *, since: Any = None,
                     until: Any = None, except_user: str | None = None,
                     revisions: list[DeletedRevision] | None = None
                     ) -> UndeleteSelection:
    """Select deleted revisions (and file versions) of *page* to restore.

    The API restores revisions by timestamp, one second at a time. A
    revision of *except_user* that shares its second with another
    revision would come back with it, so that second is left out (with
    a warning): nothing is restored that was not asked for. Revisions
    whose user name is hidden are left out too when *except_user* is
    given, as they might be that user's.

    **Example:** everything but the vandal's revisions::

        sel = page.revert.select(except_user='Vandal')
        page.revert.undelete(selection=sel)

    :param revisions: the page's deleted revisions if already read (by
        :func:`deleted_revisions` for many pages at once), of *every*
        user: read without *except_user*, whose revisions must be seen
        to keep the seconds they share deleted
    :return: a selection, possibly empty
    """
    site = page.site
    if revisions is None:
        revisions = next(deleted_revisions(site, [page], since=since,
                                           until=until))[1]
    since_ts, until_ts = _ts(since), _ts(until)
    skip = normalize_username(except_user, site) if except_user else None
    wanted, unwanted = set(), set()
    for rev in revisions:
        stamp = rev.timestamp.totimestampformat()
        if since_ts and stamp < since_ts or until_ts and stamp > until_ts:
            continue
        if skip and (rev.userhidden or rev.user == skip):
            unwanted.add(stamp)
        else:
            wanted.add(stamp)
    if wanted & unwanted:
        pywikibot.warning(
            f'{page.title()}: {len(wanted & unwanted)} second(s) hold '
            f'revisions of {skip} (or hidden users) and of others; those '
            'stay deleted, as the API cannot restore them apart')
    fileids: list[int] = []
    if page.namespace() == 6:
        # a window picks the versions that go with its revisions: a
        # version may be stamped a second before its revision
        along = (wanted - unwanted if since is not None
                 or until is not None else None)
        fileids = deleted_file_ids(site, page.title(), along=along,
                                   except_user=except_user)
    return UndeleteSelection(tuple(sorted(wanted - unwanted)),
                             tuple(fileids))


def landed(part: dict[str, Any], stamps: set[str],
           fileids: set[int]) -> bool | None:
    """Tell from what is still deleted whether one request landed.

    >>> part = {'timestamps': ['20260101000000', '20260102000000']}
    >>> deleted = set(part['timestamps'])
    >>> landed(part, set(), set()), landed(part, deleted, set())
    (True, False)
    >>> landed(part, {'20260101000000'}, set()) is None
    True

    :param part: the request's selection: ``all_revisions``, or
        ``timestamps`` and ``fileids``
    :param stamps: timestamps still deleted
    :param fileids: file ids still deleted
    :return: True if it landed, False if nothing of it did, None if
        part of it did
    """
    if part.get('all_revisions'):
        return not stamps and not fileids
    want_stamps = set(part.get('timestamps', []))
    want_ids = set(part.get('fileids', []))
    left = len(want_stamps & stamps) + len(want_ids & fileids)
    if not left:
        return True
    if left == len(want_stamps) + len(want_ids):
        return False
    return None


def find_undelete(page: pywikibot.Page,
                  part: dict[str, Any]) -> dict[str, Any] | None:
    """Ask the wiki whether an undelete of *part* landed (one or two reads).

    What is still in the archive is read: the page's deleted revisions,
    and for a file its deleted versions (:func:`landed`).

    :param part: ``{'all_revisions': True}``, or ``timestamps`` and
        ``fileids`` lists
    :return: the ``undelete`` answer the API would have given, or None
        when nothing of it is back
    :raises OutcomeUnknownError: part of it is back
    """
    site, title = page.site, page.title()
    (_, revs), = deleted_revisions(site, [title])
    stamps = {r.timestamp.totimestampformat() for r in revs}
    fileids: set[int] = set()
    if page.namespace() == 6:
        fileids = set(deleted_file_ids(site, title))
    done = landed(part, stamps, fileids)
    if done is None:
        raise OutcomeUnknownError(f'{title}: part of the undelete is done',
                                  page=page)
    if not done:
        return None
    if part.get('all_revisions'):
        # no list says how many came back: the restore's log entry does
        # (a -undo compares it with the page's revisions)
        events = read(site, page=page, action='query', list='logevents',
                      leaction='delete/restore', letitle=title,
                      leuser=site.user(), lelimit=1, formatversion=2
                      )['query']['logevents']
        count = events[0].get('params', {}).get('count', {}) if events \
            else {}
        return {'title': title, 'revisions': count.get('revisions', 0),
                'fileversions': count.get('files', 0)}
    return {'title': title, 'revisions': len(part.get('timestamps', [])),
            'fileversions': len(part.get('fileids', []))}


def undelete(page: pywikibot.Page, *, timestamps: Iterable[Any] = (),
             fileids: Iterable[int] = (),
             selection: UndeleteSelection | None = None,
             all_revisions: bool = False, summary: str | None = None,
             tags: Any = None, watchlist: str | None = None,
             watchlistexpiry: str | None = None,
             undeletetalk: bool = False, nouser: bool = False,
             max_wait: float | None = None) -> UndeleteResult:
    """Restore deleted revisions of *page*.

    Exactly what is selected comes back: *timestamps* and *fileids*
    (or a *selection* from :func:`select_revisions`), or everything
    with ``all_revisions=True``. An empty selection is refused, because
    the server would restore everything. Long lists are sent in chunks
    of 50 (500 with ``apihighlimits``); the counts are summed.

    **Example:**

    .. code-block:: python

       page = pywikibot.Page(site, 'Deleted by mistake')
       result = page.revert.undelete(all_revisions=True, summary='oops')
       print(result.revisions, result.fileversions)

    :param summary: the reason in the log; by default one naming the
        deletion reversed, its admin and log entry, read from the
        deletion log (one read, see
        ``wiki._messages.undelete_reason``), in the wiki's content
        language; ``''`` for none
    :param nouser: the default reason leaves out the deleting admin's
        name and the deletion's own reason
    :param undeletetalk: restore the talk page too; on MediaWiki older
        than 1.39 this is a second, explicit request for the talk page.
        The counts of the result include the talk page's either way.
    :raises EmptySelectionError: nothing selected
    :raises NothingToUndeleteError: nothing of that is deleted
    :raises MissingRightError: the ``undelete`` right is missing
    """
    site = page.site
    if selection is not None:
        timestamps = list(timestamps) + list(selection.timestamps)
        fileids = list(fileids) + list(selection.fileids)
    stamps = sorted({_ts(t) for t in timestamps})
    ids = sorted({int(i) for i in fileids})
    title = page.title()
    # validate everything before the first request
    undelete_params(site.mw_version, title=title, timestamps=stamps,
                    fileids=ids, all_revisions=all_revisions, tags=tags,
                    watchlist=watchlist, watchlistexpiry=watchlistexpiry)
    require_rights(site, 'undelete')
    talk_here = undeletetalk and site.mw_version >= '1.39'
    if summary is None:
        summary = undelete_reason(last_deletion(site, title), site,
                                  nouser=nouser)

    size = batch_size(site)
    if all_revisions:
        requests = [{'all_revisions': True}]
    else:
        requests = ([{'timestamps': c} for c in chunked(stamps, size)]
                    + [{'fileids': c} for c in chunked(ids, size)])

    total: UndeleteResult | None = None
    for selection_part in requests:
        params = undelete_params(
            site.mw_version, title=title, reason=summary, tags=tags,
            watchlist=watchlist, watchlistexpiry=watchlistexpiry,
            undeletetalk=talk_here, **selection_part)

        answer = submit_write(
            site, params, token='csrf', page=page, max_wait=max_wait,
            reconcile=reconcile_by('undelete', partial(
                find_undelete, page, selection_part)))
        part_result = UndeleteResult.from_api(
            {'title': title, **answer.get('undelete', {})},
            simulated=is_simulation())
        total = part_result if total is None else total + part_result

    assert total is not None
    if undeletetalk and not talk_here and not page.isTalkPage():
        talk = page.toggleTalkPage()
        try:
            talk_result = undelete(talk, all_revisions=True, summary=summary,
                                   tags=tags, max_wait=max_wait)
        except NothingToUndeleteError:
            talk_result = None
        # From 1.39 on the server counts the talk page's revisions with
        # the page's: count them so here too, so that a result means
        # the same on every release (talk has them apart as well).
        extra = talk_result or UndeleteResult(title=talk.title())
        total = UndeleteResult(
            title=total.title, revisions=total.revisions + extra.revisions,
            fileversions=total.fileversions + extra.fileversions,
            reason=total.reason, requests=total.requests + extra.requests,
            simulated=total.simulated, talk=talk_result)
    return total
