"""Frozen result objects returned by the helpers.

Results built from a ``-simulate`` run carry ``simulated=True`` and no
ids: the wiki was never asked, so nothing is made up.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot


__all__ = [
    'BlockResult',
    'DeleteResult',
    'MoveResult',
    'ProtectResult',
    'Refusal',
    'RightsResult',
    'UnblockResult',
    'DeletedRevision',
    'EditResult',
    'FileRevertResult',
    'FileVersion',
    'RevisionDeleteResult',
    'RollbackResult',
    'UndeleteResult',
    'UndoUserResult',
]


def _ts(value: Any) -> pywikibot.Timestamp | None:
    if value is None or isinstance(value, pywikibot.Timestamp):
        return value
    return pywikibot.Timestamp.fromISOformat(value)


@dataclass(frozen=True)
class RollbackResult:

    """What one ``action=rollback`` did.

    >>> r = RollbackResult.from_api({'title': 'A', 'pageid': 3,
    ...     'summary': 's', 'revid': 9, 'old_revid': 8, 'last_revid': 5},
    ...     user='Vandal', reverted=2)
    >>> r.changed, r.reverted
    (True, 2)

    :ivar reverted: how many revisions were undone, or None when not
        counted (counting costs a read)
    """

    title: str
    user: str
    pageid: int | None = None
    summary: str | None = None
    revid: int | None = None
    old_revid: int | None = None
    last_revid: int | None = None
    reverted: int | None = None
    simulated: bool = False

    @classmethod
    def from_api(cls, data: dict[str, Any], *, user: str,
                 reverted: int | None = None,
                 simulated: bool = False) -> RollbackResult:
        """Build from the ``rollback`` member of the API answer."""
        def _int(key: str) -> int | None:
            return int(data[key]) if data.get(key) is not None else None
        return cls(title=str(data.get('title')), user=user,
                   pageid=_int('pageid'), summary=data.get('summary'),
                   revid=_int('revid'), old_revid=_int('old_revid'),
                   last_revid=_int('last_revid'), reverted=reverted,
                   simulated=simulated)

    @property
    def changed(self) -> bool | None:
        """Whether the page content changed (a null rollback did not)."""
        if self.revid is None or self.old_revid is None:
            return None
        return self.revid != self.old_revid


@dataclass(frozen=True)
class UndeleteResult:

    """What one undelete (possibly several requests) restored."""

    title: str
    revisions: int = 0
    fileversions: int = 0
    reason: str | None = None
    requests: int = 0
    simulated: bool = False
    talk: UndeleteResult | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], *,
                 simulated: bool = False) -> UndeleteResult:
        """Build from the ``undelete`` member of one API answer."""
        return cls(title=str(data.get('title')),
                   revisions=int(data.get('revisions') or 0),
                   fileversions=int(data.get('fileversions') or 0),
                   reason=data.get('reason'), requests=1,
                   simulated=simulated)

    def __add__(self, other: UndeleteResult) -> UndeleteResult:
        """Sum the counts of two chunks of the same undelete."""
        return UndeleteResult(
            title=self.title, revisions=self.revisions + other.revisions,
            fileversions=self.fileversions + other.fileversions,
            reason=self.reason, requests=self.requests + other.requests,
            simulated=self.simulated or other.simulated, talk=self.talk)


@dataclass(frozen=True)
class DeletedRevision:

    """One deleted revision from ``prop=deletedrevisions``."""

    title: str
    revid: int
    timestamp: pywikibot.Timestamp
    user: str | None
    parentid: int | None = None
    comment: str | None = None
    size: int | None = None
    sha1: str | None = None
    userhidden: bool = False

    @classmethod
    def from_api(cls, title: str, data: dict[str, Any]) -> DeletedRevision:
        """Build from one element of ``deletedrevisions``."""
        return cls(title=title, revid=int(data['revid']),
                   timestamp=_ts(data['timestamp']),
                   user=data.get('user'),
                   parentid=data.get('parentid'),
                   comment=data.get('comment'), size=data.get('size'),
                   sha1=data.get('sha1'),
                   userhidden=bool(data.get('userhidden')))


@dataclass(frozen=True)
class FileVersion:

    """One version of a file from ``prop=imageinfo``.

    The current version has no archive name. An old version's archive
    name carries the time it was *superseded*, not its upload time, so
    it is always read from the wiki, never built.
    """

    timestamp: pywikibot.Timestamp
    user: str | None
    sha1: str | None
    size: int | None = None
    comment: str | None = None
    archivename: str | None = None
    userhidden: bool = False
    filehidden: bool = False

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> FileVersion:
        """Build from one element of ``imageinfo``."""
        return cls(timestamp=_ts(data['timestamp']), user=data.get('user'),
                   sha1=data.get('sha1'), size=data.get('size'),
                   comment=data.get('comment'),
                   archivename=data.get('archivename'),
                   userhidden=bool(data.get('userhidden')),
                   filehidden=bool(data.get('filehidden')))

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> FileVersion:
        """Build from :func:`dataclasses.asdict` output, e.g. a journal's.

        >>> v = FileVersion.from_record({'timestamp': '2026-01-02T03:04:05Z',
        ...                              'user': 'A', 'sha1': 'ab'})
        >>> v.timestamp.isoformat(), v.user
        ('2026-01-02T03:04:05Z', 'A')
        """
        return cls(**{**data, 'timestamp': _ts(data['timestamp'])})

    @property
    def is_current(self) -> bool:
        """True for the current version (it has no archive name)."""
        return self.archivename is None


@dataclass(frozen=True)
class FileRevertResult:

    """What one ``action=filerevert`` did.

    :ivar target: the old version reverted to
    :ivar replaced: the version that was current before
    :ivar current: the new current version, read back from the wiki
        (None when simulated)
    """

    title: str
    target: FileVersion
    replaced: FileVersion
    current: FileVersion | None = None
    comment: str | None = None
    simulated: bool = False

    @property
    def timestamp(self) -> pywikibot.Timestamp | None:
        """Upload time of the new current version."""
        return self.current.timestamp if self.current else None

    @property
    def sha1(self) -> str | None:
        """sha1 of the new current version."""
        return self.current.sha1 if self.current else None


@dataclass(frozen=True)
class EditResult:

    """What one ``action=edit`` did (an undo, or a cleaned text).

    >>> r = EditResult.from_api({'title': 'A', 'oldrevid': 7, 'newrevid': 9})
    >>> r.newrevid, r.nochange
    (9, False)
    """

    title: str
    oldrevid: int | None = None
    newrevid: int | None = None
    nochange: bool = False
    simulated: bool = False
    timestamp: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any], *,
                 simulated: bool = False) -> EditResult:
        """Build from the ``edit`` member of the API answer."""
        return cls(title=str(data.get('title')),
                   oldrevid=data.get('oldrevid'),
                   newrevid=data.get('newrevid'),
                   nochange='nochange' in data, simulated=simulated,
                   timestamp=data.get('newtimestamp'))


@dataclass(frozen=True)
class DeleteResult:

    """What one ``action=delete`` did.

    :ivar pageid: the deleted page's id, where the plan read it
    :ivar latest: its latest revision, as read right before
    :ivar talk: the talk page deleted with it
    :ivar talk_logid: the talk page's own log entry (before 1.38)
    """

    title: str
    logid: int | None = None
    simulated: bool = False
    pageid: int | None = None
    latest: int | None = None
    talk: str | None = None
    talk_logid: int | None = None


@dataclass(frozen=True)
class MoveResult:

    """What one ``action=move`` back did.

    :ivar source: the title the page left (the wiki's ``from``)
    :ivar target: the title it went back to
    :ivar redirect_left: a redirect stays at *source*
    :ivar reconciled: the answer was lost; the wiki showed the move
    """

    source: str
    target: str
    pageid: int
    redirect_left: bool = False
    simulated: bool = False
    reconciled: bool = False


@dataclass(frozen=True)
class UndoUserResult:

    """What :func:`~pywikibot_revert.undo_user` did on one page.

    Each item of the run tuples is a
    ``UserRun`` (in ``ops._undo_user_plan``): consecutive edits by the
    user.

    >>> r = UndoUserResult(title='A', user='Spambot',
    ...     edits=(EditResult('A', oldrevid=7, newrevid=9),))
    >>> r.newrevid, r.complete
    (9, True)

    :ivar undone: the runs undone (or whose links were removed)
    :ivar not_merged: the runs left as they are: the undo does not merge
    :ivar clean: the runs already gone from the current text
    :ivar edits: the edits saved, oldest first
    """

    title: str
    user: str
    undone: tuple[Any, ...] = ()
    not_merged: tuple[Any, ...] = ()
    clean: tuple[Any, ...] = ()
    edits: tuple[EditResult, ...] = ()
    simulated: bool = False

    @property
    def newrevid(self) -> int | None:
        """The page's revision after the last edit, if one was saved."""
        return self.edits[-1].newrevid if self.edits else None

    @property
    def complete(self) -> bool:
        """True when no run was left unmerged."""
        return not self.not_merged


@dataclass(frozen=True)
class RevisionDeleteResult:

    """What one ``action=revisiondelete`` did on revisions of one page.

    >>> r = RevisionDeleteResult('A', (7, 8), hidden=('content',),
    ...     before=((7, frozenset()), (8, frozenset({'content'}))),
    ...     changed=(7,))
    >>> sorted(r.previous(8)), sorted(r.after[7])
    (['content'], ['content'])

    :ivar revids: the revisions asked for
    :ivar hidden: the bits asked hidden (``content``, ``comment``,
        ``user``)
    :ivar shown: the bits asked shown again
    :ivar before: (revid, hidden bits) of each revision before the write
    :ivar changed: the revisions the write changed; the others already
        were as asked
    :ivar reconciled: the answer was lost; the wiki showed the change
    """

    title: str
    revids: tuple[int, ...]
    hidden: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()
    before: tuple[tuple[int, frozenset[str]], ...] = ()
    changed: tuple[int, ...] = ()
    simulated: bool = False
    reconciled: bool = False

    def previous(self, revid: int) -> frozenset[str]:
        """Return the bits *revid* hid before the write."""
        return dict(self.before)[revid]

    @property
    def after(self) -> dict[int, frozenset[str]]:
        """The bits each revision hides after the write."""
        return {revid: (bits | set(self.hidden)) - set(self.shown)
                for revid, bits in self.before}


@dataclass(frozen=True)
class Refusal:

    """A log action of the user that is not put back, and why.

    :ivar target: the page title or user name the action was on
    :ivar logids: the log entries concerned
    :ivar error: the typed error saying why (``error.reason``)
    """

    target: str
    logids: tuple[int, ...]
    error: Exception

    @property
    def reason(self) -> str:
        """A few words for skip lines and reports."""
        return getattr(self.error, 'reason', 'refused')

    def __str__(self) -> str:
        """Return the error's message."""
        return str(self.error)


@dataclass(frozen=True)
class ProtectResult:

    """What one ``action=protect`` putting a protection back did.

    :ivar protections: the ``(type, level, expiry)`` now in force
    :ivar reconciled: the answer was lost; the wiki showed the write
    """

    title: str
    pageid: int = 0
    logids: tuple[int, ...] = ()
    protections: tuple[tuple[str, str, str], ...] = ()
    cascade: bool = False
    simulated: bool = False
    reconciled: bool = False


@dataclass(frozen=True)
class UnblockResult:

    """What one ``action=unblock`` of a block by its id did.

    :ivar blockid: the id of the block lifted
    :ivar logids: the log entries of the user that placed it
    """

    target: str
    blockid: int
    logids: tuple[int, ...] = ()
    simulated: bool = False
    reconciled: bool = False


@dataclass(frozen=True)
class BlockResult:

    """What one ``action=block`` putting a block back did (``-undo``).

    :ivar blockid: the new block's id (None when simulated or when the
        lost answer was reconciled from a read without it)
    """

    target: str
    blockid: int | None = None
    expiry: str = 'infinity'
    simulated: bool = False
    reconciled: bool = False


@dataclass(frozen=True)
class RightsResult:

    """What one ``action=userrights`` putting groups back did.

    :ivar added: the groups added (or whose expiry changed)
    :ivar removed: the groups removed
    """

    user: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    logids: tuple[int, ...] = ()
    simulated: bool = False
    reconciled: bool = False
