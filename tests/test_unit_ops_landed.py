"""Deciding from the wiki's state whether an uncertain write landed."""
from __future__ import annotations

from pywikibot import Timestamp as T

from pywikibot_revert.ops import _filerevert, _rollback, _undelete
from pywikibot_revert.results import FileVersion


def test_rollback_landed_only_if_ours_is_on_top():
    vandal = [{'revid': 9, 'parentid': 8, 'user': 'V', 'tags': []},
              {'revid': 8, 'parentid': 5, 'user': 'V', 'tags': []},
              {'revid': 5, 'parentid': 0, 'user': 'E', 'tags': []}]
    assert _rollback.our_rollback(vandal, 'V', 'Admin') is None
    ours = [{'revid': 10, 'parentid': 9, 'user': 'Admin',
             'tags': ['mw-rollback']}, *vandal]
    assert _rollback.our_rollback(ours, 'V', 'Admin') == {
        'revid': 10, 'old_revid': 9, 'last_revid': 5}
    untagged = [{**ours[0], 'tags': []}, *vandal]
    assert _rollback.our_rollback(untagged, 'V', 'Admin') is None
    assert _rollback.our_rollback(ours, 'V', 'Other') is None


def test_undelete_landed():
    part = {'timestamps': ['20260101000000', '20260102000000'],
            'fileids': [3]}
    assert _undelete.landed(part, set(), set()) is True
    assert _undelete.landed(part, {'20260101000000', '20260102000000'},
                            {3}) is False
    assert _undelete.landed(part, {'20260101000000'}, set()) is None
    assert _undelete.landed({'all_revisions': True}, set(), set()) is True
    assert _undelete.landed({'all_revisions': True}, {'x'}, set()) is False


def test_revert_landed_tells_versions_apart_by_content():
    old = FileVersion(T(2026, 1, 1), 'E', 'aaa', archivename='1!A.png')
    replaced = FileVersion(T(2026, 1, 2), 'V', 'bbb')
    same_second = FileVersion(T(2026, 1, 2), 'Admin', 'aaa')
    assert _filerevert.landed([replaced, old], old, replaced) is False
    assert _filerevert.landed([same_second, replaced, old], old,
                              replaced) is True
    other = FileVersion(T(2026, 1, 3), 'X', 'ccc')
    assert _filerevert.landed([other, replaced], old, replaced) is None
