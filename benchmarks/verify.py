"""Read the benchmark wiki's state through the API (standard library only).

Used to check each seed and, after each contender, that the job was
really done. Reads go through :meth:`TestWiki.api_get` (anonymous GET
requests) while no contender runs, so they never count for one.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.wikiharness import TestWiki


__all__ = ['buried_text', 'check_buried', 'check_cleanup', 'check_filerevert',
           'check_rollback', 'check_undelete', 'check_untouched',
           'cleanup_seed_problems', 'contributions', 'current_files',
           'current_texts', 'existing', 'latest_editors', 'log_titles',
           'log_pairs', 'redirects', 'revision_users',
           'top_contributions']

#: titles per batched read (the anonymous limit)
BATCH = 50
#: bound on continuation rounds of one listing
MAX_ROUNDS = 10_000


def _batches(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i:i + BATCH]


def _query(wiki: TestWiki, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield the ``query`` part of each answer, following continuation."""
    cont: dict[str, Any] = {}
    for _ in range(MAX_ROUNDS):
        data = wiki.api_get(action='query', **params, **cont)
        if 'error' in data:
            raise RuntimeError(f'API error: {data["error"]}')
        yield data.get('query', {})
        if 'continue' not in data:
            return
        cont = data['continue']
    raise RuntimeError('listing did not end')


def _pages(wiki: TestWiki, titles: list[str], **params: Any
           ) -> Iterator[dict[str, Any]]:
    for batch in _batches(titles):
        for part in _query(wiki, titles='|'.join(batch), **params):
            yield from part.get('pages', [])


def latest_editors(wiki: TestWiki, titles: list[str]) -> dict[str, str | None]:
    """Return title -> user of the latest revision (None: no page)."""
    result: dict[str, str | None] = {}
    for page in _pages(wiki, titles, prop='revisions', rvprop='user'):
        revs = page.get('revisions') or [{}]
        result[page['title']] = revs[0].get('user')
    return result


def top_contributions(wiki: TestWiki, user: str) -> int:
    """Return on how many pages *user* made the latest edit."""
    return sum(len(part.get('usercontribs', []))
               for part in _query(wiki, list='usercontribs', ucuser=user,
                                  ucshow='top', uclimit='max',
                                  ucprop='title'))


def contributions(wiki: TestWiki, user: str) -> int:
    """Return how many edits *user* made (top or not)."""
    return sum(len(part.get('usercontribs', []))
               for part in _query(wiki, list='usercontribs', ucuser=user,
                                  uclimit='max', ucprop='ids'))


def current_texts(wiki: TestWiki, titles: list[str]
                  ) -> dict[str, tuple[str | None, str | None]]:
    """Return title -> (text, user) of the latest revision (50 a read)."""
    result: dict[str, tuple[str | None, str | None]] = {}
    for page in _pages(wiki, titles, prop='revisions', rvprop='user|content',
                       rvslots='main'):
        rev = (page.get('revisions') or [{}])[0]
        text = rev.get('slots', {}).get('main', {}).get('content')
        result[page['title']] = (text, rev.get('user'))
    return result


def log_titles(wiki: TestWiki, action: str, user: str) -> set[str]:
    """Return the titles of log entries ``action`` (e.g. delete/delete)."""
    return {event['title']
            for part in _query(wiki, list='logevents', leaction=action,
                               leuser=user, lelimit='max', leprop='title')
            for event in part.get('logevents', [])}


def existing(wiki: TestWiki, titles: list[str]) -> list[str]:
    """Return those of *titles* that exist."""
    return [page['title'] for page in _pages(wiki, titles)
            if not page.get('missing')]


def redirects(wiki: TestWiki, titles: list[str]) -> set[str]:
    """Return those of *titles* that are redirects (50 a read)."""
    return {page['title'] for page in _pages(wiki, titles, prop='info')
            if page.get('redirect')}


def log_pairs(wiki: TestWiki, logtype: str, user: str
              ) -> set[tuple[str, str, str]]:
    """Return (action, title, target) of *user*'s entries in a log.

    The target is a move's new title (empty for other logs).
    """
    return {(event['action'], event['title'],
             event.get('params', {}).get('target_title', ''))
            for part in _query(wiki, list='logevents', letype=logtype,
                               leuser=user, lelimit='max',
                               leprop='title|type|details')
            for event in part.get('logevents', [])}


