"""Many wikis behind one web server, and a network's latency in front.

:mod:`harness.farm` serves N copies of the session's wiki from one
``php -S``, each under its own path and with its own database; a
:class:`~harness.faultproxy.FaultProxy` with ``latency=`` makes each
request cost a round trip. The tests check that the wikis are really
apart (a page, a login, the site's name and address), that the proxy
delays concurrent clients in parallel, not one after another, and that
a cross-wiki rollback over ten farm wikis at 100 ms a request cleans
each of them, checking the wikis side by side before the first write
and sending each wiki only the requests it needs.

No test here asks pywikibot anything the others do not (the rollback
is test_crosswiki's, on more wikis), so all are pywikibot_neutral; the
farm's own test runs on every MediaWiki release (the farm must work in
the chroots), the rollback on 1.39 only (mediawiki_neutral).
"""
from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.faultproxy import FaultProxy
from harness.farm import Farm, FarmWiki
from harness.multiwiki import run_python
from harness.wikitools import ApiClient, pwb, summary_rows

#: Wikis of the module's farm: enough for the shape of a spam wave
#: (many wikis, few pages each) at a cost CI can afford.
COUNT = 10

#: Added round trip of the many-wiki run, seconds.
LATENCY = 0.1

TITLES = ['Farm spam one', 'Farm spam two', 'Farm spam three']


# -- the latency proxy, against a stand-in upstream ----------------------


class _Instant(BaseHTTPRequestHandler):

    """Answer every request at once, noting when it arrived."""

    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # see faultproxy._Handler
    arrivals: list[float] = []

    def do_GET(self) -> None:
        """Answer ``ok``."""
        self.arrivals.append(time.monotonic())
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, *args: Any) -> None:
        """Keep quiet."""


class _InstantServer(ThreadingHTTPServer):

    """The stand-in wiki's server."""

    daemon_threads = True
    # the proxy opens a connection a request: room for a burst of them
    request_queue_size = 128


@pytest.fixture
def instant() -> Iterator[ThreadingHTTPServer]:
    """A stand-in wiki on loopback that answers without delay."""
    server = _InstantServer(('127.0.0.1', 0), _Instant)
    _Instant.arrivals = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client_run(port: int, requests: int) -> float:
    """Send *requests* GETs on one kept-alive connection; return seconds."""
    start = time.monotonic()
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        for i in range(requests):
            conn.request('GET', f'/w/api.php?i={i}')
            response = conn.getresponse()
            assert response.read() == b'ok'
            assert response.getheader('Connection') != 'close'
    finally:
        conn.close()
    return time.monotonic() - start


@pytest.mark.pywikibot_neutral
def test_latency_delays_each_request_both_ways(
        instant: ThreadingHTTPServer) -> None:
    with FaultProxy(instant.server_address[1], latency=0.2) as proxy:
        sent = time.monotonic()
        took = _client_run(proxy.port, 1)
    # half the round trip before the wiki sees the request, half after
    assert _Instant.arrivals[0] - sent >= 0.1
    assert 0.2 <= took < 0.5


@pytest.mark.pywikibot_neutral
def test_latency_proxy_serves_concurrent_clients_in_parallel(
        instant: ThreadingHTTPServer) -> None:
    # 8 clients x 10 requests at 100 ms: 1 s if the clients wait in
    # parallel, 8 s if the proxy served them one after another
    with FaultProxy(instant.server_address[1], latency=0.1) as proxy:
        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            each = list(pool.map(lambda _: _client_run(proxy.port, 10),
                                 range(8)))
        took = time.monotonic() - start
        assert len(proxy.requests) == 80
    assert min(each) >= 1.0, each
    assert took < 1.5, (took, each)


@pytest.mark.pywikibot_neutral
def test_latency_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match='latency'):
        FaultProxy(8080, latency=-0.1)


# -- the farm ------------------------------------------------------------


@pytest.fixture(scope='module')
def farm(wiki: Any, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Farm]:
    """:data:`COUNT` wikis made from the session's wiki, served."""
    # pytest's temporary directories lie inside the chroot if there is
    # one (see conftest.py), as the farm must
    started = Farm(wiki, tmp_path_factory.mktemp('farm') / 'farm',
                   COUNT).start()
    yield started
    started.stop()


def client(w: FarmWiki, user: str, api_url: str | None = None) -> ApiClient:
    return ApiClient(api_url or w.api_url, user, w.users[user])


