"""The counts a run ends with, and its closing summary line.

Every run has one :class:`RunSummary`: the bot builds it from its
counters for the last line it prints (``Summary: 3 done, 2 skipped
...``), the progress lines show it as it stands, and in a cross-wiki
run (:mod:`~pywikibot_revert.crosswiki._workers`) the wikis' summaries
add up to the combined one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


__all__ = ['RunSummary']


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
