"""The main job on a local demo wiki: an incident, cleaned up by the scripts.

Run it with ``bash .ci/demo.sh`` (sets everything up first) or, in a
prepared environment, ``.venv/bin/python tests/harness/demo.py``. It
starts a throwaway MediaWiki on 127.0.0.1, seeds a realistic incident,
runs

- ``pwb cleanup -user:Spambot -simulate``, then the same with
  ``-always``: all a spambot left (its edits on many pages, the files it
  overwrote, a page it moved, the pages and the file only it wrote),
- ``pwb undelete -logevents:delete,Hasty,...``: an admin's mistaken mass
  deletion,

each real run with a journal, and prints the wiki's state before and
after. Nothing here reaches beyond 127.0.0.1.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


# Run as a program, by its path: the harness package is found in
# tests/, the directory above this file's.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.wikiharness import TestWiki  # noqa: E402


PAGES = 24
DELETED = 12
FILES = 6
#: the page the spambot moves, and where it moves it
MOVED = ('Health advice', 'Cheap pills advice')


def _now() -> str:
    return time.strftime('%Y%m%d%H%M%S', time.gmtime())


def seed(wiki: TestWiki, cfg: Path, tmp: Path) -> dict:
    """Create the incident; return what the checks need."""
    import pywikibot

    from harness.wikitools import delete, edit, new_user, upload

    editor = pywikibot.Site('testwiki', 'testwiki', user='Editor')
    editor.login()
    spambot = new_user(wiki, cfg, 'Spambot')
    hasty = new_user(wiki, cfg, 'Hasty', ('sysop',))
    spammed, fixed = [], []
    for i in range(PAGES):
        title = f'Article {i}'
        edit(editor, title, f"'''Article {i}''' is about [[Topic {i}]].")
        edit(spambot, title, f"'''Article {i}''' is about [[Topic {i}]]. "
                             f'[http://cheap-pills.example/{i} Best deals]')
        spammed.append(title)
    for title in spammed[:2]:  # someone already cleaned these by hand
        edit(editor, title, 'Cleaned by hand.')
        fixed.append(title)
    # pages only the spambot wrote, and a page of others it moved away
    edit(spambot, 'Buy now', 'http://cheap-pills.example/ only spam')
    edit(spambot, 'Talk:Buy now', 'http://cheap-pills.example/ more spam')
    upload(spambot, 'File:Cheap pills.png', tmp, 3000)
    own = ['Buy now', 'Talk:Buy now', 'File:Cheap pills.png']
    old, new = MOVED
    edit(editor, old, 'Drink water; see a doctor.')
    moved = pywikibot.Page(editor, old).pageid
    spambot.simple_request(action='move', to=new, reason='better title',
                           token=spambot.tokens['csrf'],
                           **{'from': old}).submit()
    doomed = []
    for i in range(DELETED):
        title = f'Useful page {i}'
        edit(editor, title, 'first version')
        edit(editor, title, 'second version')
        doomed.append(title)
    start = _now()
    time.sleep(1.1)
    for title in doomed:
        delete(hasty, title, 'housekeeping (by mistake)')
    time.sleep(1.1)
    end = _now()
    files = []
    for i in range(FILES):
        files.append(f'File:Logo {i}.png')
        upload(editor, files[-1], tmp, 1000 + i)
    time.sleep(1.1)
    for i, title in enumerate(files):
        upload(spambot, title, tmp, 2000 + i)
    return {'spammed': spammed, 'fixed': fixed, 'doomed': doomed,
            'files': files, 'own': own, 'moved': moved,
            'window': (start, end)}


def state(site, incident: dict) -> dict[str, str]:
    """Describe the wiki's state in a few numbers."""
    from harness.wikitools import exists, file_sha1s
    # every page, any namespace, where the spambot made the latest edit
    # (a move and a reupload add a revision by it too)
    tops = site.simple_request(
        action='query', list='usercontribs', ucuser='Spambot',
        ucshow='top', uclimit='max', formatversion=2).submit()
    old = site.simple_request(
        action='query', titles=MOVED[0], formatversion=2).submit()
    back = old['query']['pages'][0].get('pageid') == incident['moved']
    files = [site.simple_request(
        action='query', prop='imageinfo', titles=t, iiprop='user',
        formatversion=2).submit()['query']['pages'][0]['imageinfo'][0]['user']
        for t in incident['files']]
    return {
        'pages whose latest edit is by Spambot':
            str(len(tops['query']['usercontribs'])),
        'pages only Spambot wrote, that exist':
            f'{sum(exists(site, t) for t in incident["own"])} of '
            f'{len(incident["own"])}',
        'pages Spambot moved, back at the old title': f'{int(back)} of 1',
        'mistakenly deleted pages that exist':
            f'{sum(exists(site, t) for t in incident["doomed"])} of '
            f'{len(incident["doomed"])}',
        'files whose current version is by Spambot':
            f'{files.count("Spambot")} of {len(files)}',
        'file versions in all': str(sum(len(file_sha1s(site, t))
                                        for t in incident['files'])),
    }


