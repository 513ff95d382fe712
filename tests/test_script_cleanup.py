"""``pwb cleanup`` driven as an operator would, checked on the wiki.

One spambot incident (tests/harness/incident.py) is seeded for the
module and cleaned up by ``Admin``: ``-simulate`` first, then the run,
then ``-undo``. The module fixture does the three runs and keeps what
each left (the outputs, the wiki's state, its logs, the journal and the
report), and each test checks one part of it, so no test depends on
another's order. The races, the kills, the rights and bad input get
small fixtures of their own.
"""
from __future__ import annotations

import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pywikibot_revert.bot._report import ReportRow
from harness.faultproxy import Request
from harness.incident import (
    SPAM,
    all_titles,
    cleanup_problems,
    move,
    page_info,
    seed_incident,
    seed_problems,
    snapshot_differences,
)
from harness.wikitools import (
    Conversation,
    deleted_count,
    edit,
    exists,
    journal_states,
    new_user,
    posts,
    pwb,
    revisions,
    signal_pwb,
    while_held,
    wiki_changes,
    wiki_state,
)


pytestmark = pytest.mark.wiki

#: the counts of the plan line, by the words that follow each count
_PLAN_KINDS = {'rollback': r'rollback\(s\)', 'undo': r'undo\(s\)',
               'delete': r'deletion\(s\)', 'filerevert': r'file revert\(s\)',
               'move': r'move\(s\) back', 'review': r'for review'}


def plan_counts(out: str) -> dict[str, int]:
    """The counts of the ``Plan on ...`` line; a kind not named is 0."""
    lines = [line for line in out.splitlines() if line.startswith('Plan on')]
    assert len(lines) == 1, out
    counts = {}
    for kind, words in _PLAN_KINDS.items():
        found = re.search(rf'(\d+) {words}', lines[0])
        counts[kind] = int(found[1]) if found else 0
    return counts


def report_rows(path: Path) -> list[ReportRow]:
    """The rows of a ``.jsonl`` report (none if it was not written)."""
    return list(ReportRow.read_jsonl(str(path))) if path.exists() else []


def rows_naming(rows: list[ReportRow], title: str,
                reason: str) -> list[ReportRow]:
    """The rows with *reason* that name *title* (as the page or in detail)."""
    return [r for r in rows if r.reason == reason
            and (r.title == title or title in r.detail)]


def log_since(site: Any, logid: int) -> list[tuple[str, str, str]]:
    """The log entries after *logid*: (type/action, title, user, target)."""
    data = site.simple_request(
        action='query', list='logevents', lelimit='max',
        leprop='ids|type|title|user|details', formatversion=2).submit()
    return [(f'{e["type"]}/{e["action"]}', e['title'], e['user'],
             e.get('params', {}).get('target_title', ''))
            for e in reversed(data['query']['logevents'])
            if e['logid'] > logid]


def last_logid(site: Any) -> int:
    """The newest log entry's id."""
    data = site.simple_request(action='query', list='logevents', lelimit=1,
                               leprop='ids', formatversion=2).submit()
    events = data['query']['logevents']
    return events[0]['logid'] if events else 0


# -- the whole incident: -simulate, the run, -undo ---------------------