def _exists(w: FarmWiki, title: str) -> bool:
    page = w.api_get(action='query', titles=title)['query']['pages'][0]
    return 'missing' not in page


@pytest.mark.wiki
@pytest.mark.pywikibot_neutral
def test_each_farm_wiki_is_its_own_wiki(wiki: Any, farm: Farm,
                                        unique: str) -> None:
    names = list(farm.wikis)
    assert names == [f'fw{i:02d}' for i in range(1, COUNT + 1)]
    # its own name, address and database, all served on one port
    for name, w in farm.wikis.items():
        info = w.api_get(action='query', meta='siteinfo')['query']['general']
        assert (info['sitename'], info['wikiid']) == (name.upper(), name)
        assert info['server'] == farm.url
        assert info['scriptpath'] == f'/{name}'
        assert info['generator'] == f'MediaWiki {wiki.mw_version_string}'
    # a page written on the first is on no other
    title = f'Farm page {unique}'
    first = client(farm.wikis['fw01'], 'Editor')
    revid = first.edit(title, 'Only on fw01.')
    assert first.latest(title) == {'revid': revid, 'user': 'Editor',
                                   'text': 'Only on fw01.'}
    assert [_exists(w, title) for w in farm.wikis.values()] \
        == [True] + [False] * (COUNT - 1)
    # every wiki has the users, and one client's sessions on two wikis
    # of one host do not overwrite each other's cookies
    vandal = {name: client(w, 'Vandal') for name, w in farm.wikis.items()}
    admin_on_fw02 = client(farm.wikis['fw02'], 'Admin')
    for name, c in vandal.items():
        assert c.get(action='query', meta='userinfo')['query'][
            'userinfo']['name'] == 'Vandal', name
    assert admin_on_fw02.get(action='query', meta='userinfo')['query'][
        'userinfo']['name'] == 'Admin'
    # (pywikibot keeps one cookie jar for every wiki of a process)
    for name in ('fw01', 'fw02'):
        jar = next(h.cookiejar for h in vandal[name]._opener.handlers
                   if hasattr(h, 'cookiejar'))
        assert {c.name.partition('_')[0] for c in jar} == {name}, name
    # a wiki's restore brings back its own pristine database only
    client(farm.wikis['fw02'], 'Editor').edit(title, 'Now on fw02.')
    farm.wikis['fw01'].restore()
    assert [_exists(w, title) for w in farm.wikis.values()][:3] \
        == [False, True, False]
    # a maintenance script works on the wiki it is run for only
    farm.wikis['fw03'].maintenance('createAndPromote.php', '--force',
                                   f'Farmhand {unique}', 'Farm-pass-12345')
    assert ['missing' not in w.api_get(
        action='query', list='users', ususers=f'Farmhand {unique}'
    )['query']['users'][0] for w in farm.wikis.values()][:4] \
        == [False, False, True, False]
    # the server's log tells the wikis' requests apart
    before = farm.request_counts()
    farm.wikis['fw05'].api_get(action='query', meta='siteinfo')
    after = farm.request_counts()
    assert {n: after[n] - before[n] for n in farm.wikis} \
        == {n: int(n == 'fw05') for n in farm.wikis}
    assert farm.wikis['fw05'].request_count() == after['fw05']
    # a path naming no wiki reaches none
    with pytest.raises(OSError, match='404'):
        FarmWiki(farm, 'fw99').api_get(action='query')


NAME_FOR_URL = """\
import sys
from pywikibot_revert.crosswiki._sites import name_for_url
for url in sys.argv[1:]:
    print(name_for_url(url))
"""


@pytest.mark.wiki
@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_a_proxy_per_wiki_gives_each_wiki_an_address_of_its_own(
        farm: Farm, tmp_path: Path) -> None:
    # CentralAuth names a wiki by its bare URL (https://de.wikipedia.org):
    # on one port, every farm wiki has the same one; behind a proxy each,
    # each has its own, and -global finds the wiki it means
    names = list(farm.wikis)[:3]
    proxies = [FaultProxy(farm.port).start() for _ in names]
    try:
        cfg = farm.write_config(tmp_path / 'pwb', via={
            name: proxy.url for name, proxy in zip(names, proxies)})
        out = run_python(cfg, NAME_FOR_URL, *[p.url for p in proxies])
    finally:
        for proxy in proxies:
            proxy.stop()
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [f'{n}:{n}' for n in names]


