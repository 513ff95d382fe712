"""The -report file: its formats, escaping and path checks (no wiki)."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import stat

import pytest

from pywikibot_revert.bot._errors import UsageError
from pywikibot_revert.bot._options import Option, parse_options, report_path
from pywikibot_revert.bot._report import FORMATS, Report, ReportRow
from harness.fakesite import FakeSite


def url_for(title):
    return 'https://w.example/wiki/' + title.replace(' ', '_')


W = 'https://w.example/wiki/'

ROWS = (
    ReportRow('Foo bar', 'skipped', 'nothing to undo'),
    ReportRow('File:Some pic.jpg', 'failed', 'filerevert failed',
              user='Vandal 1', old=41, cur=42,
              detail='API: a|b, "c"\nnext'),
    ReportRow('Bär', 'conflict', 'undo failed (conflicting later edits)',
              user='Vandal 1', cur=9),
)

WIKI_HEAD = '''\
{| class="wikitable sortable"
|+ Items not done (wikipedia:en)
! page !! outcome !! reason !! user !! diff !! contributions !! detail
'''

WIKI_ROWS = '''\
|-
| [[:Foo bar]]
| skipped
| <nowiki>nothing to undo</nowiki>
|
|
|
|
|-
| [[:File:Some pic.jpg]]
| failed
| <nowiki>filerevert failed</nowiki>
| Vandal 1
| [[Special:Diff/41/42|41→42]]
| [[Special:Contributions/Vandal 1|Vandal 1]]
| <nowiki>API: a|b, "c" next</nowiki>
|-
| [[:Bär]]
| conflict
| <nowiki>undo failed (conflicting later edits)</nowiki>
| Vandal 1
| [[Special:Diff/9|9]]
| [[Special:Contributions/Vandal 1|Vandal 1]]
|
'''

CSV = f'''\
title,page,outcome,reason,user,diff,contributions,detail
Foo bar,{W}Foo_bar,skipped,nothing to undo,,,,
File:Some pic.jpg,{W}File:Some_pic.jpg,failed,filerevert failed,Vandal 1,\
{W}Special:Diff/41/42,{W}Special:Contributions/Vandal_1,"API: a|b, ""c""
next"
Bär,{W}Bär,conflict,undo failed (conflicting later edits),Vandal 1,\
{W}Special:Diff/9,{W}Special:Contributions/Vandal_1,
'''

JSONL = [
    {'title': 'Foo bar', 'outcome': 'skipped', 'reason': 'nothing to undo',
     'user': None, 'old': None, 'cur': None, 'detail': '',
     'page_url': W + 'Foo_bar', 'diff_url': None,
     'contributions_url': None, 'wiki': 'wikipedia:en'},
    {'title': 'File:Some pic.jpg', 'outcome': 'failed',
     'reason': 'filerevert failed', 'user': 'Vandal 1', 'old': 41,
     'cur': 42, 'detail': 'API: a|b, "c"\nnext',
     'page_url': W + 'File:Some_pic.jpg',
     'diff_url': W + 'Special:Diff/41/42',
     'contributions_url': W + 'Special:Contributions/Vandal_1',
     'wiki': 'wikipedia:en'},
    {'title': 'Bär', 'outcome': 'conflict',
     'reason': 'undo failed (conflicting later edits)', 'user': 'Vandal 1',
     'old': None, 'cur': 9, 'detail': '', 'page_url': W + 'Bär',
     'diff_url': W + 'Special:Diff/9',
     'contributions_url': W + 'Special:Contributions/Vandal_1',
     'wiki': 'wikipedia:en'},
]


def write(path, rows=ROWS):
    with Report(str(path), url_for=url_for, wiki='wikipedia:en') as report:
        for row in rows:
            report.add(row)
    assert report.rows == len(rows)
    return path.read_text(encoding='utf-8')


# -- the formats -----------------------------------------------------------

def test_wiki_exact(tmp_path):
    assert write(tmp_path / 'r.wiki') == WIKI_HEAD + WIKI_ROWS + '|}\n'


def test_wiki_without_label_or_rows(tmp_path):
    path = tmp_path / 'r.wiki'
    with Report(str(path), url_for=url_for):
        pass
    assert path.read_text() == ('{| class="wikitable sortable"\n'
                                '|+ Items not done\n'
                                + WIKI_HEAD.splitlines(True)[2] + '|}\n')


def test_csv_exact_and_parses_back(tmp_path):
    text = write(tmp_path / 'r.csv')
    assert text == CSV
    got = list(csv.DictReader(io.StringIO(text, newline='')))
    assert [r['page'] for r in got] == [url_for(r.title) for r in ROWS]
    assert got[1] == {
        'title': 'File:Some pic.jpg', 'page': W + 'File:Some_pic.jpg', 'outcome': 'failed',
        'reason': 'filerevert failed', 'user': 'Vandal 1',
        'diff': W + 'Special:Diff/41/42',
        'contributions': W + 'Special:Contributions/Vandal_1',
        'detail': 'API: a|b, "c"\nnext'}
    assert [r['detail'] for r in got] == [r.detail for r in ROWS]
    assert got[0]['user'] == got[0]['diff'] == got[0]['contributions'] == ''


def test_jsonl_exact(tmp_path):
    text = write(tmp_path / 'r.jsonl')
    assert [json.loads(line) for line in text.splitlines()] == JSONL
    assert 'Bär' in text  # not \u escaped


@pytest.mark.parametrize('ext', FORMATS)
def test_rows_on_disk_before_close(tmp_path, ext):
    path = tmp_path / ('r' + ext)
    report = Report(str(path), url_for=url_for, wiki='wikipedia:en').open()
    try:
        report.add(ROWS[0])
        first = path.read_text(encoding='utf-8')
        report.add(ROWS[1])
        second = path.read_text(encoding='utf-8')
    finally:
        report.close()
    assert report.rows == 2
    assert 'Foo' in first and 'Some' not in first
    assert second.startswith(first) and 'Some' in second
    # an interrupted .wiki table only lacks its closing line
    if ext == '.wiki':
        assert '|}' not in second
        assert path.read_text(encoding='utf-8') == second + '|}\n'


# -- wikitext escaping -----------------------------------------------------

def _outside_nowiki(line):
    return re.sub(r'<nowiki>.*?</nowiki>', '', line)


def test_wiki_cells_cannot_break_the_table(tmp_path):
    nasty = ReportRow(
        'Category:X', '-}', '{{delete}} ~~~~ [[Category:Y]]',
        user="O''Neil~~~", old=1, cur=2,
        detail='a </nowiki> b </NOWIKI>\n|}\n|-\n! x || y\r\n<b>&amp;')
    text = write(tmp_path / 'r.wiki', [nasty])
    lines = text.splitlines()
    body = lines[3:-1]
    assert lines[-1] == '|}' and body[0] == '|-'
    assert all(line.startswith('| ') or line == '|' for line in body[1:])
    assert len(body) == 8  # the row separator and seven cells
    assert body[1:] == [
        '| [[:Category:X]]',
        '| -&#125;',
        '| <nowiki>{{delete}} ~~~~ [[Category:Y]]</nowiki>',
        "| O&#39;'Neil&#126;&#126;~",
        '| [[Special:Diff/1/2|1→2]]',
        "| [[Special:Contributions/O&#39;'Neil&#126;&#126;~|"
        "O&#39;'Neil&#126;&#126;~]]",
        '| <nowiki>a &lt;/nowiki> b &lt;/NOWIKI> |} |- ! x || y '
        '&lt;b>&amp;amp;</nowiki>',
    ]
    for line in body:
        rest = _outside_nowiki(line)
        assert '{{' not in rest and '~~~' not in rest and "''" not in rest
        assert '[[Category' not in rest and '<' not in rest


# -- life cycle ------------------------------------------------------------

def test_mode_0600_and_truncates(tmp_path):
    path = tmp_path / 'r.csv'
    path.write_text('old content\n')
    path.chmod(0o644)
    write(path, ROWS[:1])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert 'old content' not in path.read_text()


def test_new_file_mode_0600(tmp_path):
    path = tmp_path / 'r.jsonl'
    write(path, ())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == ''


def test_close_idempotent_and_add_after_close(tmp_path):
    path = tmp_path / 'r.wiki'
    report = Report(str(path), url_for=url_for).open()
    report.add(ROWS[0])
    report.close()
    report.close()
    assert path.read_text().count('|}') == 1
    with pytest.raises(ValueError, match='not open'):
        report.add(ROWS[1])
    assert report.rows == 1


def test_exception_in_with_still_closes_table(tmp_path):
    path = tmp_path / 'r.wiki'
    with pytest.raises(RuntimeError):
        with Report(str(path), url_for=url_for) as report:
            report.add(ROWS[0])
            raise RuntimeError
    assert path.read_text().endswith('|}\n')


def test_unknown_extension_refused():
    with pytest.raises(ValueError, match=r'\.wiki, \.csv or \.jsonl'):
        Report('r.txt', url_for=url_for)


def test_for_site_label():
    report = Report.for_site('r.csv', FakeSite(family='wikipedia',
                                               code='en'))
    assert report.wiki == 'wikipedia:en' and report.path == 'r.csv'
    assert callable(report.url_for)


# -- report_path -----------------------------------------------------------

@pytest.mark.parametrize('name', ['r.wiki', 'r.csv', 'r.jsonl', 'R.CSV',
                                  'with space.csv'])
def test_report_path_accepts(tmp_path, name):
    path = str(tmp_path / name)
    assert report_path(None, path) == path
    assert not os.listdir(tmp_path)  # nothing written


def test_report_path_relative_existing_and_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert report_path(None, 'r.csv') == 'r.csv'
    (tmp_path / 'old.wiki').write_text('x')
    assert report_path(None, 'old.wiki') == 'old.wiki'
    monkeypatch.setenv('HOME', str(tmp_path))
    assert report_path(None, '~/r.jsonl') == str(tmp_path / 'r.jsonl')


@pytest.mark.parametrize('name, message', [
    ('', 'needs a file name'),
    ('   ', 'needs a file name'),
    ('r.txt', r'r\.txt: must end in \.wiki, \.csv or \.jsonl'),
    ('r', 'must end in'),
    ('csv', 'must end in'),
    ('dir.csv', r'dir\.csv is a directory'),
    ('missing/r.csv', r'r\.csv: no such directory: .*missing'),
    ('file/r.csv', r'r\.csv: no such directory: .*file'),
])
def test_report_path_refuses(tmp_path, name, message):
    (tmp_path / 'dir.csv').mkdir()
    (tmp_path / 'file').write_text('')
    before = sorted(os.listdir(tmp_path))
    text = str(tmp_path / name) if name.strip() else name
    with pytest.raises(ValueError, match=message):
        report_path(None, text)
    assert sorted(os.listdir(tmp_path)) == before


def test_report_path_not_writable(tmp_path, monkeypatch):
    # root may write anywhere, so ask os.access for a refusal
    (tmp_path / 'old.csv').write_text('')
    denied = {str(tmp_path), str(tmp_path / 'old.csv')}
    real = os.access
    monkeypatch.setattr(os, 'access',
                        lambda p, mode: p not in denied and real(p, mode))
    with pytest.raises(ValueError, match=r'old\.csv is not writable'):
        report_path(None, str(tmp_path / 'old.csv'))
    directory = re.escape(str(tmp_path))
    with pytest.raises(ValueError, match=rf'cannot create .*new\.csv: '
                                         rf'directory {directory} is not'):
        report_path(None, str(tmp_path / 'new.csv'))


def test_report_option_names_the_problem(tmp_path):
    opts = [Option('report', convert=report_path)]
    path = str(tmp_path / 'r.csv')
    assert parse_options(opts, [f'-report:{path}'])[0] == {'report': path}
    with pytest.raises(UsageError, match=r'^-report: r\.txt: must end in'):
        parse_options(opts, ['-report:r.txt'])
