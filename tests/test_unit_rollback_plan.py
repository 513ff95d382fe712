"""Planning rollbacks down the parent ids (no wiki)."""
from __future__ import annotations

from pywikibot_revert.exceptions import (
    AlreadyRolledBackError,
    HiddenUserError,
    MissingTargetError,
    OnlyAuthorError,
)
from pywikibot_revert.ops._rollback_plan import _Page, follow_runs
from harness.fakesite import FakeSite


def _history(*users: str, first: int = 1) -> dict[int, dict]:
    """Revisions first, first+1, ... by *users*, oldest first."""
    return {first + i: {'revid': first + i,
                        'parentid': first + i - 1 if i else 0, 'user': u}
            for i, u in enumerate(users)}


def _reader(revs: dict[int, dict], calls: list[list[int]]):
    def read(ids: list[int]) -> dict[int, dict]:
        calls.append(ids)
        return {i: revs[i] for i in ids if i in revs}
    return read


def test_one_read_per_step_for_all_pages():
    a = _history('E', 'V', 'V', 'V', first=1)      # 1..4
    b = _history('E', 'V', first=10)               # 10..11
    revs = {**a, **b}
    pages = [_Page('A', 'V', top=revs[4]), _Page('B', 'V', top=revs[11])]
    calls: list[list[int]] = []
    assert follow_runs(pages, _reader(revs, calls)) == []
    # B is planned after the first step; A takes three
    assert calls == [[3, 10], [2], [1]]
    assert (pages[0].plan.count, pages[0].plan.restore) == (3, 1)
    assert (pages[1].plan.count, pages[1].plan.restore) == (1, 10)


def test_what_the_latest_revision_tells_needs_no_read():
    revs = _history('V', 'E')
    hidden = {'revid': 7, 'parentid': 6, 'userhidden': True}
    pages = [_Page('other', 'V', top=revs[2]), _Page('gone', 'V'),
             _Page('hidden', 'V', top=hidden),
             _Page('alone', 'V', top=_history('V')[1])]
    calls: list[list[int]] = []
    assert follow_runs(pages, _reader(revs, calls)) == []
    assert calls == []
    assert [type(p.error) for p in pages] == [
        AlreadyRolledBackError, MissingTargetError, HiddenUserError,
        OnlyAuthorError]
    assert all(p.plan is None for p in pages)


def test_the_user_wrote_every_revision():
    revs = _history('V', 'V', 'V')
    page = _Page('A', 'V', top=revs[3])
    assert follow_runs([page], _reader(revs, [])) == []
    assert isinstance(page.error, OnlyAuthorError) and page.plan is None


def test_what_the_reads_cannot_tell_is_handed_back():
    revs = _history('E', 'V', 'V')
    revs[1] = {**revs[1], 'userhidden': True}
    del revs[1]['user']
    unseen = _Page('unseen', 'V', top={'revid': 50, 'parentid': 49,
                                       'user': 'V'})
    hidden = _Page('hidden', 'V', top=revs[3])
    long_run = _Page('long', 'V', top=_history(*'E' + 'V' * 12,
                                               first=100)[112])
    revs.update(_history(*'E' + 'V' * 12, first=100))
    left = follow_runs([unseen, hidden, long_run], _reader(revs, []),
                       rounds=10)
    assert {p.title for p in left} == {'unseen', 'hidden', 'long'}
    assert all(p.plan is None and p.error is None for p in left)


def test_texts_past_the_result_size_limit_are_followed():
    """MediaWiki cuts an answer at $wgAPIMaxResultSize: rvcontinue."""
    from pywikibot_revert.wiki._query import revision_texts

    def rev(i):
        return {'revid': i, 'slots': {'main': {'content': f'text {i}'}}}
    site = FakeSite(
        {'continue': {'rvcontinue': '2', 'continue': '||'},
         'query': {'pages': [{'revisions': [rev(1)]}]}},
        {'query': {'pages': [{'revisions': [rev(2)]}]}})
    assert revision_texts(site, [1, 2]) == {1: 'text 1', 2: 'text 2'}
    assert site.sent[1]['rvcontinue'] == '2'
