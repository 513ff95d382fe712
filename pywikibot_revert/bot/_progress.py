"""Status lines on long runs: how far, how fast, how long still.

A run over thousands of pages prints a line per page, which scrolls by
too fast to tell how far it is. :class:`Meter` adds, every
:attr:`~Meter.every_items` items or every :attr:`~Meter.every_seconds`
seconds, whichever comes first, one line with the counts so far, the
rate and, when the total is known, the share done and an ETA::

    Progress: 300 of 5,000 items (6%): 280 done, 15 skipped, 5 failed; 11.2/s; ETA 7m 0s
    Progress: 300 items: 280 done, 15 skipped, 5 failed; 11.2/s

It is checked after each item, so no thread is needed (a line can come
later than due while one item takes long). The meter only counts and
words the line; the bot prints it (:mod:`~pywikibot_revert.bot._base`).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from ._summary import RunSummary


__all__ = ['Meter', 'duration']


def duration(seconds: float) -> str:
    """Return *seconds* in words an ETA uses.

    >>> duration(42.4), duration(420), duration(3725), duration(90061)
    ('42s', '7m 0s', '1h 2m', '25h 1m')
    """
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f'{hours}h {minutes}m'
    if minutes:
        return f'{minutes}m {seconds}s'
    return f'{seconds}s'


class Meter:

    """Count the items of a run; word a status line when one is due.

    **Example** (a fake clock: an item every 0.1 s):

    >>> from itertools import count
    >>> clock = (n / 10 for n in count())
    >>> meter = Meter(total=5000, clock=clock.__next__)
    >>> meter.start()
    >>> lines = [meter.tick(RunSummary(done=n, failed=1))
    ...          for n in range(100)]
    >>> [line for line in lines if line]
    ['Progress: 100 of 5,000 items (2%): 99 done, 0 skipped, 1 failed; 10.0/s; ETA 8m 10s']

    :param total: how many items the run has, if known
        (:meth:`expect` can tell it later)
    :param quiet_for: no line before this many seconds have passed
        (a short ``-simulate`` preview prints none)
    :param clock: seconds, monotonic; the tests pass a fake one
    """

    #: a line after this many items since the last line ...
    every_items: int = 100
    #: ... or after this many seconds, whichever comes first
    every_seconds: float = 10.0

    def __init__(self, *, total: int | None = None, quiet_for: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Initializer."""
        self.total = total
        self.quiet_for = quiet_for
        self.clock = clock
        #: items finished so far
        self.items = 0
        self.started: float | None = None
        self._last_items = 0
        self._last_time = 0.0

    def expect(self, total: int | None) -> None:
        """Say how many items the run has, once it is known.

        The status lines then show the share done and an ETA. A page
        list (``-page:``, ``-file:``) tells it before the run
        (:func:`~pywikibot_revert.bot._pagecount.page_list_total`); a bot
        that reads its listing ahead tells it when the listing is read
        to the end, with the number of items in the whole run (those
        already treated included).

        **Example:**

        .. code-block:: python

           pages = list(listing)  # read to the end
           self.meter.expect(len(pages))

        :param total: the number of items, or None: not known
        """
        self.total = total

    def start(self) -> None:
        """Start the clock: the first item begins."""
        self.started = self._last_time = self.clock()

    def next_item(self, counts: Callable[[], RunSummary]) -> str | None:
        """A new item begins: count the one before it as finished.

        The first item starts the clock. Called from the bot's
        ``init_page``, so that a page ``skip_page`` passes over counts
        too.

        :param counts: returns the run's counts as they stand
        :return: the status line to print, or None
        """
        if self.started is None:
            self.start()
            return None
        return self.tick(counts())

    def tick(self, counts: RunSummary) -> str | None:
        """Count one more item finished; return a line if one is due.

        :param counts: the run's counts as they stand after the item
        :return: the status line, or None
        """
        if self.started is None:
            self.start()
        self.items += 1
        now = self.clock()
        if now - self.started < self.quiet_for:
            return None
        if (self.items - self._last_items < self.every_items
                and now - self._last_time < self.every_seconds):
            return None
        self._last_items, self._last_time = self.items, now
        return self.line(counts, now)

    def rate(self, now: float | None = None) -> float:
        """Return the items per second since the start."""
        now = self.clock() if now is None else now
        elapsed = now - (self.started if self.started is not None else now)
        return self.items / elapsed if elapsed > 0 else 0.0

    def line(self, counts: RunSummary, now: float | None = None) -> str:
        """Return the status line for *counts*.

        >>> meter = Meter(clock=iter([0.0, 20.0]).__next__)
        >>> meter.start(); meter.items = 250
        >>> meter.line(RunSummary(done=200, simulated=3,
        ...                       skipped={'only author': 40}, failed=7))
        'Progress: 250 items: 200 done (3 simulated), 40 skipped, 7 failed; 12.5/s'
        """
        rate = self.rate(now)
        done = f'{counts.done:,} done' + (
            f' ({counts.simulated:,} simulated)' if counts.simulated else '')
        parts = [f'{done}, {counts.skips:,} skipped, {counts.failed:,} failed',
                 f'{rate:.1f}/s' if rate >= 0.1 or not rate
                 else f'{rate * 60:.1f}/min']
        if self.total is None:
            head = f'{self.items:,} items'
        else:
            share = 100 * self.items // self.total if self.total else 100
            head = f'{self.items:,} of {self.total:,} items ({share}%)'
            if rate:
                left = max(self.total - self.items, 0)
                parts.append(f'ETA {duration(left / rate)}')
        return f'Progress: {head}: ' + '; '.join(parts)
