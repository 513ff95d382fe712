"""Cross-wiki runs without a wiki: options, summaries, the wikis' threads."""
from __future__ import annotations

import csv
import json
import signal
import threading
import time

import pytest

from pywikibot_revert.bot._errors import UsageError
from pywikibot_revert.crosswiki import _workers as _parallel
from pywikibot_revert.bot._summary import RunSummary
from pywikibot_revert.crosswiki._child import in_crosswiki_run, wiki_label
from pywikibot_revert.crosswiki._checks import wiki_args
from pywikibot_revert.crosswiki._run import wanted
from pywikibot_revert.crosswiki._workers import Wiki
from pywikibot_revert.bot._report import Report, ReportRow
from pywikibot_revert.crosswiki._sites import (
    SiteName, edit_count, global_wikis, name_for_url, parse_sites,
    workers,
)
from pywikibot_revert.wiki._validate import (
    require_existing_user, users_read_once,
)
from harness.fakesite import FakeSite


def xwiki(name: str) -> FakeSite:
    """A wiki of these tests: its code is its family's name, as xwa:xwa."""
    return FakeSite(family=name, code=name)


# -- options -----------------------------------------------------------

@pytest.mark.parametrize('text, message', [
    ('wikipedia', "'wikipedia': name each wiki as FAMILY:CODE"),
    ('nosuchfamily:xx', 'nosuchfamily:xx: '),
    (' , ', 'needs at least one FAMILY:CODE'),
    (':en', "':en': name each wiki as FAMILY:CODE"),
])
def test_parse_sites_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_sites(None, text)
    assert str(err.value).startswith(message)


@pytest.mark.wiki  # an AutoFamily reads its wiki
def test_parse_sites_unknown_code_names_the_entry() -> None:
    with pytest.raises(ValueError, match=r'^testwiki:nosuchcode: '):
        parse_sites(None, 'testwiki:nosuchcode')


@pytest.mark.wiki
def test_parse_sites_keeps_order_and_drops_repeats() -> None:
    sites = parse_sites(None, 'testwiki:testwiki, testwiki:testwiki')
    # named only: the sites are made in the run's checks
    assert sites == (SiteName('testwiki', 'testwiki'),)


@pytest.mark.parametrize('text', ['0', '-1', 'four', '1.5', ''])
def test_workers_refuses(text: str) -> None:
    with pytest.raises(ValueError, match='1 or more'):
        workers(None, text)


def test_wanted(tmp_path) -> None:
    assert wanted(['-sites:a:b'])
    assert wanted(['-global'])
    assert wanted(['-workers:2'])
    assert wanted([f'-undo:{tmp_path}'])
    assert not wanted([f'-undo:{tmp_path / "j.jsonl"}', '-user:X'])
    assert not wanted(['-user:X', '-summary:-sites:x'])


# -- summaries -----------------------------------------------------------

def test_run_summary_total() -> None:
    a = RunSummary(done=2, skipped={'declined': 1}, failed=1, conflict=1)
    b = RunSummary(done=3, skipped={'declined': 2, 'protected': 1},
                   stopped='wiki down', completed=False)
    total = RunSummary.total([a, b])
    assert (total.done, total.skips, total.failed, total.conflict) \
        == (5, 4, 1, 1)
    assert dict(total.skipped) == {'declined': 3, 'protected': 1}
    assert not total.ok and a.line() == (
        '2 done, 1 skipped (1 declined), 1 failed (1 conflict)')
    assert RunSummary.total([]) == RunSummary()


def test_wiki_status() -> None:
    site = xwiki('xwa')
    assert Wiki(site, left_out='no right').status() == 'left out: no right'
    assert Wiki(site).status() == 'not started'
    assert Wiki(site, returncode=1, last_error='KeyError: x').status() \
        == 'stopped: KeyError: x'
    assert Wiki(SiteName('xwa', 'xwa')).label == 'xwa:xwa'
    done = Wiki(site, returncode=0, summary=RunSummary(
        done=1, skipped={'declined': 1}))
    assert done.status() == 'completed (1 declined)' and done.ok
    assert Wiki(site, returncode=1, summary=RunSummary(
        stopped='outcome unknown')).status() == 'stopped: outcome unknown'
    assert not Wiki(site, returncode=0, summary=RunSummary(
        completed=False)).ok


# -- each wiki's arguments ----------------------------------------------------

