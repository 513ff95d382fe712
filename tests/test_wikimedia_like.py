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
import os
from pathlib import Path
from typing import Any

import pytest

from harness.wikimedia import (
    CAPTCHA_USER, CLEANER, DISALLOW, SNAPSHOT, WARN, blacklist,
    bundled_extensions, make_wikimedia_like,
)
from harness.faultproxy import FaultProxy
from harness.wikitools import (
    ApiClient, journal_states, proxied_config_dir, pwb, while_held,
)
from pywikibot_revert.bot._journal import Journal


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# the anti-abuse extensions' refusals: a wiki's behaviour.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]

#: the extensions of the MediaWiki under test (1.35 has no AbuseFilter)
BUNDLED = bundled_extensions(
    Path(os.environ['PWBREVERT_MW_CHROOT']).resolve()
    if os.environ.get('PWBREVERT_MW_CHROOT') else None)

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


def test_undo_of_a_cleanup_refused_by_blacklist_and_abuse_filter(
        wm, cfg, tmp_path):
    """``-undo`` would bring back what the wiki now refuses: it fails.

    A rollback removed three spam edits; since then the spam domain was
    blacklisted, and an AbuseFilter filter stops the other page's text.
    The undo of the third goes through: the run goes on.
    """
    vandal_texts = {
        'Undo blacklisted': 'Good. [http://spam.example/buy Buy now]',
        'Undo filtered': f'Good. {DISALLOW} [http://other.example/ x]',
        'Undo allowed': 'Good. [http://other.example/y Cheap]',
    }
    refused = {'Undo blacklisted': ('failed', 'blacklisted link'),
               'Undo filtered': ('failed', 'abuse filter')}
    if 'AbuseFilter' not in BUNDLED:  # 1.35
        del vandal_texts['Undo filtered'], refused['Undo filtered']
    for title, text in vandal_texts.items():
        client(wm, 'Editor').edit(title, 'Good.')
        client(wm, 'Vandal').edit(title, text)
    journal = tmp_path / 'j.jsonl'
    code, out = pwb(wm, cfg('Admin'), 'rollback', '-user:Vandal',
                    '-always', f'-journal:{journal}')
    assert code == 0, out
    rolled = {t: history(wm, t)[0]['revid'] for t in vandal_texts}
    blacklist(wm, 'Spam-blacklist', r'spam\.example')
    report = tmp_path / 'r.jsonl'

    code, out = pwb(wm, cfg('Admin'), 'rollback', f'-undo:{journal}',
                    '-always', f'-report:{report}')

    assert code == 1, out
    for title in refused:
        assert history(wm, title)[0]['revid'] == rolled[title], title
    assert history(wm, 'Undo allowed')[0]['text'] == vandal_texts[
        'Undo allowed']
    assert 'Undo blacklisted: spamblacklist' in out, out
    if 'Undo filtered' in refused:
        assert filter_hits(wm, 'Undo filtered') == ['1']
        assert 'Undo filtered: abusefilter-disallowed' in out, out
    assert report_rows(report) == refused
    undone = [r for r in Journal.read(journal) if r['type'] in (
        'done', 'failed') and r.get('action') != 'rollback']
    assert sorted((r['title'], r['type']) for r in undone) == sorted(
        [('Undo allowed', 'done')] + [(t, 'failed') for t in refused]
    ), undone


def test_captcha_stops_the_run_nothing_resent(wm, cfg, tmp_path):
    """An account without ``skipcaptcha`` is asked: the run stops there."""
    ids = {title: bury(wm, title, 'Intro [http://spam.example/c x].\n\n'
                       'Middle paragraph.\n\nLast paragraph.')
           for title in ('Captcha one', 'Captcha two')}
    journal, report = tmp_path / 'j.jsonl', tmp_path / 'r.jsonl'

    code, out = pwb(wm, cfg(CAPTCHA_USER), 'rollback', '-user:Vandal',
                    '-buried', '-always', f'-journal:{journal}',
                    f'-report:{report}')

    assert code == 1, out
    for title, revs in ids.items():  # nothing saved, on either page
        assert history(wm, title)[0]['revid'] == revs[-1], title
    assert 'captcha' in out, out
    rows = report_rows(report)
    assert list(rows.values()) == [('stopped', 'captcha')], rows
    # the page asked about is failed in the journal, the other not tried
    states = journal_states(journal)
    assert list(states.values()) == ['failed'], states


