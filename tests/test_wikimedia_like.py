"""Runs on a Wikimedia-like wiki: AbuseFilter, blacklists, a captcha.

The wiki is a clone of the session's with the anti-abuse extensions of
every Wikimedia wiki on (:mod:`harness.wikimedia`), made once for the
module and restored before each test. Each refusal ends in a typed
error, a printed line, a report row and the journal's record, and the
run goes on (a filter judges one edit) or stops (a captcha asks for a
person every time); nothing is resent, nothing bypassed. The wiki's
state is read back through its API.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.wikimedia import (
    CAPTCHA_USER, CLEANER, DISALLOW, SNAPSHOT, WARN, blacklist,
    make_wikimedia_like,
)
from harness.wikitools import ApiClient, journal_states, pwb


pytestmark = pytest.mark.wiki

BASE = 'Intro line.\n\nMiddle paragraph.\n\nLast paragraph.'


@pytest.fixture(scope='module')
def wm_wiki(wiki: Any, session_dir: Path) -> Any:
    """The Wikimedia-like wiki, made and started once for the module."""
    made = make_wikimedia_like(wiki, session_dir / 'wikimedia')
    made.start()
    yield made
    made.stop()


@pytest.fixture
def wm(wm_wiki: Any) -> Any:
    """The Wikimedia-like wiki as made: filters on, blacklists empty."""
    wm_wiki.restore(SNAPSHOT)
    return wm_wiki


@pytest.fixture(scope='module')
def cfg(wm_wiki: Any, session_dir: Path) -> Any:
    """Factory: a ``pwb`` configuration for the wiki, one per user."""
    made: dict[str, Path] = {}

    def make(user: str) -> Path:
        if user not in made:
            made[user] = wm_wiki.write_pywikibot_config(
                session_dir / 'wikimedia-pwb' / user, user)
        return made[user]

    return make


def client(wm: Any, user: str) -> ApiClient:
    return ApiClient(wm.api_url, user, wm.users[user])


def history(wm: Any, title: str) -> list[dict[str, Any]]:
    """The revisions of *title*, newest first: revid, user, text."""
    page = client(wm, 'Nobody').get(
        action='query', prop='revisions', titles=title, rvlimit='max',
        rvprop='ids|user|tags|content', rvslots='main')['query']['pages'][0]
    return [{'revid': r['revid'], 'user': r['user'], 'tags': r['tags'],
             'text': r['slots']['main']['content']}
            for r in page.get('revisions', [])]


def filter_hits(wm: Any, title: str) -> list[str]:
    """The AbuseFilter log of *title*: the filter id of each hit."""
    log = client(wm, 'Admin').get(action='query', list='abuselog',
                                  afltitle=title, afllimit='max',
                                  aflprop='filter|ids')['query']['abuselog']
    return sorted(str(hit['filter_id']) for hit in log)


def report_rows(path: Path) -> dict[str, tuple[str, str]]:
    """A ``.jsonl`` report: title -> (outcome, reason)."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return {r['title']: (r['outcome'], r['reason']) for r in rows}


def bury(wm: Any, title: str, vandal_text: str) -> list[int]:
    """Editor writes *title*, Vandal saves *vandal_text*, Editor edits on.

    Editor's later edit is in the last paragraph, so the undo of
    Vandal's edit merges. :return: the three revision ids
    """
    editor, vandal = client(wm, 'Editor'), client(wm, 'Vandal')
    ids = [editor.edit(title, BASE), vandal.edit(title, vandal_text)]
    later = vandal_text.rsplit('\n\n', 1)[0] + '\n\nLast, improved.'
    ids.append(editor.edit(title, later))
    return ids


def test_buried_undo_refused_by_abuse_filters_run_goes_on(wm, cfg,
                                                          tmp_path):
    """A filter that disallows, one that warns: failed, never resent.

    The undo of Vandal's buried edit brings back the line Vandal
    removed; on two pages that line holds what a filter stops. The
    third page is cleaned: the run goes on after each refusal.
    """
    pages = {'AF disallowed': DISALLOW, 'AF warned': WARN, 'AF clean': ''}
    seeded = {}
    for title, marker in pages.items():
        # Vandal replaces the first line (holding the marker) with spam
        editor = client(wm, 'Editor')
        first = editor.edit(title, f'Intro line {marker}.\n\n' + BASE)
        spam = client(wm, 'Vandal').edit(
            title, 'Intro [http://spam.example/buy buy].\n\n' + BASE)
        later = editor.edit(title, 'Intro [http://spam.example/buy buy].'
                            '\n\n' + BASE.replace('Last', 'Final'))
        seeded[title] = (first, spam, later)
    journal, report = tmp_path / 'j.jsonl', tmp_path / 'r.jsonl'

    code, out = pwb(wm, cfg('Admin'), 'rollback', '-user:Vandal', '-buried',
                    '-always', f'-journal:{journal}', f'-report:{report}')

    assert code == 1, out
    # refused pages: untouched, and each edit was sent once (one hit)
    assert history(wm, 'AF disallowed')[0]['revid'] == seeded[
        'AF disallowed'][2]
    assert history(wm, 'AF warned')[0]['revid'] == seeded['AF warned'][2]
    assert filter_hits(wm, 'AF disallowed') == ['1']
    assert filter_hits(wm, 'AF warned') == ['2']
    # the clean page: Vandal's edit undone under Editor's later one
    top = history(wm, 'AF clean')[0]
    assert top['user'] == 'Admin' and 'spam.example' not in top['text']
    assert 'Final paragraph.' in top['text']
    assert 'AF disallowed: abusefilter-disallowed' in out, out
    assert 'AF warned: abusefilter-warning' in out, out
    assert report_rows(report) == {
        'AF disallowed': ('failed', 'abuse filter'),
        'AF warned': ('failed', 'abuse filter warning')}
    states = {key.split(':', 1)[-1]: state
              for key, state in journal_states(journal).items()}
    assert sorted(states.values()) == ['done', 'failed', 'failed'], states
