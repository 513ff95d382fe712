"""Fast seeding of the benchmark wiki with MediaWiki maintenance scripts.

Thousands of edits through the API would take longer than the
benchmark itself, so the work to undo is made offline:

- pages and their revisions come from a generated XML dump loaded with
  ``importDump.php --no-updates``. MediaWiki 1.39 assigns an imported
  revision to the *local* user of the same name when one exists (the
  ``imported>`` prefix is only for unknown names, or with
  ``--no-local-users``), so the revisions count as real contributions
  of Editor and Vandal: ``list=usercontribs`` lists them and rollback
  acts on them. Parent ids are set by the importer, so a page's first
  revision is ``new`` and the later ones are not.
  The buried seed's pages have an edit by Vandal under a later one by
  Editor, for ``-buried`` to undo.
- deletions by ``deleteBatch.php -u Admin``, logged as
  ``delete/delete`` by Admin;
- files by ``importImages.php --user`` (all originals in one run, then,
  at least a second later because archive names have one-second
  resolution, all overwrites with ``--overwrite``), logged as
  ``upload/upload`` and ``upload/overwrite``;
- moves by ``moveBatch.php --u USER`` (each leaves a redirect at the old
  title), logged as ``move/move`` by that user. The cleanup seed
  (:func:`seed_cleanup`) mixes all of these for one account, Spambot.

Every seed is checked through the API afterwards (see :mod:`verify`).
This module uses the standard library only.
"""
from __future__ import annotations

import datetime
import hashlib
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from harness.wikiharness import TestWiki, make_png

import verify


__all__ = ['BURIED_PREFIX', 'CLEANUP_PREFIX', 'ROLLBACK_PREFIX',
           'SPAMBOT', 'UNDELETE_PREFIX', 'FILE_PREFIX', 'cleanup_counts',
           'import_pages', 'rollback_titles', 'seed_buried', 'seed_cleanup',
           'seed_files', 'seed_rollback', 'seed_undelete']

ROLLBACK_PREFIX = 'Bench rollback'
BURIED_PREFIX = 'Bench buried'
UNDELETE_PREFIX = 'Bench undelete'
FILE_PREFIX = 'Bench file'
CLEANUP_PREFIX = 'Bench cleanup'
#: the account whose incident the cleanup job cleans up (made by the seed)
SPAMBOT = 'Spambot'

#: revisions of a rollback page: Editor creates, Vandal edits twice
ROLLBACK_REVISIONS = (('Editor', 'Good text'), ('Vandal', 'Bad text'),
                      ('Vandal', 'Worse text'))
#: revisions of a page with a buried edit: Editor creates, Vandal adds a
#: spam link to the first paragraph, Editor then edits the last one (the
#: dump appends `` on TITLE.`` to each text, i.e. to the last line)
BURIED_REVISIONS = (
    ('Editor', 'Good text.\n\nSecond paragraph'),
    ('Vandal', 'Good text. [http://spam.example/buy Buy now]\n\n'
               'Second paragraph'),
    ('Editor', 'Good text. [http://spam.example/buy Buy now]\n\n'
               'Second paragraph, edited'))
#: revisions of a page to undelete: two by Editor, the latest by Vandal
UNDELETE_REVISIONS = (('Editor', 'First text'), ('Editor', 'Second text'),
                      ('Vandal', 'Vandal text'))

#: the cleanup seed's pages: Editor creates, Spambot edits twice (to be
#: rolled back); Spambot alone creates and edits (to be deleted); Editor
#: creates, Spambot moves (to be moved back)
CLEANUP_EDITED = (('Editor', 'Good text'), (SPAMBOT, 'Spam text'),
                  (SPAMBOT, 'More spam text'))
CLEANUP_CREATED = ((SPAMBOT, 'Spam page'), (SPAMBOT, 'Spam page, more'))
CLEANUP_MOVED = (('Editor', 'Page to be moved'),)

#: seconds to let a maintenance script run, at least
SCRIPT_TIMEOUT = 1800