def test_title_blacklist_refuses_undelete_and_edits_but_tboverride(
        wm, cfg, tmp_path):
    """A title blacklisted since its deletion: refused, unless tboverride.

    MediaWiki checks that the account could edit the title before it
    undeletes (``undelete-cantedit``; ``permdenied-undelete`` in 1.35),
    so TitleBlacklist refuses the undeletion too; a sysop
    (``tboverride``) undeletes it. A later edit there (a ``-buried``
    undo) is refused as ``titleblacklist-forbidden`` for the account
    without the right, and done by the sysop.
    """
    title = 'Forbidden page'
    revs = bury(wm, title, 'Intro [http://spam.example/t x].\n\n'
                'Middle paragraph.\n\nLast paragraph.')
    admin = client(wm, 'Admin')
    token = admin.get(action='query', meta='tokens')['query']['tokens'][
        'csrftoken']
    admin.post(action='delete', title=title, token=token)
    # <noedit>: existing pages too, not only their creation
    blacklist(wm, 'Titleblacklist', 'Forbidden.* <noedit>')
    journal, report = tmp_path / 'u.jsonl', tmp_path / 'u-report.jsonl'

    code, out = pwb(wm, cfg(CLEANER), 'undelete', f'-page:{title}',
                    '-always', f'-journal:{journal}', f'-report:{report}')
    assert code == 1, out
    assert history(wm, title) == []
    refusal = 'permdenied-undelete' if wm.mw_version < (1, 39) \
        else 'undelete-cantedit'
    assert f'{title}: {refusal}' in out, out
    assert report_rows(report) == {title: ('failed',
                                           'may not edit this title')}
    assert list(journal_states(journal).values()) == ['failed']

    code, out = pwb(wm, cfg('Admin'), 'undelete', f'-page:{title}',
                    '-always')
    assert code == 0, out
    assert [r['revid'] for r in history(wm, title)] == revs[::-1]

    journal, report = tmp_path / 'b.jsonl', tmp_path / 'b-report.jsonl'
    code, out = pwb(wm, cfg(CLEANER), 'rollback', '-user:Vandal', '-buried',
                    '-always', f'-page:{title}', f'-report:{report}',
                    f'-journal:{journal}')
    assert code == 1, out
    assert history(wm, title)[0]['revid'] == revs[-1]
    assert f'{title}: titleblacklist-forbidden' in out, out
    assert report_rows(report) == {title: ('failed', 'blacklisted title')}
    assert list(journal_states(journal).values()) == ['failed']

    code, out = pwb(wm, cfg('Admin'), 'rollback', '-user:Vandal', '-buried',
                    '-always', f'-page:{title}')
    assert code == 0, out
    top = history(wm, title)[0]
    assert top['user'] == 'Admin' and 'spam.example' not in top['text']


