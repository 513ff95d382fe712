"""Revert a file to an old version, chosen safely and checked after.

The archive name ``action=filerevert`` needs carries the time a version
was *superseded*, not its upload time, so it is always read from
``prop=imageinfo``, never built. A ``{"result": "Failure"}`` answer is
an error, and the new current version is read back and compared
(:func:`check_revert`); whether a revert landed after an uncertain
answer or a kill is :func:`landed` (pure) and :func:`find_filerevert`
(one read), as for every operation.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pywikibot

from ..exceptions import (
    AlreadyRolledBackError,
    BadFileVersionError,
    ConflictError,
    FileRevertFailedError,
    IdenticalVersionError,
    MissingTargetError,
    OnlyAuthorError,
    OutcomeUnknownError,
)
from ..wiki._params import filerevert_params
from ._edit import put_back
from ._filehistory import file_history
from ..wiki._i18n import plugin_message
from ..wiki._messages import filerevert_comment
from ..results import FileRevertResult, FileVersion
from ..wiki._rights import require_rights
from ..wiki._validate import normalize_username, parse_timestamp
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['check_revert', 'choose_version', 'filerevert',
           'find_filerevert', 'landed', 'same_version']


def choose_version(history: Sequence[FileVersion], *, title: str = '',
                   archivename: str | None = None, timestamp: Any = None,
                   sha1: str | None = None, previous: bool = False,
                   not_user: str | None = None,
                   at: Any = None) -> FileVersion:
    """Choose the old version to revert to; exactly one way must be given.

    >>> from pywikibot import Timestamp as T
    >>> h = [FileVersion(T(2026, 1, 3), 'Vandal', 'c'),
    ...      FileVersion(T(2026, 1, 2), 'Editor', 'b', archivename='2!A'),
    ...      FileVersion(T(2026, 1, 1), 'Editor', 'a', archivename='1!A')]
    >>> choose_version(h, not_user='Vandal').sha1
    'b'
    >>> choose_version(h, at='2026-01-01T12:00:00Z').sha1
    'a'

    :param history: versions newest first, the current one first
    :param archivename: the archive name, as the wiki lists it
    :param timestamp: the version's own upload time (must be unique)
    :param sha1: the version's content hash (newest old one wins)
    :param previous: the version before the current one
    :param not_user: the newest version not uploaded by this user; the
        current one must be by this user
    :param at: the version that was current at that time
    :raises BadFileVersionError: no such version, or ambiguous
    :raises IdenticalVersionError: the target is the current content
    :raises AlreadyRolledBackError: *not_user* did not upload the
        current version
    :raises OnlyAuthorError: no version by anyone else than *not_user*
    :raises ValueError: not exactly one way of choosing
    """
    ways = [archivename is not None, timestamp is not None, sha1 is not None,
            bool(previous), not_user is not None, at is not None]
    if sum(ways) != 1:
        raise ValueError('choose the version in exactly one way: archivename,'
                         ' timestamp, sha1, previous, not_user or at')
    if not history:
        raise MissingTargetError(f'{title}: no file versions')
    current, old = history[0], list(history[1:])
    name = title.split(':', 1)[-1].replace(' ', '_')
    target: FileVersion | None = None
    if archivename is not None:
        target = next((v for v in old if v.archivename == archivename), None)
        if target is None:
            other = archivename.partition('!')[2]
            if name and other and other != name:
                raise BadFileVersionError(
                    f'{title}: archive name {archivename!r} belongs to '
                    f'File:{other}, not to this file', code='badarchivename')
            raise BadFileVersionError(
                f'{title}: no old version has archive name {archivename!r}',
                code='filerevert-badversion')
    elif timestamp is not None:
        ts = parse_timestamp(timestamp)
        matches = [v for v in history if v.timestamp == ts]
        if len(matches) > 1:
            raise BadFileVersionError(
                f'{title}: {len(matches)} versions were uploaded at '
                f'{ts.isoformat()}; choose by sha1 or archive name')
        if not matches:
            raise BadFileVersionError(
                f'{title}: no version was uploaded at {ts.isoformat()}')
        target = matches[0]
    elif sha1 is not None:
        if current.sha1 == sha1:
            raise IdenticalVersionError(
                f'{title}: the current version already has sha1 {sha1}',
                code='fileexists-no-change')
        target = next((v for v in old if v.sha1 == sha1), None)
        if target is None:
            raise BadFileVersionError(f'{title}: no version has sha1 {sha1}')
    elif previous:
        if not old:
            raise BadFileVersionError(f'{title}: there is no earlier version')
        target = old[0]
    elif not_user is not None:
        user = normalize_username(not_user)
        if current.userhidden or current.user != user:
            raise AlreadyRolledBackError(
                f'{title}: the current version is by '
                f'{current.user or "(hidden)"}, not by {user}',
                code='alreadyrolled')
        target = next((v for v in old if not v.userhidden
                       and not v.filehidden and v.user != user), None)
        if target is None:
            raise OnlyAuthorError(
                f'{title}: every version is by {user}', code='onlyauthor')
    else:
        when = parse_timestamp(at)
        target = next((v for v in history if v.timestamp <= when), None)
        if target is None:
            raise BadFileVersionError(
                f'{title}: the file did not exist at {when.isoformat()}')
    if target.is_current or target.sha1 == current.sha1:
        raise IdenticalVersionError(
            f'{title}: the chosen version is identical to the current one',
            code='fileexists-no-change')
    if target.filehidden:
        raise BadFileVersionError(
            f'{title}: the chosen version is hidden (revision-deleted)')
    return target


def same_version(a: FileVersion, b: FileVersion) -> bool:
    """Return True if two listings name the same version.

    The whole version: content, upload time and uploader (an upload of
    the same content by someone else is another version).

    >>> from pywikibot import Timestamp as T
    >>> a = FileVersion(T(2026, 1, 1), 'E', 'a', archivename='1!A')
    >>> same_version(a, FileVersion(T(2026, 1, 1), 'E', 'a'))
    True
    >>> same_version(a, FileVersion(T(2026, 1, 2), 'F', 'a'))
    False
    """
    return (a.sha1, a.timestamp, a.user) == (b.sha1, b.timestamp, b.user)


def landed(now: Sequence[FileVersion], target: FileVersion,
           replaced: FileVersion) -> bool | None:
    """Tell from the newest versions whether a revert to *target* landed.

    Timestamps have one-second resolution, so versions are told apart
    by content too (:func:`choose_version` made sure *target* and
    *replaced* differ).

    >>> from pywikibot import Timestamp as T
    >>> old = FileVersion(T(2026, 1, 1), 'E', 'a', archivename='1!A')
    >>> replaced = FileVersion(T(2026, 1, 2), 'V', 'b')
    >>> ours = FileVersion(T(2026, 1, 3), 'Me', 'a')
    >>> landed([ours, replaced], old, replaced)
    True
    >>> landed([replaced, old], old, replaced)
    False

    :param now: the newest two versions, newest first
    :return: True if it landed, False if nothing changed, None if the
        file changed some other way
    """
    if now and same_version(now[0], replaced):
        return False
    if (len(now) > 1 and now[0].sha1 == target.sha1
            and same_version(now[1], replaced)):
        return True
    return None


def find_filerevert(filepage: pywikibot.FilePage, target: FileVersion,
                    replaced: FileVersion) -> FileVersion | None:
    """Ask the wiki whether a revert to *target* landed (one read).

    :return: the new current version if it landed, None if the file is
        unchanged (see :func:`landed`) or its new top is the same
        content uploaded by someone else
    :raises OutcomeUnknownError: the file changed some other way
    """
    now = file_history(filepage, limit=2)
    done = landed(now, target, replaced)
    if done and now[0].user != filepage.site.user():
        # someone else uploaded the very content: ours did not land
        # (the wiki refuses a revert to the current content)
        done = False
    if done is None:
        raise OutcomeUnknownError(
            f'{filepage.title()}: the file has unexpected new versions '
            f'(current: {now[0].sha1} by {now[0].user})', page=filepage)
    return now[0] if done else None


def check_revert(filepage: pywikibot.FilePage, now: Sequence[FileVersion],
                 target: FileVersion, replaced: FileVersion) -> FileVersion:
    """Check a revert that the wiki said succeeded; undo a conflict.

    The revert must show *target* on top of *replaced*, the version the
    plan was made from. If someone uploaded between our read and our
    write, the revert replaced *their* version: it is put back at once
    (one more revert, to that version, see
    :func:`~pywikibot_revert.ops._edit.put_back`) and the file is
    reported as a conflict, never as done.

    :param now: the newest two versions, read after the revert
    :return: the new current version
    :raises ConflictError: a newer version was replaced (and put back,
        see its ``restored``)
    :raises FileRevertFailedError: the read-back does not show the
        revert at all
    """
    title = filepage.title()
    if landed(now, target, replaced):
        return now[0]
    top = now[0] if now else None
    if (top is None or top.sha1 != target.sha1 or len(now) < 2
            or top.user != filepage.site.user()):
        raise FileRevertFailedError(
            f'{title}: read back shows '
            f'{f"sha1 {top.sha1} by {top.user}" if top else "no file"}, '
            f'expected {target.sha1}', page=filepage)
    newer = now[1]
    if newer.sha1 == target.sha1:
        # they uploaded the very content we reverted to: nothing to undo
        raise ConflictError(f'{title}: {newer.user} uploaded the same '
                            'content in the meantime', page=filepage,
                            code='conflict', restored=True)
    put_back(filepage, f'{title}: the version by {newer.user} uploaded '
             f'{newer.timestamp.isoformat()} ({newer.sha1[:10]}) came after '
             'the plan and was replaced by the revert',
             lambda: filerevert(
                 filepage, archivename=newer.archivename, history=now,
                 comment=plugin_message(filepage.site, 'putback-file',
                                        user=newer.user)),
             thing='file')


def filerevert(filepage: pywikibot.FilePage, *,
               archivename: str | None = None, timestamp: Any = None,
               sha1: str | None = None, previous: bool = False,
               not_user: str | None = None, at: Any = None,
               comment: str | None = None,
               history: Sequence[FileVersion] | None = None,
               verify: bool = True,
               max_wait: float | None = None) -> FileRevertResult:
    """Revert a file to an old version (see :func:`choose_version`).

    **Example:** undo the overwrites of one user::

        fp = pywikibot.FilePage(site, 'File:Logo.png')
        result = fp.revert.filerevert(not_user='Vandal')
        print(result.sha1, result.timestamp)

    :param history: the file's versions if already read (batch callers
        use :func:`file_histories`); read here otherwise
    :param verify: read the new current version back and check it
    :param comment: upload comment; by default the wiki's own, as its
        revert form fills it: ``filerevert-defaultcomment`` in the
        content language with the date and time of the version reverted
        to (read once per wiki and process, see
        ``wiki._messages.filerevert_comment``); ``''``
        for none
    :return: the result with the new current version
    :raises FileRevertFailedError: the wiki answered ``Failure``, or the
        read-back does not show the target
    :raises ConflictError: someone uploaded after *history* was read;
        their version was put back (see ``check_revert``)
    :raises IdenticalVersionError: nothing to do
    :raises MissingRightError: ``edit``, ``upload`` or ``reupload``
        missing
    """
    site = filepage.site
    title = filepage.title()
    require_rights(site, 'filerevert')
    history = list(history) if history is not None else file_history(
        filepage)
    target = choose_version(history, title=title, archivename=archivename,
                            timestamp=timestamp, sha1=sha1,
                            previous=previous, not_user=not_user, at=at)
    replaced = history[0]
    if comment is None:
        comment = filerevert_comment(site, target.timestamp)
    params = filerevert_params(site.mw_version,
                               filename=filepage.title(with_ns=False),
                               archivename=target.archivename,
                               comment=comment)

    reconcile = reconcile_by(
        'filerevert', lambda: find_filerevert(filepage, target, replaced),
        answer={'result': 'Success'})

    def send() -> dict[str, Any]:
        return submit_write(site, params, token='csrf', reconcile=reconcile,
                            page=filepage, max_wait=max_wait)

    try:
        answer = send()
    except FileRevertFailedError as err:
        # a revert in the same second as the last upload collides on the
        # archive name; a Failure answer means nothing was written, so
        # one later retry is safe
        if err.code != 'backend-fail-alreadyexists':
            raise
        time.sleep(1.1)
        answer = send()
    if answer.get('filerevert', {}).get('result') != 'Success':
        raise FileRevertFailedError(f'{title}: unexpected answer {answer}',
                                    page=filepage)
    if is_simulation() and not answer.get('reconciled'):
        return FileRevertResult(title=title, target=target,
                                replaced=replaced, comment=comment,
                                simulated=True)
    current = None
    if verify:
        current = check_revert(filepage, file_history(filepage, limit=2),
                               target, replaced)
    return FileRevertResult(title=title, target=target, replaced=replaced,
                            current=current, comment=comment)