def main() -> int:
    """Run the demo; return 0 when the cleanup left the expected state."""
    root = Path(tempfile.mkdtemp(prefix='pwbrevert-demo-'))
    wiki = TestWiki(root / 'wiki')
    cfg = root / 'pywikibot'
    wiki.write_pywikibot_config(cfg, 'Admin')
    os.environ['PYWIKIBOT_DIR'] = str(cfg)
    print(f'Starting a throwaway MediaWiki in {root} ...', flush=True)
    with wiki:
        wiki.write_password_file(cfg)
        import pywikibot
        site = pywikibot.Site('testwiki', 'testwiki', user='Admin')
        site.login()
        print('Seeding the incident ...', flush=True)
        incident = seed(wiki, cfg, root)
        before = state(site, incident)
        start, end = incident['window']
        # each command, and how many of its last lines before the
        # summary to show (a cleanup's moves and deletes come last)
        runs = [
            (['cleanup', '-user:Spambot', '-simulate'], 8),
            (['cleanup', '-user:Spambot', '-always',
              f'-journal:{root / "cleanup.jsonl"}',
              f'-report:{root / "review.wiki"}'], 7),
            (['undelete', f'-logevents:delete,Hasty,{start},{end}',
              '-summary:Restoring pages deleted by mistake', '-always',
              f'-journal:{root / "undelete.jsonl"}'], 0),
        ]
        status = 0
        for args, tail in runs:
            print(f'\n$ pwb {" ".join(args)}', flush=True)
            out = wiki.run_pwb(args, cfg)
            lines = (out.stdout + out.stderr).splitlines()
            shown = [line for line in lines
                     if not line.startswith(('Working on', 'WARNING: API'))]
            end = next((i for i, line in enumerate(shown)
                        if line.startswith('Summary:')), len(shown) - 1)
            if end > 8 + tail:
                shown[8:end - tail] = ['   ...']
            print('\n'.join(shown))
            status |= out.returncode
            if '-simulate' in args and state(site, incident) != before:
                print('NOT AS EXPECTED: -simulate changed the wiki')
                status |= 1
        after = state(site, incident)
        width = max(map(len, before))
        print(f'\n{"":{width}}  before    after')
        for key in before:
            print(f'{key:{width}}  {before[key]:8}  {after[key]}')
        print(f'\nJournals: {root}/*.jsonl (undo with -undo:FILE)')
        expected = {
            'pages whose latest edit is by Spambot': '0',
            'pages only Spambot wrote, that exist':
                f'0 of {len(incident["own"])}',
            'pages Spambot moved, back at the old title': '1 of 1',
            'mistakenly deleted pages that exist': f'{DELETED} of {DELETED}',
            'files whose current version is by Spambot': f'0 of {FILES}',
        }
        wrong = [key for key, value in expected.items()
                 if after[key] != value]
        for key in wrong:
            print(f'NOT AS EXPECTED: {key}: {after[key]}, not '
                  f'{expected[key]}')
        ok = not wrong
        return 0 if ok and status == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