def script_timeout(items: int) -> float:
    """Seconds to let a maintenance script seed *items*.

    An upload by ``importImages.php`` took 0.1 s on 2 busy cores: 20,000
    of them outlast a fixed 30 minutes, and the whole seed is lost.
    """
    return max(SCRIPT_TIMEOUT, 0.5 * items)


def _after_overwrites() -> None:
    """Let the second of the overwrites pass before anyone reverts them.

    A revert archives the current version under the revert's second;
    in the overwrite's own second that is the archive name the older
    version already has, and the revert does not take (seen with one
    file: seeding, snapshot, restore and login took under a second).
    """
    time.sleep(1.1)


def rollback_titles(start: int, stop: int,
                    prefix: str = ROLLBACK_PREFIX) -> list[str]:
    """Return the titles of rollback pages number *start* to *stop* - 1."""
    return [f'{prefix} {i:05d}' for i in range(start, stop)]


def _dump(pages: list[tuple[str, tuple[tuple[str, str], ...]]],
          base: datetime.datetime, first: int) -> str:
    """Return an XML export (schema 0.11) of *pages*.

    Page number ``first + i`` gets its revisions one second apart from
    ``base + 3 * (first + i)`` seconds, so every revision of a page has
    its own second (the undelete API selects revisions by timestamp).
    """
    out = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" '
           'version="0.11" xml:lang="en">']
    for number, (title, revisions) in enumerate(pages, first):
        out.append(f'<page><title>{escape(title)}</title><ns>0</ns>')
        for k, (user, text) in enumerate(revisions):
            stamp = base + datetime.timedelta(seconds=3 * number + k)
            out.append(
                '<revision>'
                f'<timestamp>{stamp:%Y-%m-%dT%H:%M:%SZ}</timestamp>'
                f'<contributor><username>{user}</username></contributor>'
                '<comment>bench seed</comment>'
                '<model>wikitext</model><format>text/x-wiki</format>'
                f'<text xml:space="preserve">{escape(text)} on '
                f'{escape(title)}.</text></revision>')
        out.append('</page>')
    out.append('</mediawiki>\n')
    return '\n'.join(out)


