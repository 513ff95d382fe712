"""The batched rollback preview, checked against the wiki's own diffs.

``pwb rollback -simulate`` (and a run without ``-always``) plans every
page's rollback from the contributions listing and batched reads; the
diff it shows must be the one the wiki itself computes between the
revision restored and the user's latest one, and the rollback must
then restore exactly that revision.
"""
from __future__ import annotations

import html
import math
import re

import pytest

from harness.wikitools import edit, new_user, pwb, revisions, text_of


pytestmark = pytest.mark.wiki

#: "[n] Title: 2 edits by V to undo (revision 12 back to 9)"
PLANNED = re.compile(r'^\[\d+\] (?P<title>.+): (?P<count>\d+) edits? by '
                     r'(?P<user>.+) to undo \(revision (?P<latest>\d+) '
                     r'back to (?P<restore>\d+)\)$')


def _lines(i: int, *changed: str) -> str:
    """A text of several lines; *changed* replaces some of them."""
    base = [f'Line {n} of page {i}.' for n in range(6)]
    for n, text in enumerate(changed):
        if text:
            base[n * 2] = text
    return '\n'.join(base)


def _expected_plan(site, title: str, user: str) -> tuple[int, int, int]:
    """Count, latest and restored revision, from the page's history."""
    revs = revisions(site, title)
    count = next(i for i, r in enumerate(revs) if r['user'] != user)
    return count, revs[0]['revid'], revs[count]['revid']


def _wiki_diff(site, old: int, new: int) -> tuple[set[str], set[str]]:
    """The lines the wiki's own diff removes and adds, old to new."""
    body = site.simple_request(action='compare', fromrev=old, torev=new,
                               formatversion=2).submit()['compare']['body']

    def cells(kind: str) -> set[str]:
        # (1.35 quotes the class with single quotes)
        found = re.findall(rf'<td class=["\']diff-{kind}line[^>]*>(.*?)</td>',
                           body, re.S)
        return {html.unescape(re.sub(r'<[^>]+>', '', c)).strip()
                for c in found} - {''}
    return cells('deleted'), cells('added')


def _shown_diffs(out: str) -> dict[str, dict]:
    """Each page's planned run and the diff lines the preview showed."""
    shown: dict[str, dict] = {}
    current = None
    for line in out.splitlines():
        # without colours pywikibot marks a coloured line with " ***"
        line = line.removesuffix(' ***')
        if m := PLANNED.match(line):
            current = shown[m['title']] = {
                'count': int(m['count']), 'latest': int(m['latest']),
                'restore': int(m['restore']), '-': set(), '+': set()}
        elif line.startswith('['):
            current = None
        elif current is not None and line[:2] in ('- ', '+ '):
            if line[2:].strip():
                current[line[0]].add(line[2:].strip())
    return shown


@pytest.fixture
def runs(wiki, site_for, config_dir, unique):
    """Runs of 1 to 3 edits by a fresh vandal, over others' edits."""
    name = f'Runner{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    editor = site_for('Editor')
    pages = {}
    for i, length in enumerate((1, 2, 3, 1, 2)):
        title = f'{unique} run{i}'
        edit(editor, title, _lines(i))
        for k in range(length):
            edit(vandal, title, _lines(i, f'spam {k} http://spam.example/{i}',
                                       '', f'more spam {k}' if k else ''))
        pages[title] = length
    # the vandal wrote the page, an editor fixed it, the vandal came back
    title = f'{unique} comeback'
    edit(vandal, title, _lines(9, 'vandal started it'))
    edit(editor, title, _lines(9, 'editor fixed it'))
    edit(vandal, title, _lines(9, 'vandal came back'))
    edit(vandal, title, _lines(9, 'vandal came back', 'twice'))
    pages[title] = 2
    alone = f'{unique} alone'
    edit(vandal, alone, 'vandal page')
    return {'user': name, 'pages': pages, 'alone': alone}


def test_preview_shows_the_wikis_own_diff(wiki, site, config_dir_for, runs):
    user = runs['user']
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{user}', '-simulate')
    assert code == 0, out
    shown = _shown_diffs(out)
    assert set(shown) == set(runs['pages']), out
    for title, length in runs['pages'].items():
        count, latest, restore = _expected_plan(site, title, user)
        assert count == length
        plan = shown[title]
        assert (plan['count'], plan['latest'], plan['restore']) == (
            count, latest, restore), title
        removed, added = _wiki_diff(site, restore, latest)
        # shown as "what the rollback does": from the latest text back
        assert plan['-'] == added and plan['+'] == removed, title
        assert added or removed
    assert 'only author' in out
    assert f'Preview: {len(runs["pages"]) + 1} page(s) read in batches, ' \
           '0 of them with their own history read' in out

    # and the rollback restores exactly the revision the preview named
    restored = {t: _expected_plan(site, t, user)[2] for t in runs['pages']}
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{user}', '-always')
    assert code == 0, out
    for title, restore in restored.items():
        old = site.simple_request(
            action='query', prop='revisions', revids=restore,
            rvprop='content', rvslots='main',
            formatversion=2).submit()['query']['pages'][0]
        assert text_of(site, title) == \
            old['revisions'][0]['slots']['main']['content']