def test_wiki_args() -> None:
    wiki = Wiki(xwiki('xwa'), journal='/j/xwa-xwa.jsonl')
    assert wiki_args(wiki, ['-journal:/j', '-report:r.csv', '-always',
                            '-summary:x'], undo=False,
                     per_wiki={'journal', 'report', 'undo', 'always'}) == [
        '-summary:x', '-journal:/j/xwa-xwa.jsonl', '-always']


def test_wiki_args_undo() -> None:
    wiki = Wiki(xwiki('xwb'), journal='/j/xwb-xwb.jsonl')
    assert wiki_args(wiki, ['-undo:/j'], undo=True, per_wiki={'undo'}) == [
        '-undo:/j/xwb-xwb.jsonl', '-always']


# -- the wikis' threads ---------------------------------------------------------

def test_each_wiki_in_order_at_most_workers_at_once() -> None:
    wikis = [Wiki(xwiki(f'xw{c}')) for c in 'abcdef']
    lock = threading.Lock()
    running: list[str] = []
    started: list[str] = []
    most = 0

    def work(wiki: Wiki) -> None:
        nonlocal most
        with lock:
            running.append(wiki_label())
            started.append(wiki_label())
            most = max(most, len(running))
        time.sleep(0.05)
        with lock:
            running.remove(wiki_label())

    assert not _parallel.each_wiki(wikis, work, 2, interrupted='x')
    assert started[:2] == ['xwa:xwa', 'xwb:xwb']
    assert sorted(started) == [w.label for w in wikis]
    assert most == 2
    assert not in_crosswiki_run()  # outside a wiki's thread


def test_each_wiki_prefixes_every_line_of_its_wiki(capsys) -> None:
    import pywikibot
    pywikibot.info('before')  # pywikibot's handlers are made

    def work(wiki: Wiki) -> None:
        pywikibot.info('one\ntwo')
        pywikibot.info('three ', newline=False)
        pywikibot.info('same line')
        pywikibot.warning('careful')

    _parallel.each_wiki([Wiki(xwiki('xwa'))], work, 1, interrupted='x')
    pywikibot.info('after')
    lines = capsys.readouterr().err.splitlines()
    assert lines[lines.index('before') + 1:] == [
        '[xwa:xwa] one', '[xwa:xwa] two', '[xwa:xwa] three same line',
        '[xwa:xwa] WARNING: careful', 'after']


def test_ctrl_c_is_passed_on_once_to_each_running_wiki() -> None:
    """Ctrl-C in the main thread: running wikis stop, no other starts."""
    wikis = [Wiki(xwiki(f'xw{c}')) for c in 'abc']
    got: dict[str, int] = {}
    both = threading.Barrier(3)

    def work(wiki: Wiki) -> None:
        both.wait(10)
        try:
            while True:
                time.sleep(0.01)
        except KeyboardInterrupt:
            got[wiki.label] = got.get(wiki.label, 0) + 1
            # a second Ctrl-C must not cut short what follows one
            time.sleep(0.3)
            got[wiki.label] += 10

    def ctrl_c() -> None:
        both.wait(10)
        time.sleep(0.1)
        for _ in range(2):  # the operator presses it twice
            signal.raise_signal(signal.SIGINT)
            time.sleep(0.05)

    threading.Thread(target=ctrl_c, daemon=True).start()
    assert _parallel.each_wiki(wikis, work, 2, interrupted='x')
    assert got == {'xwa:xwa': 11, 'xwb:xwb': 11}  # xwc never started


def test_a_bug_in_one_wiki_stops_that_wiki_alone() -> None:
    class Boom:
        def run(self) -> None:
            raise KeyError('x')

    class Fine:
        def run(self) -> None:
            pass

        def run_summary(self) -> RunSummary:
            return RunSummary(done=1)

        exit_status = 0

    bad, good = Wiki(xwiki('xwa'), bot=Boom()), Wiki(xwiki('xwb'), bot=Fine())
    _parallel.run_wikis([bad, good], 2)
    assert bad.status() == "stopped: KeyError: 'x'" and bad.bot is None
    assert good.status() == 'completed' and good.ok and good.bot is None


# -- one read of the user -------------------------------------------------------

def test_users_read_once_gives_the_user_check_and_the_count_one_read(
        ) -> None:
    answer = {'query': {'users': [{'userid': 7, 'name': 'Vandal',
                                   'editcount': 12}]}}
    site = FakeSite(answer, answer, answer)
    site.namespaces = {2: ['User']}  # type: ignore[attr-defined]
    with users_read_once():
        assert require_existing_user(site, 'Vandal') == 'Vandal'
        assert edit_count(site, 'vandal') == 12
    assert [r.get('usprop') for r in site.sent] == ['editcount']
    # outside the block, each call reads
    edit_count(site, 'Vandal')
    assert len(site.sent) == 2


