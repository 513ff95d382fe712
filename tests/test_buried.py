"""``pwb rollback -buried``: a user's edits under later edits, undone.

Each test makes its own spammer account and pages, runs ``pwb`` as an
operator would, and reads the wiki's state afterwards: texts, revision
ids, who saved what, and the review report.
"""
from __future__ import annotations

import csv
import json
import urllib.request

import pytest

from harness.wikitools import (
    Conversation,
    deleted_count,
    delete,
    edit,
    exists,
    pwb,
    revisions,
    text_of,
    while_held,
    wiki_changes,
    wiki_state,
)


pytestmark = pytest.mark.wiki

BASE = 'Intro line.\n\nMiddle paragraph.\n\nLast paragraph.'
SPAM = '[http://spam.example/buy Buy now]'


def _spam_in(text, line):
    """*text* with the spam link added at the end of its *line*."""
    lines = text.split('\n')
    lines[line] += ' ' + SPAM
    return '\n'.join(lines)


def _last(text, new):
    """*text* with its last paragraph replaced by *new*."""
    return text.rsplit('\n\n', 1)[0] + '\n\n' + new


@pytest.fixture
def spammer(fresh_user):
    """A fresh spam account: (name, logged-in site)."""
    return fresh_user('Spam')


@pytest.fixture
def admin(wiki, config_dir_for):
    return config_dir_for('Admin')


def _bury(site_for, spam, title):
    """Editor writes *title*, *spam* adds the link, Editor edits after.

    :return: Editor's site
    """
    editor = site_for('Editor')
    edit(editor, title, BASE)
    edit(spam, title, _spam_in(BASE, 2))
    edit(editor, title, _last(_spam_in(BASE, 2), 'Last v1.'))
    return editor


def _asked_about(wiki, admin, user, title):
    """A ``-buried`` run without -always, at its question about *title*."""
    talk = Conversation(wiki, admin, ['rollback', f'-user:{user}',
                                      '-buried'])
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for(f'on {title}?')
    return talk


def _ids(site, title):
    return [r['revid'] for r in revisions(site, title)]


@pytest.mark.parametrize('selection', ['contributions', 'page'])
def test_buried_spam_is_undone_and_later_edit_kept(wiki, site, site_for,
                                                    admin, spammer, unique,
                                                    selection):
    """(a) a later edit in another paragraph stays, the spam goes.

    From the user's contributions (batched reads), or from a page
    selection (the page's history).
    """
    user, spam = spammer
    title = f'{unique} a'
    editor = site_for('Editor')
    edit(editor, title, BASE)
    spam_rev = edit(spam, title, _spam_in(BASE, 2))
    later = edit(editor, title, _last(_spam_in(BASE, 2), 'Last, improved.'))
    pages = [f'-page:{title}'] if selection == 'page' else []

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always', *pages)

    assert code == 0, out
    assert text_of(site, title) == _last(BASE, 'Last, improved.')
    top = revisions(site, title)[0]
    assert top['user'] == 'Admin' and top['parentid'] == later
    # the default summary names the user and the revision undone
    assert user in top['comment'] and str(spam_rev) in top['comment']


def test_conflicting_later_edit_is_listed_not_touched(wiki, site, site_for,
                                                      admin, spammer, unique,
                                                      tmp_path):
    """(b) the undo does not merge: untouched, in the report, diff works."""
    user, spam = spammer
    title = f'{unique} b'
    editor = site_for('Editor')
    first = edit(editor, title, BASE)
    edit(spam, title, _spam_in(BASE, 2))
    # the later edit changes the very line the spam is on
    conflicting = BASE.replace('Middle paragraph.',
                               'Middle paragraph, expanded. ' + SPAM)
    current = edit(editor, title, conflicting)
    report = tmp_path / 'review.wiki'

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always', f'-report:{report}')

    assert code == 0, out
    assert _ids(site, title)[0] == current
    assert 'skipped (undo does not merge)' in out, out
    assert f'Report: 1 item(s) to review in {report}' in out, out
    table = report.read_text()
    assert table.startswith('{| class="wikitable sortable"')
    assert table.rstrip().endswith('|}')
    rows = [row for row in table.split('\n|-\n') if title in row]
    assert len(rows) == 1 and '\n| not merged\n' in rows[0], table
    diff = f'Special:Diff/{first}/{current}'
    assert f'[[{diff}|' in table
    assert f'[[Special:Contributions/{user}|{user}]]' in table
    # the diff link works on the wiki: it shows the spam line changing
    with urllib.request.urlopen(
            f'{wiki.url}/index.php?title={diff}') as answer:
        page = answer.read().decode()
    assert 'diff-addedline' in page and 'spam.example' in page

    # with -addedlink only the link goes
    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-addedlink:spam.example', '-always')
    assert code == 0, out
    assert text_of(site, title) == BASE.replace(
        'Middle paragraph.', 'Middle paragraph, expanded.')
    top = revisions(site, title)[0]
    assert top['user'] == 'Admin' and top['parentid'] == current


