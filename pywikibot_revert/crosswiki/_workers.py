"""One ``pwb`` process per wiki, N at a time, their output prefixed.

Why processes and not threads: pywikibot keeps its state per process:
``config`` (``-simulate``, the account of each wiki), the site cache,
the command line in ``pywikibot.argvu``, and the throttle, which is
coordinated between processes through ``throttle.ctrl``, per wiki. A
child is an ordinary single-wiki run, with its own login, throttle,
maxlag, journal and lock: nothing is shared that could let one wiki's
run act on, or wait for, another. A wiki that goes down stops its own
process, with the usual uncertain-outcome rules; the others go on.

Each line a child prints comes through here, prefixed with its wiki;
its counts come back as a :class:`~pywikibot_revert.crosswiki._child.RunSummary`.
Ctrl-C reaches this process only (each child runs in a session of its
own) and is passed on once to every child, which stops as after Ctrl-C
in a single run. If this process is killed, the children get SIGINT
(:func:`~pywikibot_revert.crosswiki._child.follow_parent`).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pywikibot
from pywikibot import config

from ..bot._options import split_arg
from ..bot._summary import RunSummary
from ._child import PARENT_ENV, SUMMARY_ENV
from ._sites import site_label


__all__ = ['Wiki', 'global_args', 'pwb_command', 'pywikibot_options',
           'run_children', 'summary_table']

#: pywikibot's global options that choose the wiki: each child gets its own
_SITE_ARGS = ('family', 'lang', 'code', 'site')
#: what the ``pwb`` console script runs, wherever it was installed
#: (``python -m pywikibot.scripts.wrapper`` would look for a checkout)
_PWB = ('import sys; from pywikibot.scripts.wrapper import run; '
        'sys.exit(run())')
#: a line that says why a child stopped: pywikibot's error, or the last
#: line of a traceback
_ERROR_LINE = re.compile(r'(?:ERROR|CRITICAL): |[\w.]+(?:Error|Exception)\b')

# one line at a time on each stream, whichever child it comes from
_output_lock = threading.Lock()


@dataclass
class Wiki:

    """One wiki of a cross-wiki run and how it went.

    >>> from types import SimpleNamespace as NS
    >>> wiki = Wiki(NS(family=NS(name='wikipedia'), code='de'))
    >>> wiki.label, wiki.status()
    ('wikipedia:de', 'not started')
    """

    site: Any
    #: the edits (or, for -undo, the journal's actions) to act on
    count: int | None = None
    #: this wiki's journal file (or, for -undo:DIR, the one to reverse)
    journal: str | None = None
    left_out: str | None = None
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
            return (f'stopped (exit status {self.returncode})'
                    + (f': {self.last_error}' if self.last_error else ''))
        if self.summary.stopped:
            return f'stopped: {self.summary.stopped}'
        if not self.summary.completed:
            return 'interrupted'
        notes = [f'{self.summary.simulated} simulated'] \
            if self.summary.simulated else []
        if self.summary.skipped:
            notes.append(self.summary.reasons())
        return 'completed' + (f' ({"; ".join(notes)})' if notes else '')


def global_args() -> list[str]:
    """Return pywikibot's global options given before the script name.

    ``pwb`` handles them itself, so the script never sees them; its
    wrapper module keeps them (``pwb -user:Bot -simulate rollback``).
    """
    for name in ('pywikibot.scripts.wrapper', '__main__'):
        found = getattr(sys.modules.get(name), 'global_args', None)
        if isinstance(found, list):
            return [a for a in found if split_arg(a)[0] not in _SITE_ARGS]
    return []


def pywikibot_options(args: Sequence[str], local: Sequence[str]
                      ) -> list[str]:
    """Return the options in *args* that ``pywikibot.handle_args`` took.

    pywikibot's global options may follow the script's name too
    (``pwb rollback -simulate ...``); the children must get them as well.

    >>> pywikibot_options(['-simulate', '-user:X', '-lang:de', '-v'],
    ...                   ['-user:X'])
    ['-simulate', '-v']
    """
    left = list(local)
    taken = []
    for arg in args:
        if arg in left:
            left.remove(arg)
        elif split_arg(arg)[0] not in _SITE_ARGS:
            taken.append(arg)
    return taken


def pwb_command(wiki: Wiki, options: list[str], args: list[str]
                ) -> list[str]:
    """Return the command line running this script on *wiki*.

    :param options: pywikibot's global options given after the script's
        name (see :func:`pywikibot_options`)
    :param args: the script's own arguments
    """
    if config.simulate and '-simulate' not in global_args() + options:
        options = [*options, '-simulate']  # never act for real by slip
    # the wiki after the script's name: pwb's own option handling would
    # make the default site first, and warn
    return [sys.executable, '-c', _PWB, *global_args(), _script(),
            *options, f'-family:{wiki.site.family.name}',
            f'-lang:{wiki.site.code}', *args]


def _script() -> str:
    """Return the running script's file, for the children to run."""
    path = sys.argv[0] if sys.argv else ''
    return path if path.endswith('.py') and os.path.isfile(path) \
        else pywikibot.argvu[0]