def test_preview_reads_in_batches(wiki, site, site_for, config_dir,
                                  config_dir_for, unique):
    """60 pages: the listing, one read per step down the runs, texts
    of 25 pages per read; not two reads per page."""
    name = f'Batcher{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    editor = site_for('Editor')
    pages = 60
    for i in range(pages):
        title = f'{unique} b{i}'
        edit(editor, title, f'good {i}')
        for k in range(1 + i % 2):
            edit(vandal, title, f'bad {i} {k}')
    admin = config_dir_for('Admin')
    # what a run costs with nothing to preview: the same user, no pages
    nobody = f'Nobody{unique.split()[0]}'
    new_user(wiki, config_dir, nobody)
    before = wiki.request_count('/api.php')
    code, out = pwb(wiki, admin, 'rollback', f'-user:{nobody}', '-simulate')
    assert code == 0, out
    fixed = wiki.request_count('/api.php') - before
    before = wiki.request_count('/api.php')
    code, out = pwb(wiki, admin, 'rollback', f'-user:{name}', '-simulate')
    assert code == 0, out
    reads = wiki.request_count('/api.php') - before - fixed
    assert out.count(' to undo (revision ') == pages
    # runs of 1 and 2 edits: two steps down, then the texts, not two
    # reads per page (and at most two reads of pywikibot's own, such as
    # paraminfo for modules the run with nothing to preview did not use)
    assert reads <= 4 + math.ceil(pages / 25), (reads, out)
    assert '0 of them with their own history read' in out


def test_hidden_user_in_the_run_reads_that_page_alone(wiki, site, site_for,
                                                     config_dir,
                                                     config_dir_for, unique):
    """Where the listing cannot tell (a hidden user name under the
    run), that page's history is read, and counted."""
    name = f'Hider{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    title = f'{unique} hidden'
    edit(site_for('Editor'), title, 'good')
    hidden = edit(site_for('Editor'), title, 'good, edited')
    edit(vandal, title, 'bad')
    site.simple_request(action='revisiondelete', type='revision',
                        ids=hidden, hide='user', token=site.tokens['csrf'],
                        reason='test').submit()
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{name}', '-simulate')
    assert code == 0, out
    shown = _shown_diffs(out)
    assert shown[title]['restore'] == hidden
    assert '1 of them with their own history read' in out


def test_page_selection_is_planned_the_same(wiki, site, config_dir_for,
                                            runs):
    """With -page: the latest revisions are read for many titles at
    once; a page the user is not on top of is skipped, as listed."""
    user = runs['user']
    titles = list(runs['pages'])[:3]
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{user}', '-simulate',
                    *(f'-page:{t}' for t in titles), '-page:Main Page')
    assert code == 0, out
    shown = _shown_diffs(out)
    assert set(shown) == set(titles)
    for title in titles:
        count, latest, restore = _expected_plan(site, title, user)
        assert (shown[title]['count'], shown[title]['latest'],
                shown[title]['restore']) == (count, latest, restore)
    assert 'Main Page: skipped (not the latest editor' in out


def test_a_plan_read_too_long_ago_is_read_again(wiki, site, site_for, runs):
    """A second client edits a page after its plan was read: within
    MAX_AGE the plan read stands; after it, the page is read again and
    the preview follows the wiki, never the old plan."""
    import pywikibot

    from pywikibot_revert.exceptions import AlreadyRolledBackError
    from pywikibot_revert.ops._rollback_plan import MAX_AGE, RollbackPreviews

    now = [0.0]
    previews = RollbackPreviews(site, clock=lambda: now[0])
    user = runs['user']
    titles = list(runs['pages'])
    items = ((pywikibot.Page(site, t), user, None) for t in titles)
    pages = previews.pages(items)
    first = next(pages)
    first_plan = previews.preview(first.title()).plan
    assert first_plan.latest == revisions(site, first.title())[0]['revid']
    # the second client: an editor saves over the vandal on two pages
    edit(site_for('Editor'), titles[1], 'cleaned by hand')
    edit(site_for('Editor'), titles[2], 'cleaned by hand too')
    second = next(pages)
    # read moments ago: the plan stands as read (the rollback itself
    # would be refused by the wiki: alreadyrolled)
    assert previews.preview(second.title()).plan.count == \
        runs['pages'][titles[1]]
    now[0] += MAX_AGE + 1
    third = next(pages)
    with pytest.raises(AlreadyRolledBackError):
        previews.preview(third.title())
    fourth = next(pages)
    assert previews.preview(fourth.title()).plan.latest == \
        revisions(site, titles[3])[0]['revid']
