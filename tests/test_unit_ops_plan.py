"""Each operation's plan: one pure function, for library and bot alike."""
from __future__ import annotations

import pytest

from pywikibot_revert.ops import _edit
from pywikibot_revert.exceptions import (
    AlreadyRolledBackError,
    HiddenUserError,
    MissingTargetError,
    OnlyAuthorError,
)
from pywikibot_revert.ops._rollback import plan_rollback


def rev(revid, user, parentid=None):
    return {'revid': revid, 'user': user,
            'parentid': revid - 1 if parentid is None else parentid}


HISTORY = [rev(9, 'V'), rev(8, 'V'), rev(7, 'E'), rev(6, 'V'),
           rev(5, 'E', parentid=0)]


def test_the_run_on_top_and_where_it_goes_back_to():
    plan = plan_rollback(HISTORY, 'V', title='A')
    assert (plan.count, plan.latest, plan.restore, plan.more) == (2, 9, 7,
                                                                 False)


def test_a_cut_history_all_by_the_user_goes_on():
    plan = plan_rollback(HISTORY[:2], 'V')
    assert (plan.count, plan.restore, plan.more) == (2, 7, True)


def test_the_listing_alone_tells_only_author():
    # the contribution listing: one revision, a page creation
    with pytest.raises(OnlyAuthorError):
        plan_rollback([rev(5, 'V', parentid=0)], 'V')
    assert plan_rollback([rev(9, 'V')], 'V').more


@pytest.mark.parametrize('revisions, user, error', [
    ([], 'V', MissingTargetError),
    ([{'revid': 9, 'parentid': 8, 'userhidden': True}], 'V',
     HiddenUserError),
    (HISTORY, 'E', AlreadyRolledBackError),
    ([rev(2, 'V'), rev(1, 'V', parentid=0)], 'V', OnlyAuthorError),
])
def test_nothing_to_do(revisions, user, error):
    with pytest.raises(error) as info:
        plan_rollback(revisions, user, title='A')
    assert type(info.value) is error


def test_a_hidden_user_inside_the_run_ends_it():
    revs = [rev(9, 'V'), {'revid': 8, 'parentid': 7, 'userhidden': True},
            rev(7, 'V')]
    plan = plan_rollback(revs, 'V')
    assert (plan.count, plan.restore) == (1, 8)


def test_undo_landed_only_if_ours_is_right_after():
    assert _edit.landed([rev(10, 'Me', parentid=9)], 9, 'Me') is True
    assert _edit.landed([rev(9, 'V')], 9, 'Me') is False
    assert _edit.landed([rev(10, 'Other', parentid=9)], 9, 'Me') is None
    assert _edit.landed([rev(11, 'Me', parentid=10)], 9, 'Me') is None