def test_spam_removed_already_writes_nothing(wiki, site, site_for, admin,
                                             spammer, unique):
    """(c) a later edit took the spam out: skipped as already clean."""
    user, spam = spammer
    title = f'{unique} c'
    editor = site_for('Editor')
    edit(editor, title, BASE)
    edit(spam, title, _spam_in(BASE, 2))
    edit(editor, title, _last(BASE, 'Last, improved.'))
    before = _ids(site, title)

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always')

    assert code == 0, out
    assert _ids(site, title) == before
    assert 'already clean' in out, out


def test_two_runs_with_another_editor_between(wiki, site, site_for, admin,
                                              spammer, unique):
    """(d) both runs of the user are undone, newest first."""
    user, spam = spammer
    title = f'{unique} d'
    editor = site_for('Editor')
    edit(editor, title, BASE)
    text = _spam_in(BASE, 0)
    edit(spam, title, text)
    text = _last(text, 'Last v1.')
    edit(editor, title, text)
    text = _spam_in(text, 2)
    edit(spam, title, text)
    edit(spam, title, text.replace('Buy now', 'Buy now!'))
    text = _last(text.replace('Buy now', 'Buy now!'), 'Last v2.')
    before = edit(editor, title, text)

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always')

    assert code == 0, out
    assert text_of(site, title) == _last(BASE, 'Last v2.')
    revs = revisions(site, title)
    assert [r['user'] for r in revs[:2]] == ['Admin', 'Admin']
    assert revs[1]['parentid'] == before
    assert 'revisions' in revs[1]['comment']  # the run of two


def test_user_on_top_is_rolled_back_and_buried_run_undone(
        wiki, site, site_for, admin, spammer, unique):
    user, spam = spammer
    title = f'{unique} top'
    editor = site_for('Editor')
    edit(editor, title, BASE)
    text = _spam_in(BASE, 0)
    edit(spam, title, text)
    text = _last(text, 'Last v1.')
    edit(editor, title, text)
    edit(spam, title, _spam_in(text, 2))

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always')

    assert code == 0, out
    assert text_of(site, title) == _last(BASE, 'Last v1.')
    revs = revisions(site, title)
    assert 'mw-rollback' in revs[1]['tags'] and revs[1]['user'] == 'Admin'
    assert revs[0]['user'] == 'Admin' and 'mw-rollback' not in revs[0]['tags']


#: (the later text, the text after the spam links are removed); the
#: Editor's later edit touches the first line, so the undo cannot merge
HAMS = ('Intro with a [https://ham.example/a ham link] and '
        'https://ham.example/b bare.')
FORMS_SPAMMED = f"""{HAMS} See http://www.spam.example/x now.
Claim.<ref>[http://spam.example/r1 Spam ref]</ref> Fact.<ref>[https://ham.example/c Ham ref]</ref>
Cited.<ref name="s">{{{{cite web |url=http://spam.example/c |title=Buy}}}}</ref> Again.<ref name="s" /> Ham.<ref>{{{{cite web |url=https://ham.example/d |title=Ham}}}}</ref>

== Links ==
* [https://ham.example/e Ham site]
* [http://shop.SPAM.example/ Cheap stuff]
* [https://ham.example/f Other ham]
* [https://notspam.example/g Not spam]"""
FORMS_CLEAN = f"""{HAMS} See now. Edited.
Claim. Fact.<ref>[https://ham.example/c Ham ref]</ref>
Cited. Again. Ham.<ref>{{{{cite web |url=https://ham.example/d |title=Ham}}}}</ref>

== Links ==
* [https://ham.example/e Ham site]
* [https://ham.example/f Other ham]
* [https://notspam.example/g Not spam]"""


