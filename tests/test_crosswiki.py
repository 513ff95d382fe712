"""Cross-wiki runs against three real wikis: -sites, -global, faults.

Each wiki is its own MediaWiki on its own port and its own pywikibot
family (``xwa``, ``xwb``, ``xwc``), with the same spambot (``Vandal``)
on each. Every test starts from the wikis' pristine state, seeds them
through the API, runs ``pwb`` as an operator would and then reads each
wiki's state: who made the latest revision of each page, and how often
it was rolled back.
"""
from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness.faultproxy import FaultProxy
from harness.multiwiki import (
    FAMILIES, start_wikis, stop_wikis, write_multi_config,
)
from harness.wikiharness import make_png
from harness.wikitools import (
    ApiClient, alive, anon_edit, journal_states, process_tree, pwb,
    spawn_pwb, summary_rows,
)

# The cross-wiki layer is our own; each wiki's part is a single-wiki
# run, as in the script tests. So (see .ci/run) most tests here are
# pywikibot_neutral, left out on the oldest pywikibot: kept there are
# the -sites and -global parsing (pywikibot's families, an API
# warning) and -global's Site(url=...); and mediawiki_neutral, left
# out on the other MediaWiki releases (CentralAuth is the proxy's
# answer): kept there is the bad input, where a wiki without
# CentralAuth answers.
pytestmark = pytest.mark.wiki

ALL = ','.join(f'{f}:{f}' for f in FAMILIES)
TITLES = ['Spam one', 'Spam two', 'Spam three']


@pytest.fixture(scope='module')
def xwikis(wiki: Any, session_dir: Path) -> Any:
    """The three wikis, started once for the module."""
    wikis = start_wikis(wiki, session_dir / 'crosswiki')
    yield wikis
    stop_wikis(wikis)


@pytest.fixture
def wikis(xwikis: dict[str, Any]) -> dict[str, Any]:
    """The three wikis, pristine: no spam of an earlier test left."""
    for w in xwikis.values():
        w.restore()
    return xwikis


def config(tmp_path: Path, wiki: Any, wikis: dict[str, Any], *,
           users: dict[str, str] | None = None,
           api_urls: dict[str, str] | None = None) -> Path:
    """A pywikibot configuration knowing the three wikis (Admin on each)."""
    users = {**{f: 'Admin' for f in wikis}, **(users or {})}
    return write_multi_config(tmp_path / 'pwb', wikis, users,
                              default=wiki, api_urls=api_urls)


@contextmanager
def behind_proxy(wiki: Any, wikis: dict[str, Any], tmp_path: Path,
                 family: str) -> Iterator[tuple[Path, FaultProxy]]:
    """A configuration reaching *family* (or ``testwiki``) by a proxy."""
    target = wiki if family == 'testwiki' else wikis[family]
    with FaultProxy(target.port) as proxy:
        yield config(tmp_path, wiki, wikis,
                     api_urls={family: proxy.url + '/api.php'}), proxy


def client(w: Any, user: str) -> ApiClient:
    return ApiClient(w.api_url, user, w.users[user])


def spam(wikis: dict[str, Any], titles: list[str]) -> None:
    """Admin writes each page, then Vandal spams it, on every wiki."""
    for w in wikis.values():
        admin, vandal = client(w, 'Admin'), client(w, 'Vandal')
        for title in titles:
            admin.edit(title, f'Good text of {title}.')
            vandal.edit(title, f'Good text of {title}. [http://spam.example '
                               'buy]')


def latest_users(w: Any, titles: list[str]) -> list[str]:
    c = client(w, 'Nobody')
    return [c.latest(t)['user'] for t in titles]


def rollbacks(w: Any, title: str) -> int:
    """How many revisions of *title* are rollbacks."""
    page = client(w, 'Nobody').get(
        action='query', prop='revisions', titles=title, rvprop='tags',
        rvlimit='max')['query']['pages'][0]
    return sum('mw-rollback' in r['tags'] for r in page['revisions'])


