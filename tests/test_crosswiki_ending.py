"""A cross-wiki run always ends: its summary, exit status and report.

A wiki's run writes its report rows to a part file of its own; the
cross-wiki run merges the parts into the one report at its end. A wiki
whose server goes away in the middle of a write stops alone: the
summary, the exit status and every row come out all the same, in the
order of the wikis given. (A torn part row, left by a process killed
while it wrote, is left out with a warning: ``test_unit_crosswiki``.)
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from harness.multiwiki import FAMILIES
from harness.wikitools import spawn_pwb
from pywikibot_revert.bot._journal import Journal
import test_crosswiki
from test_crosswiki import (
    ALL,
    TITLES,
    behind_proxy,
    client,
    latest_users,
    spam,
    summary_rows,
)

# the three wikis of test_crosswiki, started once for this module too
xwikis, wikis = test_crosswiki.xwikis, test_crosswiki.wikis

# The merge of the wikis' report parts is our own, each wiki's part a
# single-wiki run: pywikibot_neutral and mediawiki_neutral, left out on
# the oldest pywikibot and on the other MediaWiki releases (.ci/run).
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral,
              pytest.mark.mediawiki_neutral]


def last_records(path: Path) -> dict[str, str]:
    """Return the type of the last record of each write in a journal."""
    return {r['key']: r['type'] for r in Journal.read(path) if r.get('key')}


def test_a_wiki_gone_keeps_the_summary_and_every_row(
        wiki: Any, wikis: dict[str, Any], tmp_path: Path) -> None:
    spam(wikis, TITLES)
    # on every wiki someone fixed the first page: a row each to review
    for w in wikis.values():
        client(w, 'Editor').edit(TITLES[0], 'Fixed by hand.')
    report = tmp_path / 'review.csv'
    # a directory of journals others could write: tightened, and said
    journals = tmp_path / 'j'
    journals.mkdir()
    journals.chmod(0o775)
    with behind_proxy(wiki, wikis, tmp_path, 'xwa') as (cfg, proxy):
        # xwa's second rollback (the first is refused: fixed by hand)
        # waits, not sent
        proxy.add_fault('hold_before_forward', action='rollback', skip=1)
        proc = spawn_pwb(wiki, cfg, [
            'rollback', '-user:Vandal', f'-sites:{ALL}', '-always',
            f'-journal:{journals}', f'-report:{report}', '-workers:3',
            *[f'-page:{t}' for t in TITLES]])
        assert proxy.wait_held(timeout=120) is not None
        [parts] = tmp_path.glob('.review.csv.*')
        part = parts / 'xwa-xwa.jsonl'
        assert len(part.read_text().splitlines()) == 1  # the skip's row
        # xwa's server goes away with the write not sent
        wikis['xwa'].stop()
        proxy.abandon()
        out = proc.communicate(timeout=300)[0]
        wikis['xwa'].start()

    # the summary and the exit status, as for any wiki that stopped
    assert 'Cross-wiki summary:' in out, out
    rows = summary_rows(out)
    assert rows['xwa:xwa'][3].startswith('stopped'), out
    # in the order given, whatever the order in which the wikis ended
    assert list(rows) == ['xwa:xwa', 'xwb:xwb', 'xwc:xwc', 'total'], out
    assert rows['xwb:xwb'][:3] == rows['xwc:xwc'][:3] == ['2', '1', '0']
    assert proc.returncode == 1, out
    assert (f'-journal: {journals}: permissions 0775 were wider than '
            '0700, tightened to 0700') in out, out
    assert journals.stat().st_mode & 0o777 == 0o700
    # the report: every whole row, each wiki's, and the parts cleaned up
    with report.open(encoding='utf-8') as fh:
        got = [(r['wiki'], r['title'], r['outcome']) for r
               in csv.DictReader(fh)]
    assert got == [(f'{f}:{f}', TITLES[0], 'skipped') for f in FAMILIES]
    assert not parts.exists()
    # the wikis and the journals: xwa's held write never landed
    assert latest_users(wikis['xwa'], TITLES) == ['Editor', 'Vandal',
                                                  'Vandal']
    # (its outcome unknown to the run: the server went away)
    assert last_records(journals / 'xwa-xwa.jsonl') == {
        'rollback|Spam one|Vandal': 'skipped',
        'rollback|Spam two|Vandal': 'uncertain'}
    for name in ('xwb', 'xwc'):
        assert latest_users(wikis[name], TITLES) == ['Editor', 'Admin',
                                                     'Admin']
        assert last_records(journals / f'{name}-{name}.jsonl') == {
            'rollback|Spam one|Vandal': 'skipped',
            'rollback|Spam two|Vandal': 'done',
            'rollback|Spam three|Vandal': 'done'}, name
