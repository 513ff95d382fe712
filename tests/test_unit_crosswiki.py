"""Cross-wiki runs without a wiki: options, summaries, child command lines."""
from __future__ import annotations

import csv
import json
import os
from types import SimpleNamespace

import pytest

from pywikibot_revert.bot._errors import UsageError
from pywikibot_revert.crosswiki import _workers as _parallel
from pywikibot_revert.bot._summary import RunSummary
from pywikibot_revert.crosswiki._child import PARENT_ENV, follow_parent
from pywikibot_revert.crosswiki._run import CrossWikiRun, wanted
from pywikibot_revert.crosswiki._workers import Wiki
from pywikibot_revert.bot._report import Report, ReportRow
from pywikibot_revert.crosswiki._sites import (
    global_wikis, parse_sites, site_for_url, workers,
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
    assert [f'{s.family.name}:{s.code}' for s in sites] \
        == ['testwiki:testwiki']


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

def test_run_summary_round_trip_and_total() -> None:
    a = RunSummary(done=2, skipped={'declined': 1}, failed=1, conflict=1)
    b = RunSummary(done=3, skipped={'declined': 2, 'protected': 1},
                   stopped='wiki down', completed=False)
    assert RunSummary.from_json(a.to_json()) == a
    total = RunSummary.total([a, b])
    assert (total.done, total.skips, total.failed, total.conflict) \
        == (5, 4, 1, 1)
    assert dict(total.skipped) == {'declined': 3, 'protected': 1}
    assert not total.ok and a.line() == (
        '2 done, 1 skipped (1 declined), 1 failed (1 conflict)')
    assert RunSummary.total([]) == RunSummary()


def test_run_summary_refuses_other_json() -> None:
    with pytest.raises(ValueError):
        RunSummary.from_json('[1, 2]')


def test_wiki_status() -> None:
    site = xwiki('xwa')
    assert Wiki(site, left_out='no right').status() == 'left out: no right'
    assert Wiki(site).status() == 'not started'
    assert Wiki(site, returncode=1, last_error='ERROR: down').status() \
        == 'stopped (exit status 1): ERROR: down'
    done = Wiki(site, returncode=0, summary=RunSummary(
        done=1, skipped={'declined': 1}))
    assert done.status() == 'completed (1 declined)' and done.ok
    assert Wiki(site, returncode=1, summary=RunSummary(
        stopped='outcome unknown')).status() == 'stopped: outcome unknown'
    assert not Wiki(site, returncode=0, summary=RunSummary(
        completed=False)).ok


def test_follow_parent_outside_a_cross_wiki_run(monkeypatch) -> None:
    monkeypatch.delenv(PARENT_ENV, raising=False)
    assert follow_parent()


def test_follow_parent_notices_a_dead_parent(monkeypatch) -> None:
    monkeypatch.setenv(PARENT_ENV, str(os.getppid() + 12345))
    assert not follow_parent()


# -- child command lines ----------------------------------------------------

def test_child_command(monkeypatch) -> None:
    monkeypatch.setattr(_parallel, 'global_args',
                        lambda: ['-user:Bot', '-simulate'])
    monkeypatch.setattr(_parallel, '_script', lambda: '/x/rollback.py')
    bot_class = SimpleNamespace(operation='rollback')
    wiki = Wiki(xwiki('xwa'), journal='/j/xwa-xwa.jsonl')
    run = CrossWikiRun(bot_class, [wiki],
                       ['-user:Vandal', '-journal:/j', '-report:r.csv',
                        '-always', '-summary:x'], journal_dir='/j')
    cmd = run.child_command(wiki, '/parts')
    assert cmd[3:] == [
        '-user:Bot', '-simulate', '/x/rollback.py',
        '-family:xwa', '-lang:xwa', '-user:Vandal',
        '-summary:x', '-journal:/j/xwa-xwa.jsonl',
        '-report:/parts/xwa-xwa.jsonl', '-always']


def test_child_command_undo(monkeypatch) -> None:
    monkeypatch.setattr(_parallel, 'global_args', lambda: [])
    monkeypatch.setattr(_parallel, '_script', lambda: 'rollback')
    wiki = Wiki(xwiki('xwb'), journal='/j/xwb-xwb.jsonl')
    run = CrossWikiRun(SimpleNamespace(operation='rollback'), [wiki],
                       ['-undo:/j'], undo=True)
    assert run.child_command(wiki, None)[3:] == [
        'rollback', '-family:xwb', '-lang:xwb', '-undo:/j/xwb-xwb.jsonl',
        '-always']


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


def test_simulate_reaches_the_child_whatever_the_command_line(
        monkeypatch) -> None:
    from pywikibot import config
    monkeypatch.setattr(_parallel, 'global_args', lambda: [])
    monkeypatch.setattr(_parallel, '_script', lambda: 'rollback')
    monkeypatch.setattr(config, 'simulate', True)
    cmd = _parallel.pwb_command(Wiki(xwiki('xwa')), [], [])
    assert '-simulate' in cmd[cmd.index('rollback'):]


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


def test_site_for_url_makes_no_family_up() -> None:
    assert site_for_url('https://else.example.org') is None


# -- files in shared places ----------------------------------------------

def test_publish_does_not_follow_a_planted_symlink(
        tmp_path, monkeypatch) -> None:
    """Symlinks at the summary's names are replaced, never written through."""
    from pywikibot_revert.crosswiki._child import SUMMARY_ENV, publish
    victim = tmp_path / 'victim'
    victim.write_text('keep me')
    path = tmp_path / 'summary.json'
    for name in (path, tmp_path / 'summary.json.tmp'):
        name.symlink_to(victim)
    monkeypatch.setenv(SUMMARY_ENV, str(path))
    publish(RunSummary(done=2))
    assert victim.read_text() == 'keep me'
    assert not path.is_symlink()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert RunSummary.from_json(path.read_text()) == RunSummary(done=2)


CHILD = '''
import os, stat, sys
path = os.environ["{env}"]
folder = os.path.dirname(path)
print(oct(stat.S_IMODE(os.stat(folder).st_mode)), folder)
# what another local user could do at a name in a shared directory:
# a symlink to a summary of their own
os.symlink(sys.argv[1], path)
'''


def test_child_summary_lives_in_a_private_directory(tmp_path, capsys
                                                    ) -> None:
    """The name is in a 0700 directory; a symlink there is not followed."""
    import sys
    from pywikibot_revert.crosswiki._child import SUMMARY_ENV
    forged = tmp_path / 'forged.json'
    forged.write_text(RunSummary(done=99).to_json())
    wiki = Wiki(xwiki('xwa'))
    _parallel.run_children(
        [wiki], lambda w: [sys.executable, '-c',
                           CHILD.format(env=SUMMARY_ENV), str(forged)], 1)
    out = capsys.readouterr().out
    mode, folder = out.split('] ', 1)[1].split()
    assert wiki.returncode == 0, out
    assert wiki.summary is None  # the symlink was not read through
    assert forged.read_text() == RunSummary(done=99).to_json()
    assert mode == '0o700', out
    assert not os.path.exists(folder)  # removed with what was in it


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
