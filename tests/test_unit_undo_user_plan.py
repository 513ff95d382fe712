"""Planning the undo of buried edits, and -undo's chains (no wiki)."""
from __future__ import annotations

import pytest

from pywikibot_revert.ops._undo_user_plan import find_runs, plan_buried
from pywikibot_revert.exceptions import NothingToDoError
from pywikibot_revert.bot._reverse import chain_edits
from pywikibot_revert.ops._undo_user_preview import parse_undo_form


def _revs(*pairs):
    return [{'revid': r, 'parentid': p} for r, p in pairs]


@pytest.mark.parametrize('pairs, runs', [
    # one run of three
    ([(7, 6), (6, 5), (5, 4)], [(5, 7, 4, 3)]),
    # two runs, someone else at 6
    ([(9, 8), (8, 7), (5, 4)], [(8, 9, 7, 2), (5, 5, 4, 1)]),
    # the user created the page
    ([(3, 0)], [(3, 3, 0, 1)]),
    # order of the input does not matter
    ([(5, 4), (9, 5)], [(5, 9, 4, 2)]),
    ([], []),
])
def test_find_runs(pairs, runs):
    assert [(r.first, r.undo, r.undoafter, r.count)
            for r in find_runs(_revs(*pairs))] == runs


def test_plan_separates_the_run_on_top():
    current = {'revid': 9, 'timestamp': '2026-11-29T00:00:00Z'}
    plan = plan_buried(_revs((9, 8), (5, 4)), current, user='V', title='P')
    assert plan.top.undo == 9 and [r.undo for r in plan.runs] == [5]
    assert plan.base == 9 and plan.old == 4
    buried = plan_buried(_revs((5, 4)), {'revid': 7}, user='V')
    assert buried.top is None and buried.base == 7
    with pytest.raises(NothingToDoError, match='no edits by V'):
        plan_buried([], current, user='V', title='P')


@pytest.mark.parametrize('html, status, text', [
    ('<div class="error mw-undo-failure">x</div><textarea id="wpTextbox1">'
     'old</textarea>', 'failure', None),
    ('<div class="error mw-undo-nochange">x</div>', 'nochange', None),
    ('<div class="mw-undo-success"></div><textarea tabindex="1" '
     'id="wpTextbox1" name="wpTextbox1">\n\nfirst &lt;b&gt;\n</textarea>',
     'success', '\nfirst <b>'),
    ('<html>no form</html>', 'unknown', None),
])
def test_parse_undo_form(html, status, text):
    preview = parse_undo_form(html)
    assert (preview.status, preview.text) == (status, text)


def test_chain_edits_merges_each_pages_successive_edits():
    def rec(key, title, old, new, action='rollback'):
        return {'key': key, 'action': action, 'title': title,
                'result': {'oldrevid': old, 'newrevid': new}}
    records = [rec('a', 'P', 4, 5), rec('b', 'Q', 1, 2), rec('c', 'P', 5, 7),
               rec('d', 'P', 9, 10), {'key': 'u', 'action': 'undelete',
                                      'title': 'R'}]
    out = chain_edits(records)
    assert [(r['key'], r.get('result')) for r in out] == [
        ('b', {'revid': 2, 'old_revid': 1, 'edits': 1}),
        ('c', {'revid': 7, 'old_revid': 4, 'edits': 2}),
        # not a successor of 7 (someone edited in between): on its own
        ('d', {'revid': 10, 'old_revid': 9, 'edits': 1}),
        ('u', None)]