def summary_table(wikis: list[Wiki]) -> tuple[str, list[Wiki]]:
    """Return the combined summary, a row per wiki and a total.

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


def run_children(wikis: list[Wiki], command: Callable[[Wiki], list[str]],
                 workers: int) -> None:
    """Run ``command(wiki)`` for each of *wikis*, *workers* at a time.

    Fills in each wiki's ``returncode``, ``summary`` and ``last_error``;
    a wiki not started (after Ctrl-C) keeps ``returncode`` None.
    """
    _Children(command).run(wikis, workers)


class _Children:

    """The running children, to pass Ctrl-C on to each exactly once."""

    def __init__(self, command: Callable[[Wiki], list[str]]) -> None:
        self.command = command
        self._stopping = threading.Event()
        self._running: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def run(self, wikis: list[Wiki], workers: int) -> None:
        # the children's summary files: in a directory of our own (0700),
        # not at guessable names in the shared temporary directory
        self._summaries = tempfile.mkdtemp(prefix='pwbrevert-summaries-')
        try:
            self._run(wikis, workers)
        finally:
            shutil.rmtree(self._summaries, ignore_errors=True)

    def _run(self, wikis: list[Wiki], workers: int) -> None:
        slots = threading.Semaphore(workers)

        def work(wiki: Wiki) -> None:
            with slots:
                if not self._stopping.is_set():
                    self.run_one(wiki)

        threads = [threading.Thread(target=work, args=(w,), daemon=True,
                                    name=w.label) for w in wikis]
        for thread in threads:
            thread.start()
        interrupted = False
        while any(t.is_alive() for t in threads):
            try:
                for thread in threads:
                    thread.join(0.2)
            except KeyboardInterrupt:
                if not interrupted:
                    pywikibot.info('Stopping every wiki (Ctrl-C); a rerun '
                                   'with the same journals resumes')
                interrupted = True
                self.stop()

    def stop(self) -> None:
        """Pass Ctrl-C on to each child once; start no more."""
        with self._lock:
            self._stopping.set()
            running, self._running = self._running, {}
        for child in running.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    def run_one(self, wiki: Wiki) -> None:
        """Run *wiki*'s child to its end, its output prefixed."""
        # the child creates it when it ends (see _child.publish)
        summary_file = os.path.join(
            self._summaries, wiki.label.replace(':', '-') + '.json')
        env = dict(os.environ, PYTHONIOENCODING='utf-8',
                   **{SUMMARY_ENV: summary_file, PARENT_ENV: str(os.getpid())})
        # its own session: Ctrl-C on the terminal reaches this process
        # only, which passes it on exactly once
        child = subprocess.Popen(
            self.command(wiki), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        with self._lock:
            if self._stopping.is_set():  # Ctrl-C came while it started
                child.send_signal(signal.SIGINT)
            else:
                self._running[wiki.label] = child
        readers = [threading.Thread(target=_forward, args=(wiki, stream, out),
                                    daemon=True)
                   for stream, out in ((child.stdout, sys.stdout),
                                       (child.stderr, sys.stderr))]
        for reader in readers:
            reader.start()
        wiki.returncode = child.wait()
        for reader in readers:
            reader.join()
        with self._lock:
            self._running.pop(wiki.label, None)
        try:
            # a symlink there is not ours: not followed (ELOOP)
            fd = os.open(summary_file, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, encoding='utf-8') as fh:
                wiki.summary = RunSummary.from_json(fh.read())
        except (OSError, ValueError):
            wiki.summary = None


def _forward(wiki: Wiki, stream: IO[bytes], out: IO[str]) -> None:
    """Copy *stream* to *out*, each line prefixed with the wiki."""
    prefix = f'[{wiki.label}] '
    for raw in stream:
        line = raw.decode('utf-8', 'replace').rstrip('\r\n')
        if _ERROR_LINE.match(line):
            wiki.last_error = line.strip()
        with _output_lock:
            out.write(prefix + line + '\n')
            out.flush()
    stream.close()
