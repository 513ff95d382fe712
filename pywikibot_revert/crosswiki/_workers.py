"""Each wiki of a cross-wiki run in a thread of its own, N at a time.

Why threads and not a process per wiki: a wiki's run spends nearly all
its time waiting for the wiki's answers (on the order of 100 ms a
request from a bot's machine to Wikimedia's servers), and a process per
wiki costs what does not wait: about a second of CPU to start Python
and pywikibot, and a login, a rights check and a user check read again
after this process read them to list the wikis. Measured on 30 wikis
at 100 ms a request (``benchmarks/farm.py``), that was more than the
wikis' own work.

What pywikibot keeps per wiki lives in the wiki's site object: the
login, the rights read with it, the tokens, the throttle. What it
keeps per process (``config``: ``-simulate``, ``-maxlag``, the
accounts of user-config.py) is the same for every wiki of one
command. Each wiki has its own bot, journal and lock, and its own
report part; nothing is shared that could let one wiki's run act on
another wiki. A wiki whose server goes away stops its own run, with the
usual uncertain-outcome rules; the others go on.

Each line a wiki's run prints starts with its wiki
(:func:`~pywikibot_revert.crosswiki._child.working_on`). Ctrl-C reaches
the main thread, which starts no more wikis and passes it on once to
each running one, where it stops the run as Ctrl-C stops a single run
(:meth:`pywikibot.bot.BaseBot.run`). A killed process leaves the
journals of every wiki resumable, as a single run's.
"""
from __future__ import annotations

import ctypes
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pywikibot
from pywikibot.exceptions import Error

from ..bot._summary import RunSummary
from ._child import working_on
from ._sites import site_label


__all__ = ['Wiki', 'each_wiki', 'run_wikis', 'summary_table']


@dataclass
class Wiki:

    """One wiki of a cross-wiki run and how it went.

    >>> from types import SimpleNamespace as NS
    >>> wiki = Wiki(NS(family=NS(name='wikipedia'), code='de'))
    >>> wiki.label, wiki.status()
    ('wikipedia:de', 'not started')
    """

    #: its site; a :class:`~pywikibot_revert.crosswiki._sites.SiteName`
    #: until the run's checks make it
    site: Any
    #: the edits (or, for -undo, the journal's actions) to act on
    count: int | None = None
    #: this wiki's journal file (or, for -undo:DIR, the one to reverse)
    journal: str | None = None
    #: the API URL a journal to reverse was written at (-undo:DIR)
    api: str | None = None
    left_out: str | None = None
    #: the wiki's bot, built and checked before the first write of the
    #: run; let go once the wiki's run has ended
    bot: Any = None
    summary: RunSummary | None = None
    returncode: int | None = None
    last_error: str = ''

    @property
    def label(self) -> str:
        """``family:code``."""
        return site_label(self.site)

    @property
    def ok(self) -> bool:
        """The wiki's run ended with nothing failed or left undone."""
        return (self.left_out is None and self.returncode == 0
                and self.summary is not None and self.summary.ok)

    def status(self) -> str:
        """Return a few words on how the wiki's run ended."""
        if self.left_out is not None:
            return f'left out: {self.left_out}'
        if self.returncode is None:
            return 'not started'
        if self.summary is None:
            return 'stopped' + (f': {self.last_error}'
                                if self.last_error else '')
        if self.summary.stopped:
            return f'stopped: {self.summary.stopped}'
        if not self.summary.completed:
            return 'interrupted'
        notes = [f'{self.summary.simulated} simulated'] \
            if self.summary.simulated else []
        if self.summary.skipped:
            notes.append(self.summary.reasons())
        return 'completed' + (f' ({"; ".join(notes)})' if notes else '')


def summary_table(wikis: list[Wiki]) -> tuple[str, list[Wiki]]:
    """Return the combined summary, a row per wiki and a total.

    The rows are in the order of *wikis*, whatever the order in which
    their runs ended.

    :return: the table, and the wikis whose run did not succeed
    """
    width = max(len('total'), *(len(w.label) for w in wikis))

    def row(label: str, counts: tuple[Any, ...], status: str) -> str:
        done, skipped, failed = counts
        return (f'  {label:<{width}}  {done:>6}  {skipped:>7}  {failed:>6}'
                f'  {status}')

    lines = [row('wiki', ('done', 'skipped', 'failed'), 'status')]
    for wiki in wikis:
        s = wiki.summary
        lines.append(row(wiki.label, (s.done, s.skips, s.failed) if s
                         else ('-', '-', '-'), wiki.status()))
    total = RunSummary.total(w.summary for w in wikis if w.summary)
    bad = [w for w in wikis if not w.ok]
    lines.append(row('total', (total.done, total.skips, total.failed),
                     f'{len(bad)} of {len(wikis)} wiki(s) not completed'
                     if bad else 'all completed'))
    return '\n'.join(lines), bad


