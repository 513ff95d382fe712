"""Timing probe loaded into every contender process of the benchmark.

Each contender runs in its own process. This module, imported there,
measures what only the process itself can know and writes it as one
JSON object to the file named by ``BENCH_RESULT`` when it exits:

- ``t_start``: wall clock time when the probe was installed;
- ``t_login_done``: when the login finished (:func:`login_done`);
- ``t_last_write``: when the answer to the last write request
  (``action=rollback``, ``undelete``, ``filerevert``, ``edit``,
  ``delete`` or ``move``) arrived;
- ``t_end``: ``t_last_write``, or the exit time if nothing was written
  (``-simulate``);
- ``cpu_login_done``, ``cpu_end``: the process's CPU time
  (:func:`time.process_time`) at those two moments;
- ``server_cpu_login_done``, ``server_cpu_end``: the CPU time of the
  web server process ``BENCH_SERVER_PID`` (from ``/proc``) at the same
  moments: what the server spent on this contender's work, whatever
  else runs on the machine;
- client side counts of HTTP requests (all, before the login was done,
  writes), to cross-check the server's access log;
- ``vmhwm_kb``: the process's own peak resident memory (``VmHWM`` of
  ``/proc/self/status``) at exit. The harness's ``ru_maxrss`` from
  ``os.wait4`` is not that: on Linux it also counts the memory of the
  process that started this one (``subprocess`` uses ``vfork``, and
  ``exec`` keeps the old address space's peak), so a harness that
  grew (seeding 20,000 pages: 64 MB) would show as the peak of every
  contender started after it.

At :func:`login_done` it also sends one GET to ``BENCH_MARKER_URL`` (a
static ``.txt`` path that does not exist: PHP's web server answers 404
and logs it without starting MediaWiki), so that the harness can split
the server's access log into a login phase and the work after it. That
request goes through urllib, not requests, and is never counted.

Run as a program it is the launcher of the plugin's scripts::

    python benchmarks/probe.py pwb rollback -user:Vandal -always

which installs the probe, hooks :meth:`APISite.login` to call
:func:`login_done`, and runs ``pwb``'s own entry point
(``pywikibot.scripts.wrapper.run``) in this very process, exactly as the
``pwb`` console script does.

Only the standard library is needed until :func:`install` patches
``requests``. Nothing here ever sees or prints a password or token:
request bodies are only searched for their ``action=`` value.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


__all__ = ['install', 'login_done', 'machine_cpu', 'server_cpu', 'state']

#: API actions counted as the writes of the benchmark (``edit``: the
#: undo of a buried edit; ``delete``, ``move``: the cleanup job)
WRITE_ACTIONS = frozenset({'rollback', 'undelete', 'filerevert', 'edit',
                           'delete', 'move'})

#: request parameters that name what a request does (never a secret)
LABEL_KEYS = ('action', 'list', 'prop', 'meta', 'generator', 'siprop')

_MULTIPART = re.compile(
    rb'name="(' + '|'.join(LABEL_KEYS).encode() + rb')"\r\n'
    rb'(?:[^\r\n]*\r\n)*\r\n([A-Za-z|]+)')

#: what the probe has measured so far
state: dict[str, Any] = {
    'pid': os.getpid(),
    't_start': time.time(),
    't_login_done': None,
    't_last_write': None,
    't_exit': None,
    'cpu_login_done': None,
    'cpu_last_write': None,
    'server_cpu_login_done': None,
    'server_cpu_last_write': None,
    'requests': 0,
    'requests_before_login': None,
    'posts': 0,
    'writes': 0,
    'write_actions': {},
    'breakdown': {'login': {}, 'work': {}},
    'extra': {},
}

_installed = False
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _params_of(request: Any) -> dict[str, str]:
    """Return the :data:`LABEL_KEYS` parameters of a prepared request.

    Looks at the URL's query and at a url-encoded or multipart body;
    every other parameter (tokens, passwords) is dropped unread.
    """
    found: dict[str, str] = {}
    query = urllib.parse.urlsplit(request.url).query
    body = request.body
    if isinstance(body, str):
        body = body.encode('utf-8', 'replace')
    for source in (query.encode('ascii', 'replace'),
                   body if isinstance(body, bytes) else b''):
        if source.startswith(b'--') or b'Content-Disposition' in source[:300]:
            for key, value in _MULTIPART.findall(source):
                found.setdefault(key.decode(), value.decode())
            continue
        for key, values in urllib.parse.parse_qs(
                source.decode('utf-8', 'replace')).items():
            if key in LABEL_KEYS:
                found.setdefault(key, values[0])
    return found


def label(method: str, params: dict[str, str]) -> str:
    """Name a request, e.g. ``POST rollback`` or ``GET query prop=x``."""
    parts = [method, params.get('action', '?')]
    parts += [f'{k}={params[k]}' for k in LABEL_KEYS[1:] if k in params]
    return ' '.join(parts)


def server_cpu(pid: int | str | None = None) -> float | None:
    """Return the CPU seconds the web server process has used so far.

    Read from ``/proc/PID/stat`` (user + system time, in clock ticks);
    None when unknown.

    :param pid: the server's process id; default ``BENCH_SERVER_PID``
    """
    pid = str(os.environ.get('BENCH_SERVER_PID', '') if pid is None
              else pid)
    if not pid.isdigit():
        return None
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as f:
            stat = f.read()
    except OSError:
        return None
    # fields 14 and 15 of the line: 12 and 13 after the command name
    fields = stat.rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def machine_cpu() -> float | None:
    """Return the CPU seconds all processes have used so far, all cores.

    The busy time of ``/proc/stat`` (everything but idle and iowait):
    over a run, this less the run's own processes' CPU time is what
    other work on the machine took. None when unknown.
    """
    try:
        with open('/proc/stat', encoding='ascii') as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != 'cpu':
        return None
    # user nice system idle iowait irq softirq steal (guest is in user)
    ticks = [int(x) for x in fields[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf('SC_CLK_TCK')


def install() -> None:
    """Count every request ``requests`` sends; write the result at exit.

    Idempotent. Patches :meth:`requests.Session.send`, through which
    pywikibot and plain ``requests`` code send everything (redirects
    included, as separate sends).
    """
    global _installed
    if _installed:
        return
    _installed = True
    import requests

    original = requests.Session.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        try:
            return original(self, request, **kwargs)
        finally:
            state['requests'] += 1
            params = _params_of(request)
            phase = 'login' if state['t_login_done'] is None else 'work'
            counts = state['breakdown'][phase]
            name = label(request.method, params)
            counts[name] = counts.get(name, 0) + 1
            if request.method == 'POST':
                state['posts'] += 1
                action = params.get('action')
                if action in WRITE_ACTIONS:
                    state['writes'] += 1
                    state['t_last_write'] = time.time()
                    state['cpu_last_write'] = time.process_time()
                    state['server_cpu_last_write'] = server_cpu()
                    counts = state['write_actions']
                    counts[action] = counts.get(action, 0) + 1

    requests.Session.send = send  # type: ignore[method-assign]
    atexit.register(_emit)


def login_done() -> None:
    """Note that the login phase is over (only the first call counts)."""
    if state['t_login_done'] is not None:
        return
    state['t_login_done'] = time.time()
    state['cpu_login_done'] = time.process_time()
    state['server_cpu_login_done'] = server_cpu()
    state['requests_before_login'] = state['requests']
    url = os.environ.get('BENCH_MARKER_URL')
    if url and url.startswith('http://127.0.0.1:'):
        try:
            with _NO_PROXY.open(url, timeout=10):
                pass
        except OSError:
            pass  # a 404 is the expected answer (HTTPError is an OSError)


def peak_rss_kb() -> int | None:
    """Return this process's own peak resident memory in KiB (Linux)."""
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _emit() -> None:
    """Write the measurements to ``BENCH_RESULT`` (at exit)."""
    state['vmhwm_kb'] = peak_rss_kb()
    state['t_exit'] = time.time()
    state['t_end'] = state['t_last_write'] or state['t_exit']
    state['cpu_end'] = state['cpu_last_write'] or time.process_time()
    state['server_cpu_end'] = (state['server_cpu_last_write']
                               or server_cpu())
    path = os.environ.get('BENCH_RESULT')
    if not path:
        return
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(state, f)
        f.write('\n')