def test_each_link_form_goes_and_hams_stay(wiki, site, site_for, admin,
                                           spammer, unique):
    """(e) where the undo cannot merge, only the spam links are removed."""
    user, spam = spammer
    title = f'{unique} e'
    editor = site_for('Editor')
    clean = '\n'.join(line for line in FORMS_SPAMMED.splitlines()
                      if 'SPAM' not in line)
    edit(editor, title, clean.replace(' See http://www.spam.example/x now.',
                                      ''))
    edit(spam, title, FORMS_SPAMMED)
    later = FORMS_SPAMMED.replace(' now.', ' now. Edited.', 1)
    current = edit(editor, title, later)

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-addedlink:spam.example', '-always')

    assert code == 0, out
    assert text_of(site, title) == FORMS_CLEAN
    top = revisions(site, title)[0]
    assert top['user'] == 'Admin' and top['parentid'] == current
    assert 'spam.example' in top['comment']


def test_edit_between_plan_and_write_is_a_conflict(wiki, site, site_for,
                                                   spammer, unique,
                                                   proxied_config, tmp_path):
    """(f) an edit made while ours is on its way: nothing overwritten."""
    cfg, proxy = proxied_config
    user, spam = spammer
    title = f'{unique} f'
    editor = _bury(site_for, spam, title)
    proxy.add_fault('hold_before_forward', action='edit')
    late = {}

    def other_client_edits():
        late['text'] = _spam_in(BASE, 2).replace('Intro line.', 'Intro!')
        late['text'] = _last(late['text'], 'Last v1.')
        late['revid'] = edit(editor, title, late['text'])

    report = tmp_path / 'f.jsonl'
    thread = while_held(proxy, other_client_edits)
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{user}', '-buried',
                    '-always', f'-report:{report}')
    thread.join(10)

    assert code == 1, out
    assert 'edit conflict' in out, out
    # the late edit is the current text again: merged onto, undone at once
    assert text_of(site, title) == late['text']
    revs = revisions(site, title)
    assert revs[2]['revid'] == late['revid']
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r['title'], r['outcome']) for r in rows] == [(title,
                                                           'conflict')]
    # the undo named the revision it was planned on, and never creates
    sent = [r for r in proxy.requests_for('edit') if r.method == 'POST']
    first = sent[0].params
    assert int(first['baserevid']) == revs[3]['revid'], first
    for name in ('basetimestamp', 'starttimestamp', 'undo', 'undoafter'):
        assert first.get(name), (name, first)
    assert 'nocreate' in first, first  # a flag: sent empty


def test_page_deleted_before_the_write_is_not_created(
        wiki, site, site_for, spammer, unique, proxied_config):
    """nocreate: a page deleted while our undo is on its way stays gone."""
    cfg, proxy = proxied_config
    user, spam = spammer
    title = f'{unique} gone'
    _bury(site_for, spam, title)
    proxy.add_fault('hold_before_forward', action='edit')
    thread = while_held(proxy, lambda: delete(site, title))
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{user}', '-buried',
                    '-always')
    thread.join(10)

    assert code == 0, out
    assert 'skipped (missing)' in out, out
    assert not exists(site, title)
    assert deleted_count(site, title) == 3


def test_edit_while_the_question_is_asked_is_not_undone(
        wiki, site, site_for, admin, spammer, unique):
    user, spam = spammer
    title = f'{unique} asked'
    editor = _bury(site_for, spam, title)
    talk = _asked_about(wiki, admin, user, title)
    meanwhile = _last(_spam_in(BASE, 2), 'Last v2.')
    late = edit(editor, title, meanwhile)
    talk.answer('y')
    code, out = talk.finish()

    assert code == 0, out
    assert 'skipped (changed since it was read)' in out, out
    assert _ids(site, title)[0] == late
    assert text_of(site, title) == meanwhile