@pytest.fixture(scope='module')
def whole(wiki, site, site_for, config_dir, config_dir_for,
          tmp_path_factory) -> dict[str, Any]:
    """The module's incident after each of the three runs by Admin.

    :return: ``inc`` (:func:`seed_incident`), ``seed_problems``,
        ``seeded`` (its snapshot), ``simulate``/``run``/``undo`` (each
        the exit status and output), ``simulated`` (the wiki's changes
        during ``-simulate``), ``problems`` (:func:`cleanup_problems`
        after the run), ``log`` (the log entries of the run), ``rows``
        (the report), ``journal`` (its states after the run),
        ``undone`` (the snapshot's differences after ``-undo``)
    """
    tmp = tmp_path_factory.mktemp('cleanup')
    inc = seed_incident(site_for, wiki, config_dir, 'CU1 whole incident',
                        tmp)
    cfg = config_dir_for('Admin')
    out: dict[str, Any] = {'inc': inc,
                           'seed_problems': seed_problems(site, inc),
                           'seeded': inc['snapshot'](site)}
    titles = all_titles(inc)
    before = wiki_state(site, *titles)
    out['simulate'] = pwb(wiki, cfg, 'cleanup', f'-user:{inc["user"]}',
                          '-simulate')
    out['simulated'] = (wiki_state(site, *titles) == before,
                        wiki_changes(site, before))
    journal, report = tmp / 'cleanup.jsonl', tmp / 'cleanup-report.jsonl'
    logid = last_logid(site)
    out['run'] = pwb(wiki, cfg, 'cleanup', f'-user:{inc["user"]}',
                     '-always', f'-journal:{journal}', f'-report:{report}')
    out['problems'] = cleanup_problems(site, inc)
    out['log'] = log_since(site, logid)
    out['rows'] = report_rows(report)
    out['journal'] = journal_states(journal) if journal.exists() else {}
    out['undo'] = pwb(wiki, cfg, 'cleanup', f'-undo:{journal}', '-always')
    out['undone'] = snapshot_differences(out['seeded'],
                                         inc['snapshot'](site))
    return out


def test_the_seed_is_as_meant(whole):
    """The incident is what the other tests take it for."""
    assert whole['seed_problems'] == []


def test_simulate_writes_nothing(whole):
    code, out = whole['simulate']
    same, changes = whole['simulated']
    assert code == 0, out
    assert same and changes == [], changes
    assert 'Summary:' in out


def test_plan_counts_per_kind(whole):
    """The plan line, as -simulate and the run print it before writing.

    Two pages to roll back, one buried edit to undo, one file to revert;
    five moves back, one per move log entry (C->B, B->A, and the guide,
    its talk page and subpage); three deletions (the talk page goes
    with its page, the file is one); for review the improved page and
    the move whose old title is taken. The redirect the spambot's move
    left at that title is no creation of its own (the spec: "the
    redirects the user's moves left at old titles are not creations"),
    so it is not listed a second time as "created, edited by others".
    """
    out = whole['simulate'][1]
    assert plan_counts(out) == {'rollback': 2, 'undo': 1, 'delete': 3,
                                'filerevert': 1, 'move': 5,
                                'review': 2}, out
    # the real run planned the same
    assert plan_counts(whole['run'][1]) == plan_counts(out)


def test_cleans_up_the_whole_incident(whole):
    code, out = whole['run']
    assert code == 0, out
    assert whole['problems'] == [], out
    assert 'Summary:' in out


def test_log_of_the_run(whole):
    """Exactly the deletions and moves back, each once, by Admin."""
    inc = whole['inc']
    log = whole['log']
    assert {user for _, _, user, _ in log} == {'Admin'}, log
    deletions = sorted(title for kind, title, _, _ in log
                       if kind == 'delete/delete')
    assert deletions == sorted([*inc['created'], inc['created_talk'],
                                inc['file_new']]), log
    moves = [(title, target) for kind, title, _, target in log
             if kind.startswith('move/')]
    a, b, c = inc['chain']
    expected = [(c, b), (b, a)] + [tuple(reversed(inc[role])) for role in
                                   ('moved', 'moved_talk', 'moved_sub')]
    assert sorted(moves) == sorted(expected), log
    # newest first: C->B before B->A
    assert moves.index((c, b)) < moves.index((b, a)), log
    # the file revert is an upload (overwrite) of the old version
    assert [title for kind, title, _, _ in log
            if kind == 'upload/overwrite'] == [inc['file_overwritten']], log


def test_report_names_what_was_left(whole):
    inc = whole['inc']
    rows = whole['rows']
    assert rows_naming(rows, inc['improved'], 'created, edited by others'), \
        rows
    assert rows_naming(rows, inc['taken'][0], 'old title taken'), rows
    # report rows are for review: nothing failed
    assert not [r for r in rows if r.outcome in ('failed', 'conflict')], \
        rows


