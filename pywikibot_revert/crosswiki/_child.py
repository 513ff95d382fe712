"""What one wiki's run tells the cross-wiki run that started it.

A cross-wiki run (:mod:`~pywikibot_revert.crosswiki._run`) runs the script
once per wiki, each in its own ``pwb`` process. Two environment
variables link such a child to its parent:

- :data:`SUMMARY_ENV` names a file where the child leaves its
  :class:`RunSummary` as JSON when it ends, for the combined summary;
- :data:`PARENT_ENV` holds the parent's pid: when the parent dies (kill
  -9 included), the child gets SIGINT and stops as on Ctrl-C, its
  journal left resumable, rather than going on unwatched.

Outside a cross-wiki run neither is set and nothing here does anything.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


__all__ = ['PARENT_ENV', 'SUMMARY_ENV', 'RunSummary', 'follow_parent',
           'in_crosswiki_run', 'publish']

SUMMARY_ENV = 'PWBREVERT_SUMMARY_FILE'
PARENT_ENV = 'PWBREVERT_PARENT_PID'

# linux/prctl.h
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class RunSummary:

    """The counts a run ends with: done, skipped by reason, failed.

    >>> s = RunSummary(done=3, skipped={'not the latest editor': 2},
    ...                failed=1)
    >>> s.line()
    '3 done, 2 skipped (2 not the latest editor), 1 failed'
    >>> (s + RunSummary(done=1, completed=False)).line()
    '4 done, 2 skipped (2 not the latest editor), 1 failed, interrupted'

    :ivar skipped: reason -> count
    :ivar stopped: why the run stopped early, if it did
    :ivar completed: every item was reached
    """

    done: int = 0
    simulated: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    failed: int = 0
    conflict: int = 0
    stopped: str | None = None
    completed: bool = True

    @property
    def skips(self) -> int:
        """How many items were skipped, whatever the reason."""
        return sum(self.skipped.values())

    @property
    def ok(self) -> bool:
        """Nothing failed and the run was not cut short."""
        return not self.failed and not self.stopped and self.completed

    def reasons(self) -> str:
        """Return the skips by reason: ``'2 declined, 1 protected'``."""
        return ', '.join(f'{n} {reason}'
                         for reason, n in sorted(self.skipped.items()))

    def line(self) -> str:
        """Return the summary in the words of the run's last line."""
        reasons = self.reasons()
        return (f'{self.done} done'
                + (f' ({self.simulated} simulated)' if self.simulated
                   else '')
                + f', {self.skips} skipped'
                + (f' ({reasons})' if reasons else '')
                + f', {self.failed} failed'
                + (f' ({self.conflict} conflict)' if self.conflict else '')
                + ('' if self.completed and not self.stopped
                   else ', interrupted'))

    def __add__(self, other: RunSummary) -> RunSummary:
        """Add up two runs (the total row of a cross-wiki run)."""
        skipped = dict(self.skipped)
        for reason, n in other.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
        return RunSummary(
            done=self.done + other.done,
            simulated=self.simulated + other.simulated,
            skipped=skipped, failed=self.failed + other.failed,
            conflict=self.conflict + other.conflict,
            stopped=self.stopped or other.stopped,
            completed=self.completed and other.completed)

    @classmethod
    def total(cls, summaries: Iterable[RunSummary]) -> RunSummary:
        """Return the sum of *summaries*; an empty sum is all zeros."""
        result = cls()
        for summary in summaries:
            result += summary
        return result

    def to_json(self) -> str:
        """Return the summary as one JSON object."""
        return json.dumps(asdict(self) | {'skipped': dict(self.skipped)})

    @classmethod
    def from_json(cls, text: str) -> RunSummary:
        """Read a summary written by :meth:`to_json`.

        :raises ValueError: not such a summary
        """
        data: dict[str, Any] = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError('not a run summary')
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def in_crosswiki_run() -> bool:
    """Return whether this run is one wiki of a cross-wiki run."""
    return bool(os.environ.get(SUMMARY_ENV))


def publish(summary: RunSummary) -> None:
    """Leave *summary* where the parent run reads it, if there is one.

    Written to a temporary name and renamed, so the parent never reads
    half a file.
    """
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    tmp = f'{path}.tmp'
    with open(tmp, 'w', encoding='utf-8') as fh:
        fh.write(summary.to_json())
    os.replace(tmp, path)


def follow_parent() -> bool:
    """Ask for SIGINT when the parent run dies; False if it has already.

    Linux only (``prctl``); elsewhere the child carries on after its
    parent, which is safe (its own journal, its own lock) but unwatched.
    """
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return True
    libc_name = ctypes.util.find_library('c')
    if libc_name:
        try:
            libc = ctypes.CDLL(libc_name, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # the parent may have died before prctl took effect
    return str(os.getppid()) == parent