def run_wikis(wikis: list[Wiki], workers: int) -> None:
    """Run the bot of each of *wikis*, *workers* at a time.

    Fills in each wiki's ``returncode``, ``summary`` and ``last_error``;
    a wiki not started (after Ctrl-C) keeps ``returncode`` None.
    """
    # a wiki not started after Ctrl-C shows as such in the summary
    each_wiki(wikis, _run_one, workers,
              interrupted='Stopping every wiki (Ctrl-C); a rerun with '
                          'the same journals resumes')


def each_wiki(wikis: list[Wiki], work: Callable[[Wiki], None],
              workers: int, *, interrupted: str) -> bool:
    """Call ``work(wiki)`` for each of *wikis* in order, *workers* at once.

    Each call runs in a worker thread whose lines are prefixed with
    the wiki. On Ctrl-C no further wiki is started, each running one
    gets a :exc:`KeyboardInterrupt` of its own, once, and this waits
    for them to end.

    :param interrupted: what to say on Ctrl-C
    :return: whether Ctrl-C stopped it
    """
    return _Pool(work).run(wikis, workers, interrupted)


class _Pool:

    """Worker threads taking the wikis in order, and Ctrl-C passed on."""

    def __init__(self, work: Callable[[Wiki], None]) -> None:
        self.work = work
        self.stopping = threading.Event()
        self._running: dict[int, Wiki] = {}
        self._lock = threading.Lock()

    def run(self, wikis: list[Wiki], workers: int, interrupted: str
            ) -> bool:
        todo: queue.SimpleQueue[Wiki] = queue.SimpleQueue()
        for wiki in wikis:
            todo.put(wiki)
        threads = [threading.Thread(target=self._worker, args=(todo,),
                                    daemon=True, name=f'wiki worker {i}')
                   for i in range(min(workers, len(wikis)))]
        self._left = len(threads)
        self._all_done = threading.Event()
        if not threads:
            self._all_done.set()
        for thread in threads:
            thread.start()
        # not Thread.join(): on Python 3.11 a KeyboardInterrupt in it
        # can mark a thread as stopped that still runs
        while True:
            try:
                if self._all_done.wait(0.2):
                    break
            except KeyboardInterrupt:
                if not self.stopping.is_set():
                    pywikibot.info(interrupted)
                self.stop()
        return self.stopping.is_set()

    def _worker(self, todo: queue.SimpleQueue[Wiki]) -> None:
        try:
            self._take(todo)
        except KeyboardInterrupt:  # passed on by stop() as a wiki ended
            pass
        finally:
            counted = False
            while not counted:  # stop()'s one interrupt may land here
                try:
                    with self._lock:
                        if not counted:
                            self._left -= 1
                            counted = True
                            if not self._left:
                                self._all_done.set()
                except KeyboardInterrupt:
                    continue

    def _take(self, todo: queue.SimpleQueue[Wiki]) -> None:
        ident = threading.get_ident()
        while True:
            try:
                wiki = todo.get_nowait()
            except queue.Empty:
                return
            with self._lock:
                if self.stopping.is_set():
                    return
                self._running[ident] = wiki
            try:
                with working_on(wiki.label):
                    self.work(wiki)
            finally:
                with self._lock:
                    self._running.pop(ident, None)

    def stop(self) -> None:
        """Start no more wikis; interrupt each running one, once."""
        if self.stopping.is_set():  # Ctrl-C again: passed on already
            return
        with self._lock:
            self.stopping.set()
            running = list(self._running)
        for ident in running:
            # as Ctrl-C would in a single run: raised in that thread
            # at its next Python instruction (after a request it waits
            # for has been answered)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))


def _run_one(wiki: Wiki) -> None:
    """Run *wiki*'s bot to its end; let it go."""
    bot, wiki.bot = wiki.bot, None
    wiki.returncode = 1  # until it has ended as it should
    try:
        bot.run()
    except Error as err:  # raised in setup(): login, rights, journal
        pywikibot.error(str(err))
        wiki.summary = RunSummary(stopped=str(err), completed=False)
        wiki.returncode = 1
        return
    except KeyboardInterrupt:  # -v: pywikibot's run raises it again
        wiki.summary = bot.run_summary()
        wiki.returncode = 1
        return
    except Exception as err:  # a bug: this wiki stops, the others go on
        wiki.last_error = f'{type(err).__name__}: {err}'
        pywikibot.error(wiki.last_error, exc_info=True)
        wiki.returncode = 1
        return
    wiki.summary = bot.run_summary()
    wiki.returncode = bot.exit_status