def test_journal_of_the_run(whole):
    inc = whole['inc']
    states = whole['journal']
    assert states, 'no journal'
    assert 'intent' not in states.values(), states
    a, b, c = inc['chain']
    old, new = inc['moved']
    user = inc['user']
    for key in (*[f'rollback|{t}|{user}' for t in inc['top']],
                *[f'delete|{t}' for t in (*inc['created'], inc['file_new'])],
                f'move|{c}|{b}', f'move|{b}|{a}', f'move|{new}|{old}'):
        assert states.get(key) == 'done', (key, states)
    for kind, title in (('buried', inc['buried']),
                        ('filerevert', inc['file_overwritten'])):
        keys = [k for k in states if k.startswith(f'{kind}|{title}|')
                or k == f'{kind}|{title}']
        assert [states[k] for k in keys] == ['done'], (kind, states)
    taken = f'move|{inc["taken"][1]}|{inc["taken"][0]}'
    assert states.get(taken) != 'done', states
    # nothing written to what was to be left alone
    for title in (inc['improved'], inc['taken'][0]):
        assert not [k for k, s in states.items()
                    if s == 'done' and k.split('|')[1] == title], states


def test_undo_puts_the_incident_back(whole):
    """-undo puts back what the snapshot before the cleanup holds.

    Pages deleted come back with the same revisions and page ids, the
    pages moved back go again to where the spambot had put them, edits
    and the file revert are undone. The redirects the spambot's moves
    left at the old titles were there before the cleanup (the moves
    back went over them): a faithful undo leaves them again, as a move
    without ``noredirect`` does, so links to the old titles still lead
    to the pages.
    """
    code, out = whole['undo']
    assert code == 0, out
    assert whole['undone'] == [], out


# -- races -------------------------------------------------------------


def test_page_edited_while_asked_is_not_deleted(wiki, site, site_for,
                                                fresh_user, config_dir_for,
                                                unique, tmp_path):
    """Editor writes on the page while the operator is asked about it.

    The deletion reads the page's latest revision right before the
    delete (after the answer) and leaves a page whose latest revision
    is not the one planned: nothing was written, so it is a skip with a
    report row (as a file changed since it was read), not a failure.
    """
    name, spambot = fresh_user('Spambot')
    raced, plain = f'{unique} raced', f'{unique} plain'
    for title in (raced, plain):
        edit(spambot, title, f'{title} {SPAM}')
    report = tmp_path / 'r.jsonl'
    talk = Conversation(wiki, config_dir_for('Admin'), [
        'cleanup', f'-user:{name}', f'-report:{report}'])
    talk.wait_for('Act on')
    talk.answer('y')
    edited = {}
    for count in (1, 2):
        talk.wait_for('Delete ', count=count)
        talk.wait_for('[y]es', count=count + 1)  # the question is whole
        asked = talk.text.rsplit('Delete ', 1)[1]
        if asked.startswith(f'{raced}?'):
            edited['revid'] = edit(site_for('Editor'), raced,
                                   'rescued by an editor')
        talk.answer('y')
    code, out = talk.finish()
    assert edited, out
    assert revisions(site, raced)[0]['revid'] == edited['revid']
    assert deleted_count(site, raced) == 0
    assert not exists(site, plain) and deleted_count(site, plain) == 1
    rows = report_rows(report)
    assert [(r.outcome, r.reason) for r in rows if r.title == raced] == \
        [('skipped', 'changed since it was read')], (rows, out)
    assert code == 0, out


def _moved_once(wiki, site_for, config_dir, unique, count=1):
    """A fresh spambot moves *count* Editor pages; return name, pairs."""
    name = f'Mover{unique.split()[0]}'
    mover = new_user(wiki, config_dir, name)
    pairs = []
    for i in range(count):
        old, new = f'{unique} page {i}', f'{unique} moved {i}'
        edit(site_for('Editor'), old, f'text of {old}')
        move(mover, old, new)
        pairs.append((old, new))
    return name, pairs


def _is_post(req: Request) -> bool:
    return req.method == 'POST'