def revision_users(wiki: TestWiki, titles: list[str]
                   ) -> dict[str, list[str]]:
    """Return title -> users of its revisions (all main namespace pages).

    Uses ``list=allrevisions``: a few requests for the whole namespace
    instead of one per page.
    """
    wanted = set(titles)
    result: dict[str, list[str]] = {t: [] for t in titles}
    for part in _query(wiki, list='allrevisions', arvnamespace=0,
                       arvprop='user', arvlimit='max'):
        for page in part.get('allrevisions', []):
            if page['title'] in wanted:
                result[page['title']].extend(
                    r.get('user', '') for r in page.get('revisions', []))
    return result


def current_files(wiki: TestWiki, titles: list[str]
                  ) -> dict[str, tuple[str, str]]:
    """Return title -> (sha1, user) of each file's current version."""
    result: dict[str, tuple[str, str]] = {}
    for page in _pages(wiki, titles, prop='imageinfo', iiprop='sha1|user'):
        info = page.get('imageinfo') or []
        if info:
            # the first answer has the current version: asked about one
            # file alone, the API continues (iistart) with older ones
            result.setdefault(page['title'],
                              (info[0]['sha1'], info[0].get('user')))
    return result


# -- checks after a contender --------------------------------------------

def check_rollback(wiki: TestWiki, titles: list[str],
                   vandal: str = 'Vandal') -> tuple[bool, str]:
    """The vandal is no longer the latest editor of any seeded page."""
    latest = latest_editors(wiki, titles)
    still = [t for t in titles if latest.get(t) == vandal]
    top = top_contributions(wiki, vandal)
    ok = not still and top == 0
    return ok, (f'all {len(titles)} reverted' if ok else
                f'{len(still)} of {len(titles)} pages still by {vandal} '
                f'(top contributions left: {top})')


def buried_text(title: str) -> str:
    """Return a buried page's text once Vandal's edit is undone.

    What :func:`seeding.seed_buried` imported, less the spam link: the
    importer keeps the text as given (`` on TITLE.`` appended by the
    dump), and MediaWiki right-trims a saved text.
    """
    return f'Good text.\n\nSecond paragraph, edited on {title}.'


def check_buried(wiki: TestWiki, titles: list[str], editor: str = 'Admin'
                 ) -> tuple[bool, str]:
    """Every page's text is :func:`buried_text`, last edited by *editor*.

    The texts are read 50 pages a request.
    """
    current = current_texts(wiki, titles)
    wrong = [t for t in titles
             if current.get(t) != (buried_text(t), editor)]
    ok = not wrong
    if ok:
        return ok, f'all {len(titles)} undone'
    first = wrong[0]
    return ok, (f'{len(wrong)} of {len(titles)} pages not undone by '
                f'{editor} (e.g. {first}: {current.get(first)!r})')


def check_untouched(wiki: TestWiki, titles: list[str],
                    vandal: str = 'Vandal') -> tuple[bool, str]:
    """Nothing was written (``-simulate``): the vandal is still on top."""
    latest = latest_editors(wiki, titles)
    changed = [t for t in titles if latest.get(t) != vandal]
    ok = not changed
    return ok, (f'all {len(titles)} untouched' if ok else
                f'{len(changed)} of {len(titles)} pages changed')


def check_undelete(wiki: TestWiki, titles: list[str], revisions: int,
                   without: str | None = None) -> tuple[bool, str]:
    """Every page exists again with *revisions* revisions.

    :param without: a user none of whose revisions may be back
    """
    users = revision_users(wiki, titles)
    wrong = [t for t in titles if len(users[t]) != revisions
             or (without and without in users[t])]
    ok = not wrong
    what = f'{revisions} revisions' + (f', none by {without}'
                                       if without else '')
    return ok, (f'all {len(titles)} restored ({what})' if ok else
                f'{len(wrong)} of {len(titles)} pages not restored with '
                f'{what} (e.g. {wrong[0]}: {users[wrong[0]]})')


def check_filerevert(wiki: TestWiki, expected: dict[str, str]
                     ) -> tuple[bool, str]:
    """Every file's current sha1 is Editor's again."""
    current = current_files(wiki, list(expected))
    wrong = [t for t, sha1 in expected.items()
             if current.get(t, ('',))[0] != sha1]
    ok = not wrong
    return ok, (f'all {len(expected)} at Editor\'s sha1' if ok else
                f'{len(wrong)} of {len(expected)} files not at Editor\'s '
                'version')


