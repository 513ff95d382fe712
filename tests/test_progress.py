"""Status lines on a long run, driven through ``pwb`` over 250 pages.

The pages are seeded offline (``benchmarks/seeding.py``: an XML
import), under titles and a vandal account of this test's own.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from harness.multiwiki import start_wikis, stop_wikis, write_multi_config
from harness.wikitools import ApiClient, edit, pwb, revisions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent
                       / 'benchmarks'))
import seeding  # noqa: E402


# The status lines are our own, so (see .ci/run) the tests here are
# pywikibot_neutral and mediawiki_neutral, left out on the oldest
# pywikibot and on the other MediaWiki releases; but for the cross-wiki
# run: the one to read titles with pywikibot's -file: generator, and to
# make the account check (list=users) of a cross-wiki run.
pytestmark = pytest.mark.wiki

PAGES = 250
#: ``Progress: 100 [of 250 ]items[ (40%)]: 90 done, 10 skipped, 0 failed;
#: 20.0/s[; ETA 7s]``
_LINE = re.compile(
    r'^Progress: (?P<items>[\d,]+)(?: of (?P<total>[\d,]+))? items'
    r'(?: \((?P<share>\d+)%\))?: (?P<done>[\d,]+) done'
    r'(?: \([\d,]+ simulated\))?, '
    r'(?P<skipped>[\d,]+) skipped, (?P<failed>[\d,]+) failed; '
    r'(?P<rate>[\d.]+)/(?P<unit>s|min)(?:; ETA (?P<eta>(?:\d+[hms] ?)+))?$')


def _lines(out: str) -> list[dict[str, str]]:
    found = [line for line in out.splitlines()
             if line.startswith('Progress:')]
    parsed = [_LINE.match(line) for line in found]
    assert all(parsed), found
    return [{k: (v.replace(',', '') if v else v)
             for k, v in m.groupdict().items()} for m in parsed]


def _meter_seconds(line: dict[str, str]) -> tuple[float, float]:
    """When the meter printed *line*, by its own clock: (earliest, latest).

    The rate is items over seconds since the first item began, printed
    to a tenth: the seconds lie between the rate's bounds.
    """
    per = 60 if line['unit'] == 'min' else 1
    rate, items = float(line['rate']), int(line['items'])
    low, high = (rate + 0.05) / per, (rate - 0.05) / per
    return items / low, items / high if high > 0 else float('inf')


def _check_due(lines: list[dict[str, str]]) -> None:
    """Each line came 100 items after the last one, or else 10 s after it.

    Read off the meter's own clock (:func:`_meter_seconds`), so this
    holds on a machine however slow: a line fewer than 100 items after
    the one before must be one that 10 s made due.
    """
    items, since = 0, (0.0, 0.0)
    for line in lines:
        n, at = int(line['items']), _meter_seconds(line)
        assert 0 < n - items <= 100, (items, line)
        if n - items < 100:
            assert at[1] - since[0] >= 10, (items, since, line, at)
        items, since = n, at


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_status_lines_on_a_long_run(wiki, site, config_dir_for, unique,
                                    tmp_path):
    vandal = f'Many{unique.split()[0]}'
    wiki.create_user(vandal)
    seeded = seeding.seed_rollback(
        wiki, tmp_path, 0, PAGES, prefix=f'{unique} p', vandal=vandal,
        revisions=seeding.ROLLBACK_REVISIONS[:2])
    # a -file: list: the total is known; every 25th title names no page
    # (an expected skip, "missing")
    titles: list[str] = []
    missing: list[str] = []
    for i, title in enumerate(seeded['titles']):
        if i % 25 == 0:
            missing.append(f'{unique} missing {i}')
            titles.append(missing[-1])
        titles.append(title)
    total = len(titles)
    listing = tmp_path / 'pages.txt'
    listing.write_text('\n'.join(titles) + '\n', encoding='utf-8')

    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{vandal}', '-always', f'-file:{listing}')
    assert code == 0, out[-3000:]
    assert (f'Summary: {PAGES} done, {len(missing)} skipped '
            f'({len(missing)} missing), 0 failed') in out, out[-3000:]
    assert 'API error' not in out

    # a line every 100 items, or 10 s, whichever first: on a slow
    # machine a 10 s line comes between
    lines = _lines(out)
    items = [int(line['items']) for line in lines]
    assert len(items) >= 2, items
    _check_due(lines)
    assert items[-1] > total - 100, items
    for line in lines:
        n = int(line['items'])
        skipped = sum(t in missing for t in titles[:n])
        assert {k: int(line[k]) for k in ('done', 'skipped', 'failed')} \
            == {'done': n - skipped, 'skipped': skipped, 'failed': 0}, line
        assert float(line['rate']) > 0
        assert int(line['total']) == total
        assert int(line['share']) == 100 * n // total
        assert line['eta'], line
    # each a line of its own: the next line is the next page's
    first = f'Progress: {lines[0]["items"]} of '
    after = out.split(first, 1)[1].splitlines()[1]
    assert re.match(rf'\[{int(lines[0]["items"]) + 1}\] {re.escape(unique)} ',
                    after), after

    for title in (seeded['titles'][0], seeded['titles'][-1]):
        top = revisions(site, title)[0]
        assert top['user'] == 'Admin' and 'mw-rollback' in top['tags']


@pytest.mark.mediawiki_neutral
@pytest.mark.pywikibot_neutral
def test_short_simulate_run_prints_no_status_line(wiki, site, site_for,
                                                  config_dir_for, unique,
                                                  fresh_user):
    name, vandal = fresh_user('Vandal')
    titles = [f'{unique} p{i}' for i in range(3)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vandal, title, 'bad')
    tops = {t: revisions(site, t)[0]['revid'] for t in titles}
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{name}', '-simulate')
    assert code == 0, out
    assert out.count('would roll back edits by') == 3, out
    # quiet for its first 10 s by the meter's clock: a line could come
    # only after them, were the machine that slow
    assert all(_meter_seconds(line)[1] >= 10 for line in _lines(out)), out
    assert {t: revisions(site, t)[0]['revid'] for t in titles} == tops


def test_cross_wiki_run_one_line_per_wiki(wiki, session_dir, tmp_path,
                                          unique):
    """Each wiki's run prints its own lines, prefixed, whole, not twice.

    110 titles no wiki has: each is an expected skip ("missing"), a
    request each, on each wiki.
    """
    wikis = start_wikis(wiki, session_dir / 'progress-crosswiki',
                        ('xwa', 'xwb'))
    try:
        cfg = write_multi_config(tmp_path / 'pwb', wikis,
                                 {f: 'Admin' for f in wikis}, default=wiki)
        titles = [f'{unique} gone {i}' for i in range(110)]
        listing = tmp_path / 'pages.txt'
        listing.write_text('\n'.join(titles) + '\n', encoding='utf-8')
        code, out = pwb(wiki, cfg, 'rollback', '-user:Vandal',
                        '-sites:xwa:xwa,xwb:xwb', '-always',
                        f'-file:{listing}')
        assert code == 0, out[-3000:]
        assert 'API error' not in out
        for family in wikis:
            prefix = f'[{family}:{family}] '
            lines = [line[len(prefix):] for line in out.splitlines()
                     if line.startswith(prefix + 'Progress:')]
            parsed = _lines('\n'.join(lines))
            assert parsed, out[-3000:]
            for line in parsed:
                n = int(line['items'])
                assert (line['total'], line['done'], line['skipped'],
                        line['failed']) == ('110', '0', str(n), '0'), line
            _check_due(parsed)
            assert int(parsed[-1]['items']) > 10, parsed
        # only the children print status lines
        assert not re.search(r'^Progress:', out, re.M)
        for w in wikis.values():
            nobody = ApiClient(w.api_url, 'Nobody', w.users['Nobody'])
            data = nobody.get(action='query', titles='|'.join(titles[:50]))
            assert all('missing' in p for p in data['query']['pages'])
    finally:
        stop_wikis(wikis)