def test_old_title_recreated_before_the_move_back_is_not_overwritten(
        wiki, site, site_for, config_dir, proxied_config, unique, tmp_path):
    """Editor makes the old title a page while the move back is on its way.

    The move back is held in the proxy before it reaches the wiki, so
    the plan saw the redirect the spambot's move left.
    """
    cfg, proxy = proxied_config
    name, [(old, new)] = _moved_once(wiki, site_for, config_dir, unique)
    pageid = page_info(site, new)['pageid']
    report = tmp_path / 'r.jsonl'
    proxy.add_fault('hold_before_forward', action='move', when=_is_post)
    made = {}
    thread = while_held(proxy, lambda: made.update(revid=edit(
        site_for('Editor'), old, 'a page of its own')))
    code, out = pwb(wiki, cfg, 'cleanup', f'-user:{name}',
                    '-always', f'-report:{report}')
    thread.join(10)
    assert made, out
    # sent once, refused by MediaWiki (articleexists), reported as the
    # plan would have: an item for review, not a failure
    assert len(posts(proxy, 'move')) == 1, out
    assert code == 0, out
    assert page_info(site, old)['latest'] == (made['revid'], 'Editor'), out
    info = page_info(site, new)
    assert info['pageid'] == pageid and not info['redirect']
    assert rows_naming(report_rows(report), old, 'old title taken'), out


def test_delete_that_took_an_unseen_edit_is_restored_at_once(
        wiki, site, site_for, fresh_user, proxied_config, unique, tmp_path):
    """Editor writes on the page while its delete is on its way.

    The delete is held in the proxy after the run's last read of the
    page, so no read can see the edit: the delete takes it. The run's
    read-back of the archive finds it, restores the page (the editor's
    revision with it) and counts a conflict.
    """
    cfg, proxy = proxied_config
    name, spambot = fresh_user('Spambot')
    title = f'{unique} junk'
    edit(spambot, title, f'junk {SPAM}')
    report = tmp_path / 'r.jsonl'
    proxy.add_fault('hold_before_forward', action='delete', when=_is_post)
    made = {}
    thread = while_held(proxy, lambda: made.update(revid=edit(
        site_for('Editor'), title, 'rescued by an editor')))
    code, out = pwb(wiki, cfg, 'cleanup', f'-user:{name}', '-always',
                    f'-report:{report}')
    thread.join(10)
    assert made, out
    assert len(posts(proxy, 'delete')) == 1, out
    # back, with the editor's revision on top and nothing left deleted
    assert exists(site, title), out
    assert revisions(site, title)[0]['revid'] == made['revid'], out
    assert deleted_count(site, title) == 0, out
    assert [r.outcome for r in report_rows(report) if r.title == title] \
        == ['conflict'], out
    assert code == 1, out


# -- kill and resume ---------------------------------------------------


def _kill_at_held(wiki, cfg, proxy, args):
    """Run ``pwb ARGS``; SIGKILL it once the proxy holds a request."""
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: proxy.wait_held(0.1) is not None)
    assert code == -signal.SIGKILL, out
    return out