def test_rollback_restores_a_blacklisted_link_and_reports_it(
        wm, wiki, cfg, config_dir_for, proxied_config, tmp_path, unique):
    """SpamBlacklist does not check rollbacks: the run says where it let one.

    Vandal removed a reference whose domain has been blacklisted since;
    the rollback brings it back (MediaWiki lets it), and the run prints
    a line and a report row for it, asking the blacklist once for all
    the pages' links. An undeletion is not filtered either. The plain
    session wiki, without SpamBlacklist, is never asked.
    """
    good = {'Ref blacklisted since': 'Fact.<ref>[http://spam.example/r '
                                     'A source]</ref>',
            'Ref still fine': 'Fact.<ref>[http://ok.example/r ok]</ref>'}
    for title, text in good.items():
        client(wm, 'Editor').edit(title, text)
        client(wm, 'Vandal').edit(title, 'Fact.')
    deleted = 'Deleted with the link'
    deleted_text = f'Fact.<ref>[http://spam.example/d x]</ref> {DISALLOW}'
    revid = client(wm, 'Editor').edit(deleted, deleted_text)
    admin = client(wm, 'Admin')
    admin.post(action='delete', title=deleted, token=admin.get(
        action='query', meta='tokens')['query']['tokens']['csrftoken'])
    blacklist(wm, 'Spam-blacklist', r'spam\.example')
    journal, report = tmp_path / 'j.jsonl', tmp_path / 'r.jsonl'

    with FaultProxy(wm.port) as proxy:
        code, out = pwb(wm, proxied_config_dir(wm, config_dir_for, proxy.url,
                                               unique),
                        'rollback', '-user:Vandal', '-always',
                        f'-journal:{journal}', f'-report:{report}')

    assert code == 0, out
    for title, text in good.items():  # both rolled back, the link too
        top = history(wm, title)[0]
        assert top['text'] == text and 'mw-rollback' in top['tags'], title
    assert 'Ref blacklisted since: after the rollback the page links ' \
        'where the spam blacklist forbids' in out, out
    assert 'http://spam.example/r' in out
    assert report_rows(report) == {
        'Ref blacklisted since': ('blacklisted link', 'blacklisted link')}
    assert sorted(journal_states(journal).values()) == ['done', 'done']
    # one question for the links of both pages
    asked = proxy.requests_for('spamblacklist')
    assert len(asked) == 1, asked
    assert set(asked[0].params['url'].split('|')) == {
        'http://spam.example/r', 'http://ok.example/r'}

    # nor are undeletions filtered: the deleted page with the link and
    # a text a filter stops comes back
    code, out = pwb(wm, cfg('Admin'), 'undelete', f'-page:{deleted}',
                    '-always', f'-journal:{tmp_path / "u.jsonl"}')
    assert code == 0, out
    assert [(r['revid'], r['text']) for r in history(wm, deleted)] == [
        (revid, deleted_text)]
    assert list(journal_states(tmp_path / 'u.jsonl').values()) == ['done']

    # the plain wiki: no extlinks read, no blacklist asked
    cfg, plain = proxied_config
    title = f'{unique} plain'
    ApiClient(wiki.api_url, 'Editor', wiki.users['Editor']).edit(
        title, 'Fact.<ref>[http://spam.example/r x]</ref>')
    ApiClient(wiki.api_url, 'Vandal', wiki.users['Vandal']).edit(title, 'F.')
    code, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-always',
                    f'-page:{title}')
    assert code == 0, out
    assert 'spam.example' in history(wiki, title)[0]['text']
    assert plain.requests_for('spamblacklist') == []
    assert not [r for r in plain.requests
                if 'extlinks' in r.params.get('prop', '')]


def test_put_back_refused_by_abuse_filter_is_left_for_a_person(
        wm, config_dir_for, tmp_path, unique):
    """A put-back after a merge is an edit too: a filter may refuse it.

    The ``-buried`` undo is held in the proxy while Editor edits
    another line; MediaWiki merges the undo onto Editor's revision, and
    the put-back, which would bring Vandal's line back, is disallowed.
    Nothing forces it: the page is a conflict to check by hand.
    """
    title = 'Put back filtered'
    editor = client(wm, 'Editor')
    editor.edit(title, BASE)
    spammed = BASE.replace('Middle paragraph.',
                           f'Middle paragraph. {DISALLOW} '
                           '[http://spam.example/p buy]')
    client(wm, 'Vandal').edit(title, spammed)
    later = spammed.replace('Last paragraph.', 'Last, improved.')
    editor.edit(title, later)
    report, journal = tmp_path / 'r.jsonl', tmp_path / 'j.jsonl'
    late = {}

    def other_client_edits():
        late['revid'] = editor.edit(title, later.replace('Intro line.',
                                                         'Intro!'))

    with FaultProxy(wm.port) as proxy:
        proxy.add_fault('hold_before_forward', action='edit')
        thread = while_held(proxy, other_client_edits)
        code, out = pwb(wm, proxied_config_dir(wm, config_dir_for,
                                               proxy.url, unique),
                        'rollback', '-user:Vandal', '-buried', '-always',
                        f'-report:{report}', f'-journal:{journal}')
        thread.join(10)

    assert code == 1, out
    revs = history(wm, title)
    # the merged undo stays (Vandal's line gone), on top of the late edit
    assert revs[0]['user'] == 'Admin' and revs[1]['revid'] == late['revid']
    assert DISALLOW not in revs[0]['text'] and 'Intro!' in revs[0]['text']
    assert filter_hits(wm, title) == ['1']  # the put-back, sent once
    assert 'abusefilter-disallowed' in out and 'check the page by hand' \
        in out, out
    assert report_rows(report) == {title: ('conflict', 'edit conflict')}
    assert list(journal_states(journal).values()) == ['failed']


if 'AbuseFilter' not in BUNDLED:
    # MediaWiki 1.35 (Debian bullseye) comes without AbuseFilter: the
    # test is not collected there (1.39 and 1.43 run it)
    del test_buried_undo_refused_by_abuse_filters_run_goes_on
    del test_put_back_refused_by_abuse_filter_is_left_for_a_person