def test_preview_shows_the_merged_diff_and_asks(wiki, site, site_for, admin,
                                                spammer, unique):
    user, spam = spammer
    title = f'{unique} ask'
    _bury(site_for, spam, title)
    talk = _asked_about(wiki, admin, user, title)
    talk.answer('y')
    code, out = talk.finish()

    assert code == 0, out
    assert 'undo merges' in out and 'spam.example' in out, out
    assert text_of(site, title) == _last(BASE, 'Last v1.')


def test_simulate_writes_nothing_and_undo_restores(wiki, site, site_for,
                                                   admin, spammer, unique,
                                                   tmp_path):
    """(g) -simulate writes nothing; -undo brings every page back."""
    user, spam = spammer
    editor = site_for('Editor')
    texts = {}
    for name in ('one', 'two runs', 'on top'):
        title = f'{unique} {name}'
        edit(editor, title, BASE)
        text = _spam_in(BASE, 0)
        edit(spam, title, text)
        text = _last(text, 'Last v1.')
        edit(editor, title, text)
        if name != 'one':
            text = _spam_in(text, 2)
            edit(spam, title, text)
        if name == 'two runs':
            text = _last(text, 'Last v2.')
            edit(editor, title, text)
        texts[title] = text
    before = {title: _ids(site, title) for title in texts}

    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-simulate')
    assert code == 0, out
    assert {t: _ids(site, t) for t in texts} == before
    assert out.count('would undo') == 4 and 'would roll back' in out, out

    journal = tmp_path / 'buried.jsonl'
    code, out = pwb(wiki, admin, 'rollback', f'-user:{user}', '-buried',
                    '-always', f'-journal:{journal}')
    assert code == 0, out
    for title in texts:
        assert 'spam.example' not in text_of(site, title), title

    after = {title: _ids(site, title) for title in texts}
    # one page edited since: -undo leaves it and reports it
    edited = f'{unique} one'
    edit(editor, edited, _last(text_of(site, edited), 'Edited since.'))
    report = tmp_path / 'undo.csv'
    code, out = pwb(wiki, admin, 'rollback', f'-undo:{journal}', '-always',
                    f'-report:{report}')
    assert code == 0, out
    for title, text in texts.items():
        if title == edited:
            continue
        assert text_of(site, title) == text, title
        # one edit puts each page back, whatever the run wrote on it
        ids = _ids(site, title)
        assert ids[1:] == after[title], title
    assert 'Edited since.' in text_of(site, edited)
    with report.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r['title'], r['outcome']) for r in rows] == [(edited,
                                                           'skipped')]


@pytest.mark.parametrize('args, message', [
    (['-buried'], '-buried needs -user'),
    (['-user:{user}', '-buried', '-report:'], '-report'),
    (['-user:{user}', '-buried', '-report:review.txt'], '.wiki'),
    (['-user:{user}', '-buried', '-report:/no/such/dir/r.wiki'],
     '/no/such/dir'),
])
def test_bad_input_is_refused_before_any_write(wiki, site, site_for, admin,
                                               spammer, unique, args,
                                               message):
    """Refused, and nothing written: a run that went on would undo spam.

    The spammer's link is buried under a later edit, and the run has
    ``-always``: only the refusal keeps it from undoing that.
    """
    name, spam = spammer
    title = f'{unique} buried'
    _bury(site_for, spam, title)
    before = wiki_state(site, title)
    code, out = pwb(wiki, admin, 'rollback',
                    *[a.format(user=name) for a in args], '-always')
    assert wiki_state(site, title) == before, wiki_changes(site, before)
    assert code == 2, out
    assert message in out, out


def test_report_formats_of_the_other_scripts(wiki, site, admin, unique,
                                             tmp_path):
    """undelete lists what it skipped, as CSV; filerevert as JSON Lines."""
    title = f'{unique} never deleted'
    edit(site, title, 'here')
    report = tmp_path / 'undelete.csv'
    code, out = pwb(wiki, admin, 'undelete', f'-page:{title}', '-always',
                    f'-report:{report}')
    assert code == 0, out
    with report.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r['outcome'], r['reason']) for r in rows] == [
        ('skipped', 'nothing to restore')]
    assert rows[0]['page'].endswith(title.replace(' ', '_'))