def assert_rolled_back_once(wikis: dict[str, Any]) -> None:
    """Every page of :data:`TITLES` on every wiki: rolled back, once."""
    for name, w in wikis.items():
        assert latest_users(w, TITLES) == ['Admin'] * 3, name
        assert [rollbacks(w, t) for t in TITLES] == [1, 1, 1], name


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_sites_run_cleans_every_wiki_and_undo_reverses_it(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES)
    # on xwb someone fixed one page already: not Vandal's to roll back
    client(wikis['xwb'], 'Editor').edit('Spam two', 'Fixed by hand.')
    cfg = config(tmp_path, wiki, wikis)
    journals = tmp_path / 'journals'
    report = tmp_path / 'review.csv'
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                      f'-sites:{ALL}', '-always', f'-journal:{journals}',
                      f'-report:{report}', *[f'-page:{t}' for t in TITLES])
    assert status == 0, out
    assert '.jsonl' not in out.partition('Report:')[2].splitlines()[0]
    for name, w in wikis.items():
        expected = ['Admin', 'Editor', 'Admin'] if name == 'xwb' \
            else ['Admin'] * 3
        assert latest_users(w, TITLES) == expected, name
        assert [rollbacks(w, t) for t in TITLES] == (
            [1, 0, 1] if name == 'xwb' else [1, 1, 1]), name
    # before any write: the list of wikis with the edit count on each
    # (pywikibot writes to stderr; the rest was added after it)
    listing = out[out.index('Cross-wiki rollback'):]
    listing = listing[:listing.index('[xw')]
    for name in FAMILIES:
        assert re.search(rf'^  {name}:{name}\s+http://127\.0\.0\.1:'
                         rf'{wikis[name].port}/api\.php as Admin\s+3 edits '
                         r'by Vandal$', listing, re.M), listing
    # every line of a wiki's run is prefixed with the wiki
    assert re.search(r'^\[xwa:xwa\] .*Spam one: rolled back', out, re.M)
    assert re.search(r'^\[xwb:xwb\] .*Spam two: skipped', out, re.M)
    rows = summary_rows(out)
    assert rows['xwa:xwa'][:3] == ['3', '0', '0']
    assert rows['xwb:xwb'][:3] == ['2', '1', '0']
    assert rows['total'][:3] == ['8', '1', '0']
    assert rows['xwc:xwc'][3].startswith('completed')
    # one journal per wiki, each with its own wiki's writes
    for name in FAMILIES:
        states = journal_states(journals / f'{name}-{name}.jsonl')
        assert list(states.values()).count('done') == (
            2 if name == 'xwb' else 3), name
    # the report: one row (xwb's page), with the wiki column
    lines = report.read_text().splitlines()
    assert lines[0].startswith('title,wiki,page,outcome')
    assert len(lines) == 2 and lines[1].startswith(
        f'Spam two,xwb:xwb,http://127.0.0.1:{wikis["xwb"].port}/')

    status, out = pwb(wiki, cfg, 'rollback', f'-undo:{journals}', '-always')
    assert status == 0, out
    # each page as the run found it: the spam back (by an undo edit)
    for name, w in wikis.items():
        texts = [client(w, 'Nobody').latest(t)['text'] for t in TITLES]
        spammed = ['spam.example' in t for t in texts]
        assert spammed == ([True, False, True] if name == 'xwb'
                           else [True] * 3), (name, texts)
    assert summary_rows(out)['total'][:3] == ['8', '0', '0']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_wiki_without_the_right_is_left_out(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES[:2])
    cfg = config(tmp_path, wiki, wikis, users={'xwc': 'Editor'})
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                      f'-sites:{ALL}', '-always')
    assert status == 1, out
    # said before the first write, and in the summary
    left = out.index("xwc:xwc left out: rollback needs the 'rollback' right")
    assert left < out.index('rolled back', left), out
    assert summary_rows(out)['xwc:xwc'][3].startswith('left out: ')
    # checked (its login's line), never run
    assert '[xwc:xwc] Wiki:' not in out and '[xwc:xwc] Summary' not in out
    assert latest_users(wikis['xwc'], TITLES[:2]) == ['Vandal'] * 2
    for name in ('xwa', 'xwb'):
        assert latest_users(wikis[name], TITLES[:2]) == ['Admin'] * 2


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_wiki_down_mid_run_stops_alone_and_a_rerun_finishes_it(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES)
    with behind_proxy(wiki, wikis, tmp_path, 'xwb') as (cfg, proxy):
        # xwb's second rollback lands, then its server goes away
        proxy.add_fault('hold', action='rollback', skip=1)
        args = ['rollback', '-user:Vandal', f'-sites:{ALL}', '-always',
                f'-journal:{tmp_path / "j"}',
                *[f'-page:{t}' for t in TITLES]]
        proc = spawn_pwb(wiki, cfg, args)
        assert proxy.wait_held(timeout=120) is not None
        wikis['xwb'].stop()
        proxy.abandon()
        out = proc.communicate(timeout=300)[0]
        assert proc.returncode == 1, out
        rows = summary_rows(out)
        assert rows['xwa:xwa'][:3] == ['3', '0', '0']
        assert rows['xwc:xwc'][:3] == ['3', '0', '0']
        assert not rows['xwb:xwb'][3].startswith('completed'), out
        wikis['xwb'].start()
        states = journal_states(tmp_path / 'j' / 'xwb-xwb.jsonl')
        assert list(states.values()).count('done') == 1, states
        # the answer was lost: uncertain, not done and not failed
        assert 'uncertain' in states.values() or 'intent' in \
            states.values(), states
        status, out = pwb(wiki, cfg, *args)
        assert status == 0, out
    assert_rolled_back_once(wikis)


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_killed_run_resumes_every_wiki_once(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    """kill -9 of the run while a wiki's write is in flight, then a rerun.

    The run is one process, its wikis threads: nothing goes on after it.
    """
    spam(wikis, TITLES)
    with behind_proxy(wiki, wikis, tmp_path, 'xwa') as (cfg, proxy):
        proxy.add_fault('hold', action='rollback', skip=1)
        args = ['rollback', '-user:Vandal', f'-sites:{ALL}', '-always',
                f'-journal:{tmp_path / "j"}', '-workers:3']
        proc = spawn_pwb(wiki, cfg, args)
        # the second rollback on xwa has landed; the answer is held
        assert proxy.wait_held(timeout=120) is not None
        tree = process_tree(proc.pid)
        for pid in tree:
            os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert not any(alive(p) for p in tree), 'a process goes on'
        proxy.abandon()
        states = journal_states(tmp_path / 'j' / 'xwa-xwa.jsonl')
        assert set(states.values()) & {'intent', 'uncertain'}, states
        status, out = pwb(wiki, cfg, *args)
        assert status == 0, out
    assert_rolled_back_once(wikis)


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_ctrl_c_stops_every_wiki_and_a_rerun_resumes(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES)
    with behind_proxy(wiki, wikis, tmp_path, 'xwc') as (cfg, proxy):
        # xwc's first rollback waits until the Ctrl-C has come
        proxy.add_fault('hold_before_forward', action='rollback')
        args = ['rollback', '-user:Vandal', f'-sites:{ALL}', '-always',
                f'-journal:{tmp_path / "j"}']
        proc = spawn_pwb(wiki, cfg, args)
        assert proxy.wait_held(timeout=120) is not None
        proc.send_signal(signal.SIGINT)
        time.sleep(1)
        proxy.release()
        out = proc.communicate(timeout=300)[0]
        assert proc.returncode == 1, out
        assert 'Stopping every wiki (Ctrl-C)' in out
        assert not summary_rows(out)['xwc:xwc'][3].startswith('completed')
        status, out = pwb(wiki, cfg, *args)
        assert status == 0, out
    assert_rolled_back_once(wikis)


def globaluserinfo(wikis: dict[str, Any], counts: dict[str, int]
                   ) -> dict[str, Any]:
    """A recorded CentralAuth answer, pointing at the local wikis."""
    merged = [{'wiki': f'{name}wiki', 'url': wikis[name].url,
               'timestamp': '2026-11-20T10:00:00Z', 'method': 'login',
               'editcount': n, 'registration': '2026-11-20T10:00:00Z'}
              for name, n in counts.items()]
    merged.append({'wiki': 'elsewiki', 'url': 'https://else.example.org',
                   'timestamp': '2026-11-20T10:00:00Z', 'method': 'new',
                   'editcount': 7, 'registration': '2026-11-20T10:00:00Z'})
    return {'batchcomplete': True, 'query': {'globaluserinfo': {
        'home': 'xwawiki', 'id': 42, 'name': 'Vandal',
        'registration': '2026-11-20T10:00:00Z', 'merged': merged}}}


@pytest.mark.mediawiki_neutral
def test_global_finds_the_wikis_through_centralauth(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES[:2])
    with behind_proxy(wiki, wikis, tmp_path, 'testwiki') as (cfg, proxy):
        answer = proxy.add_fault(
            'answer', times=5,
            when=lambda r: 'globaluserinfo' in r.params.get('meta', ''),
            body=globaluserinfo(wikis, {'xwa': 2, 'xwb': 2, 'xwc': 0}))
        status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-global',
                          '-always')
        assert answer.hits == 1, out
        requests = proxy.requests_for('query')
    assert status == 0, out
    assert 'elsewiki (https://else.example.org): not a wiki pywikibot ' \
        'knows (family_files); left out' in out
    assert re.search(r'^  xwa:xwa .* 2 edits by Vandal$', out, re.M), out
    assert set(summary_rows(out)) == {'xwa:xwa', 'xwb:xwb', 'total'}
    for name in ('xwa', 'xwb'):
        assert latest_users(wikis[name], TITLES[:2]) == ['Admin'] * 2
    # no edits there by CentralAuth's count: not touched
    assert latest_users(wikis['xwc'], TITLES[:2]) == ['Vandal'] * 2
    # one question, about the user asked for, its wikis merged
    asked = [(r.params['guiuser'], r.params['guiprop'])
             for r in requests
             if 'globaluserinfo' in r.params.get('meta', '')]
    assert asked == [('Vandal', 'merged')], asked


