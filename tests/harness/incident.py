"""One spambot incident seeded on the test wiki, for ``pwb cleanup``.

:func:`seed_incident` makes a fresh account and, through the API, every
kind of damage ``pwb cleanup`` handles, about fifteen pages and files:
edits on top, an edit buried under a later edit, pages and a talk page
the account alone wrote, a page it created that someone improved, a
file it uploaded and a file it overwrote, and moves (a chain A->B->C,
a move with its talk page and subpage, a move whose old title was
re-created since). It returns the titles, what ``pwb cleanup`` by
``Admin`` must leave (:func:`cleanup_problems` checks it) and a
:func:`snapshot` to tell whether ``-undo`` put everything back.

**Example:**

.. code-block:: python

   inc = seed_incident(site_for, wiki, config_dir, unique, tmp_path)
   before = inc['snapshot'](site)
   pwb(wiki, cfg, 'cleanup', f'-user:{inc["user"]}', '-always')
   assert cleanup_problems(site, inc) == []
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from .wikitools import (
    deleted_count,
    edit,
    file_sha1s,
    new_user,
    revisions,
    stamp_file_earlier,
    upload,
)


__all__ = ['cleanup_problems', 'move', 'page_info', 'seed_incident',
           'snapshot', 'snapshot_differences']

#: what the spambot adds, so a test can grep a page's text for it
SPAM = '[http://spam.example/buy cheap pills]'


def move(site: Any, old: str, new: str, **flags: Any) -> dict[str, Any]:
    """Move *old* to *new* as *site*'s user; return the API's answer.

    :param flags: ``movetalk=1``, ``movesubpages=1``, ``noredirect=1``
    """
    return site.simple_request(
        action='move', to=new, reason='spam', token=site.tokens['csrf'],
        formatversion=2, **{'from': old}, **flags).submit()['move']


def page_info(site: Any, title: str) -> dict[str, Any]:
    """What is at *title* now, fresh from the wiki (no redirect followed).

    :return: ``exists``, ``pageid`` (None if missing), ``redirect`` (the
        target's title, or None) and ``latest`` (revision id and user)
    """
    data = site.simple_request(
        action='query', titles=title, prop='revisions|info',
        rvprop='ids|user|content', rvslots='main',
        formatversion=2).submit()
    page = data['query']['pages'][0]
    if page.get('missing') or page.get('invalid'):
        return {'exists': False, 'pageid': None, 'redirect': None,
                'latest': None, 'text': None}
    rev = page['revisions'][0]
    text = rev['slots']['main']['content']
    redirect = None
    if page.get('redirect'):
        data = site.simple_request(
            action='query', titles=title, redirects=1,
            formatversion=2).submit()
        redirect = data['query']['redirects'][0]['to']
    return {'exists': True, 'pageid': page['pageid'], 'redirect': redirect,
            'latest': (rev['revid'], rev['user']), 'text': text}


def _now() -> str:
    return time.strftime('%Y%m%d%H%M%S', time.gmtime())


def seed_incident(site_for: Callable[[str], Any], wiki: Any,
                  config_dir: Path, unique: str,
                  tmp_path: Path) -> dict[str, Any]:
    """Seed one spambot incident; return its titles and expected ends.

    The spambot is a fresh plain account (``Spambot`` and the test's
    number); plain users may move pages (``move``, ``move-subpages``)
    and upload, but have no ``suppressredirect``, so each of its moves
    left a redirect at the old title. ``Editor`` writes everything that
    is not the spambot's.

    :param site_for: the ``site_for`` fixture
    :param config_dir: this process's pywikibot configuration
    :param unique: the test's title prefix
    :param tmp_path: where the PNGs to upload are made
    :return: ``user``, ``start`` and ``end`` (timestamps around the
        spambot's actions), one key per role (below) and ``good``
        (title -> the text ``pwb cleanup`` must leave), ``bad`` (title
        -> the spambot's text), ``pageid`` (title -> the page id it had
        before the spambot's moves), ``sha1`` (``good``/``bad``/``new``)
        and ``snapshot`` (:func:`snapshot` bound to this incident)

    Roles: ``top`` (two pages, the spambot's edits on top), ``buried``
    (its edit under a later Editor edit), ``created`` (two pages only
    it wrote, the second with ``created_talk``, its talk page, only it
    wrote too), ``improved`` (it created, Editor edited after),
    ``file_new`` (its upload alone), ``file_overwritten`` (Editor's
    file it overwrote), ``chain`` (A, B, C: moved A->B, then B->C),
    ``moved`` (old, new: moved with ``moved_talk`` and ``moved_sub``,
    each an (old, new) pair too), ``taken`` (old, new: moved, then
    Editor made the redirect left at the old title a page of its own).
    """
    name = f'Spambot{unique.split()[0]}'
    spambot = new_user(wiki, config_dir, name)
    editor = site_for('Editor')
    u = unique
    inc: dict[str, Any] = {
        'user': name,
        'top': [f'{u} top one', f'{u} top two'],
        'buried': f'{u} buried',
        'created': [f'{u} spam one', f'{u} spam two'],
        'created_talk': f'Talk:{u} spam two',
        'improved': f'{u} improved',
        'file_new': f'File:{u} spam.png',
        'file_overwritten': f'File:{u} logo.png',
        'chain': (f'{u} chain A', f'{u} chain B', f'{u} chain C'),
        'moved': (f'Help:{u} guide', f'Help:{u} spam guide'),
        'moved_talk': (f'Help talk:{u} guide', f'Help talk:{u} spam guide'),
        'moved_sub': (f'Help:{u} guide/part', f'Help:{u} spam guide/part'),
        'taken': (f'{u} taken', f'{u} taken moved'),
        'good': {}, 'bad': {}, 'pageid': {}, 'sha1': {},
    }
    good, bad = inc['good'], inc['bad']

    # What was there before the spambot came: Editor's.
    for i, title in enumerate(inc['top']):
        good[title] = f'good text {i} [[Keep {i}]]'
        edit(editor, title, good[title])
    edit(editor, inc['buried'], 'one\n\ntwo')
    sha1_good = upload(editor, inc['file_overwritten'], tmp_path, 7001)
    movable = [inc['chain'][0], inc['moved'][0], inc['moved_talk'][0],
               inc['moved_sub'][0], inc['taken'][0]]
    for title in movable:
        good[title] = f'the real {title}'
        edit(editor, title, good[title])
    for title in movable:
        inc['pageid'][title] = page_info(editor, title)['pageid']
    time.sleep(1.05)  # the spambot's window starts in a second of its own
    inc['start'] = _now()

    # The spambot.
    for i, title in enumerate(inc['top']):
        bad[title] = f'good text {i} {SPAM}'
        edit(spambot, title, bad[title])
    edit(spambot, inc['buried'], f'one {SPAM}\n\ntwo')
    edit(spambot, inc['created'][0], f'Buy now {SPAM}')
    bad[inc['created'][0]] = f'Buy now! {SPAM}'
    edit(spambot, inc['created'][0], bad[inc['created'][0]])
    for title in (inc['created'][1], inc['created_talk']):
        bad[title] = f'{title}: {SPAM}'
        edit(spambot, title, bad[title])
    edit(spambot, inc['improved'], f'Pills {SPAM}\n\nA note on pills.')
    sha1_new = upload(spambot, inc['file_new'], tmp_path, 7002)
    # as may happen on a busy wiki (and did once in CI): the version a
    # second before its revision; the deletion's undo must still take it
    stamp_file_earlier(spambot, wiki, inc['file_new'])
    sha1_bad = upload(spambot, inc['file_overwritten'], tmp_path, 7003)
    a, b, c = inc['chain']
    move(spambot, a, b)
    move(spambot, b, c)
    old, new = inc['moved']
    move(spambot, old, new, movetalk=1, movesubpages=1)
    move(spambot, *inc['taken'])

    # Others, after it.
    good[inc['buried']] = 'one\n\ntwo later'
    edit(editor, inc['buried'], f'one {SPAM}\n\ntwo later')
    bad[inc['buried']] = f'one {SPAM}\n\ntwo later'
    good[inc['improved']] = 'A note on pills, checked by an editor.'
    inc['improved_revid'] = edit(editor, inc['improved'],
                                 good[inc['improved']])
    inc['taken_text'] = f'A page of its own at {inc["taken"][0]}'
    inc['taken_revid'] = edit(editor, inc['taken'][0], inc['taken_text'])
    # a file revert in the second of the last upload fails
    time.sleep(1.05)
    inc['end'] = _now()
    inc['sha1'] = {'good': sha1_good, 'bad': sha1_bad, 'new': sha1_new}
    inc['snapshot'] = partial(snapshot, incident=inc)
    return inc


def all_titles(inc: dict[str, Any]) -> list[str]:
    """Every title of the incident, old and new ones of the moves."""
    titles = [*inc['top'], inc['buried'], *inc['created'],
              inc['created_talk'], inc['improved'], inc['file_new'],
              inc['file_overwritten'], *inc['chain']]
    for role in ('moved', 'moved_talk', 'moved_sub', 'taken'):
        titles.extend(inc[role])
    return titles


def seed_problems(site: Any, inc: dict[str, Any]) -> list[str]:
    """What is not as :func:`seed_incident` meant to leave it.

    :return: one line per difference; empty when the seed is right
    """
    user = inc['user']
    problems: list[str] = []

    def want(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    for title in inc['top']:
        revs = revisions(site, title)
        want([r['user'] for r in revs] == [user, 'Editor'],
             f'{title}: {[r["user"] for r in revs]}')
    revs = revisions(site, inc['buried'])
    want([r['user'] for r in revs] == ['Editor', user, 'Editor'],
         f'{inc["buried"]}: {[r["user"] for r in revs]}')
    for title, count in zip((*inc['created'], inc['created_talk']),
                            (2, 1, 1)):
        revs = revisions(site, title)
        want([r['user'] for r in revs] == [user] * count,
             f'{title}: {[r["user"] for r in revs]}')
    revs = revisions(site, inc['improved'])
    want([r['user'] for r in revs] == ['Editor', user],
         f'{inc["improved"]}: {[r["user"] for r in revs]}')
    want(file_sha1s(site, inc['file_new']) == [inc['sha1']['new']],
         f'{inc["file_new"]}: {file_sha1s(site, inc["file_new"])}')
    want(file_sha1s(site, inc['file_overwritten'])
         == [inc['sha1']['bad'], inc['sha1']['good']],
         f'{inc["file_overwritten"]}: sha1s')
    a, b, c = inc['chain']
    want(page_info(site, a)['redirect'] == b, f'{a}: no redirect to {b}')
    want(page_info(site, b)['redirect'] == c, f'{b}: no redirect to {c}')
    info = page_info(site, c)
    want(info['pageid'] == inc['pageid'][a] and not info['redirect'],
         f'{c}: {info}')
    for role in ('moved', 'moved_talk', 'moved_sub'):
        old, new = inc[role]
        want(page_info(site, old)['redirect'] == new,
             f'{old}: no redirect to {new}')
        info = page_info(site, new)
        want(info['pageid'] == inc['pageid'][old], f'{new}: {info}')
    old, new = inc['taken']
    info = page_info(site, old)
    want(info['latest'] == (inc['taken_revid'], 'Editor')
         and not info['redirect'], f'{old}: {info}')
    want([r['user'] for r in revisions(site, old)] == ['Editor', user],
         f'{old}: not the spambot\'s redirect and an Editor edit')
    want(page_info(site, new)['pageid'] == inc['pageid'][old],
         f'{new}: not the moved page')
    return problems


def cleanup_problems(site: Any, inc: dict[str, Any], *,
                     deletions: bool = True,
                     redirects_left: bool = False) -> list[str]:
    """What is not as ``pwb cleanup -user:SPAMBOT`` must leave it.

    :param deletions: whether the account could delete; without, the
        pages only the spambot wrote are left as they were
    :param redirects_left: whether the account lacks
        ``suppressredirect``, so each move back leaves a redirect at
        the title it moved the page from
    :return: one line per difference; empty when all is right
    """
    user = inc['user']
    problems: list[str] = []

    def want(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    # Nothing of the spambot's on top anywhere but where its move is
    # not undone (the old title taken: its null revision of the move,
    # which changed nothing, stays on the page) and at what was not to
    # be deleted.
    spared = {inc['taken'][1]}
    if not deletions:
        spared |= {*inc['created'], inc['created_talk'], inc['file_new']}
    for title in all_titles(inc):
        info = page_info(site, title)
        if info['exists'] and title not in spared:
            want(info['latest'][1] != user,
                 f'{title}: the spambot is still the latest editor')
    for title in inc['top']:
        info = page_info(site, title)
        want(info['text'] == inc['good'][title],
             f'{title}: text {info["text"]!r}')
    info = page_info(site, inc['buried'])
    want(info['text'] == inc['good'][inc['buried']],
         f'{inc["buried"]}: text {info["text"]!r}')
    # only its pages gone, with all their revisions
    for title, count in zip((*inc['created'], inc['created_talk']),
                            (2, 1, 1)):
        if deletions:
            want(not page_info(site, title)['exists'],
                 f'{title}: not deleted')
            want(deleted_count(site, title) == count,
                 f'{title}: {deleted_count(site, title)} deleted '
                 f'revision(s), not {count}')
        else:
            want(page_info(site, title)['latest'][1] == user,
                 f'{title}: touched, though it could not be deleted')
    info = page_info(site, inc['improved'])
    want(info['latest'] == (inc['improved_revid'], 'Editor'),
         f'{inc["improved"]}: {info["latest"]}, not Editor\'s '
         f'{inc["improved_revid"]}')
    # files
    if deletions:
        want(not page_info(site, inc['file_new'])['exists'],
             f'{inc["file_new"]}: not deleted')
        want(file_sha1s(site, inc['file_new']) == [],
             f'{inc["file_new"]}: versions left')
    else:
        want(file_sha1s(site, inc['file_new']) == [inc['sha1']['new']],
             f'{inc["file_new"]}: touched')
    sha1 = inc['sha1']
    got = file_sha1s(site, inc['file_overwritten'])
    want(got == [sha1['good'], sha1['bad'], sha1['good']],
         f'{inc["file_overwritten"]}: sha1s {got}')

    # moves: the page id that was at the old title is there again
    def moved_back(old: str, *others: str) -> None:
        info = page_info(site, old)
        want(info['pageid'] == inc['pageid'][old] and not info['redirect']
             and info['text'] == inc['good'][old],
             f'{old}: page id {info["pageid"]} (redirect '
             f'{info["redirect"]}), not {inc["pageid"][old]}')
        for other in others:
            info = page_info(site, other)
            if redirects_left:
                want(info['redirect'] is not None,
                     f'{other}: no redirect left')
            else:
                want(not info['exists'], f'{other}: {info}')

    a, b, c = inc['chain']
    moved_back(a, b, c)
    for role in ('moved', 'moved_talk', 'moved_sub'):
        moved_back(*inc[role])
    # the re-created old title untouched, the page stays where it went
    old, new = inc['taken']
    info = page_info(site, old)
    want(info['latest'] == (inc['taken_revid'], 'Editor'),
         f'{old}: {info["latest"]}, not Editor\'s {inc["taken_revid"]}')
    info = page_info(site, new)
    want(info['pageid'] == inc['pageid'][old] and not info['redirect']
         and info['text'] == inc['good'][old], f'{new}: {info}')
    return problems


def snapshot(site: Any, incident: dict[str, Any]) -> dict[str, Any]:
    """The incident's state as a faithful ``-undo`` must put it back.

    Only what an undo can restore is taken: an undo writes revisions
    of its own, so edited pages are compared by text; undeleted pages by
    their revisions (ids, latest user, nothing left in the archive);
    titles by what is there: the page id, the text, or the redirect
    and its target; files by the current version, all versions for the
    one the spambot alone uploaded (undeleted as they were).

    :return: title -> its state; compare with :func:`snapshot_differences`
    """
    inc = incident
    state: dict[str, Any] = {}
    for title in all_titles(inc):
        info = page_info(site, title)
        entry: dict[str, Any] = {'exists': info['exists'],
                                 'redirect': info['redirect']}
        if not info['redirect']:  # a redirect made again is a new page
            entry.update(pageid=info['pageid'], text=info['text'])
        state[title] = entry
    for title in (*inc['created'], inc['created_talk'], inc['improved'],
                  inc['file_new'], inc['taken'][0]):
        state[title]['revisions'] = [(r['revid'], r['user'])
                                     for r in revisions(site, title)]
        state[title]['deleted'] = deleted_count(site, title)
    state[inc['file_new']]['sha1s'] = file_sha1s(site, inc['file_new'])
    state[inc['file_overwritten']]['sha1'] = file_sha1s(
        site, inc['file_overwritten'])[:1]
    return state


def snapshot_differences(before: dict[str, Any],
                         after: dict[str, Any]) -> list[str]:
    """Return one line per field that differs between two snapshots."""
    lines = []
    for title, fields in before.items():
        for name, value in fields.items():
            now = after.get(title, {}).get(name)
            if now != value:
                lines.append(f'{title}: {name} {value!r} -> {now!r}')
    return lines