def kind(params: dict[str, str]) -> str:
    """Name a request by its action and modules: ``query users``.

    pywikibot's check of the session (``meta=userinfo``) riding along
    with another module is not named.
    """
    mods = [params[k] for k in ('meta', 'list', 'prop') if params.get(k)]
    if len(mods) > 1 and params.get('meta') == 'userinfo':
        mods.remove('userinfo')
    return ' '.join([params.get('action', '?'), *mods])


def _spam(w: FarmWiki, titles: list[str]) -> None:
    """Admin writes each page, then Vandal spams it."""
    admin, vandal = client(w, 'Admin'), client(w, 'Vandal')
    for title in titles:
        admin.edit(title, f'Good text of {title}.')
        vandal.edit(title, f'Good text of {title}. [http://spam.example '
                           'buy]')


@pytest.mark.wiki
@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_rollback_across_ten_wikis_at_100_ms_a_request(
        wiki: Any, farm: Farm, tmp_path: Path) -> None:
    # 2 or 3 spammed pages a wiki: odd wikis 3, even ones 2
    spammed = {name: TITLES[:3 if i % 2 else 2]
               for i, name in enumerate(farm.wikis, 1)}

    def seed() -> None:
        farm.restore()
        with ThreadPoolExecutor(4) as pool:  # seeding is not under test
            list(pool.map(lambda n: _spam(farm.wikis[n], spammed[n]),
                          farm.wikis))

    with FaultProxy(farm.port, latency=LATENCY) as proxy:
        cfg = farm.write_config(tmp_path / 'pwb', default=wiki,
                                via=proxy.url)
        # an operator's machine that has run before: logged in, and
        # pywikibot's API cache (siteinfo, paraminfo) filled, which
        # takes two runs (its keys hold the login state: a password
        # login, then a session's); those are not what is counted
        proxy.latency = 0
        seed()
        for first in ('-simulate', '-always'):
            status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', first,
                              f'-sites:{farm.sites_arg()}', '-always')
            assert status == 0, out
        proxy.latency = LATENCY
        seed()
        proxy.requests.clear()
        start = time.monotonic()
        status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                          f'-sites:{farm.sites_arg()}', '-always')
        took = time.monotonic() - start
        seen = [(r.path.split('/')[1], kind(r.params))
                for r in proxy.requests]
    assert status == 0, out
    by_wiki = {name: Counter(k for w, k in seen if w == name)
               for name in farm.wikis}
    print(f'rollback over {COUNT} farm wikis at {LATENCY * 1000:.0f} ms: '
          f'{took:.1f} s, requests {by_wiki}')
    # each wiki: its login from the cookie jar (with the rights), one
    # read of the user (the input check and the edit count shown), the
    # edits, a token, a write a page; nothing read twice
    for name, counts in by_wiki.items():
        assert counts == {
            'query userinfo': 1, 'query users': 1,
            'query usercontribs': 1, 'query tokens': 1,
            'rollback': len(spammed[name])}, (name, counts)
    # the checks before the first write go 4 wikis at a time (-workers
    # default): the first four requests are four wikis' logins, sent
    # before any of them answered (each takes 100 ms)
    assert [k for _, k in seen[:4]] == ['query userinfo'] * 4, seen[:6]
    assert len({w for w, _ in seen[:4]}) == 4, seen[:6]
    first_write = next(i for i, (_, k) in enumerate(seen) if k == 'rollback')
    assert all(by_wiki[w]['query users'] for w, _ in seen[:first_write]) \
        and {w for w, k in seen[:first_write] if k == 'query users'} \
        == set(farm.wikis), 'a write before every wiki was checked'

    for name, w in farm.wikis.items():
        nobody = client(w, 'Nobody')
        for title in TITLES:
            if title in spammed[name]:
                latest = nobody.latest(title)
                assert (latest['user'], latest['text']) == (
                    'Admin', f'Good text of {title}.'), (name, title)
            else:
                assert not _exists(w, title), (name, title)
    rows = summary_rows(out)
    # one row a wiki, in the order given, whatever the order of ending
    assert list(rows) == [f'{n}:{n}' for n in farm.wikis] + ['total'], out
    for name in farm.wikis:
        assert rows[f'{name}:{name}'][:3] == [
            str(len(spammed[name])), '0', '0'], (name, rows)
        assert rows[f'{name}:{name}'][3].startswith('completed'), rows
    assert rows['total'][:3] == [
        str(sum(map(len, spammed.values()))), '0', '0']
    assert len(rows) == COUNT + 1
