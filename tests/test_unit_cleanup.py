"""The cleanup's pure rules: who wrote a page, which moves go back."""
from __future__ import annotations

import pytest

from pywikibot_revert.bot._cleanup import _kinds
from pywikibot_revert.bot._cleanupplan import CleanupPlan
from pywikibot_revert.exceptions import (
    MissingTargetError,
    OtherAuthorsError,
    TitleTakenError,
)
from pywikibot_revert.ops._delete import DeletePlan, plan_delete, \
    unplanned_revisions
from pywikibot_revert.ops._move import MoveBack, move_backs, plan_move_back
from pywikibot_revert.results import DeletedRevision


def _page(user='Bot', contributors=('Bot',), anons=0, files=(), top=None):
    return {'title': 'Spam', 'pageid': 7, 'length': 12,
            'revisions': [{'revid': 9, 'user': top or user}],
            'contributors': [{'name': n} for n in contributors],
            'anoncontributors': anons,
            'imageinfo': [{'user': u} for u in files]}


def test_a_page_the_user_alone_wrote_is_planned_for_deletion():
    plan = plan_delete(_page(), 'Bot')
    assert (plan.title, plan.pageid, plan.latest, plan.size) == \
        ('Spam', 7, 9, 12)


@pytest.mark.parametrize('page, named', [
    (_page(contributors=('Bot', 'Editor')), 'Editor'),
    (_page(anons=1), '1 anonymous'),
    (_page(files=('Bot', 'Uploader')), 'Uploader'),
    (_page(contributors=('Bot', 'Editor'), top='Editor'), 'Editor'),
])
def test_a_page_someone_else_wrote_part_of_is_refused_naming_them(page,
                                                                  named):
    with pytest.raises(OtherAuthorsError) as err:
        plan_delete(page, 'Bot')
    assert named in err.value.authors
    assert named in str(err.value)


def test_an_ip_is_the_one_anonymous_contributor():
    page = _page(user='192.0.2.5', contributors=(), anons=1)
    assert plan_delete(page, '192.0.2.5').latest == 9
    with pytest.raises(OtherAuthorsError):
        plan_delete(_page(user='192.0.2.5', contributors=(), anons=2),
                    '192.0.2.5')
    with pytest.raises(OtherAuthorsError):
        plan_delete(_page(user='192.0.2.5', contributors=('Editor',),
                          anons=1), '192.0.2.5')


def test_a_hidden_latest_editor_or_uploader_is_not_the_user():
    page = _page()
    page['revisions'][0] = {'revid': 9, 'userhidden': True}
    with pytest.raises(OtherAuthorsError):
        plan_delete(page, 'Bot')
    page = _page(files=('Bot',))
    page['imageinfo'].append({'userhidden': True})
    with pytest.raises(OtherAuthorsError):
        plan_delete(page, 'Bot')


def test_a_missing_page_is_nothing_to_delete():
    with pytest.raises(MissingTargetError):
        plan_delete({'title': 'Gone', 'missing': True}, 'Bot')


def test_a_delete_that_took_an_unseen_revision_is_found():
    plan = DeletePlan('Spam', 'Bot', 7, latest=9, first=8)

    def rev(revid, user, hidden=False):
        return DeletedRevision('Spam', revid, None, user, userhidden=hidden)

    took = [rev(8, 'Bot'), rev(9, 'Bot')]
    older = [rev(3, 'Someone')]  # deleted before, at the same title
    assert unplanned_revisions(plan, took + older) == []
    assert unplanned_revisions(plan, [rev(10, 'Editor'), *took]) == \
        [rev(10, 'Editor')]
    assert unplanned_revisions(plan, [rev(8, None, hidden=True)]) == \
        [rev(8, None, hidden=True)]


def test_moves_go_back_newest_first():
    entries = [
        {'logid': 1, 'logpage': 7, 'title': 'A',
         'params': {'target_title': 'B'}},
        {'logid': 3, 'logpage': 8, 'title': 'X',
         'params': {'target_title': 'Y', 'suppressredirect': True}},
        {'logid': 2, 'logpage': 7, 'title': 'B',
         'params': {'target_title': 'C'}},
    ]
    moves = move_backs(entries)
    assert [(m.source, m.target) for m in moves] == \
        [('Y', 'X'), ('C', 'B'), ('B', 'A')]
    assert not moves[0].redirect and moves[1].redirect


def test_a_move_back_goes_only_over_the_users_redirect():
    move = MoveBack(1, 7, 'B', 'A')
    redirect = {'pageid': 9, 'redirect': True, 'single': True,
                'user': 'Bot', 'revid': 12}
    plan_move_back(move, {}, user='Bot')
    plan_move_back(move, redirect, user='Bot')
    for taken in ({**redirect, 'single': False}, {**redirect, 'user': 'Ed'},
                  {**redirect, 'redirect': False}):
        with pytest.raises(TitleTakenError):
            plan_move_back(move, taken, user='Bot')


def test_a_move_back_reversed_goes_out_again():
    move = MoveBack(5, 7, 'B', 'A')
    again = move.reverse()
    assert (again.pageid, again.source, again.target) == (7, 'A', 'B')


def test_only_takes_known_kinds():
    assert _kinds(None, 'moves, creations') == ('moves', 'creations')
    for bad in ('bogus', 'moves,bogus', ''):
        with pytest.raises(ValueError, match='-only takes'):
            _kinds(None, bad)


def test_the_plan_line_counts_each_kind():
    def rev(revid, parentid, top=False):
        return {'revid': revid, 'parentid': parentid, 'top': top}

    plan = CleanupPlan('Bot', edits={'A': [rev(9, 8, True), rev(8, 4)],
                                     'B': [rev(7, 6, True), rev(3, 2)],
                                     'C': [rev(5, 4)]},
                       files=['File:F'], moves=[MoveBack(1, 7, 'B', 'A')])
    plan.review.append(('X', TitleTakenError('x')))
    assert plan.line() == (
        '2 rollback(s), 2 undo(s) under later edits, '
        '1 file revert(s), 1 move(s) back, 0 deletion(s); 1 for review')
    assert plan.total == 5
