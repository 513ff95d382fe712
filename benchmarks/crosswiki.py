"""The crosswiki job: one ``-sites:`` run against three single-wiki runs.

Three wikis (families ``xwa``, ``xwb``, ``xwc`` of
``tests/harness/multiwiki.py``) hold the same N pages with Vandal's
edits on top. The job is done two
ways, each from the same seeded state:

- **sum of single runs**: ``pwb -family:F -lang:F rollback -user:Vandal
  -always`` on each wiki in turn, each through :func:`run.run_contender`
  (so each is an ordinary contender run: probe, login marker, server
  log, verification); its wall time is the sum of the three processes'
  wall times;
- **one -sites: run**: ``pwb rollback -user:Vandal
  -sites:xwa:xwa,xwb:xwb,xwc:xwc -always`` (default ``-workers:4``):
  it checks each wiki (login, rights, the user, the edit count), the
  wikis side by side, then runs each wiki's bot in a thread of its own.
  Its wall time is that of the one command.

Wall times here are whole processes, start to exit (Python start,
imports, logins included), because that is what a ``-sites:`` run
saves or costs. Requests are counted per wiki from each wiki's own
access log over the whole run (login included), so what the checks of
the ``-sites:`` run add shows as the difference between the two.

The three wikis are clones of the benchmark's wiki
(:meth:`TestWiki.clone <harness.wikiharness.TestWiki.clone>`), each
given a copy of its seeded snapshot, so all hold the same pages and
revisions. All four web servers share the machine's cores.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import run  # first: it puts tests/ (the harness package) on sys.path

import probe
import verify
from harness.multiwiki import (
    FAMILIES, start_wikis, stop_wikis, write_multi_config,
)
from harness.wikiharness import TestWiki


__all__ = ['COLUMNS', 'PREFLIGHT_ALLOWANCE', 'SINGLE_ARGS', 'SITES_ARGS',
           'TARGET', 'CrossRun', 'check_reverted', 'prepare', 'report',
           'run_job', 'run_single', 'run_sites', 'stop', 'targets']

#: the snapshot every wiki of the job is restored to before each run
SEED = 'crosswiki'
#: the target: the ``-sites:`` run's wall time over the single runs' sum
TARGET = 0.65
#: requests the ``-sites:`` run may add on each wiki for its checks
#: (a constant: login, user and rights info, the edit count, the check
#: of its input, pywikibot's siteinfo and paraminfo loads), on top of
#: what a single run sends there
PREFLIGHT_ALLOWANCE = 12
#: the single-wiki run on family F (``-family``/``-lang`` before the
#: script name are pywikibot's global options, as ``pwb`` documents)
SINGLE_ARGS = ('rollback', '-user:Vandal', '-always')
#: the cross-wiki run (default ``-workers:4``: all three at once)
SITES_ARGS = ('rollback', '-user:Vandal',
              '-sites:' + ','.join(f'{f}:{f}' for f in FAMILIES), '-always')
SINGLE = 'sum of 3 single runs: pwb -family:F -lang:F ' + ' '.join(
    SINGLE_ARGS)
SITES = 'one -sites: run: pwb ' + ' '.join(SITES_ARGS)

_WIKI_LINE = re.compile(r'\[(\w+):\1\] Wiki: ')
_CHILD_LINE = re.compile(r'\[(\w+):\1\] ')


@dataclasses.dataclass
class CrossRun:

    """One run of either contender, over all three wikis.

    :ivar wall_s: wall time, start to exit: the sum over the single
        runs, or the one ``-sites:`` command's
    :ivar requests: requests each wiki's server logged during the run
        (login included; the benchmark's login marker left out)
    :ivar breakdown: those requests by wiki, named from the access log
        (:func:`run._classify`: reads in full, a POST by its path only)
    :ivar cpu_s: CPU seconds of the client process(es)
    :ivar server_cpu_s: CPU seconds of each wiki's ``php -S`` process
    :ivar phases: where the wall time went (see :func:`_phases`)
    :ivar machine_cpu_s: CPU seconds of all processes on the machine
        while the run's processes ran (:func:`probe.machine_cpu`)
    :ivar parent: what the ``-sites:`` run sent, by name (the probe's
        client-side count)
    :ivar steps: the single runs, one :class:`run.Measurement` each
    """

    name: str
    wall_s: float
    requests: dict[str, int]
    breakdown: dict[str, Counter]
    cpu_s: float
    server_cpu_s: dict[str, float | None]
    peak_rss_kb: int
    phases: dict[str, float]
    verified: bool
    detail: str
    machine_cpu_s: float | None
    parent: Counter = dataclasses.field(default_factory=Counter)
    steps: list[Any] = dataclasses.field(default_factory=list)

    def per_page(self, family: str, n: int) -> float:
        """Requests on *family*'s wiki per page."""
        return self.requests[family] / max(n, 1)

    @property
    def cpu_total(self) -> float | None:
        """CPU seconds of clients and all servers."""
        servers = list(self.server_cpu_s.values())
        if any(s is None for s in servers):
            return None
        return self.cpu_s + sum(servers)  # type: ignore[arg-type]

    @property
    def others_cpu_s(self) -> float | None:
        """CPU seconds other work on the machine took during the run."""
        if self.machine_cpu_s is None or self.cpu_total is None:
            return None
        return max(self.machine_cpu_s - self.cpu_total, 0.0)


# -- the wikis ---------------------------------------------------------------

def prepare(base: TestWiki, root: Path, seed: str, titles: list[str]
            ) -> dict[str, TestWiki]:
    """Start three clones of *base*, each at *base*'s snapshot *seed*.

    :meth:`TestWiki.clone` copies the pristine snapshot only; the seeded
    one is copied next to it as :data:`SEED` and restored, which is
    faster than seeding each clone and gives all the same revisions.
    Each clone is checked through the API as the seed was: Vandal made
    the latest edit of every page and has exactly that many top
    contributions.

    :param base: the benchmark's wiki, seeded by
        :func:`seeding.seed_rollback` and snapshotted as *seed*
    :return: the running wikis by family name
    :raises RuntimeError: a clone does not hold the seed
    """
    # the harness's snapshot layout: ROOT/snapshots/NAME/{data,images}
    source = base._snapshot_dir(seed)
    wikis = start_wikis(base, root)
    try:
        for family, wiki in wikis.items():
            shutil.copytree(source, wiki._snapshot_dir(SEED), symlinks=True)
            wiki.restore(SEED)  # restarts its server
            ok, detail = verify.check_untouched(wiki, titles)
            top = verify.top_contributions(wiki, 'Vandal')
            if not ok or top != len(titles):
                raise RuntimeError(
                    f'crosswiki seed on {family}: {detail}, Vandal has {top}'
                    f' top contributions, expected {len(titles)}')
    except BaseException:
        stop_wikis(wikis)
        raise
    return wikis


def stop(wikis: dict[str, TestWiki]) -> None:
    """Stop the clones' servers."""
    stop_wikis(wikis)


def _configure(wikis: dict[str, TestWiki], config_dir: Path, extra: str
               ) -> Path:
    """Write one pywikibot configuration for all wikis, Admin on each."""
    return write_multi_config(config_dir, wikis,
                              {f: 'Admin' for f in wikis}, extra=extra)


def check_reverted(wiki: TestWiki, titles: list[str]) -> tuple[bool, str]:
    """Every page's latest edit is Admin's (or Editor's), none Vandal's.

    Stricter than :func:`verify.check_rollback`: a missing page fails.
    """
    latest = verify.latest_editors(wiki, titles)
    wrong = [t for t in titles if latest.get(t) not in ('Admin', 'Editor')]
    top = verify.top_contributions(wiki, 'Vandal')
    ok = not wrong and top == 0
    return ok, (f'all {len(titles)} reverted' if ok else
                f'{len(wrong)} of {len(titles)} pages not by Admin/Editor '
                f'(e.g. {wrong[:1]}: {latest.get(wrong[0]) if wrong else ""}'
                f'), Vandal has {top} top contributions')


def _check_all(wikis: dict[str, TestWiki], titles: list[str]
               ) -> tuple[bool, str]:
    results = {f: check_reverted(w, titles) for f, w in wikis.items()}
    ok = all(r[0] for r in results.values())
    return ok, '; '.join(f'{f}: {d}' for f, (_, d) in results.items())


def _server_cpu(wikis: dict[str, TestWiki]) -> dict[str, float | None]:
    return {f: probe.server_cpu(run._server_pid(w) or '')
            for f, w in wikis.items()}


# -- the two contenders -------------------------------------------------------

def run_single(wikis: dict[str, TestWiki], titles: list[str], python: str,
               work: Path, label: str, timeout: float,
               post_reads: bool = False) -> CrossRun:
    """The single-wiki rollback on each wiki in turn; their sum.

    Each is a :class:`run.Contender` run by :func:`run.run_contender`,
    which restores that wiki to :data:`SEED` first and verifies it after.
    """
    def done(w: TestWiki) -> tuple[bool, str]:
        return check_reverted(w, titles)

    steps = []
    for family, wiki in wikis.items():
        contender = run.Contender(
            f'{SINGLE} on {family}', 'ours',
            [f'-family:{family}', f'-lang:{family}', *SINGLE_ARGS], SEED,
            len(titles), done)
        steps.append(run.run_contender(
            wiki, contender, python, work, f'{label}-{family}', timeout,
            post_reads, configure=lambda d, extra: _configure(
                wikis, d, extra)))
    phases: Counter = Counter()
    for m in steps:
        client = m.client
        if client.get('t_login_done') and client.get('t_exit'):
            after_login = client['t_exit'] - client['t_login_done']
            phases['start-up + login'] += m.process_s - after_login
            phases['rollbacks'] += m.wall_s or 0.0
            phases['summary + exit'] += client['t_exit'] - client['t_end']
    problems = [f'{f}: {m.detail}' for f, m in zip(wikis, steps)
                if not m.verified]
    return CrossRun(
        name=SINGLE, wall_s=sum(m.process_s for m in steps),
        requests={f: m.requests_total for f, m in zip(wikis, steps)},
        breakdown={f: Counter(run._classify(line) for line in m.log
                              if line.path != run.MARKER_PATH)
                   for f, m in zip(wikis, steps)},
        cpu_s=sum(m.cpu_s for m in steps),
        server_cpu_s={f: m.server_cpu_s for f, m in zip(wikis, steps)},
        peak_rss_kb=max(m.peak_rss_kb for m in steps), phases=dict(phases),
        verified=not problems,
        detail='; '.join(problems) or f'all {len(titles)} reverted on each',
        machine_cpu_s=(None if any(m.machine_cpu_s is None for m in steps)
                       else sum(m.machine_cpu_s for m in steps)),
        steps=steps)


def _phases(lines: list[tuple[float, str]], process_s: float,
            client: dict[str, Any], t0: float) -> dict[str, float]:
    """Split a ``-sites:`` run's wall time by its timestamped output.

    - start-up: to the end of the first login, the default wiki's
      (probe);
    - checks: from there to the list of wikis (the wikis' logins,
      rights, users and edit counts, side by side);
    - runs' start: from the list to the last wiki's ``Wiki:`` line;
    - rollbacks: from there to the last wiki's last line;
    - summary + exit: the rest.
    """
    listed = next((t for t, line in lines
                   if line.startswith('Cross-wiki rollback:')), None)
    ready = [t for t, line in lines if _WIKI_LINE.match(line)]
    child = [t for t, line in lines if _CHILD_LINE.match(line)]
    if listed is None or not ready or not child:
        return {}
    login = (client['t_login_done'] - t0
             if client.get('t_login_done') else None)
    phases = {}
    if login is not None and login < listed:
        phases['start-up'] = login
        phases['checks'] = listed - login
    else:
        phases['start-up + checks'] = listed
    phases["runs' start"] = max(ready) - listed
    phases['rollbacks'] = max(child) - max(ready)
    phases['summary + exit'] = process_s - max(child)
    return phases


def run_sites(wikis: dict[str, TestWiki], titles: list[str], python: str,
              work: Path, label: str, timeout: float,
              post_reads: bool = False) -> CrossRun:
    """Restore every wiki, run the one ``-sites:`` command, verify.

    Like :func:`run.run_contender`, but over three wikis: each wiki's
    own access log gives its requests, its ``php -S`` process its CPU
    time. The output is timestamped line by line as it arrives
    (``output.txt``), to split the wall time (:func:`_phases`).
    """
    for wiki in wikis.values():
        wiki.restore(SEED)
    run_dir = work / 'runs' / label
    run_dir.mkdir(parents=True)
    config_dir = _configure(wikis, run_dir / 'pywikibot',
                            '' if post_reads else run.PYWIKIBOT_CONFIG)
    result_file = run_dir / 'result.json'
    env = TestWiki.pywikibot_env(config_dir)
    # no login marker: a marker on one wiki would split nothing; every
    # request counts, login included
    env.pop('BENCH_MARKER_URL', None)
    env.update(BENCH_RESULT=str(result_file),
               PYTHONPATH=os.pathsep.join(filter(None, (
                   str(work / 'site'), env.get('PYTHONPATH')))))
    cmd = [python, str(run.HERE / 'probe.py'), 'pwb', *SITES_ARGS]

    before = {f: len(w.server_log_lines()) for f, w in wikis.items()}
    server_cpu = _server_cpu(wikis)
    busy = probe.machine_cpu()
    lines: list[tuple[float, str]] = []
    t0 = time.time()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=config_dir, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append((time.monotonic() - start,
                          raw.decode('utf-8', 'replace').rstrip('\r\n')))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, usage, killed = run._wait(proc.pid, timeout)
    proc.returncode = code  # reaped by os.wait4 already
    elapsed = time.monotonic() - start
    if busy is not None and (busy_now := probe.machine_cpu()) is not None:
        busy = busy_now - busy
    reader.join(10)
    proc.stdout.close()  # type: ignore[union-attr]
    (run_dir / 'output.txt').write_text(
        ''.join(f'{t:8.3f} {line}\n' for t, line in lines), encoding='utf-8')
    now = _server_cpu(wikis)
    logged = {f: [line for line in w.server_log_lines()[before[f]:]
                  if line.path != run.MARKER_PATH]
              for f, w in wikis.items()}
    client: dict[str, Any] = {}
    if result_file.is_file():
        client = json.loads(result_file.read_text('utf-8'))

    ok, detail = _check_all(wikis, titles)
    if not any(line.startswith('Cross-wiki summary:') for _, line in lines):
        ok, detail = False, f'no cross-wiki summary; {detail}'
    if code:
        ok, detail = False, f'exit status {code}; {detail}'
    if killed:
        detail = f'killed after {timeout:.0f} s; {detail}'
    parent = Counter()
    for phase in client.get('breakdown', {}).values():
        parent.update(phase)
    return CrossRun(
        name=SITES, wall_s=elapsed,
        requests={f: len(ls) for f, ls in logged.items()},
        breakdown={f: Counter(run._classify(line) for line in ls)
                   for f, ls in logged.items()},
        cpu_s=usage.ru_utime + usage.ru_stime,
        server_cpu_s={f: (now[f] - server_cpu[f]
                          if now[f] is not None and server_cpu[f] is not None
                          else None) for f in wikis},
        peak_rss_kb=usage.ru_maxrss,
        phases=_phases(lines, elapsed, client, t0), verified=ok,
        detail=detail, machine_cpu_s=busy, parent=parent)


def run_job(wikis: dict[str, TestWiki], titles: list[str], python: str,
            work: Path, repeat: int, timeout: float, post_reads: bool = False
            ) -> dict[str, list[CrossRun]]:
    """Run both contenders *repeat* times, round-robin.

    As :func:`run.run_job` does: load from elsewhere on the machine
    falls on both alike, and each repeat gives a pair to compare.
    """
    runs: dict[str, list[CrossRun]] = {SINGLE: [], SITES: []}
    for i in range(repeat):
        for number, (name, how) in enumerate(
                ((SINGLE, run_single), (SITES, run_sites)), 1):
            r = how(wikis, titles, python, work,
                    f'{SEED}-{number}-{i + 1}', timeout, post_reads)
            runs[name].append(r)
            requests = '+'.join(str(r.requests[f]) for f in wikis)
            print(f'  {name} [{i + 1}/{repeat}]: {r.wall_s:.2f} s, '
                  f'{requests} requests, CPU {_fmt(r.cpu_total)} s (other '
                  f'work: {_fmt(r.others_cpu_s)} s), '
                  f'{"ok" if r.verified else "NOT DONE"} ({r.detail})',
                  flush=True)
    return runs


# -- the report ---------------------------------------------------------------

def _fmt(value: float | None) -> str:
    return '—' if value is None else f'{value:.2f}'


def _median_run(rs: list[CrossRun]) -> CrossRun:
    """The run with the median wall time (the lower middle)."""
    return sorted(rs, key=lambda r: r.wall_s)[(len(rs) - 1) // 2]


def _ratio(runs: dict[str, list[CrossRun]]) -> float | None:
    single, sites = runs.get(SINGLE), runs.get(SITES)
    if not single or not sites:
        return None
    return _median_run(sites).wall_s / _median_run(single).wall_s


#: what the job's table says, in the report
COLUMNS = (
    '- wall time: start to exit of the process(es), Python start, imports '
    'and logins included: the sum of the three single runs, or the one '
    '-sites: command (median over the repeats; min–max over them).',
    '- requests per page on a wiki: all requests its server logged during '
    'the run, login and the -sites: checks included, per page (the '
    'count in brackets).',
    '- CPU: user + system seconds of the client process(es) (os.wait4) '
    '+ of the three php -S '
    'processes (/proc). Their sum over the cores (2 here) bounds how fast '
    'a run can be.',
    '- other work (each repeat\'s line): CPU seconds all processes of the '
    'machine took during the run (/proc/stat) less the run\'s own '
    '(clients and servers): other work on a shared machine; it slows the '
    '-sites: run, which wants every core, more than the single runs, '
    'which keep about one busy.',
    '- peak RSS: the largest single process (the -sites: run, a single '
    'run).',
    '- verified: each wiki read back after each run: every page\'s latest '
    'edit is Admin\'s, Vandal has no top contribution left; the -sites: '
    'run also exits 0 and prints its cross-wiki summary.',
)


def report(runs: dict[str, list[CrossRun]], n: int) -> str:
    """Return the job's markdown: table, pairs, phases, requests."""
    families = list(next(iter(runs.values()))[0].requests)
    base = _median_run(runs[SINGLE])
    head = ('| contender | wall time (s) | ratio to sum of single runs | '
            + ' | '.join(f'requests per page on {f}' for f in families)
            + ' | CPU: clients + servers (s) | peak RSS (MB) | verified | '
            'wall min–max (s) |')
    rows = [head, '|---|---:|---:|' + '---:|' * len(families)
            + '---:|---:|---|---:|']
    for name, rs in runs.items():
        m = _median_run(rs)
        per_page = ' | '.join(f'{m.per_page(f, n):.3f} ({m.requests[f]})'
                              for f in families)
        servers = [s for s in m.server_cpu_s.values() if s is not None]
        cpu = (f'{m.cpu_s:.2f} + {sum(servers):.2f}'
               if len(servers) == len(families) else f'{m.cpu_s:.2f} + —')
        walls = [r.wall_s for r in rs]
        verified = ('yes' if all(r.verified for r in rs) else 'NO') + (
            f' ({len(rs)} runs)' if len(rs) > 1 else '')
        rows.append(f'| {name} | {m.wall_s:.2f} | '
                    f'{m.wall_s / base.wall_s:.2f} | {per_page} | {cpu} | '
                    f'{m.peak_rss_kb / 1024:.1f} | {verified} | '
                    f'{min(walls):.2f}–{max(walls):.2f} |')
    out = ['\n'.join(rows), '']
    pairs = [f'{b.wall_s / a.wall_s:.2f} ({b.wall_s:.2f} / {a.wall_s:.2f} s;'
             f' other work {_fmt(b.others_cpu_s)} / {_fmt(a.others_cpu_s)} '
             's CPU)' for a, b in zip(runs[SINGLE], runs[SITES])]
    out += ['Each repeat, -sites: run / sum of single runs (and the CPU '
            'time other work on the machine took meanwhile): '
            + ', '.join(pairs) + '.', '',
            'Where the wall time went (median run of each):', '']
    cores = os.cpu_count() or 1
    for name, rs in runs.items():
        m = _median_run(rs)
        parts = ', '.join(f'{k} {v:.2f} s' for k, v in m.phases.items())
        floor = (f'; its CPU time over {cores} cores: '
                 f'{m.cpu_total / cores:.2f} s, {m.cpu_total / m.wall_s:.2f}'
                 ' cores busy on average' if m.cpu_total else '')
        out.append(f'- {name}: {parts or "(no timestamps)"}{floor}')
    out += ['', 'Requests on each wiki, whole run (median run; from the '
            'access log, which names a POST by its path only):', '']
    for name, rs in runs.items():
        m = _median_run(rs)
        for f in families:
            parts = ', '.join(f'{k}: {v}' for k, v in sorted(
                m.breakdown[f].items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(f'- {name}, {f}: {parts}')
        if m.parent:
            parts = ', '.join(f'{k}: {v}' for k, v in sorted(
                m.parent.items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(f'- {name}, sent by the parent itself (all wikis, '
                       f'client count): {parts}')
    for name, rs in runs.items():
        for r in rs:
            if not r.verified:
                out.append(f'- {name}: not done: {r.detail}')
    out += ['', 'Columns of this table:', '', *COLUMNS]
    return '\n'.join(out)


def targets(runs: dict[str, list[CrossRun]], n: int) -> list[str]:
    """The target lines: the wall-time ratio, and requests per page."""
    ratio = _ratio(runs)
    if ratio is None:
        return []
    single, sites = _median_run(runs[SINGLE]), _median_run(runs[SITES])
    verdict = 'PASS' if ratio <= TARGET else 'FAIL'
    if not all(r.verified for rs in runs.values() for r in rs):
        verdict = 'FAIL (a run was not verified)'
    lines = [f'- crosswiki: -sites run / sum of single runs <= {TARGET}×: '
             f'{verdict} (measured {ratio:.2f}×: {sites.wall_s:.2f} s vs '
             f'{single.wall_s:.2f} s, medians of {len(runs[SITES])})']
    extra = {f: sites.requests[f] - single.requests[f] for f in
             single.requests}
    each = ', '.join(
        f'{f} {single.per_page(f, n):.3f} vs {sites.per_page(f, n):.3f} '
        f'({extra[f]:+d})' for f in single.requests)
    ok = all(e <= PREFLIGHT_ALLOWANCE for e in extra.values())
    lines.append(
        f'- crosswiki, requests per page on each wiki (whole run, login '
        f'included), single run vs -sites: run: {each}; target the same '
        f'as a single run but for the preflight (at most '
        f'{PREFLIGHT_ALLOWANCE} more on each wiki, none per page): '
        f'{"holds" if ok else "**DOES NOT HOLD**"}')
    return lines