def _hook_pywikibot_login() -> None:
    """Call :func:`login_done` once pywikibot's site login succeeded."""
    from pywikibot.site import APISite

    original = APISite.login

    def login(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if self.logged_in():
            login_done()
        return result

    APISite.login = login  # type: ignore[method-assign]


def run_pwb(args: list[str]) -> None:
    """Run ``pwb ARGS`` in this process with the probe installed.

    Mirrors the ``pwb`` console script: ``sys.argv[0]`` is the ``pwb``
    next to this interpreter and ``run()`` of pywikibot's wrapper is
    called; its ``SystemExit`` carries the script's exit status.
    """
    spec = importlib.util.find_spec('pywikibot')
    if spec is None or spec.origin is None:
        raise SystemExit('pywikibot is not installed for ' + sys.executable)
    # what the wrapper sets before it imports pywikibot
    os.environ['PYWIKIBOT_DIR_PWB'] = str(
        Path(spec.origin).parent / 'scripts')
    install()
    _hook_pywikibot_login()
    sys.argv = [str(Path(sys.executable).with_name('pwb')), *args]
    from pywikibot.scripts.wrapper import run
    code = run()
    raise SystemExit(code)


if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] != 'pwb':
        raise SystemExit('usage: probe.py pwb [pwb arguments]')
    run_pwb(sys.argv[2:])
