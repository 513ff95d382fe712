"""Benchmark pywikibot-revert against a bare loop and pywikibot core.

One command::

    bash .ci/bench.sh [--n 100] [--files 40] [--cleanup-items 1000]
        [--scale 5000]
        [--only rollback,undelete,filerevert,buried,crosswiki,cleanup]
        [--repeat 1]

starts a throwaway test wiki (``tests/harness/wikiharness.py``) on a free
port of 127.0.0.1, seeds the work to undo with maintenance scripts (see
:mod:`seeding`), snapshots it, and runs every contender in its own
process, restoring the snapshot before each one so all start from the
same state. For each run it measures

- the wall time from the end of the login to the answer of the last
  write, as the contender itself reports it (:mod:`probe`);
- the HTTP requests the wiki's web server logged for the whole process,
  split at a marker request the contender sends when its login is done;
- the peak resident memory of the process (``VmHWM`` as the probe
  reads it at exit; ``ru_maxrss`` from ``os.wait4`` if there is none,
  which also counts the harness's own memory: see :mod:`probe`);
- whether the job was really done, read back from the wiki
  (:mod:`verify`).

The crosswiki job (:mod:`crosswiki`) compares one ``-sites:`` run over
three clones of the wiki with three single-wiki runs. The cleanup job
undoes a mixed incident of one account (edits, page creations, moves,
uploads) with ``pwb cleanup`` and with a bare loop.

It prints one markdown table per job and writes them, with the machine
and software versions, to ``benchmarks/results/latest.md``. See
``benchmarks/README.md``.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / 'tests'))
sys.path.insert(0, str(HERE))

from harness.wikiharness import (  # noqa: E402
    LogLine, TestWiki, missing_requirements,
)

import probe  # noqa: E402
import seeding  # noqa: E402
import verify  # noqa: E402
from probe import WRITE_ACTIONS  # noqa: E402

# crosswiki.py imports this module as ``run``: run as a program, this
# very module is that, not a second copy
sys.modules.setdefault('run', sys.modules[__name__])
import crosswiki  # noqa: E402


#: the static path the contenders GET when their login is done
MARKER_PATH = '/__bench_marker__/login-done.txt'
#: jobs in the order they run
JOBS = ('rollback', 'undelete', 'filerevert', 'buried', 'crosswiki',
        'cleanup')
#: the jobs of the side by side table (``--sizes``), in its order
TABLE_JOBS = ('rollback', 'undelete', 'filerevert')
#: from this size on, the table's contenders run ``--repeat-large`` times
LARGE = 5000
#: what the scale job can run (``--scale-contenders``)
SCALE_CONTENDERS = ('ours', 'simulate', 'journal', 'baseline')
#: pywikibot's own default of ``minthrottle`` (the harness sets 0)
CORE_DEFAULT_MINTHROTTLE = 0.1
#: added to every pywikibot contender's user-config.py: on plain http
#: pywikibot POSTs even its reads (on https it GETs them); GET reads,
#: as on a real https wiki, leave POST in the access log for writes and
#: the login only
PYWIKIBOT_CONFIG = 'enable_GET_without_SSL = True\n'

Check = Callable[[TestWiki], 'tuple[bool, str]']

#: what the report says about its columns
COLUMNS = (
    '- wall time: median over the runs, from the end of the login to the '
    'answer of the last write (the end of the run if nothing is written), '
    'as the contender itself reports it; min–max: over the runs.',
    '- ratio: median wall time over the bare loop\'s.',
    '- requests per item: requests after the login (server count) per page '
    'or file; login + work: the whole process run, split at the marker '
    'request each contender sends once its login is done.',
    '- writes + other: rollback/undelete/filerevert/edit/delete/move '
    'requests (named by the client; the access log has no POST bodies) '
    'and all other requests after the login.',
    '- peak RSS: the contender\'s own peak (VmHWM of /proc/self/status, '
    'read by the probe at exit; ru_maxrss from os.wait4, marked *, where '
    'the probe could not write it: that also counts the memory of the '
    'harness that started the process).',
    '- CPU after login: CPU seconds of the contender and of the php -S '
    'process (/proc) between the end of the login and the last write '
    '(medians; CPU ratio: over the bare loop\'s). Other work on the '
    'machine stretches wall times but hardly CPU times.',
    '- verified: read back from the wiki after each run.',
    '- process: seconds from start to exit (Python start, imports, login '
    'included).',
)


@dataclasses.dataclass
class Contender:

    """One way of doing a job, run in a process of its own.

    :param name: shown in the tables
    :param kind: ``bare`` (:mod:`bare_loop`), ``core`` (:mod:`core_loop`)
        or ``ours`` (``pwb SCRIPT ...`` through :mod:`probe`)
    :param args: the program's arguments; ``{run}`` is replaced by the
        run's own directory (e.g. for a journal file)
    :param seed: the snapshot to restore first
    :param items: how many items (pages, files) the job has
    :param check: reads the wiki afterwards: (done, detail)
    :param config: extra lines for its ``user-config.py``
    :param baseline: the bare loop the other contenders are compared to
    """

    name: str
    kind: str
    args: list[str]
    seed: str
    items: int
    check: Check
    config: str = ''
    baseline: bool = False


@dataclasses.dataclass
class Measurement:

    """What one run of a contender gave."""

    contender: Contender
    exit_code: int
    timed_out: bool
    process_s: float
    cpu_s: float
    work_cpu_s: float | None
    server_cpu_s: float | None
    server_work_cpu_s: float | None
    peak_rss_kb: int
    wall_s: float | None
    requests_login: int
    requests_work: int
    posts_login: int
    posts_work: int
    marker_found: bool
    breakdown: Counter
    client_total: int | None
    client: dict[str, Any]
    verified: bool
    detail: str
    #: the server's log lines of the whole process run
    log: list[LogLine] = dataclasses.field(default_factory=list, repr=False)
    #: CPU seconds of every process on the machine during the run
    machine_cpu_s: float | None = None
    #: whether peak_rss_kb is the probe's VmHWM (else ru_maxrss, which
    #: also counts the harness's memory at the fork)
    rss_from_probe: bool = False

    @property
    def peak_rss(self) -> str:
        """The peak RSS in MB for a table (``*``: ``ru_maxrss``)."""
        return (f'{self.peak_rss_kb / 1024:.1f}'
                + ('' if self.rss_from_probe else '*'))

    @property
    def requests_total(self) -> int:
        """Requests over the whole process run."""
        return self.requests_login + self.requests_work

    @property
    def per_item(self) -> float:
        """Requests after the login, per item."""
        return self.requests_work / max(self.contender.items, 1)

    @property
    def writes_work(self) -> int:
        """Write requests (:data:`probe.WRITE_ACTIONS`) after login."""
        return sum(n for name, n in self.breakdown.items()
                   if name.split()[1:2] and name.split()[1] in WRITE_ACTIONS)

    @property
    def reads_work(self) -> int:
        """All other requests after the login (server count - writes)."""
        return self.requests_work - self.writes_work

    @property
    def work_cpu_total(self) -> float | None:
        """CPU seconds of client and server after the login."""
        if self.work_cpu_s is None or self.server_work_cpu_s is None:
            return None
        return self.work_cpu_s + self.server_work_cpu_s

    @property
    def counts_agree(self) -> bool:
        """Whether the client counted as many requests as the server."""
        return self.client_total in (None, self.requests_total)


# -- running one contender ----------------------------------------------

def _classify(line: LogLine) -> str:
    """Name a logged request like :func:`probe.label` (GET only).

    The access log has no POST bodies: a POST is named by its path.
    """
    path, _, query = line.path.partition('?')
    if line.method != 'GET' or not query:
        return f'{line.method} {path}'
    params = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()
              if k in probe.LABEL_KEYS}
    return probe.label('GET', params)


def _server_pid(wiki: TestWiki) -> int | None:
    """Return the pid of the wiki's web server, if it runs.

    With one worker (the harness default) ``php -S`` serves every
    request in this one process, so its CPU time (:func:`probe.server_cpu`)
    is what the requests cost the server.
    """
    server = getattr(wiki, '_server', None)  # the harness's Popen
    return server.pid if server is not None else None


def _wait(pid: int, timeout: float) -> tuple[int, Any, bool]:
    """Reap *pid* with ``os.wait4``; kill its group after *timeout* s.

    :return: exit code, its rusage, whether it was killed
    """
    deadline = time.monotonic() + timeout
    killed = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage, killed
        if not killed and time.monotonic() > deadline:
            with suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            killed = True
        time.sleep(0.02)


def run_contender(wiki: TestWiki, contender: Contender, python: str,
                  work: Path, label: str, timeout: float,
                  post_reads: bool = False,
                  configure: Callable[[Path, str], Path] | None = None
                  ) -> Measurement:
    """Restore the seed, run *contender* once, measure and verify.

    :param post_reads: leave pywikibot POSTing its reads (its default on
        plain http) instead of :data:`PYWIKIBOT_CONFIG`
    :param configure: writes the pywikibot configuration directory
        (its path, extra ``user-config.py`` lines); default: *wiki*'s
        own, as family ``testwiki`` with Admin
    """
    wiki.restore(contender.seed)
    run_dir = work / 'runs' / label
    run_dir.mkdir(parents=True)
    # a fresh configuration directory: no cookie, cache or throttle
    # file of an earlier run
    extra = ('' if post_reads else PYWIKIBOT_CONFIG) + contender.config
    config_dir = (configure(run_dir / 'pywikibot', extra) if configure
                  else wiki.write_pywikibot_config(run_dir / 'pywikibot',
                                                   'Admin', extra))
    result_file = run_dir / 'result.json'
    env = wiki.pywikibot_env(config_dir)
    server_pid = _server_pid(wiki)
    env.update(BENCH_RESULT=str(result_file),
               BENCH_MARKER_URL=wiki.url + MARKER_PATH,
               BENCH_SERVER_PID=str(server_pid or ''),
               # the plugin as installed at the start (freeze_plugin)
               PYTHONPATH=os.pathsep.join(filter(None, (
                   str(work / 'site'), env.get('PYTHONPATH')))))
    if contender.kind == 'bare':
        cmd = [python, str(HERE / 'bare_loop.py'), *contender.args,
               '--api', wiki.api_url,
               '--users-file', str(wiki.root / 'users.json')]
    elif contender.kind == 'core':
        cmd = [python, str(HERE / 'core_loop.py'), *contender.args]
    else:
        args = [a.replace('{run}', str(run_dir)) for a in contender.args]
        cmd = [python, str(HERE / 'probe.py'), 'pwb', *args]

    before = len(wiki.server_log_lines())
    server_cpu = probe.server_cpu(server_pid or '')
    busy = probe.machine_cpu()
    with open(run_dir / 'output.txt', 'wb') as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=config_dir, env=env,
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        code, usage, killed = _wait(proc.pid, timeout)
        proc.returncode = code  # reaped by os.wait4 already
        elapsed = time.monotonic() - start
    if busy is not None and (busy_now := probe.machine_cpu()) is not None:
        busy = busy_now - busy
    lines = wiki.server_log_lines()[before:]
    if server_cpu is not None and (
            now := probe.server_cpu(server_pid or '')) is not None:
        server_cpu = now - server_cpu

    marker = next((i for i, line in enumerate(lines)
                   if line.path == MARKER_PATH), None)
    login = lines[:marker] if marker is not None else lines
    after = lines[marker + 1:] if marker is not None else []
    client: dict[str, Any] = {}
    if result_file.is_file():
        client = json.loads(result_file.read_text('utf-8'))
    wall = work_cpu = server_work_cpu = None
    if client.get('t_login_done') and client.get('t_end'):
        wall = client['t_end'] - client['t_login_done']
        work_cpu = client['cpu_end'] - client['cpu_login_done']
        if client.get('server_cpu_login_done') is not None:
            server_work_cpu = (client['server_cpu_end']
                               - client['server_cpu_login_done'])
    ok, detail = contender.check(wiki)
    if code:
        ok = False
        detail = f'exit status {code}; {detail}'
    if killed:
        detail = f'killed after {timeout:.0f} s; {detail}'
    errors = client.get('extra', {}).get('errors')
    if errors:
        detail += f'; errors: {"; ".join(errors)}'
    # what the work phase consisted of: the client's own labels (the
    # access log has no POST bodies), the server's if there are none
    breakdown = Counter(client.get('breakdown', {}).get('work', {}))
    if not breakdown:
        breakdown = Counter(_classify(line) for line in after)
    return Measurement(
        contender=contender, exit_code=code, timed_out=killed,
        process_s=elapsed, cpu_s=usage.ru_utime + usage.ru_stime,
        work_cpu_s=work_cpu,
        server_cpu_s=server_cpu, server_work_cpu_s=server_work_cpu,
        peak_rss_kb=client.get('vmhwm_kb') or usage.ru_maxrss,
        rss_from_probe=bool(client.get('vmhwm_kb')), wall_s=wall,
        requests_login=len(login), requests_work=len(after),
        posts_login=sum(line.method == 'POST' for line in login),
        posts_work=sum(line.method == 'POST' for line in after),
        marker_found=marker is not None, breakdown=breakdown,
        client_total=client.get('requests'), client=client, verified=ok,
        detail=detail, log=lines, machine_cpu_s=busy)


def run_job(wiki: TestWiki, contenders: list[Contender], python: str,
            work: Path, repeat: int, timeout: float,
            post_reads: bool = False) -> dict[str, list[Measurement]]:
    """Run every contender *repeat* times, round-robin.

    Round-robin rather than one contender's runs in a row, so that load
    from elsewhere on the machine falls on all contenders alike.
    """
    runs: dict[str, list[Measurement]] = {c.name: [] for c in contenders}
    for i in range(repeat):
        for number, contender in enumerate(contenders, 1):
            m = run_contender(wiki, contender, python, work,
                              f'{contender.seed}-{number}-{i + 1}', timeout,
                              post_reads)
            runs[contender.name].append(m)
            wall = f'{m.wall_s:.2f} s' if m.wall_s is not None else 'n/a'
            print(f'  {contender.name} [{i + 1}/{repeat}]: {wall}, '
                  f'{m.requests_login}+{m.requests_work} requests, '
                  f'{m.peak_rss_kb / 1024:.0f} MB, '
                  f'{"ok" if m.verified else "NOT DONE"} ({m.detail})',
                  flush=True)
    return runs


def median_run(runs: list[Measurement]) -> Measurement:
    """Return the run with the median wall time (the lower middle)."""
    timed = sorted((m for m in runs if m.wall_s is not None),
                   key=lambda m: m.wall_s)
    if not timed:
        return runs[0]
    return timed[(len(timed) - 1) // 2]


# -- the jobs -------------------------------------------------------------

def rollback_contenders(seed: str, titles: list[str], title_file: Path
                        ) -> list[Contender]:
    """The rollback job: bare loops, core loops, ours.

    :param title_file: the seeded titles, one a line, for the variant
        of ours that gets its pages from a page selection (``-file:``)
        instead of the user's contributions
    """
    n = len(titles)

    def done(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_rollback(wiki, titles)

    core_default = f'minthrottle = {CORE_DEFAULT_MINTHROTTLE}\n'
    return [
        Contender('bare loop (token once)', 'bare', ['rollback'], seed, n,
                  done, baseline=True),
        Contender('bare loop, docs style (token per POST)', 'bare',
                  ['rollback-docs'], seed, n, done),
        Contender('pywikibot core, minthrottle=0.1 (default)', 'core',
                  ['rollback'], seed, n, done, config=core_default),
        Contender('pywikibot core, minthrottle=0', 'core', ['rollback'],
                  seed, n, done),
        Contender('ours: pwb rollback -user:Vandal -always', 'ours',
                  ['rollback', '-user:Vandal', '-always'], seed, n, done),
        Contender('ours + -journal', 'ours',
                  ['rollback', '-user:Vandal', '-always',
                   '-journal:{run}/journal.jsonl'], seed, n, done),
        Contender('ours + page selection (-file:)', 'ours',
                  ['rollback', '-user:Vandal', '-always',
                   f'-file:{title_file}'], seed, n, done),
    ]


def undelete_contenders(seed: str, titles: list[str]) -> list[Contender]:
    """The undelete job: bare loop, core loop, ours (whole, filtered)."""
    n = len(titles)
    revisions = len(seeding.UNDELETE_REVISIONS)
    not_vandal = sum(u != 'Vandal' for u, _ in seeding.UNDELETE_REVISIONS)

    def whole(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_undelete(wiki, titles, revisions)

    def filtered(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_undelete(wiki, titles, not_vandal, 'Vandal')

    ours = ['undelete', '-logevents:delete,Admin', '-always']
    return [
        Contender('bare loop', 'bare', ['undelete'], seed, n, whole,
                  baseline=True),
        Contender('pywikibot core Page.undelete()', 'core', ['undelete'],
                  seed, n, whole),
        Contender('ours: pwb undelete -logevents:delete,Admin -always',
                  'ours', ours, seed, n, whole),
        Contender('ours + -except-user:Vandal', 'ours',
                  [*ours, '-except-user:Vandal'], seed, n, filtered),
    ]


def filerevert_contenders(seed: str, expected: dict[str, str]
                          ) -> list[Contender]:
    """The filerevert job: bare loop, core loop, ours."""
    n = len(expected)

    def done(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_filerevert(wiki, expected)

    return [
        Contender('bare loop (batched imageinfo)', 'bare', ['filerevert'],
                  seed, n, done, baseline=True),
        Contender('pywikibot core get_file_history() loop', 'core',
                  ['filerevert'], seed, n, done),
        Contender('ours: pwb filerevert -user:Vandal -always', 'ours',
                  ['filerevert', '-user:Vandal', '-always'], seed, n, done),
    ]


def buried_contenders(seed: str, titles: list[str]) -> list[Contender]:
    """The buried job: the bare undo loop, ours (with ``-journal`` too)."""
    n = len(titles)

    def done(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_buried(wiki, titles)

    ours = ['rollback', '-user:Vandal', '-buried', '-always']
    return [
        Contender('bare loop (undo per contribution, token once)', 'bare',
                  ['buried'], seed, n, done, baseline=True),
        Contender('ours: pwb rollback -user:Vandal -buried -always', 'ours',
                  ours, seed, n, done),
        Contender('ours + -journal', 'ours',
                  [*ours, '-journal:{run}/journal.jsonl'], seed, n, done),
    ]


def cleanup_contenders(seed: str, made: dict[str, Any]) -> list[Contender]:
    """The cleanup job: the bare loop, ours (``pwb cleanup``).

    :param made: what :func:`seeding.seed_cleanup` returned
    """
    n = len(made['titles'])
    user = seeding.SPAMBOT

    def done(wiki: TestWiki) -> tuple[bool, str]:
        return verify.check_cleanup(wiki, made, user)

    return [
        Contender('bare loop (three listings, token once)', 'bare',
                  ['cleanup', '--target', user], seed, n, done,
                  baseline=True),
        Contender(f'ours: pwb cleanup -user:{user} -always', 'ours',
                  ['cleanup', f'-user:{user}', '-always'], seed, n, done),
    ]


def scale_contenders(small: tuple[str, list[str]],
                     large: tuple[str, list[str]],
                     which: set[str]) -> list[Contender]:
    """The scale job: ours at two sizes, and ``-simulate`` at the larger.

    :param which: out of ``ours`` (ours at both sizes), ``simulate``
        (``-simulate`` at the larger), ``journal`` (ours with
        ``-journal`` at both sizes) and ``baseline`` (the bare loop at
        the larger)
    """
    def reverted(titles: list[str]) -> Check:
        return lambda wiki: verify.check_rollback(wiki, titles)

    large_seed, large_titles = large
    ours = ['rollback', '-user:Vandal', '-always']
    contenders = []
    if 'baseline' in which:
        contenders.append(Contender(
            f'bare loop, N={len(large_titles)}', 'bare', ['rollback'],
            large_seed, len(large_titles), reverted(large_titles),
            baseline=True))
    if 'ours' in which:
        contenders += [
            Contender(f'ours, N={len(titles)}', 'ours', ours, seed,
                      len(titles), reverted(titles))
            for seed, titles in (small, large)]
    if 'simulate' in which:
        contenders.append(Contender(
            f'ours -simulate, N={len(large_titles)}', 'ours',
            ['-simulate', *ours], large_seed, len(large_titles),
            lambda wiki: verify.check_untouched(wiki, large_titles)))
    if 'journal' in which:
        contenders += [
            Contender(f'ours + -journal, N={len(titles)}', 'ours',
                      [*ours, '-journal:{run}/journal.jsonl'], seed,
                      len(titles), reverted(titles))
            for seed, titles in (small, large)]
    return contenders


def table_contenders(n: int, job: str, made: dict[str, Any]
                     ) -> list[Contender]:
    """One job of the side by side table (``--sizes``) at *n* items.

    ``rollback`` has the bare loop, ours, ours with ``-journal`` and
    ours with ``-simulate``: the dry run is compared to the bare loop
    that really rolls back (there is no bare dry run to compare it to;
    its ratio says what a preview costs against doing the work).
    ``undelete`` and ``filerevert`` have their bare loop and ours.

    :param made: what the job's seeding returned
    """
    seed = f'table-{job}-{n}'
    if job == 'rollback':
        titles = made['titles']

        def reverted(wiki: TestWiki) -> tuple[bool, str]:
            return verify.check_rollback(wiki, titles)

        ours = ['rollback', '-user:Vandal', '-always']
        return [
            Contender('bare loop (token once)', 'bare', ['rollback'], seed,
                      n, reverted, baseline=True),
            Contender('ours', 'ours', ours, seed, n, reverted),
            Contender('ours -journal', 'ours',
                      [*ours, '-journal:{run}/journal.jsonl'], seed, n,
                      reverted),
            Contender('ours -simulate (writes nothing; vs the bare loop '
                      'that does)', 'ours', ['-simulate', *ours], seed, n,
                      lambda wiki: verify.check_untouched(wiki, titles)),
        ]
    if job == 'undelete':
        contenders = undelete_contenders(seed, made['titles'])
    else:
        contenders = filerevert_contenders(seed, made['editor_sha1'])
    # the bare loop and ours (the first "ours: ..." contender), named as
    # in the table's legend
    return [next(c for c in contenders if c.baseline),
            dataclasses.replace(next(c for c in contenders
                                     if c.kind == 'ours'), name='ours')]


def seed_table(wiki: TestWiki, seed_dir: Path, job: str, n: int
               ) -> dict[str, Any]:
    """Seed *job* of the table with *n* pages (or files)."""
    if job == 'rollback':
        return seeding.seed_rollback(wiki, seed_dir, 0, n)
    if job == 'undelete':
        return seeding.seed_undelete(wiki, seed_dir, n)
    return seeding.seed_files(wiki, seed_dir, n)


# -- reporting -------------------------------------------------------------

def _fmt(value: float | None, digits: int = 2) -> str:
    return '—' if value is None else f'{value:.{digits}f}'


def _median(values: list[float]) -> float | None:
    """Return the median (the lower middle) of *values*, None if empty."""
    values = sorted(values)
    return values[(len(values) - 1) // 2] if values else None


def cpu_cost(runs: list[Measurement]) -> float | None:
    """Return the median CPU seconds (client + server) after the login."""
    return _median([m.work_cpu_total for m in runs
                    if m.work_cpu_total is not None])


def table(runs: dict[str, list[Measurement]]) -> str:
    """Return the markdown table of one job (median run per contender)."""
    rows = [
        '| contender | wall time (s) | ratio to bare loop | requests per '
        'item | peak RSS (MB) | verified | wall min–max (s) | CPU after '
        'login: client + server (s) | CPU ratio | requests: login + work | '
        'work: writes + other | process (s) |',
        '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ]
    medians = {name: median_run(rs) for name, rs in runs.items()}
    base_name = next((name for name, m in medians.items()
                      if m.contender.baseline), None)
    base = medians.get(base_name)
    base_cpu = cpu_cost(runs[base_name]) if base_name else None
    for name, m in medians.items():
        ratio = (m.wall_s / base.wall_s
                 if base and m.wall_s and base.wall_s else None)
        cpu = cpu_cost(runs[name])
        cpu_ratio = cpu / base_cpu if cpu and base_cpu else None
        all_ok = all(r.verified for r in runs[name])
        verified = ('yes' if all_ok else 'NO') + (
            f' ({len(runs[name])} runs)' if len(runs[name]) > 1 else '')
        walls = [r.wall_s for r in runs[name] if r.wall_s is not None]
        spread = f'{min(walls):.2f}–{max(walls):.2f}' if walls else '—'
        split = (f'{_fmt(m.work_cpu_s)} + {_fmt(m.server_work_cpu_s)}'
                 if m.work_cpu_total is not None else '—')
        rows.append(
            f'| {name} | {_fmt(m.wall_s)} | {_fmt(ratio)} | '
            f'{_fmt(m.per_item, 3)} | {m.peak_rss} | '
            f'{verified} | {spread} | {split} | {_fmt(cpu_ratio)} | '
            f'{m.requests_login} + {m.requests_work} | '
            f'{m.writes_work} + {m.reads_work} | {m.process_s:.1f} |')
    return '\n'.join(rows)


def side_by_side(results: dict[tuple[str, int], dict[str, list[Measurement]]]
                 ) -> str:
    """Return the README's table: every job and size, one row each.

    *results* maps (job, size) to the job's runs; rows go by job, then
    size, then contender, each with its median run (the lower middle
    of the wall times). The CPU ratio (client and server CPU seconds
    after the login, over the bare loop's) hardly moves with other work
    on the machine, which stretches wall times.
    """
    rows = ['| job | N | contender | wall time (s) | ratio to bare loop | '
            'CPU ratio | requests per item | peak RSS (MB) | verified |',
            '|---|---:|---|---:|---:|---:|---:|---:|---|']
    for job in TABLE_JOBS:
        for (name, n), runs in sorted(results.items(),
                                      key=lambda kv: kv[0][1]):
            if name != job:
                continue
            medians = {c: median_run(rs) for c, rs in runs.items()}
            base = next((c for c, m in medians.items()
                         if m.contender.baseline), None)
            base_cpu = cpu_cost(runs[base]) if base else None
            for contender, m in medians.items():
                wall = medians[base].wall_s if base else None
                ratio = m.wall_s / wall if m.wall_s and wall else None
                cpu = cpu_cost(runs[contender])
                cpu_ratio = cpu / base_cpu if cpu and base_cpu else None
                ok = all(r.verified for r in runs[contender])
                count = len(runs[contender])
                verified = ('yes' if ok else 'NO') + (
                    f' ({count} runs)' if count > 1 else '')
                rows.append(
                    f'| {job} | {n:,} | {contender} | {_fmt(m.wall_s)} | '
                    f'{_fmt(ratio)} | {_fmt(cpu_ratio)} | '
                    f'{_fmt(m.per_item, 3)} | {m.peak_rss} | {verified} |')
    return '\n'.join(rows)


def breakdowns(runs: dict[str, list[Measurement]]) -> str:
    """Return the work-phase request breakdown of each median run."""
    out = []
    for name, rs in runs.items():
        m = median_run(rs)
        parts = ', '.join(f'{k}: {v}' for k, v in
                          sorted(m.breakdown.items(), key=lambda kv: -kv[1]))
        login = ', '.join(
            f'{k}: {v}' for k, v in sorted(
                m.client.get('breakdown', {}).get('login', {}).items(),
                key=lambda kv: -kv[1]))
        walls = ', '.join(_fmt(r.wall_s) for r in rs)
        notes = []
        if not m.marker_found:
            notes.append('no login marker: all requests counted as login')
        if not m.counts_agree:
            notes.append(f'client counted {m.client_total} requests, the '
                         f'server {m.requests_total}')
        out.append(f'- {name}: {parts or "none"}'
                   + (f' ({"; ".join(notes)})' if notes else '')
                   + f'. Login phase: {login or m.requests_login}. Wall '
                   f'times: {walls} s')
        if not all(r.verified for r in rs):
            out.append(f'  - not done: {rs[0].detail}')
    return '\n'.join(out)


def _ours(runs: dict[str, list[Measurement]], prefix: str
          ) -> Measurement | None:
    for name, rs in runs.items():
        if name.startswith(prefix):
            return median_run(rs)
    return None


def _base(runs: dict[str, list[Measurement]]) -> Measurement | None:
    for rs in runs.values():
        if rs[0].contender.baseline:
            return median_run(rs)
    return None


def _read_allowance(items: int) -> int:
    """Reads that still mean "no per-item reads" for *items* items.

    A constant (listing, token, pywikibot's paraminfo and siteinfo
    loads: up to 8) plus two batched reads (read before, check after)
    per 50 items. Per-item reads would be at least *items* more.
    """
    return 8 + 2 * -(-items // 50)


def _verdict(ok: bool) -> str:
    return 'holds' if ok else '**DOES NOT HOLD**'


def targets(results: dict[str, dict[str, list[Measurement]]]) -> list[str]:
    """Check the lead's targets; return one line per target."""
    lines = []
    if 'rollback' in results:
        runs = results['rollback']
        ours, base = _ours(runs, 'ours: '), _base(runs)
        if ours:
            n = ours.contender.items
            constant = ours.requests_work - n
            ok = ours.writes_work == n and ours.requests_work <= 1.02 * n + 5
            lines.append(
                f'- rollback, requests: {ours.requests_work} after login for '
                f'{n} pages = {ours.per_item:.3f}/page ({ours.writes_work} '
                f'rollbacks + {ours.reads_work} other, i.e. 1/page + '
                f'{constant}); target ≤ 1.02/page + a small constant (≤ 5): '
                f'{_verdict(ok)}')
        if ours and base and ours.wall_s and base.wall_s:
            ratio = ours.wall_s / base.wall_s
            lines.append(
                f'- rollback, wall time: {ours.wall_s:.2f} s vs bare loop '
                f'{base.wall_s:.2f} s = {ratio:.2f}× (medians); target ≤ '
                f'1.10×: {_verdict(ratio <= 1.10)}')
            ours_cpu = cpu_cost(runs[ours.contender.name])
            base_cpu = cpu_cost(runs[base.contender.name])
            if ours_cpu and base_cpu:
                cpu_ratio = ours_cpu / base_cpu
                lines.append(
                    f'- rollback, CPU time after login (client + server, '
                    f'what the wall time would be on an idle machine): '
                    f'{ours_cpu:.2f} s vs bare loop {base_cpu:.2f} s = '
                    f'{cpu_ratio:.2f}×; target ≤ 1.10×: '
                    f'{_verdict(cpu_ratio <= 1.10)}')
    if 'undelete' in results:
        ours = _ours(results['undelete'], 'ours: ')
        if ours:
            n = ours.contender.items
            allowed = _read_allowance(n)
            ok = ours.writes_work == n and ours.reads_work <= allowed
            lines.append(
                f'- undelete (whole pages): {ours.writes_work} undelete POSTs'
                f' for {n} pages, {ours.reads_work} other requests after '
                f'login (allowed without per-page reads: {allowed}); target '
                f'one POST per page and no per-page reads: {_verdict(ok)}')
    if 'filerevert' in results:
        ours = _ours(results['filerevert'], 'ours: ')
        if ours:
            n = ours.contender.items
            allowed = _read_allowance(n)
            ok = ours.writes_work == n and ours.reads_work <= allowed
            imageinfo = sum(v for k, v in ours.breakdown.items()
                            if 'prop=imageinfo' in k)
            lines.append(
                f'- filerevert: {ours.writes_work} filerevert POSTs for {n} '
                f'files, {ours.reads_work} other requests after login, '
                f'{imageinfo} of them prop=imageinfo (allowed without '
                f'per-file reads: {allowed}); target one POST per file plus '
                f'batched reads: {_verdict(ok)}')
    if 'buried' in results:
        runs = results['buried']
        ours, base = _ours(runs, 'ours: '), _base(runs)
        if ours:
            n = ours.contender.items
            lines.append(
                f'- buried: {ours.requests_work} requests after login for '
                f'{n} pages = {ours.per_item:.3f}/page ({ours.writes_work} '
                f'edits + {ours.reads_work} other); target ≤ 2/page: '
                f'{_verdict(ours.per_item <= 2)}')
        if ours and base and ours.wall_s and base.wall_s:
            ratio = ours.wall_s / base.wall_s
            ours_cpu = cpu_cost(runs[ours.contender.name])
            base_cpu = cpu_cost(runs[base.contender.name])
            cpu = (f'; CPU after login {ours_cpu:.2f} s vs '
                   f'{base_cpu:.2f} s = {ours_cpu / base_cpu:.2f}×'
                   if ours_cpu and base_cpu else '')
            lines.append(
                f'- buried, wall time: {ours.wall_s:.2f} s vs bare loop '
                f'{base.wall_s:.2f} s = {ratio:.2f}× (medians{cpu}); '
                'informational, no target')
    if 'cleanup' in results:
        lines += _cleanup_targets(results['cleanup'])
    if 'scale' in results:
        ms = {name: median_run(rs) for name, rs in results['scale'].items()}
        # the target with a journal: at most +5% (2,000 to
        # 20,000 pages); without one the older ±10%
        for prefix, limit in (('ours, N=', 0.10),
                              ('ours + -journal, N=', 0.05)):
            sizes = [m for name, m in ms.items() if name.startswith(prefix)]
            if len(sizes) != 2:
                continue
            small, large = sizes
            what = prefix.split(',')[0]
            growth = large.peak_rss_kb / small.peak_rss_kb - 1
            per_page = ((large.peak_rss_kb - small.peak_rss_kb)
                        / (large.contender.items - small.contender.items))
            lines.append(
                f'- scale, memory of {what}: peak RSS '
                f'{small.peak_rss_kb / 1024:.1f} MB at '
                f'N={small.contender.items}, {large.peak_rss_kb / 1024:.1f} '
                f'MB at N={large.contender.items} ({growth:+.1%}, '
                f'{per_page * 1024:+.0f} bytes/page); target growth at '
                f'most {limit:.0%}: {_verdict(growth <= limit)}')
            lines.append(
                f'- scale, requests of {what}: {small.per_item:.4f}/page at '
                f'N={small.contender.items}, {large.per_item:.4f}/page at '
                f'N={large.contender.items}')
        sim = next((m for name, m in ms.items() if '-simulate' in name),
                   None)
        if sim:
            lines.append(
                f'- scale, -simulate at N={sim.contender.items}: '
                f'{sim.posts_work} POSTs after login ({sim.writes_work} '
                f'writes; {sim.posts_login} POSTs in the login phase), '
                f'{sim.requests_work} requests after login '
                f'({sim.per_item:.2f}/page); target no write: '
                f'{_verdict(sim.writes_work == 0)}')
    return lines


def _cleanup_targets(runs: dict[str, list[Measurement]]) -> list[str]:
    """The cleanup job's targets: ≤ 1.10 requests per item, ≤ 1.10×."""
    lines = []
    ours, base = _ours(runs, 'ours: '), _base(runs)
    if ours:
        n = ours.contender.items
        done = all(m.verified for m in runs[ours.contender.name])
        than = (f' (bare loop: {base.per_item:.3f}, {base.writes_work} '
                f'writes + {base.reads_work} other)' if base else '')
        lines.append(
            f'- cleanup, requests: {ours.requests_work} after login for '
            f'{n} items = {ours.per_item:.3f}/item ({ours.writes_work} '
            f'writes + {ours.reads_work} other){than}; target ≤ 1.10/item, '
            f'every run verified: {_verdict(ours.per_item <= 1.10 and done)}')
    if ours and base and ours.wall_s and base.wall_s:
        ratio = ours.wall_s / base.wall_s
        lines.append(
            f'- cleanup, wall time: {ours.wall_s:.2f} s vs bare loop '
            f'{base.wall_s:.2f} s = {ratio:.2f}× (medians); target ≤ 1.10×: '
            f'{_verdict(ratio <= 1.10)}')
        ours_cpu = cpu_cost(runs[ours.contender.name])
        base_cpu = cpu_cost(runs[base.contender.name])
        if ours_cpu and base_cpu:
            lines.append(
                f'- cleanup, CPU time after login (client + server): '
                f'{ours_cpu:.2f} s vs bare loop {base_cpu:.2f} s = '
                f'{ours_cpu / base_cpu:.2f}× (informational: the target '
                'is on the wall time)')
    return lines


def freeze_plugin(python: str, dest: Path) -> str:
    """Copy the installed plugin to *dest* for the contenders to use.

    ``pwb`` runs the installed copy (the package, its scripts package
    and the dist-info holding the entry point by which ``pwb`` finds the
    scripts). On a shared virtualenv someone may reinstall it while the
    benchmark runs; the contenders get *dest* first on ``PYTHONPATH``,
    so all of them run the code that was installed at the start
    (``importlib.metadata`` takes the first distribution of a name on
    ``sys.path``, so the entry point resolves to the copy too).

    :return: how the copy compares with the working tree
    """
    where = subprocess.run(
        [python, '-c', 'import importlib.util as u, importlib.metadata as m;'
         ' print(u.find_spec("pywikibot_revert").origin);'
         ' print(u.find_spec("pywikibot_revert_scripts").origin);'
         ' d = m.distribution("pywikibot-revert");'
         ' print(d.locate_file(d._path.name))'],
        # not in the repository: ``-c`` puts the current directory first
        # on sys.path, which would find the working tree's package and
        # egg-info instead of the installed ones
        cwd=dest.parent, capture_output=True, text=True, timeout=60,
        check=True)
    package, scripts, dist_info = (Path(p) for p in where.stdout.split())
    package, scripts = package.parent, scripts.parent
    for source in (package, scripts, dist_info):
        shutil.copytree(source, dest / source.name,
                        ignore=shutil.ignore_patterns('__pycache__'))
    differ = []
    for installed, source in ((package, REPO / 'pywikibot_revert'),
                              (scripts, REPO / 'scripts')):
        for path in sorted(source.glob('**/*.py')):
            rel = path.relative_to(source)
            if rel.parts[0] == '_scripts_i18n':
                continue  # installed as pywikibot_revert_scripts.i18n
            copy = dest / installed.name / rel
            if not copy.is_file() or copy.read_bytes() != path.read_bytes():
                differ.append(f'{source.name}/{rel}')
    if not differ:
        return 'installed copy, same as the working tree'
    return ('installed copy, DIFFERS from the working tree in '
            + ', '.join(differ))


def _version_info(python: str, wiki: TestWiki) -> dict[str, str]:
    """Versions of everything measured, and the machine."""
    probe = subprocess.run(
        [python, '-c',
         'import sys, importlib.metadata as m; print(sys.version.split()[0]);'
         ' print(m.version("pywikibot")); print(m.version("pywikibot-revert"))'
         ], capture_output=True, text=True, timeout=60, check=True)
    py, pwb, ours = probe.stdout.split()
    general = wiki.api_get(action='query', meta='siteinfo')['query'][
        'general']
    php = subprocess.run(['php', '-r', 'echo PHP_VERSION;'],
                         capture_output=True, text=True, timeout=60).stdout
    git = subprocess.run(['git', '-C', str(REPO), 'describe', '--always',
                          '--dirty'], capture_output=True, text=True,
                         timeout=60).stdout.strip()
    cpu = ''
    with suppress(OSError):
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    return {'date': datetime.datetime.now(datetime.timezone.utc)
            .strftime('%Y-%m-%d %H:%M UTC'),
            'machine': f'{platform.platform()}, {os.cpu_count()} CPUs '
                       f'(nproc), {cpu}',
            'python': py, 'pywikibot': pwb, 'pywikibot-revert': ours,
            'MediaWiki': general['generator'].split()[-1],
            'PHP': php, 'repository': git}


def report(info: dict[str, str], args: argparse.Namespace,
           seeds: dict[str, float],
           results: dict[str, dict[str, list[Measurement]]],
           cross: dict[str, list[crosswiki.CrossRun]] | None = None,
           sized: dict[tuple[str, int], dict[str, list[Measurement]]]
           | None = None,
           sized_time: dict[int, list[float]] | None = None) -> str:
    """Return the whole markdown report.

    :param cross: the crosswiki job
    :param sized: the side by side table (``--sizes``): (job, size) ->
        runs
    :param sized_time: the table's seconds at each size: seeding, runs
    """
    titles = {'rollback': f'Rollback, N={args.n} pages',
              'undelete': f'Undelete, N={args.n} pages',
              'filerevert': f'Filerevert, F={args.files} files',
              'buried': f'Buried edits, N={args.n} pages',
              'cleanup': f'Cleanup, {args.cleanup_items} items by '
                         f'{seeding.SPAMBOT} ('
                         + ', '.join(f'{v} {k.replace("_", " ")}' for k, v
                                     in seeding.cleanup_counts(
                                         args.cleanup_items).items()) + ')',
              'scale': f'Scale, rollback at {args.scale_from} and '
                       f'{args.scale} pages'}
    out = [f'# Benchmark results ({info["date"]})', '',
           'Command: `python benchmarks/run.py '
           f'{" ".join(shlex.quote(a) for a in args.argv)}`'.rstrip(), '']
    out += [f'- {k}: {v}' for k, v in info.items() if k != 'date']
    paged = {'rollback', 'undelete', 'buried', 'crosswiki'} & set(args.jobs)
    sizes = [f'N={args.n}' if paged else '',
             f'files={args.files}' if 'filerevert' in args.jobs else '',
             f'cleanup items={args.cleanup_items}' if 'cleanup' in args.jobs
             else '',
             f'scale={args.scale}' if args.scale else '',
             'sizes=' + ','.join(map(str, args.sizes)) if args.sizes
             else '']
    out += [f'- {", ".join(filter(None, sizes))}, repeat={args.repeat} '
            '(median run shown; the scale job runs once)',
            '- pywikibot reads: ' + (
                'POST (its default on plain http)' if args.post_reads else
                'GET (enable_GET_without_SSL = True, as pywikibot does on '
                'https)'),
            '- seeding: ' + ', '.join(f'{k} {v:.1f} s'
                                      for k, v in seeds.items()), '']
    for job, runs in results.items():
        out += [f'## {titles[job]}', '', table(runs), '',
                'Requests after login, by API module (median run):', '',
                breakdowns(runs), '']
    if cross:
        out += [f'## Crosswiki, 3 wikis × N={args.n} pages', '',
                crosswiki.report(cross, args.n), '']
    if sized:
        repeats = (f'{args.repeat} run(s) per contender below {LARGE}, '
                   f'{args.repeat_large} from {LARGE} on'
                   if args.repeat != args.repeat_large else
                   f'{args.repeat} run(s) per contender')
        out += ['## Side by side, N = '
                + ', '.join(str(n) for n in args.sizes), '',
                f'Medians of {repeats}; the wall time runs from the end of '
                'the login to the answer of the last write (the end of the '
                'run for -simulate), and its ratio is to the bare loop of '
                'the same job and size. Rollback -simulate writes nothing: '
                'it is compared to the bare loop that rolls back (there is '
                'no bare dry run). N counts pages, or files for '
                'filerevert.', '',
                '- rollback: ours is `pwb rollback -user:Vandal -always` '
                '(with `-journal:FILE`, or after `-simulate`); the bare '
                'loop gets one rollback token, lists the contributions '
                '(`uclimit=max`) and POSTs one rollback per page',
                '- undelete: ours is `pwb undelete -logevents:delete,Admin '
                '-always`; the bare loop lists the deletion log and POSTs '
                'one undelete per page',
                '- filerevert: ours is `pwb filerevert -user:Vandal '
                '-always`; the bare loop lists the upload log, reads '
                'archive names 50 files a request and POSTs one '
                'filerevert per file', '', side_by_side(sized), '']
        if sized_time:
            out += ['Time taken: ' + '; '.join(
                f'N={n}: seeding {a:.0f} s, runs {b:.0f} s'
                for n, (a, b) in sized_time.items()), '']
        for (job, n), runs in sized.items():
            out += [f'### {job}, N={n}', '', table(runs), '',
                    'Requests after login, by API module (median run):',
                    '', breakdowns(runs), '']
    if lines := targets(results) + (crosswiki.targets(cross, args.n)
                                    if cross else []):
        out += ['## Targets', '', *lines, '']
    if results or sized:
        out += ['## Columns', '', *COLUMNS, '']
    return '\n'.join(out)


# -- main -------------------------------------------------------------------

def _load() -> str:
    """Return the load averages: other work on the machine skews times."""
    return ', '.join(f'{x:.2f}' for x in os.getloadavg())


def _python_ok(python: str) -> bool:
    """Whether *python* has what the contenders import."""
    code = ('import importlib.util as u, sys; sys.exit(0 if all(u.find_spec'
            '(m) for m in ("pywikibot", "requests", "pywikibot_revert")) '
            'else 1)')
    try:
        return subprocess.run([python, '-c', code], timeout=60,
                              capture_output=True).returncode == 0
    except OSError:
        return False


def find_python(given: str | None) -> str | None:
    """Return the interpreter for the contenders, or None.

    *given* (``--python``) if set; else the first of this interpreter,
    the active virtualenv's and the one next to ``pwb`` on the PATH that
    has pywikibot, requests and pywikibot_revert installed.
    """
    if given:
        return given if _python_ok(given) else None
    candidates = [sys.executable]
    if venv := os.environ.get('VIRTUAL_ENV'):
        candidates.append(str(Path(venv) / 'bin' / 'python'))
    if pwb := shutil.which('pwb'):
        candidates.append(str(Path(pwb).resolve().with_name('python')))
    return next((c for c in candidates if _python_ok(c)), None)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Benchmark pywikibot-revert against a bare requests loop '
                    'and pywikibot core on a throwaway local wiki.')
    parser.add_argument('--n', type=int, default=100,
                        help='pages for rollback, undelete, buried and '
                             'crosswiki (on each wiki; default 100)')
    parser.add_argument('--files', type=int, default=40,
                        help='files for filerevert (default 40)')
    parser.add_argument('--cleanup-items', type=int, default=1000,
                        metavar='M',
                        help='items of the cleanup job\'s incident '
                             '(default 1000: 40%% edited pages, 30%% '
                             'created, 20%% moved, 10%% files; at least 20)')
    parser.add_argument('--scale', type=int, default=0, metavar='N',
                        help='also run ours at N/5 and N pages, and '
                             '-simulate at N (e.g. 5000)')
    parser.add_argument('--scale-baseline', action='store_true',
                        help='with --scale: also the bare loop at N')
    parser.add_argument('--scale-journal', action='store_true',
                        help='with --scale: also ours with -journal at the '
                             'smaller size and N')
    parser.add_argument('--scale-from', type=int, default=0, metavar='M',
                        help='with --scale: the smaller size (default N/5)')
    parser.add_argument('--scale-contenders', default='ours,simulate',
                        metavar='LIST',
                        help='with --scale: comma separated, out of '
                             f'{",".join(SCALE_CONTENDERS)} (default '
                             'ours,simulate; --scale-baseline and '
                             '--scale-journal add theirs)')
    parser.add_argument('--only', default=None,
                        help='comma separated jobs out of '
                             f'{",".join(JOBS)} (default: all, none with '
                             '--sizes); "scale" (or nothing) with --scale '
                             'for the scale job alone')
    parser.add_argument('--sizes', default='', metavar='LIST',
                        help='the side by side table: comma separated '
                             'sizes (e.g. 100,1000,5000,20000), at each the '
                             'bare loop and ours for '
                             f'{", ".join(TABLE_JOBS)} (rollback also '
                             'with -journal and -simulate)')
    parser.add_argument('--table-jobs', default=','.join(TABLE_JOBS),
                        metavar='LIST',
                        help='with --sizes: comma separated subset of '
                             f'{",".join(TABLE_JOBS)} (default: all)')
    parser.add_argument('--repeat-large', type=int, default=0, metavar='R',
                        help=f'with --sizes: runs per contender at sizes of '
                             f'{LARGE} and more (default: --repeat)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='runs per contender (the scale job runs '
                             'once); the median is shown')
    parser.add_argument('--post-reads', action='store_true',
                        help='let pywikibot POST its reads, its default '
                             'on plain http (no paraminfo lookups; the '
                             'access log then shows reads as POSTs)')
    parser.add_argument('--timeout', type=float, default=1800,
                        help='seconds before a contender is killed')
    parser.add_argument('--python',
                        help='interpreter with pywikibot and '
                             'pywikibot-revert installed (default: this '
                             'one, the active virtualenv\'s or pwb\'s)')
    parser.add_argument('--output', type=Path,
                        default=HERE / 'results' / 'latest.md',
                        help='where to write the report')
    parser.add_argument('--keep', action='store_true',
                        help='keep the temporary wiki and the runs\' output')
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args.sizes = [int(n) for n in args.sizes.split(',') if n.strip()]
    except ValueError:
        parser.error('--sizes: give whole numbers, e.g. 100,1000')
    if any(n < 1 for n in args.sizes):
        parser.error('--sizes must be positive')
    args.table_jobs = [j.strip() for j in args.table_jobs.split(',')
                       if j.strip()]
    if unknown := set(args.table_jobs) - set(TABLE_JOBS):
        parser.error(f'--table-jobs: unknown {", ".join(sorted(unknown))}')
    if args.sizes and not args.table_jobs:
        parser.error('--table-jobs: nothing to run')
    args.repeat_large = args.repeat_large or args.repeat
    if args.only is None:
        args.only = '' if args.sizes else ','.join(JOBS)
    jobs = {j.strip() for j in args.only.split(',') if j.strip()}
    if unknown := jobs - {*JOBS, 'scale'}:
        parser.error(f'--only: unknown job(s) {", ".join(sorted(unknown))}')
    if 'scale' in jobs and not args.scale:
        parser.error('--only scale needs --scale N')
    args.jobs = [j for j in JOBS if j in jobs]
    if args.n < 1 or args.files < 1 or args.repeat < 1:
        parser.error('--n, --files and --repeat must be positive')
    if args.cleanup_items < 20:
        parser.error('--cleanup-items must be at least 20 (one item of '
                     'each kind)')
    if not args.jobs and not args.scale and not args.sizes:
        parser.error('nothing to run: give --only JOBS, --scale N or '
                     '--sizes LIST')
    if args.scale and args.scale < 5:
        parser.error('--scale must be at least 5')
    args.scale_which = {c.strip() for c in args.scale_contenders.split(',')
                        if c.strip()}
    if unknown := args.scale_which - set(SCALE_CONTENDERS):
        parser.error('--scale-contenders: unknown '
                     + ', '.join(sorted(unknown)))
    args.scale_which |= ({'baseline'} if args.scale_baseline else set()) | (
        {'journal'} if args.scale_journal else set())
    if args.scale and not args.scale_which:
        parser.error('--scale-contenders: nothing to run')
    if not args.scale_from:
        args.scale_from = args.scale // 5
    if args.scale and not 0 < args.scale_from < args.scale:
        parser.error('--scale-from must be between 1 and --scale - 1')
    return args


def main(argv: list[str] | None = None) -> int:
    """Seed, run, report; return the exit status."""
    args = parse_args(argv)
    if missing := missing_requirements():
        print('cannot run a test wiki, missing: ' + ', '.join(missing))
        return 2
    python = find_python(args.python)
    if python is None:
        print('no interpreter with pywikibot, requests and pywikibot_revert;'
              ' use --python /path/to/venv/bin/python')
        return 2
    args.python = python

    load_start = _load()
    work = Path(tempfile.mkdtemp(prefix='pwbrevert-bench-'))
    wiki = TestWiki(work / 'wiki')  # a fresh free port
    results: dict[str, dict[str, list[Measurement]]] = {}
    cross: dict[str, list[crosswiki.CrossRun]] = {}
    seeds: dict[str, float] = {}
    #: the side by side table: (job, size) -> runs
    sized: dict[tuple[str, int], dict[str, list[Measurement]]] = {}
    #: the table's time at each size: seeding, runs (seconds)
    sized_time: dict[int, list[float]] = {}
    interrupted = False
    info: dict[str, str] = {}
    try:
        print(f'Installing a test wiki on {wiki.url} in {work}', flush=True)
        wiki.start(fresh=True)
        info.update(_version_info(args.python, wiki))
        info['plugin'] = freeze_plugin(args.python, work / 'site')
        jobs: dict[str, list[Contender]] = {}
        seed_dir = work / 'seed'
        seed_dir.mkdir()

        def seed(name: str, make: Callable[[], dict[str, Any]],
                 base: str = 'pristine') -> dict[str, Any]:
            wiki.restore(base)
            print(f'Seeding {name}...', flush=True)
            made = make()
            wiki.snapshot(name)
            seeds[name] = made['seconds']
            print(f'  {name}: {len(made["titles"])} items in '
                  f'{made["seconds"]:.1f} s, checked', flush=True)
            return made

        if 'rollback' in args.jobs:
            made = seed('rollback', lambda: seeding.seed_rollback(
                wiki, seed_dir, 0, args.n))
            title_file = seed_dir / 'rollback-titles.txt'
            title_file.write_text('\n'.join(made['titles']) + '\n',
                                  encoding='utf-8')
            jobs['rollback'] = rollback_contenders('rollback', made['titles'],
                                                   title_file)
        if 'undelete' in args.jobs:
            made = seed('undelete', lambda: seeding.seed_undelete(
                wiki, seed_dir, args.n))
            jobs['undelete'] = undelete_contenders('undelete', made['titles'])
        if 'filerevert' in args.jobs:
            made = seed('filerevert', lambda: seeding.seed_files(
                wiki, seed_dir, args.files))
            jobs['filerevert'] = filerevert_contenders(
                'filerevert', made['editor_sha1'])
        if 'buried' in args.jobs:
            made = seed('buried', lambda: seeding.seed_buried(
                wiki, seed_dir, args.n))
            jobs['buried'] = buried_contenders('buried', made['titles'])
        if 'cleanup' in args.jobs:
            made = seed('cleanup', lambda: seeding.seed_cleanup(
                wiki, seed_dir, args.cleanup_items))
            jobs['cleanup'] = cleanup_contenders('cleanup', made)
        if 'crosswiki' in args.jobs:  # copied to three wikis at its turn
            cross_titles = seed('crosswiki', lambda: seeding.seed_rollback(
                wiki, seed_dir, 0, args.n))['titles']
        if args.scale:
            small_n = args.scale_from
            small = seed('scale-small', lambda: seeding.seed_rollback(
                wiki, seed_dir, 0, small_n))
            large = seed('scale-large', lambda: seeding.seed_rollback(
                wiki, seed_dir, small_n, args.scale), base='scale-small')
            jobs['scale'] = scale_contenders(
                ('scale-small', small['titles']),
                ('scale-large', large['titles']), args.scale_which)

        for job, contenders in jobs.items():
            print(f'Job {job}:', flush=True)
            # the scale runs take minutes each: once is enough for memory
            # and request counts
            repeat = 1 if job == 'scale' else args.repeat
            results[job] = run_job(wiki, contenders, args.python, work,
                                   repeat, args.timeout, args.post_reads)
        if 'crosswiki' in args.jobs:
            print('Job crosswiki: starting 3 clones of the wiki', flush=True)
            wikis = crosswiki.prepare(wiki, work / 'crosswiki', 'crosswiki',
                                      cross_titles)
            try:
                cross = crosswiki.run_job(wikis, cross_titles, args.python,
                                          work, args.repeat, args.timeout,
                                          args.post_reads)
            finally:
                crosswiki.stop(wikis)
        for n in args.sizes:
            sized_time[n] = [0.0, 0.0]
            repeat = args.repeat_large if n >= LARGE else args.repeat
            for job in args.table_jobs:
                start = time.monotonic()
                # a directory per size: the files' seed writes one file
                # per item there, and importImages.php takes them all
                here = seed_dir / f'table-{n}'
                here.mkdir(exist_ok=True)
                made = seed(f'table-{job}-{n}', lambda job=job, n=n,
                            here=here: seed_table(wiki, here, job, n))
                sized_time[n][0] += time.monotonic() - start
                print(f'Table: {job}, N={n}:', flush=True)
                start = time.monotonic()
                sized[job, n] = run_job(
                    wiki, table_contenders(n, job, made), args.python,
                    work, repeat, args.timeout, args.post_reads)
                sized_time[n][1] += time.monotonic() - start
                # each is used for one job only; a 20,000 page one is large
                shutil.rmtree(wiki.root / 'snapshots' / f'table-{job}-{n}',
                              ignore_errors=True)
                # a table run takes hours: what is measured is kept if
                # it is stopped (or dies) before the end
                write_report(args, info, load_start, seeds, results,
                             cross, sized, sized_time, partial=True)
    except KeyboardInterrupt:
        if not sized:
            raise
        print('Interrupted: the report has what was measured', flush=True)
        interrupted = True
    finally:
        wiki.stop()
        if args.keep:
            print(f'Kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)

    text = write_report(args, info, load_start, seeds, results, cross,
                        sized, sized_time, partial=interrupted)
    print()
    print(text)
    print(f'Written to {args.output}')
    failed = any(not m.verified
                 for runs in (*results.values(), cross, *sized.values())
                 for rs in runs.values() for m in rs)
    return 1 if failed or interrupted else 0


def write_report(args: argparse.Namespace, info: dict[str, str],
                 load_start: str, *parts: Any, partial: bool) -> str:
    """Write the report to ``--output``; return its text.

    :param parts: what :func:`report` takes after *args*
    :param partial: the run has not ended: say so at the top
    """
    info = {**info, 'load average': f'{load_start} at the start, '
                                    f'{_load()} at the end (1, 5, 15 min)'}
    if partial:
        info['partial'] = ('the run had not ended when this was written; '
                           'the tables have what was measured so far')
    text = report(info, args, *parts)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding='utf-8')
    return text


if __name__ == '__main__':
    sys.exit(main())
