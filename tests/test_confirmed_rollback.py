"""A confirmed rollback checks what it undid against the diff shown.

``pwb rollback`` without ``-always`` shows the diff of the user's
edits and asks. A rollback undoes whatever run of that user's edits is
on top when it lands: an edit the same user makes while the question
waits is undone too, unseen. The run says so, in its output and in
the report, from the wiki's answer (``old_revid``, ``last_revid``).
"""
from __future__ import annotations

import csv

import pytest

from pywikibot_revert.bot._journal import Journal

from harness.wikitools import (
    Conversation,
    edit,
    new_user,
    revisions,
    text_of,
)


pytestmark = pytest.mark.wiki


def test_edit_during_the_question_is_reported(
        wiki, site, site_for, config_dir, config_dir_for, unique, tmp_path):
    """The issue's reproduction: the vandal edits once more while asked."""
    name = f'Vandal{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    title, quiet = f'{unique} p', f'{unique} q'
    for page in (title, quiet):
        edit(site_for('Editor'), page, f'good text of {page}')
    restore = revisions(site, title)[0]['revid']
    shown = edit(vandal, title, 'bad [http://spam.example buy]')
    edit(vandal, quiet, 'bad too')
    journal, report = tmp_path / 'ask.jsonl', tmp_path / 'review.csv'
    talk = Conversation(wiki, config_dir_for('Admin'), [
        'rollback', f'-user:{name}', f'-page:{title}', f'-page:{quiet}',
        f'-journal:{journal}', f'-report:{report}'])
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for(f'Roll back 1 edit(s) by {name} on {title}?')
    # while the operator reads the diff, the same vandal edits again
    unseen = edit(vandal, title, 'worse [http://spam.example buy now]')
    talk.answer('y')
    talk.wait_for(f'Roll back 1 edit(s) by {name} on {quiet}?')
    talk.answer('y')
    code, out = talk.finish()

    assert code == 0, out
    # the wiki: both vandal edits undone by one rollback, back to the
    # editor's text
    top = revisions(site, title)[0]
    assert top['user'] == 'Admin' and 'mw-rollback' in top['tags']
    assert top['parentid'] == unseen
    assert text_of(site, title) == f'good text of {title}'
    assert revisions(site, quiet)[0]['user'] == 'Admin'
    # the output: what was undone beyond the diff shown
    assert (f'{title}: the rollback undid more than the diff shown: '
            f'revision {unseen} back to {restore}; shown: {shown} back to '
            f'{restore}') in out, out
    assert out.count('undid more than the diff shown') == 1, out
    # the journal: done, with the wiki's answer
    done = [r for r in Journal.read(journal) if r['type'] == 'done']
    assert {r['title'] for r in done} == {title, quiet}
    answer = next(r['result'] for r in done if r['title'] == title)
    assert (answer['old_revid'], answer['last_revid'],
            answer['revid']) == (unseen, restore, top['revid'])
    # the report: one row, linking the diff that was not shown
    with report.open(encoding='utf-8') as fh:
        rows = list(csv.DictReader(fh))
    assert [(r['title'], r['outcome'], r['reason']) for r in rows] == [
        (title, 'review', 'undid more than shown')]
    assert rows[0]['diff'].endswith(f'Special:Diff/{shown}/{unseen}')
    assert rows[0]['user'] == name
