"""Many wikis with real latency: the shape of a cross-wiki spam wave.

A spambot with a few edits on each of many wikis, and wikis a network
away: what a cross-wiki run costs per wiki, not per page, decides its
time. This benchmark measures it on a wiki farm
(:class:`harness.farm.Farm`: N wikis behind one ``php -S``), each wiki
behind a loopback proxy of its own (:class:`harness.faultproxy.
FaultProxy`) that adds a fixed latency to every request, half each way
(100 ms by default: a bot's machine to Wikimedia's servers). Each wiki
has its own address, as on the Internet.

Side by side in one run, each from the same seeded state (Admin wrote
each page, Vandal's edit is on top):

- **serial sum**: ``pwb -family:F -lang:F rollback -user:Vandal
  -always`` on each wiki in turn, the sum of the processes' wall times;
- **-sites** ``-workers:4`` and ``-workers:8``: one ``pwb rollback
  -user:Vandal -sites:... -always`` over every wiki;
- **-global** ``-workers:4``: the same wikis found through CentralAuth,
  whose answer the default wiki's proxy gives (recorded, naming each
  farm wiki by its proxy's address);
- **floor**: the longest chain of requests one wiki needs (counted in
  the ``-sites`` run) × the latency × wikis / workers: what the run
  would take with no cost but the network; and the same with the
  round trip the proxies measured in that run (the latency and the
  wiki's own time to answer: a rollback takes the wiki some 50 ms);
- **loopback**: 8 wikis × 3 pages with no added latency, the serial sum
  against ``-sites -workers:8``;
- **memory**: the peak resident memory of the whole process tree of
  ``-sites -workers:8`` over 300 wikis × 1 page, and over 30 wikis ×
  1 page beside it (what grows with the wikis).

The timed runs log in from pywikibot's cookie jar and read siteinfo
and paraminfo from its API cache, as on an operator's machine that has
run before (two runs over every wiki warm them first); the memory runs
start cold, with a configuration of their own, password logins
included. Each run is
checked: afterwards no page of the run's wikis has Vandal on top.

Usage::

    python benchmarks/farm.py [--wikis 30] [--pages 3] [--latency 0.1]
        [--memory-wikis 300] [--output benchmarks/farm.md]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / 'tests'))

from harness.farm import Farm  # noqa: E402
from harness.faultproxy import FaultProxy  # noqa: E402
from harness.multiwiki import write_multi_config  # noqa: E402
from harness.wikiharness import TestWiki, missing_requirements  # noqa: E402
from harness.wikitools import ApiClient, process_tree  # noqa: E402

#: what ``pwb`` runs, wherever the interpreter's pywikibot is
PWB = ('import sys; from pywikibot.scripts.wrapper import run; '
       'sys.exit(run())')
#: the targets of issue 25
TARGETS = {'sum4': 0.30, 'floor4': 1.5, 'loopback8': 0.60}


def request_kind(params: dict[str, str]) -> str:
    """Name a request by its action and modules, e.g. ``query users``.

    >>> request_kind({'action': 'query', 'meta': 'userinfo'})
    'query userinfo'
    """
    mods = [params[k] for k in ('meta', 'list', 'prop') if params.get(k)]
    # pywikibot's check of the session riding along with another module
    if len(mods) > 1 and params.get('meta') == 'userinfo':
        mods.remove('userinfo')
    return ' '.join([params.get('action', '?'), *mods])


class Bench:

    """The farm, its proxies, and the runs."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.python = args.python
        self.wiki = TestWiki(work / 'wiki')
        count = max(args.wikis, args.memory_wikis, args.loopback_wikis)
        self.farm = Farm(self.wiki, work / 'farm', count, workers=8)
        self.proxies: dict[str, FaultProxy] = {}
        self.default_proxy: FaultProxy | None = None

    # -- set-up

    def start(self) -> None:
        print(f'Installing a wiki and a farm of {len(self.farm.wikis)} '
              f'in {self.work}', flush=True)
        self.wiki.start(fresh=True)
        self.wiki.stop()  # the farm serves copies of it
        self.farm.start()
        names = list(self.farm.wikis)[:self.args.wikis]
        for name in names:
            self.proxies[name] = FaultProxy(
                self.farm.port, latency=self.args.latency).start()
        self.wiki.start()
        self.default_proxy = FaultProxy(
            self.wiki.port, latency=self.args.latency).start()

    def stop(self) -> None:
        for proxy in [*self.proxies.values(), self.default_proxy]:
            if proxy is not None:
                proxy.stop()
        self.farm.stop()
        self.wiki.stop()

    def config(self, name: str, latency: bool) -> Path:
        """A pywikibot configuration: every wiki, by proxy or not."""
        api_urls = None
        if latency:
            api_urls = {n: f'{p.url}/{n}/api.php'
                        for n, p in self.proxies.items()}
            api_urls['testwiki'] = f'{self.default_proxy.url}/api.php'
        return write_multi_config(
            self.work / name, self.farm.wikis,  # type: ignore[arg-type]
            {n: 'Admin' for n in self.farm.wikis}, default=self.wiki,
            api_urls=api_urls)

    def seed(self, names: list[str], pages: int) -> None:
        """Pristine wikis; on each of *names*, *pages* spammed pages."""
        self.farm.restore()

        def spam(name: str) -> None:
            w = self.farm.wikis[name]
            admin = ApiClient(w.api_url, 'Admin', w.users['Admin'])
            vandal = ApiClient(w.api_url, 'Vandal', w.users['Vandal'])
            for i in range(pages):
                title = f'Spam page {i}'
                admin.edit(title, f'Good text of {title}.')
                vandal.edit(title, f'Good text of {title}. '
                                   '[http://spam.example buy]')

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(spam, names))

    def check(self, names: list[str], pages: int) -> None:
        """Raise unless no page of *names* has Vandal on top."""
        for name in names:
            w = self.farm.wikis[name]
            nobody = ApiClient(w.api_url, 'Nobody', w.users['Nobody'])
            for i in range(pages):
                latest = nobody.latest(f'Spam page {i}')
                if latest['user'] != 'Admin':
                    raise AssertionError(f'{name}: Spam page {i} is still '
                                         f"{latest['user']}'s")

    # -- runs

    def pwb(self, cfg: Path, args: list[str]) -> dict[str, Any]:
        """Run ``pwb ARGS``; its wall time, status and peak tree memory."""
        env = TestWiki.pywikibot_env(cfg)
        start = time.monotonic()
        proc = subprocess.Popen([self.python, '-c', PWB, *args], env=env,
                                cwd=cfg, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        peak = [0]
        sampler = threading.Thread(target=_sample_tree, daemon=True,
                                   args=(proc, peak))
        sampler.start()
        out = proc.communicate()[0].decode('utf-8', 'replace')
        took = time.monotonic() - start
        sampler.join()
        if proc.returncode != 0:
            raise RuntimeError(f'pwb {" ".join(args)}: exit '
                               f'{proc.returncode}\n{out[-3000:]}')
        return {'seconds': took, 'peak_mb': peak[0] / 2**20, 'out': out}

    def requests(self) -> tuple[list[dict[str, str]], list[float]]:
        """The requests the wikis' proxies saw since the last call.

        :return: their parameters (and path), and the round trip of each
            answered one (the latency added and the wiki's own time)
        """
        seen: list[dict[str, str]] = []
        trips: list[float] = []
        for proxy in [*self.proxies.values(), self.default_proxy]:
            seen.extend(r.params | {'_path': r.path} for r in proxy.requests)
            trips.extend(proxy.round_trips)
            proxy.reset_log()
        return seen, trips

    def serial(self, cfg: Path, names: list[str]) -> float:
        total = 0.0
        for name in names:
            total += self.pwb(cfg, [
                'rollback', f'-family:{name}', f'-lang:{name}',
                '-user:Vandal', '-always'])['seconds']
        return total

    def sites(self, cfg: Path, names: list[str], workers: int,
              how: str = 'sites') -> dict[str, Any]:
        where = ['-global'] if how == 'global' else \
            ['-sites:' + ','.join(f'{n}:{n}' for n in names)]
        return self.pwb(cfg, ['rollback', '-user:Vandal', *where, '-always',
                              f'-workers:{workers}'])

    def centralauth(self, names: list[str]) -> None:
        """The default wiki's proxy answers CentralAuth: each farm wiki."""
        merged = [{'wiki': f'{n}wiki', 'url': self.proxies[n].url,
                   'timestamp': '2026-12-01T10:00:00Z', 'method': 'login',
                   'editcount': self.args.pages} for n in names]
        body = {'batchcomplete': True, 'query': {'globaluserinfo': {
            'home': f'{names[0]}wiki', 'id': 42, 'name': 'Vandal',
            'registration': '2026-12-01T10:00:00Z', 'merged': merged}}}
        self.default_proxy.add_fault(
            'answer', when=lambda r: 'globaluserinfo' in r.params.get(
                'meta', ''), body=body)


def _sample_tree(proc: subprocess.Popen, peak: list[int]) -> None:
    """Keep the largest total resident memory of *proc* and its children."""
    while proc.poll() is None:
        total = 0
        for pid in process_tree(proc.pid):
            try:
                with open(f'/proc/{pid}/statm') as fh:
                    total += int(fh.read().split()[1]) * os.sysconf(
                        'SC_PAGE_SIZE')
            except OSError:
                continue
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def measure(bench: Bench) -> dict[str, Any]:
    """Every run of the benchmark; its numbers."""
    args = bench.args
    names = list(bench.farm.wikis)[:args.wikis]
    far = bench.config('pwb-latency', latency=True)
    near = bench.config('pwb-loopback', latency=False)
    res: dict[str, Any] = {'wikis': len(names), 'pages': args.pages,
                           'latency': args.latency}
    few = list(bench.farm.wikis)[:args.loopback_wikis]
    print('Warming the cookie jars and API caches', flush=True)
    for cfg, which in ((far, names), (near, few)):
        bench.seed(which, args.pages)
        sites = '-sites:' + ','.join(f'{n}:{n}' for n in which)
        # pywikibot's API cache keys hold the login state: a password
        # login's run, then a session's with writes, fill them all
        for first in ('-simulate', '-always'):
            bench.pwb(cfg, ['rollback', '-user:Vandal', first, '-always',
                            sites])
    bench.requests()

    runs = [('sum', lambda: bench.serial(far, names)),
            ('sites4', lambda: bench.sites(far, names, 4)),
            ('sites8', lambda: bench.sites(far, names, 8)),
            ('global4', lambda: bench.sites(far, names, 4, 'global'))]
    bench.centralauth(names)
    for key, run in runs:
        bench.seed(names, args.pages)
        print(f'Run {key}: {len(names)} wikis x {args.pages} pages at '
              f'{args.latency * 1000:.0f} ms', flush=True)
        got = run()
        res[key] = got if isinstance(got, float) else got['seconds']
        bench.check(names, args.pages)
        seen, trips = bench.requests()
        if key == 'sites4':
            res['per_wiki'] = _per_wiki(seen, names)
            res['round_trip'] = statistics.mean(trips)
        print(f'  {res[key]:.1f} s', flush=True)

    bench.seed(few, args.pages)
    res['loop_sum'] = bench.serial(near, few)
    bench.check(few, args.pages)
    bench.seed(few, args.pages)
    res['loop_sites8'] = bench.sites(near, few, 8)['seconds']
    bench.check(few, args.pages)
    print(f'Loopback {len(few)} wikis: sum {res["loop_sum"]:.1f} s, '
          f'-workers:8 {res["loop_sites8"]:.1f} s', flush=True)

    for count in (args.wikis, args.memory_wikis):
        many = list(bench.farm.wikis)[:count]
        bench.seed(many, 1)
        # a configuration of its own, cold: logins included
        got = bench.sites(bench.config(f'pwb-mem{count}', latency=False),
                          many, 8)
        bench.check(many, 1)
        res[f'mem{count}'] = got['peak_mb']
        res[f'mem{count}_s'] = got['seconds']
        print(f'Memory, {count} wikis x 1 page, -workers:8: '
              f'{got["peak_mb"]:.0f} MB, {got["seconds"]:.1f} s', flush=True)
    return res


def _per_wiki(seen: list[dict[str, str]], names: list[str]
              ) -> dict[str, Any]:
    """What each wiki's requests were, by kind: the median wiki's."""
    by_wiki: dict[str, Counter[str]] = {n: Counter() for n in names}
    other = Counter()
    for params in seen:
        name = params['_path'].strip('/').split('/')[0]
        (by_wiki[name] if name in by_wiki else other)[
            request_kind(params)] += 1
    totals = sorted(sum(c.values()) for c in by_wiki.values())
    kinds = Counter()
    for counts in by_wiki.values():
        kinds.update(counts)
    return {'chain': statistics.median(totals), 'max': totals[-1],
            'kinds': {k: v / len(names) for k, v in kinds.most_common()},
            'other': dict(other)}


#: why each request of a wiki is there, beyond the pages' own writes
WHY = {
    'query userinfo': "pywikibot's login from the cookie jar, as the "
                      'site is made: is the session the account, with its '
                      'rights and blocks (the rights check uses it)',
    'query users': 'the user exists on this wiki (and its edit count, '
                   'for the list shown before the first write): one read',
    'query usercontribs': 'the edits to roll back (500 a request)',
    'query tokens': 'the rollback token, once a wiki',
    'rollback': 'the writes: one a page',
}


def report(res: dict[str, Any], info: str) -> str:
    n, lat = res['wikis'], res['latency']
    chain = res['per_wiki']['chain']
    floor = {w: chain * lat * n / w for w in (4, 8)}
    trip = res['round_trip']
    rtt = {w: chain * trip * n / w for w in (4, 8)}
    def row(name: str, secs: float, workers: int | None) -> str:
        if workers is None:
            return f'| {name} | {secs:.1f} | | | |'
        return (f'| {name} | {secs:.1f} | {secs / res["sum"]:.2f} | '
                f'{secs / floor[workers]:.2f} | {secs / rtt[workers]:.2f} |')

    out = [f'# Many wikis: {n} wikis x {res["pages"]} pages at '
           f'{lat * 1000:.0f} ms a request', '', info, '',
           '| run | seconds | × serial sum | × floor | × floor, '
           'measured round trip |', '|---|---:|---:|---:|---:|',
           row('sum of the single runs', res['sum'], None),
           row('-sites -workers:4', res['sites4'], 4),
           row('-sites -workers:8', res['sites8'], 8),
           row('-global -workers:4', res['global4'], 4),
           f'| floor, 4 at a time | {floor[4]:.1f} | '
           f'{floor[4] / res["sum"]:.2f} | 1.00 | |',
           f'| floor, 8 at a time | {floor[8]:.1f} | '
           f'{floor[8] / res["sum"]:.2f} | 1.00 | |',
           f'| floor with the measured round trip ({trip * 1000:.0f} ms), '
           f'4 at a time | {rtt[4]:.1f} | {rtt[4] / res["sum"]:.2f} | | '
           '1.00 |']
    loop = res['loop_sites8'] / res['loop_sum']
    mem_few = res[f'mem{n}']
    mem_many = res[f'mem{res["memory_wikis"]}']
    out += ['', f'Loopback, no added latency, {res.get("loop_wikis", 8)} '
            f'wikis x {res["pages"]} pages: serial sum '
            f'{res["loop_sum"]:.1f} s, -sites -workers:8 '
            f'{res["loop_sites8"]:.1f} s: **{loop:.2f}×**.', '',
            f'Requests of one wiki in the -sites run: {chain:g} (the '
            f'longest: {res["per_wiki"]["max"]}), of which '
            f'{res["pages"]} are the writes:', '',
            '| request | a wiki | why |', '|---|---:|---|']
    for kind, count in res['per_wiki']['kinds'].items():
        out.append(f'| {kind} | {count:.2f} | {WHY.get(kind, "")} |')
    other = res['per_wiki']['other']
    out += ['', 'Beyond the wikis: '
            + (', '.join(f'{v} {k}' for k, v in other.items()) or 'none')
            + ' (the default wiki).', '',
            f'Peak memory of the process tree, -sites -workers:8, 1 page a '
            f'wiki, cold: {mem_few:.0f} MB at {n} wikis, {mem_many:.0f} MB '
            f'at {res["memory_wikis"]} wikis '
            f'({(mem_many - mem_few) / (res["memory_wikis"] - n) * 1024:.0f}'
            ' KB a wiki more).', '',
            f'Targets, -workers:4: at most 0.30× the serial sum: '
            f'{_verdict(res["sites4"] / res["sum"], TARGETS["sum4"])}; '
            f'within 1.5× of the floor: '
            f'{_verdict(res["sites4"] / floor[4], TARGETS["floor4"])}, '
            f'of the floor with the measured round trip: '
            f'{_verdict(res["sites4"] / rtt[4], TARGETS["floor4"])}; '
            f'loopback, -workers:8, at most 0.60× the serial sum: '
            f'{_verdict(loop, TARGETS["loopback8"])}.']
    return '\n'.join(out) + '\n'


def _verdict(value: float, target: float) -> str:
    """E.g. ``0.23 (met)``."""
    return f'{value:.2f} ({"met" if value <= target else "NOT met"})'


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--wikis', type=int, default=30)
    parser.add_argument('--pages', type=int, default=3)
    parser.add_argument('--latency', type=float, default=0.1)
    parser.add_argument('--loopback-wikis', type=int, default=8)
    parser.add_argument('--memory-wikis', type=int, default=300)
    parser.add_argument('--python', default=sys.executable,
                        help='the interpreter with pywikibot_revert')
    parser.add_argument('--output', type=Path,
                        help='write the table (Markdown) here too')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if missing := missing_requirements():
        print('cannot run a test wiki, missing: ' + ', '.join(missing))
        return 2
    work = Path(tempfile.mkdtemp(prefix='pwbrevert-farm-'))
    bench = Bench(args, work)
    try:
        bench.start()
        res = measure(bench)
    finally:
        bench.stop()
    res['memory_wikis'] = args.memory_wikis
    res['loop_wikis'] = args.loopback_wikis
    load = os.getloadavg()[0]
    info = (f'Measured {time.strftime("%Y-%m-%d")} on {os.cpu_count()} '
            f'cores (load {load:.1f}), MediaWiki {bench.wiki.mw_version_string} '
            f'(php -S, SQLite), each wiki behind a proxy of its own; '
            f'{json.dumps({k: round(v, 2) for k, v in res.items() if isinstance(v, float)})}')
    text = report(res, info)
    print(text)
    if args.output:
        args.output.write_text(text, encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