def _base_time() -> datetime.datetime:
    """A fixed point a day ago: seeded revisions are older than the run."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return (now - datetime.timedelta(days=1)).replace(microsecond=0)


def _import(wiki: TestWiki, work: Path, name: str, xml: str) -> float:
    """Import *xml* with ``importDump.php``; return the seconds taken."""
    path = work / f'{name}.xml'
    path.write_text(xml, encoding='utf-8')
    start = time.monotonic()
    wiki.maintenance('importDump.php', '--no-updates', '--report=100000',
                     str(path), timeout=SCRIPT_TIMEOUT)
    path.unlink()
    return time.monotonic() - start


def import_pages(wiki: TestWiki, work: Path,
                 pages: list[tuple[str, tuple[tuple[str, str], ...]]],
                 name: str = 'pages') -> float:
    """Import *pages* (title, ((user, text), ...)) from an XML dump.

    Revisions get one second each, starting a day ago (see
    :func:`_dump`); the users must exist.

    :return: the seconds taken
    """
    return _import(wiki, work, name, _dump(pages, _base_time(), 0))


def seed_rollback(wiki: TestWiki, work: Path, start: int, stop: int,
                  base: datetime.datetime | None = None, *,
                  prefix: str = ROLLBACK_PREFIX, editor: str = 'Editor',
                  vandal: str = 'Vandal',
                  revisions: tuple[tuple[str, str], ...] = ROLLBACK_REVISIONS
                  ) -> dict[str, Any]:
    """Create rollback pages number *start* .. *stop* - 1.

    Each is created by *editor* and edited twice by *vandal*, the latest
    edit being the vandal's. Verified through the API: the vandal made
    the latest edit on every page, and his top contributions are
    exactly these pages (plus any seeded before, when *start* > 0).
    Both accounts must exist (else the importer credits ``imported>``
    names). The tests pass a vandal of their own and a *prefix*, so the
    seed shares the wiki with other tests, and may import fewer
    *revisions* per page (users named ``Editor`` and ``Vandal`` there
    stand for *editor* and *vandal*).

    :return: ``titles`` (all pages 0 .. stop - 1), ``seconds``
    :raises RuntimeError: the check failed
    """
    base = base or _base_time()
    titles = rollback_titles(start, stop, prefix)
    revisions = tuple((vandal if user == 'Vandal' else editor, text)
                      for user, text in revisions)
    seconds = _import(wiki, work, f'rollback-{start}-{stop}', _dump(
        [(t, revisions) for t in titles], base, start))
    all_titles = rollback_titles(0, stop, prefix)
    latest = verify.latest_editors(wiki, all_titles)
    wrong = [t for t in all_titles if latest.get(t) != vandal]
    top = verify.top_contributions(wiki, vandal)
    if wrong or top != len(all_titles):
        raise RuntimeError(
            f'rollback seed: {len(wrong)} page(s) without {vandal} on top '
            f'(e.g. {wrong[:3]}), {vandal} has {top} top contributions, '
            f'expected {len(all_titles)}')
    return {'titles': all_titles, 'seconds': seconds}


def seed_buried(wiki: TestWiki, work: Path, count: int) -> dict[str, Any]:
    """Create *count* pages whose edit by Vandal is buried under Editor's.

    Revisions (:data:`BURIED_REVISIONS`): Editor creates the page,
    Vandal adds a spam link to the first paragraph, Editor edits the
    last one, so an undo of Vandal's edit merges cleanly. Verified
    through the API: Editor made the latest edit on every page, Vandal
    has *count* contributions and none of them is on top.

    :return: ``titles``, ``seconds``
    :raises RuntimeError: the check failed
    """
    titles = rollback_titles(0, count, BURIED_PREFIX)
    seconds = _import(wiki, work, 'buried', _dump(
        [(t, BURIED_REVISIONS) for t in titles], _base_time(), 0))
    latest = verify.latest_editors(wiki, titles)
    wrong = [t for t in titles if latest.get(t) != 'Editor']
    contribs = verify.contributions(wiki, 'Vandal')
    top = verify.top_contributions(wiki, 'Vandal')
    if wrong or contribs != count or top:
        raise RuntimeError(
            f'buried seed: {len(wrong)} page(s) without Editor on top '
            f'(e.g. {wrong[:3]}), Vandal has {contribs} contributions '
            f'(expected {count}), {top} of them on top (expected 0)')
    return {'titles': titles, 'seconds': seconds}


def seed_undelete(wiki: TestWiki, work: Path, count: int) -> dict[str, Any]:
    """Create *count* pages of three revisions, then delete them as Admin.

    Revisions: Editor, Editor, Vandal (so ``-except-user:Vandal`` has
    something to leave out). Verified: the deletion log lists each page
    as ``delete/delete`` by Admin, and none of them exists.

    :return: ``titles``, ``seconds``
    :raises RuntimeError: the check failed
    """
    titles = [f'{UNDELETE_PREFIX} {i:05d}' for i in range(count)]
    start = time.monotonic()
    _import(wiki, work, 'undelete', _dump(
        [(t, UNDELETE_REVISIONS) for t in titles], _base_time(), 0))
    listfile = work / 'undelete-titles.txt'
    listfile.write_text('\n'.join(titles) + '\n', encoding='utf-8')
    wiki.maintenance('deleteBatch.php', '-u', 'Admin', '-r', 'bench seed',
                     str(listfile), timeout=script_timeout(count))
    logged = verify.log_titles(wiki, 'delete/delete', 'Admin')
    existing = verify.existing(wiki, titles)
    missing_log = sorted(set(titles) - logged)
    if missing_log or existing:
        raise RuntimeError(
            f'undelete seed: {len(missing_log)} page(s) not in the deletion '
            f'log, {len(existing)} still exist')
    return {'titles': titles, 'seconds': time.monotonic() - start}


def seed_files(wiki: TestWiki, work: Path, count: int) -> dict[str, Any]:
    """Upload *count* files as Editor, then overwrite each as Vandal.

    Verified: the upload log shows Vandal's ``upload/overwrite`` of each
    file, and each file's current version is Vandal's.

    :return: ``titles``, ``editor_sha1`` (title -> sha1 of Editor's
        version, what a revert must bring back), ``seconds``
    :raises RuntimeError: the check failed
    """
    start = time.monotonic()
    originals, overwrites = work / 'files-editor', work / 'files-vandal'
    titles, editor_sha1, vandal_sha1 = [], {}, {}
    for i in range(count):
        name = f'{FILE_PREFIX.replace(" ", "_")}_{i:03d}.png'
        title = f'File:{FILE_PREFIX} {i:03d}.png'
        titles.append(title)
        good = make_png(originals / name, 1_000_000 + i)
        bad = make_png(overwrites / name, 2_000_000 + i)
        editor_sha1[title] = hashlib.sha1(good.read_bytes()).hexdigest()
        vandal_sha1[title] = hashlib.sha1(bad.read_bytes()).hexdigest()
    wiki.maintenance('importImages.php', '--user=Editor',
                     '--comment=bench seed: original', '--extensions=png',
                     str(originals), timeout=script_timeout(count))
    time.sleep(1.1)  # archive names have one-second resolution
    wiki.maintenance('importImages.php', '--user=Vandal', '--overwrite',
                     '--comment=bench seed: overwrite', '--extensions=png',
                     str(overwrites), timeout=script_timeout(count))
    _after_overwrites()
    logged = verify.log_titles(wiki, 'upload/overwrite', 'Vandal')
    current = verify.current_files(wiki, titles)
    missing_log = sorted(set(titles) - logged)
    wrong = [t for t in titles if current.get(t, (None,))[0]
             != vandal_sha1[t] or current[t][1] != 'Vandal']
    if missing_log or wrong:
        raise RuntimeError(
            f'file seed: {len(missing_log)} overwrite(s) missing from the '
            f'upload log, {len(wrong)} file(s) not at Vandal\'s version')
    return {'titles': titles, 'editor_sha1': editor_sha1,
            'seconds': time.monotonic() - start}


def cleanup_counts(total: int) -> dict[str, int]:
    """Split the cleanup incident of *total* items into its kinds.

    40 % pages with Spambot's edits on top, 30 % pages Spambot created
    alone, 20 % pages Spambot moved, 10 % files, half of them uploaded
    new by Spambot and half uploaded by Editor and overwritten by
    Spambot (the new ones round down). Every kind gets at least one
    item from 20 items on.

    >>> sorted(cleanup_counts(1000).values())
    [50, 50, 200, 300, 400]
    >>> sum(cleanup_counts(37).values())
    37
    """
    created, moved, files = total * 3 // 10, total // 5, total // 10
    new_files = files // 2
    return {'edited': total - created - moved - files, 'created': created,
            'moved': moved, 'new_files': new_files,
            'overwritten': files - new_files}


def cleanup_titles(total: int) -> dict[str, Any]:
    """Return the titles of a cleanup incident of *total* items.

    :return: ``edited``, ``created`` (titles), ``moved`` (pairs of the
        old and the new title), ``new_files``, ``overwritten`` (file
        titles with the ``File:`` prefix)
    """
    counts = cleanup_counts(total)
    prefix = CLEANUP_PREFIX
    return {
        'edited': [f'{prefix} edited {i:05d}'
                   for i in range(counts['edited'])],
        'created': [f'{prefix} created {i:05d}'
                    for i in range(counts['created'])],
        'moved': [(f'{prefix} moved {i:05d}',
                   f'{prefix} moved {i:05d} by spam')
                  for i in range(counts['moved'])],
        'new_files': [f'File:{prefix} new {i:05d}.png'
                      for i in range(counts['new_files'])],
        'overwritten': [f'File:{prefix} overwritten {i:05d}.png'
                        for i in range(counts['overwritten'])],
    }


def seed_cleanup(wiki: TestWiki, work: Path, total: int) -> dict[str, Any]:
    """Seed an incident of *total* items by one account, Spambot.

    The account is made first (``createAndPromote.php``, no groups: the
    importer credits revisions to an existing local account only). In
    the proportions of :func:`cleanup_counts`:

    - pages created by Editor and edited twice by Spambot (rollback);
    - pages Spambot created and edited alone (to delete);
    - pages created by Editor, then moved by Spambot with
      ``moveBatch.php --u Spambot``, which leaves a redirect at the old
      title (to move back over it);
    - files uploaded new by Spambot (to delete), and files uploaded by
      Editor and overwritten by Spambot a second later (to revert),
      both by ``importImages.php``.

    Verified through the API: Spambot made the latest edit of every
    edited page, every revision of every created page, the move of
    every moved page (whose old title is a redirect now), the upload of
    every new file and the overwrite (the current version) of every
    overwritten one.

    :return: ``titles`` (one per item: the edited, created pages, the
        moved pages' old titles, the files), the groups of
        :func:`cleanup_titles`, ``editor_sha1`` (overwritten file ->
        sha1 of Editor's version) and ``seconds``
    :raises RuntimeError: the check failed
    """
    start = time.monotonic()
    made = cleanup_titles(total)
    wiki.create_user(SPAMBOT)
    pages = ([(t, CLEANUP_EDITED) for t in made['edited']]
             + [(t, CLEANUP_CREATED) for t in made['created']]
             + [(old, CLEANUP_MOVED) for old, _ in made['moved']])
    _import(wiki, work, 'cleanup', _dump(pages, _base_time(), 0))
    moves = work / 'cleanup-moves.txt'
    moves.write_text(''.join(f'{old}|{new}\n' for old, new in made['moved']),
                     encoding='utf-8')
    wiki.maintenance('moveBatch.php', f'--u={SPAMBOT}',
                     '--r=bench seed: move', str(moves),
                     timeout=script_timeout(len(made['moved'])))

    originals, spam = work / 'cleanup-editor', work / 'cleanup-spambot'
    originals.mkdir(exist_ok=True)
    spam.mkdir(exist_ok=True)
    editor_sha1, spam_sha1 = {}, {}
    for i, title in enumerate(made['overwritten']):
        name = title.split(':', 1)[1].replace(' ', '_')
        good = make_png(originals / name, 3_000_000 + i)
        bad = make_png(spam / name, 4_000_000 + i)
        editor_sha1[title] = hashlib.sha1(good.read_bytes()).hexdigest()
        spam_sha1[title] = hashlib.sha1(bad.read_bytes()).hexdigest()
    for i, title in enumerate(made['new_files']):
        name = title.split(':', 1)[1].replace(' ', '_')
        new = make_png(spam / name, 5_000_000 + i)
        spam_sha1[title] = hashlib.sha1(new.read_bytes()).hexdigest()
    files = len(spam_sha1)
    if editor_sha1:
        wiki.maintenance('importImages.php', '--user=Editor',
                         '--comment=bench seed: original',
                         '--extensions=png', str(originals),
                         timeout=script_timeout(len(editor_sha1)))
        time.sleep(1.1)  # archive names have one-second resolution
    # new files and overwrites in one run: --overwrite uploads a file
    # that does not exist yet as a new one
    wiki.maintenance('importImages.php', f'--user={SPAMBOT}', '--overwrite',
                     '--comment=bench seed: spam', '--extensions=png',
                     str(spam), timeout=script_timeout(files))
    _after_overwrites()

    problems = verify.cleanup_seed_problems(wiki, made, spam_sha1)
    if problems:
        raise RuntimeError('cleanup seed: ' + '; '.join(problems))
    made['titles'] = (made['edited'] + made['created']
                      + [old for old, _ in made['moved']]
                      + made['new_files'] + made['overwritten'])
    made['editor_sha1'] = editor_sha1
    made['seconds'] = time.monotonic() - start
    return made