def test_killed_while_a_delete_is_in_flight(wiki, site, fresh_user,
                                            proxied_config, unique,
                                            tmp_path):
    """Each page deleted once over both runs; the killed one settled."""
    cfg, proxy = proxied_config
    name, spambot = fresh_user('Spambot')
    titles = [f'{unique} spam {i}' for i in range(3)]
    for title in titles:
        edit(spambot, title, f'{title} {SPAM}')
    journal = tmp_path / 'j.jsonl'
    args = ['cleanup', f'-user:{name}', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold', action='delete', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    sent = Counter(r.params['title'] for r in posts(proxy, 'delete'))
    killed = proxy.held[0].params['title']
    assert not exists(site, killed), out  # the held delete landed
    assert list(journal_states(journal).values()).count('intent') == 1

    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    sent.update(r.params['title'] for r in posts(proxy, 'delete'))
    assert sent == Counter(titles), out
    for title in titles:
        assert not exists(site, title), (title, out)
        assert deleted_count(site, title) == 1
    states = journal_states(journal)
    assert {states.get(f'delete|{t}') for t in titles} == {'done'}, states


def test_killed_while_a_move_is_in_flight(wiki, site, site_for, config_dir,
                                          proxied_config, unique, tmp_path):
    """Each page moved back once over both runs; the killed one settled."""
    cfg, proxy = proxied_config
    name, pairs = _moved_once(wiki, site_for, config_dir, unique, count=3)
    pageids = {old: page_info(site, new)['pageid'] for old, new in pairs}
    journal = tmp_path / 'j.jsonl'
    args = ['cleanup', f'-user:{name}', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold', action='move', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    sent = Counter(r.params['to'] for r in posts(proxy, 'move'))
    killed = proxy.held[0].params['to']
    assert page_info(site, killed)['pageid'] == pageids[killed], out
    assert list(journal_states(journal).values()).count('intent') == 1

    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    sent.update(r.params['to'] for r in posts(proxy, 'move'))
    assert sent == Counter(old for old, _ in pairs), out
    for old, new in pairs:
        info = page_info(site, old)
        assert info['pageid'] == pageids[old] and not info['redirect'], \
            (old, out)
        assert not exists(site, new), (new, out)  # Admin: no redirect
    states = journal_states(journal)
    assert {states.get(f'move|{new}|{old}') for old, new in pairs} == \
        {'done'}, states


# -- -only --------------------------------------------------------------


def test_only_picks_kinds(wiki, site, site_for, fresh_user, config_dir_for,
                          unique):
    """-only:edits rolls back; the page only the spambot wrote stays."""
    name, spambot = fresh_user('Spambot')
    top, alone = f'{unique} top', f'{unique} alone'
    edit(site_for('Editor'), top, 'good')
    edit(spambot, top, f'bad {SPAM}')
    alone_revid = edit(spambot, alone, f'spam {SPAM}')
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-user:{name}', '-only:edits', '-always')
    assert code == 0, out
    assert page_info(site, top)['text'] == 'good', out
    assert page_info(site, alone)['latest'] == (alone_revid, name), out
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-user:{name}', '-only:creations', '-always')
    assert code == 0, out
    assert not exists(site, alone) and deleted_count(site, alone) == 1


# -- rights ------------------------------------------------------------


def test_without_delete_and_suppressredirect(wiki, site, site_for,
                                             config_dir, config_dir_for,
                                             unique, tmp_path):
    """A rollbacker: edits and moves done, deletions left, redirects left.

    The ``rollbacker`` group has ``rollback``; as every user it may
    edit, move and re-upload, but has neither ``delete`` nor
    ``suppressredirect``.
    """
    inc = seed_incident(site_for, wiki, config_dir, unique, tmp_path)
    report = tmp_path / 'r.jsonl'
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'cleanup',
                    f'-user:{inc["user"]}', '-always', f'-report:{report}')
    assert code == 0, out
    assert cleanup_problems(site, inc, deletions=False,
                            redirects_left=True) == [], out
    left_out = [*inc['created'], inc['file_new']]
    rows = report_rows(report)
    for title in left_out:
        assert title in out, out  # the warning names it
        assert rows_naming(rows, title, 'no delete right'), (title, rows)
    a, b, c = inc['chain']
    old, new = inc['moved']
    for redirect in (c, b, new):
        assert rows_naming(rows, redirect, 'redirect left'), (redirect,
                                                              rows)


# -- bad input ---------------------------------------------------------


@pytest.mark.parametrize('args', [
    ['-page:{top}'],
    ['-user:{name}', '-only:bogus'],
    ['-user:{name}', '-only:edits,bogus'],
    ['-user:No such spambot here'],
    ['-user:{name}', '-since:20300101000000', '-until:20200101000000'],
], ids=['no -user', '-only:bogus', '-only:edits,bogus', 'unknown user',
        '-since after -until'])
def test_bad_input_exits_2_before_any_write(wiki, site, site_for,
                                            fresh_user, config_dir_for,
                                            unique, args):
    """Refused, nothing written: each command would write if it went on."""
    name, spambot = fresh_user('Spambot')
    top, alone = f'{unique} top', f'{unique} alone'
    edit(site_for('Editor'), top, 'good')
    edit(spambot, top, f'bad {SPAM}')
    edit(spambot, alone, f'spam {SPAM}')
    before = wiki_state(site, top, alone)
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    *[a.format(name=name, top=top) for a in args], '-always')
    assert wiki_state(site, top, alone) == before, wiki_changes(site, before)
    assert code == 2, out
    assert 'Traceback' not in out, out
