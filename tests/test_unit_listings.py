"""The listings: what they ask for and what they keep (no wiki)."""
from __future__ import annotations

import gc
import weakref

import pywikibot
import pytest

from pywikibot_revert.wiki import _listings as _generators
from pywikibot_revert.wiki._listings import top_contributions, unique
from harness.fakesite import FakeSite


class Titled:

    def __init__(self, title):
        self._title = title

    def title(self):
        return self._title


#: a sysop's rights: listings in batches of LISTING_BATCH
HIGH_LIMITS = ('apihighlimits',)


def contrib(i):
    return {'userid': 3, 'user': 'V', 'pageid': i, 'revid': 100 + i,
            'parentid': 50 + i, 'ns': 0, 'title': f'P{i}'}


@pytest.fixture
def titles_as_pages(monkeypatch):
    """Pages need a real site; here a page is its title."""
    monkeypatch.setattr(pywikibot, 'Page', lambda site, title: title)
    monkeypatch.setattr(pywikibot, 'FilePage', lambda site, title: title)


def test_unique_keeps_the_first_of_each_title():
    pages = [Titled(t) for t in ('A', 'B', 'A', 'C', 'B')]
    assert [p.title() for p in unique(pages)] == ['A', 'B', 'C']


def test_contributions_are_let_go_before_the_next_answer(titles_as_pages):
    """Two answers of up to 5,000 are never in memory at once."""
    first = [contrib(1), contrib(2)]
    answers = [
        {'continue': {'uccontinue': 'x', 'continue': '-||'},
         'query': {'usercontribs': first}},
        {'query': {'usercontribs': [contrib(3)]}},
    ]
    left = []

    def answer(params):
        left.append(len(first))
        return answers.pop(0)
    site = FakeSite(handler=answer, rights=HIGH_LIMITS)
    got = [(page, c['revid']) for page, c in
           top_contributions(site, user='V')]
    assert got == [('P1', 101), ('P2', 102), ('P3', 103)]
    # when the second request went out, the first list was empty
    assert left == [2, 0]
    assert site.sent[1]['uccontinue'] == 'x'
    sent = site.sent[0]
    assert (sent['list'], sent['ucshow'], sent['uclimit']) == (
        'usercontribs', 'top', _generators.LISTING_BATCH)
    # only what a rollback needs, kept for one answer at a time
    assert sent['ucprop'] == 'ids|title'


def test_an_answer_is_let_go_before_the_next_is_read(titles_as_pages):
    """Not the answer, nor its part, is alive at the next request."""
    class Answer(dict):  # a plain dict cannot be weakly referenced
        pass

    first = Answer({'continue': {'uccontinue': 'x', 'continue': '-||'},
                    'query': Answer({'usercontribs': [contrib(1)]})})
    answer, part = weakref.ref(first), weakref.ref(first['query'])
    answers = [first, {'query': {'usercontribs': [contrib(2)]}}]
    del first
    alive = []

    def next_answer(params):
        gc.collect()
        alive.append((answer() is not None, part() is not None))
        # handed over, not kept: the test sees whether the code lets go
        return answers.pop(0)
    site = FakeSite(handler=next_answer, rights=HIGH_LIMITS)
    got = [c['revid'] for _, c in top_contributions(site, user='V')]
    assert got == [101, 102]
    assert alive == [(True, True), (False, False)]


def test_listing_batch_without_high_limits(titles_as_pages):
    """Without apihighlimits the API's maximum (500) is below it."""
    site = FakeSite({'query': {'usercontribs': []}}, rights=())
    assert list(top_contributions(site, user='V')) == []
    assert site.sent[0]['uclimit'] == 'max'


def test_log_entries_come_as_logged_and_unique_keeps_the_first(
        titles_as_pages):
    """The listing keeps no titles: the run's one set is unique()'s."""
    site = FakeSite(
        {'continue': {'lecontinue': 'x', 'continue': '-||'},
         'query': {'logevents': [{'title': 'A', 'logid': 1},
                                 {'title': 'B', 'logid': 2}]}},
        {'query': {'logevents': [{'title': 'A', 'logid': 3}, {}]}},
        rights=HIGH_LIMITS)
    entries = list(_generators.deletion_log_entries(site))
    assert [(page, e['logid']) for page, e in entries] == [
        ('A', 1), ('B', 2), ('A', 3)]
    firsts = unique(entries, key=lambda pair: pair[0])
    assert [(page, e['logid']) for page, e in firsts] == [('A', 1),
                                                         ('B', 2)]
    # an entry with its comment is larger than a contribution: the log
    # comes in the same batches, not at the API maximum of 5,000
    assert site.sent[0]['lelimit'] == _generators.LISTING_BATCH
    assert site.sent[0]['leprop'] == _generators.DELETION_LEPROP


def test_overwrites_come_as_logged(titles_as_pages):
    site = FakeSite({'query': {'logevents': [
        {'title': 'File:A'}, {'title': 'File:A'}, {'title': 'File:B'}]}},
        rights=HIGH_LIMITS)
    assert list(_generators.overwritten_files(site, 'V')) == [
        'File:A', 'File:A', 'File:B']
    assert site.sent[0]['leaction'] == 'upload/overwrite'


@pytest.mark.parametrize('rights, limit', [
    (('apihighlimits',), _generators.LISTING_BATCH), ((), 'max')])
def test_the_logs_come_in_listing_batches(titles_as_pages, rights, limit):
    site = FakeSite(*[{'query': {'logevents': []}}] * 2, rights=rights)
    assert list(_generators.deletion_log_entries(site)) == []
    assert list(_generators.overwritten_files(site, 'V')) == []
    assert [sent['lelimit'] for sent in site.sent] == [limit, limit]
