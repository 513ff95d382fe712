"""The journal of a run's writes (JSON Lines), for resume and undo.

A bot holds a :class:`Journal`, and each of its writes goes through it
(:meth:`~pywikibot_revert.bot._writes.JournalledWrites.write`): an ``intent``
line before the request, ``done`` (or ``failed``, ``skipped``, or an
``uncertain`` note) after it, each ``fsync``-ed, so killing the process
at any moment loses no record of a completed write::

    {"type": "header", "site": "wikipedia:en", "api": "https://...", ...}
    {"type": "intent", "key": "rollback|Foo", "action": "rollback", ...}
    {"type": "done", "key": "rollback|Foo", "result": {"revid": 9, ...}}

The next run with the same journal first settles on the wiki each
intent left without an outcome (:mod:`~pywikibot_revert.bot._resume`,
asking the bot's ``landed``), so nothing is done twice and everything
that landed can be undone (``-undo``). A write checked later, in
batches (a file revert, a restore onto a missing title), is ``done``
with ``unchecked`` until a check note follows; the next run checks
those left so first (:meth:`Journal.unchecked`).

The file is mode 0600 and locked while a run uses it. Tokens, passwords
and cookies are never written: only parameters the plugin builds itself
go in, and keys that could hold a secret are refused. Memory stays flat
however long the run: a run's own records go to the file only.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pywikibot
from pywikibot.exceptions import Error

from ._errors import JournalError
from ..wiki._redact import plain_record
from ..exceptions import (
    NothingToDoError,
    OutcomeUnknownError,
)


try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]


__all__ = ['Journal', 'JournalError', 'Landed', 'private_dir', 'site_id']

#: the record types that say where a write stands; ``cleared`` is an
#: intent the wiki showed did not land (a resume may write it again),
#: ``skipped`` one that raised NothingToDoError (the wiki wrote nothing)
_STATES = frozenset({'intent', 'done', 'failed', 'uncertain', 'cleared',
                     'skipped'})
#: the notes that end the check of a write journalled ``done`` with
#: ``unchecked`` (a file revert, read back later in batches)
_CHECKS = frozenset({'verified', 'conflict', 'verify-failed'})

#: asks the wiki whether an interrupted write landed: a bot's
#: :meth:`~pywikibot_revert.bot._base.RevertBot.landed`
Landed = Callable[[str, 'dict[str, Any]'], Any]


def site_id(site: Any) -> dict[str, str]:
    """Return what identifies a wiki in a journal header."""
    return {'site': f'{site.family.name}:{site.code}',
            'api': site.base_url(site.apipath())}


class Journal:

    """An append-only, locked JSON Lines journal.

    **Example:**

    .. code-block:: python

       with Journal('cleanup.jsonl', site, script='rollback') as j:
           if not j.is_done(key):
               j.intent(key, 'rollback', title='Foo', user='Vandal')
               ...
               j.done(key, 'rollback', title='Foo', result={...})

    :param path: the journal file; created (0600) if missing
    :param site: the wiki this run acts on; an existing journal for
        another wiki is refused
    :param script: the name of the script writing it
    :param args: the command line, for the record
    """

    def __init__(self, path: str | os.PathLike[str], site: Any, *,
                 script: str = '', args: list[str] | None = None) -> None:
        """Initializer."""
        self.path = Path(path)
        self.site = site
        self.script = script
        self.args = list(args or [])
        #: the state of each key found at open(), kept up to date; a
        #: run's own new keys are not kept (see _remember)
        self._state: dict[str, str] = {}
        #: the last intent of each key found at open() without an outcome
        self._open: dict[str, dict[str, Any]] = {}
        #: the ``done`` records found at open() still to be checked
        self._unchecked: dict[str, dict[str, Any]] = {}
        #: bytes of the file at open(): where the records found there end
        self._size = 0
        self._fh: Any = None

    # -- life cycle ---------------------------------------------------

    def open(self) -> Journal:
        """Open, lock and read the journal; write a header if new."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        # an existing file keeps its mode; never leave it readable
        os.fchmod(fd, 0o600)
        self._fh = os.fdopen(fd, 'a+', encoding='utf-8')
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._fh.close()
                self._fh = None
                raise JournalError(
                    f'journal {self.path} is in use by another process'
                ) from None
        self._fh.seek(0)
        self._state, self._open, self._unchecked = {}, {}, {}
        ident = site_id(self.site)
        resumed = False
        for rec in self._read(self._fh):
            if rec.get('type') == 'header':
                resumed = True
                if (rec.get('site'), rec.get('api')) != (ident['site'],
                                                         ident['api']):
                    self.close()
                    raise JournalError(
                        f'journal {self.path} was written for '
                        f'{rec.get("site")} ({rec.get("api")}), not for '
                        f'{ident["site"]} ({ident["api"]})')
            self._remember(rec, found=True)
        # locked: nobody else appends; bytes, whatever the text holds
        self._size = os.fstat(fd).st_size
        self._append({'type': 'header', **ident,
                      'user': self.site.user(), 'script': self.script,
                      'args': self.args, 'resumed': resumed})
        return self

    def close(self) -> None:
        """Unlock and close."""
        if self._fh is not None:
            self._fh.close()  # closing releases the flock
            self._fh = None

    def __enter__(self) -> Journal:
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @staticmethod
    def _read(fh: Any) -> Iterator[dict[str, Any]]:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                # a process killed mid-line leaves a torn last line;
                # anything before it is intact
                pywikibot.warning(f'journal line {number} is torn; ignored')

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> list[dict[str, Any]]:
        """Return all records of a journal file (no lock taken)."""
        with open(path, encoding='utf-8') as fh:
            return list(cls._read(fh))

    @property
    def records(self) -> list[dict[str, Any]]:
        """The records found at :meth:`open`, read back from the file.

        A run's own records are not among them. Read anew at each
        access: nothing is kept per record.
        """
        if not self._size:
            return []
        with open(self.path, 'rb') as fh:
            data = fh.read(self._size)
        # not splitlines(): a title may hold U+2028, which JSON leaves be
        return list(self._read(data.decode('utf-8').split('\n')))

    # -- writing ------------------------------------------------------

    def _append(self, record: dict[str, Any]) -> None:
        record = {'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                  **plain_record(record)}
        self._fh.write(json.dumps(record, ensure_ascii=False) + '\n')
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._remember(record)

    def _remember(self, record: dict[str, Any], *,
                  found: bool = False) -> None:
        # only keys found at open() are kept: a resume asks about them.
        # A run writes each of its own keys once (its generators yield
        # a page once), so keeping them would only grow memory per page
        key, kind = record.get('key'), record.get('type')
        if not key or not (found or key in self._state):
            return
        if kind in _CHECKS or kind in _STATES:
            self._unchecked.pop(key, None)
        if kind not in _STATES:
            return
        if kind == 'done' and record.get('unchecked'):
            self._unchecked[key] = record
        self._state[key] = kind
        if kind == 'intent':
            self._open[key] = record
        elif kind != 'uncertain':
            self._open.pop(key, None)

    def intent(self, key: str, action: str, **data: Any) -> None:
        """Record that a write is about to be sent."""
        self._append({'type': 'intent', 'key': key, 'action': action, **data})

    def done(self, key: str, action: str, **data: Any) -> None:
        """Record a write the wiki confirmed."""
        self._append({'type': 'done', 'key': key, 'action': action, **data})

    def error(self, key: str, action: str, error: BaseException,
              **data: Any) -> None:
        """Record how a write ended that raised *error*.

        An unknown outcome leaves the key ``uncertain`` (a resume asks
        the wiki); nothing to do is ``skipped`` with its reason, an
        outcome like ``failed`` for anything else: the wiki wrote
        nothing.
        """
        if isinstance(error, OutcomeUnknownError):
            self.note('uncertain', key=key, action=action, **data)
        elif isinstance(error, NothingToDoError):
            self.note('skipped', key=key, action=action,
                      reason=error.reason, **data)
        else:
            self.note('failed', key=key, action=action,
                      error=type(error).__name__,
                      code=getattr(error, 'code', None),
                      message=str(error), **data)

    def recorded(self, key: str, action: str, do: Callable[[], Any], *,
                 title: str, **data: Any) -> Any:
        """Run the write *do* on *title*, recorded before and after.

        An ``intent`` before the request; after it ``done`` with what
        *do* returned, or, if it raised, how it ended (:meth:`error`).

        :return: what *do* returned
        """
        self.intent(key, action, title=title, **data)
        try:
            result = do()
        except Error as err:
            self.error(key, action, err, title=title, **data)
            raise
        self.done(key, action, title=title, result=result, **data)
        return result

    def cleared(self, key: str, action: str, **data: Any) -> None:
        """Record that the wiki shows an interrupted write did not land."""
        self.note('cleared', key=key, action=action, **data)

    def note(self, kind: str, **data: Any) -> None:
        """Record anything else (a skip, an uncertain outcome, the end)."""
        self._append({'type': kind, **data})

    # -- reading ------------------------------------------------------

    def state(self, key: str) -> str | None:
        """Return where *key* stands: the type of its last state record.

        One of ``_STATES`` (a ``skipped`` write is an outcome: the wiki
        wrote nothing, a resume does not ask it). Known for the keys
        found at :meth:`open` (and kept up to date for them); a key
        this run wrote first is not remembered (None).
        """
        return self._state.get(key)

    def open_intents(self, action: str | None = None) -> list[dict[str, Any]]:
        """Return the writes found at :meth:`open` with no known outcome.

        The last ``intent`` records of keys left ``intent`` or
        ``uncertain``: a run died (or lost the answer) mid-write.

        :param action: only intents of this action
        """
        return [rec for rec in self._open.values()
                if action is None or rec.get('action') == action]

    def unchecked(self, action: str) -> list[dict[str, Any]]:
        """Return the writes of *action* found done but never checked.

        A ``done`` record with ``unchecked`` is final only once a check
        note (``verified``, ``conflict``, ``verify-failed``) follows it:
        a run killed before its batched check leaves it open, and the
        resume checks it (and puts back what it overwrote).
        """
        return [rec for rec in self._unchecked.values()
                if rec.get('action') == action]

    def is_done(self, key: str) -> bool:
        """Return True if the journal showed *key* done at :meth:`open`."""
        return self.state(key) == 'done'

    def done_records(self) -> list[dict[str, Any]]:
        """Return the ``done`` records found at :meth:`open`, oldest first."""
        return [r for r in self.records if r.get('type') == 'done']


def private_dir(path: str) -> str | None:
    """Keep an existing directory of journals to its owner: mode 0700.

    In a directory others can write they could plant a file or a symlink
    at a journal's name: one of this user's is tightened, another
    user's refused. A missing one is made (0700) by the run.

    :return: what was tightened, to say, or None
    :raises ValueError: *path* is another user's directory
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if info.st_uid != os.geteuid():
        raise ValueError(f'{path} belongs to another user (uid '
                         f'{info.st_uid}); name a directory of your own')
    mode = info.st_mode & 0o777
    if not mode & 0o077:
        return None
    os.chmod(path, 0o700)
    return (f'{path}: permissions {mode:04o} were wider than 0700, '
            'tightened to 0700')