@pytest.mark.parametrize('args, message', [
    (['-sites:nosuchfamily:xx'], 'nosuchfamily:xx: '),
    (['-sites:xwa:nosuch'], "family xwa has no wiki 'nosuch'"),
    ([f'-sites:{ALL}', '-workers:0'], "-workers: '0': needs a whole "
                                      'number, 1 or more'),
    (['-global'], '-global needs CentralAuth (meta=globaluserinfo), which '
                  'testwiki:testwiki'),
    ([f'-sites:{ALL}', '-global'], '-sites and -global: give one of them'),
    (['-workers:2'], '-workers goes with -sites:, -global or -undo:DIR'),
    ([f'-sites:{ALL}', '-since:yesterday'], '-since'),
])
def test_bad_input_exits_2_before_any_write(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path, args: list[str],
        message: str) -> None:
    spam({'xwa': wikis['xwa']}, TITLES[:1])
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-always',
                      *args)
    assert status == 2, out
    assert message in out, out
    assert latest_users(wikis['xwa'], TITLES[:1]) == ['Vandal']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_undelete_global_needs_a_user(wiki: Any, wikis: dict[str, Any],
                                      tmp_path: Path) -> None:
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'undelete', '-global', '-always',
                      '-page:X')
    assert status == 2, out
    assert '-global needs -user:NAME' in out


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_journal_names_a_directory(wiki: Any, wikis: dict[str, Any],
                                   tmp_path: Path) -> None:
    spam({'xwa': wikis['xwa']}, TITLES[:1])
    cfg = config(tmp_path, wiki, wikis)
    journal = tmp_path / 'one.jsonl'
    journal.write_text('')
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-always',
                      f'-sites:{ALL}', f'-journal:{journal}')
    assert status == 2, out
    assert 'keeps one journal per wiki in a directory' in out
    assert latest_users(wikis['xwa'], TITLES[:1]) == ['Vandal']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_simulate_after_the_script_name_reaches_every_wiki(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES[:2])
    cfg = config(tmp_path, wiki, wikis)
    # pywikibot's global option where operators often put it: after
    # the script's name, where only the parent's handle_args sees it
    status, out = pwb(wiki, cfg, 'rollback', '-simulate', '-user:Vandal',
                      f'-sites:{ALL}')
    assert status == 0, out
    for name, w in wikis.items():
        assert latest_users(w, TITLES[:2]) == ['Vandal'] * 2, name
        assert re.search(rf'^\[{name}:{name}\] Summary: 0 done \(2 '
                         r'simulated\)', out, re.M), out
        assert summary_rows(out)[f'{name}:{name}'][3] \
            == 'completed (2 simulated)'


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_undelete_across_wikis_with_a_log_selection(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    for w in wikis.values():
        admin = client(w, 'Admin')
        for title in TITLES[:2]:
            admin.edit(title, f'Text of {title}.')
            token = admin.get(action='query', meta='tokens')['query'][
                'tokens']['csrftoken']
            answer = admin.post(action='delete', title=title,
                                reason='mistake', token=token)
            assert 'delete' in answer, answer
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'undelete', '-logevents:delete,Admin',
                      '-sites:xwa:xwa,xwb:xwb', '-always',
                      f'-journal:{tmp_path / "j"}')
    assert status == 0, out
    assert summary_rows(out)['total'][:3] == ['4', '0', '0']
    for name in ('xwa', 'xwb'):
        assert latest_users(wikis[name], TITLES[:2]) == ['Admin'] * 2
    # not named: left deleted
    page = client(wikis['xwc'], 'Nobody').get(
        action='query', titles=TITLES[0])['query']['pages'][0]
    assert page.get('missing'), page


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_filerevert_across_wikis(wiki: Any, wikis: dict[str, Any],
                                 tmp_path: Path) -> None:
    two = {name: wikis[name] for name in ('xwa', 'xwb')}
    good = {}
    for name, w in two.items():
        png = make_png(tmp_path / f'{name}-good.png', seed=len(name) + 1)
        good[name] = client(w, 'Admin').upload('Logo.png', png.read_bytes())
    time.sleep(1.1)  # archive names have one-second resolution
    for name, w in two.items():
        png = make_png(tmp_path / f'{name}-bad.png', seed=99)
        client(w, 'Vandal').upload('Logo.png', png.read_bytes())
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'filerevert', '-user:Vandal',
                      '-sites:xwa:xwa,xwb:xwb', '-always')
    assert status == 0, out
    assert summary_rows(out)['total'][:3] == ['2', '0', '0']
    for name, w in two.items():
        assert client(w, 'Nobody').file_sha1('Logo.png') == good[name]


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_cleanup_across_wikis_and_its_undo(wiki: Any, wikis: dict[str, Any],
                                            tmp_path: Path) -> None:
    """``pwb cleanup -sites:``: edits and the pages Vandal wrote, per wiki."""
    spam(wikis, TITLES)
    for w in wikis.values():
        client(w, 'Vandal').edit('Junk page', 'Buy [http://spam.example now]')
    cfg = config(tmp_path, wiki, wikis)
    journals = tmp_path / 'journals'
    status, out = pwb(wiki, cfg, 'cleanup', '-user:Vandal', f'-sites:{ALL}',
                      '-always', f'-journal:{journals}')
    assert status == 0, out
    assert re.search(r'^\[xwb:xwb\] Plan on xwb:xwb: 3 rollback\(s\), 0 undo'
                     r'\(s\) under later edits, 0 file revert\(s\), 0 move'
                     r'\(s\) back, 1 deletion', out, re.M), out
    for name, w in wikis.items():
        assert latest_users(w, TITLES) == ['Admin'] * 3, name
        nobody = client(w, 'Nobody')
        assert nobody.get(action='query', titles='Junk page')['query'][
            'pages'][0].get('missing'), name
    assert summary_rows(out)['total'][:3] == ['12', '0', '0']

    status, out = pwb(wiki, cfg, 'cleanup', f'-undo:{journals}', '-always')
    assert status == 0, out
    for name, w in wikis.items():
        assert client(w, 'Nobody').latest('Junk page')['user'] == 'Vandal', \
            name


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
@pytest.mark.parametrize('answer, rolled_back', [('n', False), ('y', True)])
def test_asks_once_before_the_first_write(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path, answer: str,
        rolled_back: bool) -> None:
    spam(wikis, TITLES[:1])
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                      f'-sites:{ALL}', input=f'{answer}\n')
    assert out.count('Act on these 3 wiki(s)?') == 1, out
    assert status == (0 if rolled_back else 1), out
    for w in wikis.values():
        assert latest_users(w, TITLES[:1]) == [
            'Admin' if rolled_back else 'Vandal']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_iprange_across_wikis(wiki: Any, wikis: dict[str, Any],
                              tmp_path: Path) -> None:
    for w in wikis.values():
        client(w, 'Admin').edit('Anon target', 'Good text.')
        anon_edit(w.api_url, 'Anon target', 'Good text. [http://spam.example]')
    cfg = config(tmp_path, wiki, wikis)
    status, out = pwb(wiki, cfg, 'rollback', '-iprange:127.0.0.0/24',
                      f'-sites:{ALL}', '-always')
    if wiki.mw_version < (1, 36):
        # no uciprange before 1.36: each wiki's run refuses it before
        # any request for it, and stops
        assert status == 1, out
        assert summary_rows(out)['xwa:xwa'][3] == (
            "stopped: action=query: parameter 'uciprange' needs MediaWiki "
            '1.36 or newer; this wiki runs ' + wiki.mw_version_string)
        assert all(latest_users(w, ['Anon target']) == ['127.0.0.1']
                   for w in wikis.values())
        return
    assert status == 0, out
    for w in wikis.values():
        assert latest_users(w, ['Anon target']) == ['Admin']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_one_wiki_under_two_names_is_refused(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    """Two families at one API URL would make two runs on one wiki."""
    spam({'xwa': wikis['xwa']}, TITLES[:1])
    cfg = config(tmp_path, wiki, wikis, api_urls={
        'xwb': wikis['xwa'].api_url})
    status, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-always',
                      '-sites:xwa:xwa,xwb:xwb')
    assert status == 2, out
    assert 'xwa:xwa and xwb:xwb are one wiki' in out, out
    assert latest_users(wikis['xwa'], TITLES[:1]) == ['Vandal']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