def _e_g(titles: list[str]) -> str:
    return f' (e.g. {titles[0]})' if titles else ''


def cleanup_seed_problems(wiki: TestWiki, made: dict[str, Any],
                          spam_sha1: dict[str, str],
                          spambot: str = 'Spambot') -> list[str]:
    """Check the cleanup seed (:func:`seeding.seed_cleanup`).

    :param made: the seed's groups of titles (:func:`seeding.cleanup_titles`)
    :param spam_sha1: file title -> sha1 of Spambot's (current) version
    :return: what is wrong, empty if nothing
    """
    problems = []
    latest = latest_editors(wiki, made['edited'])
    wrong = [t for t in made['edited'] if latest.get(t) != spambot]
    if wrong:
        problems.append(f'{len(wrong)} edited page(s) without {spambot} on '
                        f'top{_e_g(wrong)}')
    users = revision_users(wiki, made['created'])
    wrong = [t for t in made['created']
             if not users[t] or set(users[t]) != {spambot}]
    if wrong:
        problems.append(f'{len(wrong)} created page(s) not {spambot}\'s '
                        f'alone{_e_g(wrong)}')
    moves = log_pairs(wiki, 'move', spambot)
    wrong = [old for old, new in made['moved']
             if ('move', old, new) not in moves]
    olds = [old for old, _ in made['moved']]
    news = [new for _, new in made['moved']]
    not_redirects = sorted(set(olds) - redirects(wiki, olds))
    gone = sorted(set(news) - set(existing(wiki, news)))
    if wrong or not_redirects or gone:
        problems.append(f'moves: {len(wrong)} not in the move log by '
                        f'{spambot}{_e_g(wrong)}, {len(not_redirects)} old '
                        f'title(s) not a redirect, {len(gone)} new title(s) '
                        f'missing')
    uploads = log_pairs(wiki, 'upload', spambot)
    wrong = [t for t in made['new_files']
             if ('upload', t, '') not in uploads]
    wrong += [t for t in made['overwritten']
              if ('overwrite', t, '') not in uploads]
    current = current_files(wiki, list(spam_sha1))
    versions = [t for t, sha1 in spam_sha1.items()
                if current.get(t) != (sha1, spambot)]
    if wrong or versions:
        problems.append(f'files: {len(wrong)} upload(s) or overwrite(s) '
                        f'missing from the log{_e_g(wrong)}, '
                        f'{len(versions)} not at {spambot}\'s version')
    return problems


def check_cleanup(wiki: TestWiki, made: dict[str, Any],
                  spambot: str = 'Spambot') -> tuple[bool, str]:
    """Spambot's incident (:func:`seeding.seed_cleanup`) is cleaned up.

    Nothing of Spambot's is on top anywhere; the edited pages are no
    longer Spambot's; the created pages and the new files are gone; the
    moved pages are back at their old titles (no redirect there, none
    left at the new one); each overwritten file is at Editor's version.
    """
    problems = []
    top = top_contributions(wiki, spambot)
    if top:
        problems.append(f'{top} top contribution(s) of {spambot} left')
    latest = latest_editors(wiki, made['edited'])
    wrong = [t for t in made['edited'] if latest.get(t) in (spambot, None)]
    if wrong:
        problems.append(f'{len(wrong)} edited page(s) still by {spambot} '
                        f'or missing{_e_g(wrong)}')
    left = existing(wiki, made['created'] + made['new_files'])
    if left:
        problems.append(f'{len(left)} created page(s) or new file(s) still '
                        f'there{_e_g(left)}')
    olds = [old for old, _ in made['moved']]
    news = [new for _, new in made['moved']]
    back = set(existing(wiki, olds)) - redirects(wiki, olds)
    not_back = [t for t in olds if t not in back]
    still = existing(wiki, news)
    if not_back or still:
        problems.append(f'moves: {len(not_back)} page(s) not back at the '
                        f'old title{_e_g(not_back)}, {len(still)} new '
                        f'title(s) still there{_e_g(still)}')
    current = current_files(wiki, list(made['editor_sha1']))
    wrong = [t for t, sha1 in made['editor_sha1'].items()
             if current.get(t, ('',))[0] != sha1]
    if wrong:
        problems.append(f'{len(wrong)} overwritten file(s) not at Editor\'s '
                        f'version{_e_g(wrong)}')
    ok = not problems
    return ok, (f'all {len(made["titles"])} items cleaned up' if ok
                else '; '.join(problems))