# -- the combined report ------------------------------------------------------

ROWS = [ReportRow('A', 'skipped', 'declined', user='V', old=1, cur=2,
                  wiki='xwa:xwa'),
        ReportRow('B [x]', 'failed', 'protected', wiki='xwb:xwb')]
URLS = {'xwa:xwa': lambda t: f'http://a/wiki/{t}',
        'xwb:xwb': lambda t: f'http://b/wiki/{t}'}


def _write(path) -> None:
    report = Report(str(path), url_for=lambda t: 1 / 0, url_fors=URLS)
    with report:
        for row in ROWS:
            report.add(row)


def test_combined_report_csv(tmp_path) -> None:
    path = tmp_path / 'r.csv'
    _write(path)
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0][:3] == ['title', 'wiki', 'page']
    assert rows[1][:4] == ['A', 'xwa:xwa', 'http://a/wiki/A', 'skipped']
    assert rows[1][6] == 'http://a/wiki/Special:Diff/1/2'
    assert rows[2][:3] == ['B [x]', 'xwb:xwb', 'http://b/wiki/B [x]']


def test_combined_report_jsonl_reads_back(tmp_path) -> None:
    path = tmp_path / 'r.jsonl'
    _write(path)
    assert [json.loads(line)['wiki']
            for line in path.read_text().splitlines()] \
        == ['xwa:xwa', 'xwb:xwb']
    assert list(ReportRow.read_jsonl(str(path))) == ROWS


def test_combined_report_wiki_links_outward(tmp_path) -> None:
    path = tmp_path / 'r.wiki'
    _write(path)
    text = path.read_text()
    assert '! wiki !! page !! outcome' in text
    assert '| xwa:xwa\n| [http://a/wiki/A A]\n' in text
    assert '[http://a/wiki/Special:Diff/1/2 1→2]' in text
    # brackets in a title cannot break the link
    assert '[http://b/wiki/B &#91;x&#93; B &#91;x&#93;]' in text


# -- CentralAuth's answer ------------------------------------------------------

def meta(answer: dict) -> FakeSite:
    """Meta, whose one request gets *answer*."""
    return FakeSite(answer, family='meta', code='meta',
                    url='https://meta.example.org')


def test_global_wikis_without_centralauth() -> None:
    site = meta({'batchcomplete': True})
    with pytest.raises(UsageError, match=r'-global needs CentralAuth'):
        global_wikis(site, 'Spambot')
    assert site.params == {'action': 'query', 'meta': 'globaluserinfo',
                           'guiuser': 'Spambot', 'guiprop': 'merged'}


def test_global_wikis_no_such_account() -> None:
    site = meta({'query': {'globaluserinfo': {'missing': True}}})
    with pytest.raises(UsageError, match="'Nobody' has no global account"):
        global_wikis(site, 'Nobody')


def test_global_wikis_names_what_it_leaves_out() -> None:
    site = meta({'query': {'globaluserinfo': {'merged': [
        {'wiki': 'elsewiki', 'url': 'https://else.example.org',
         'editcount': 4},
        {'wiki': 'quietwiki', 'url': 'https://quiet.example.org',
         'editcount': 0},
    ]}}})
    known, left_out = global_wikis(site, 'Spambot')
    assert known == []
    # no edits: not even named
    assert left_out == ['elsewiki (https://else.example.org): not a wiki '
                        'pywikibot knows (family_files)']


def test_name_for_url_makes_no_family_up() -> None:
    assert name_for_url('https://else.example.org') is None


# -- report parts ------------------------------------------------------------

def test_read_jsonl_leaves_out_a_torn_row(tmp_path, monkeypatch) -> None:
    """A child killed while it wrote: its last line is cut."""
    warned: list[str] = []
    monkeypatch.setattr('pywikibot.warning', warned.append)
    path = tmp_path / 'part.jsonl'
    whole = json.dumps({'title': 'A', 'outcome': 'skipped', 'reason': 'r'})
    path.write_bytes((whole + '\n' + whole + '\n').encode()
                     + '{"title": "Caf\u00e9'.encode()[:-1])
    rows = list(ReportRow.read_jsonl(str(path)))
    assert rows == [ReportRow('A', 'skipped', 'r')] * 2
    assert [w.split(': ')[0] for w in warned] == [f'{path}, line 3']
    assert 'not a whole report row (torn?), left out' in warned[0]