@pytest.mark.parametrize('workers', [1, 3])
def test_workers_bound_how_many_wikis_run_at_once(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path,
        workers: int) -> None:
    """xwa's first rollback is held: the others finish meanwhile, or wait."""
    import threading
    spam(wikis, TITLES[:1])
    with behind_proxy(wiki, wikis, tmp_path, 'xwa') as (cfg, proxy):
        proxy.add_fault('hold_before_forward', action='rollback')
        proc = spawn_pwb(wiki, cfg, [
            'rollback', '-user:Vandal', f'-sites:{ALL}', '-always',
            f'-workers:{workers}'])
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout),
                                  daemon=True)
        reader.start()
        assert proxy.wait_held(timeout=120) is not None
        deadline = time.time() + (60 if workers > 1 else 8)
        while time.time() < deadline and not any(
                line.startswith('[xwc:xwc] Summary') for line in lines):
            time.sleep(0.2)
        others_done = [w for w in ('xwb', 'xwc') if any(
            line.startswith(f'[{w}:{w}] Summary') for line in lines)]
        proxy.release()
        proc.wait(timeout=300)
        reader.join(10)
        proc.stdout.close()
    out = ''.join(lines)
    assert proc.returncode == 0, out
    assert others_done == ([] if workers == 1 else ['xwb', 'xwc']), out
    for w in wikis.values():
        assert latest_users(w, TITLES[:1]) == ['Admin']
