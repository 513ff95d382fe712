"""The baseline contenders: plain ``requests`` loops against api.php.

What a careful operator would write without any framework: one
``requests.Session``, ``action=login`` with a login token, the list of
work from one API listing (continuation followed), and one POST per
item. The buried job undoes each of the target's contributions that is
not on top with ``action=edit&undo=REVID&undoafter=PARENTID``. The
cleanup job undoes a whole incident of the target's (rollbacks, file
reverts, moves back, deletions) from three listings. The
rollback job has a second variant in the style of the
MediaWiki API documentation's samples, which fetch a fresh token
before each POST.

Usage (the benchmark runs it; the password is read from the test
wiki's ``users.json``, never from the command line)::

    python benchmarks/bare_loop.py rollback --api URL --users-file F
    python benchmarks/bare_loop.py rollback-docs ...
    python benchmarks/bare_loop.py undelete ... [--admin Admin]
    python benchmarks/bare_loop.py filerevert ... [--target Vandal]
    python benchmarks/bare_loop.py buried ... [--target Vandal]
    python benchmarks/bare_loop.py cleanup ... --target Spambot

Timings and client side request counts go to the file named by
``BENCH_RESULT`` (see :mod:`probe`).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe  # noqa: E402


#: connect and read timeouts of every request, in seconds
TIMEOUT = (5, 120)
#: titles per batched read
BATCH = 50
#: at most this many error messages are kept for the report
MAX_ERRORS = 5


class Client:

    """A logged in ``requests.Session`` for one api.php.

    :param api: the api.php URL (only 127.0.0.1 is accepted)
    """

    def __init__(self, api: str) -> None:
        """Initializer."""
        if not api.startswith('http://127.0.0.1:'):
            raise SystemExit('refusing a non-loopback API URL')
        self.api = api
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy for loopback traffic
        self.session.headers['User-Agent'] = 'bench-bare-loop/1.0'
        self.errors: list[str] = []
        self.failed = 0

    def get(self, **params: Any) -> dict[str, Any]:
        """GET api.php; return the decoded answer."""
        params.update(format='json', formatversion=2)
        resp = self.session.get(self.api, params=params, timeout=TIMEOUT)
        resp.raise_for_status()
        return resp.json()

    def post(self, **params: Any) -> dict[str, Any]:
        """POST api.php; return the decoded answer."""
        params.update(format='json', formatversion=2)
        resp = self.session.post(self.api, data=params, timeout=TIMEOUT)
        resp.raise_for_status()
        return resp.json()

    def token(self, kind: str) -> str:
        """Return a fresh token of *kind* (``csrf``, ``rollback``...)."""
        return self.tokens(kind)[0]

    def tokens(self, *kinds: str) -> list[str]:
        """Return fresh tokens of *kinds*, all from one request."""
        data = self.get(action='query', meta='tokens', type='|'.join(kinds))
        return [data['query']['tokens'][f'{kind}token'] for kind in kinds]

    def login(self, name: str, password: str) -> None:
        """Log in with ``action=login`` and a login token."""
        answer = self.post(action='login', lgname=name, lgpassword=password,
                           lgtoken=self.token('login'))
        result = answer.get('login', {}).get('result')
        if result != 'Success':
            raise SystemExit(f'login as {name} failed: {result}')

    def query(self, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield the ``query`` part of each answer, with continuation."""
        cont: dict[str, Any] = {}
        for _ in range(100_000):  # bounded: far more than any listing here
            data = self.get(action='query', **params, **cont)
            yield data.get('query', {})
            if 'continue' not in data:
                return
            cont = data['continue']
        raise RuntimeError('listing did not end')

    def write(self, what: str, **params: Any) -> dict[str, Any] | None:
        """POST a write; count and keep (a few) failures."""
        answer = self.post(**params)
        if 'error' in answer:
            self.failed += 1
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(f'{what}: {answer["error"].get("code")}')
            return None
        return answer


def _titles(client: Client, **params: Any) -> Iterator[str]:
    """Yield each title of a ``list=logevents`` listing once."""
    seen: set[str] = set()
    for part in client.query(list='logevents', lelimit='max',
                             leprop='title', **params):
        for event in part.get('logevents', []):
            title = event.get('title')
            if title and title not in seen:
                seen.add(title)
                yield title


def rollback(client: Client, target: str, *, fresh_token: bool) -> int:
    """Roll back *target*'s top edits; return how many were done."""
    token = None if fresh_token else client.token('rollback')
    done = 0
    for part in client.query(list='usercontribs', ucuser=target,
                             ucshow='top', uclimit='max', ucprop='title'):
        for contrib in part.get('usercontribs', []):
            if fresh_token:
                token = client.token('rollback')
            if client.write(contrib['title'], action='rollback',
                            title=contrib['title'], user=target,
                            token=token):
                done += 1
    return done


def undelete(client: Client, admin: str) -> int:
    """Restore every page *admin* deleted; return how many."""
    token = client.token('csrf')
    done = 0
    for title in _titles(client, leaction='delete/delete', leuser=admin):
        if client.write(title, action='undelete', title=title,
                        reason='bench: restore', token=token):
            done += 1
    return done


def filerevert(client: Client, target: str) -> int:
    """Revert every file *target* overwrote; return how many."""
    titles = _titles(client, leaction='upload/overwrite', leuser=target)
    return _revert_files(client, target, titles, client.token('csrf'))


def _revert_files(client: Client, target: str, titles: Iterator[str],
                  token: str) -> int:
    """Revert each of *titles* *target* uploaded last; return how many.

    The archive names come from one ``prop=imageinfo`` read per
    :data:`BATCH` files.
    """
    done = 0
    while batch := list(islice(titles, BATCH)):
        data = client.get(action='query', prop='imageinfo',
                          titles='|'.join(batch), iilimit=BATCH,
                          iiprop='archivename|user|sha1')
        for page in data.get('query', {}).get('pages', []):
            versions = page.get('imageinfo', [])
            if not versions or versions[0].get('user') != target:
                continue
            good = next((v for v in versions[1:]
                         if v.get('user') != target and 'archivename' in v),
                        None)
            if good is None:
                continue
            if client.write(page['title'], action='filerevert',
                            filename=page['title'].split(':', 1)[1],
                            archivename=good['archivename'],
                            comment='bench: revert', token=token):
                done += 1
    return done


def buried(client: Client, target: str) -> int:
    """Undo *target*'s edits buried under later ones; return how many."""
    token = client.token('csrf')
    done = 0
    for part in client.query(list='usercontribs', ucuser=target,
                             uclimit='max', ucprop='ids|title|flags'):
        for contrib in part.get('usercontribs', []):
            if contrib.get('top'):
                continue
            if client.write(contrib['title'], action='edit',
                            title=contrib['title'], undo=contrib['revid'],
                            undoafter=contrib.get('parentid', 0),
                            nocreate=1, token=token):
                done += 1
    return done


def cleanup(client: Client, target: str) -> int:
    """Clean up *target*'s incident; return how many items were done.

    Three listings tell the work apart, as a hand-written script would:
    the move log (``letype=move``: old and new titles, newest first),
    the upload log (``letype=upload``: the files *target* overwrote) and
    *target*'s contributions (``ids|title|flags``). A page is *target*'s
    alone when its contributions run unbroken from the ``new`` revision
    to the ``top`` one (each ``parentid`` the revision before), so no
    page history is read. In the order of ``pwb cleanup``:

    - a rollback of each page with a top contribution that is neither
      *target*'s alone, nor a file it overwrote, nor a page it moved
      (the move's null revision is on top there);
    - a ``filerevert`` of each overwritten file (archive names read 50
      files a request);
    - a move back of each move, newest first (``noredirect``, over the
      redirect the move left, which is therefore not deleted);
    - a ``delete`` of each page (or file) that is *target*'s alone.
    """
    csrf, rollback_token = client.tokens('csrf', 'rollback')
    moves = [(e['title'], e['params']['target_title'])
             for part in client.query(list='logevents', letype='move',
                                      leuser=target, lelimit='max',
                                      leprop='title|details')
             for e in part.get('logevents', [])]
    overwritten = list(dict.fromkeys(
        e['title']
        for part in client.query(list='logevents', letype='upload',
                                 leuser=target, lelimit='max',
                                 leprop='title|type')
        for e in part.get('logevents', []) if e['action'] == 'overwrite'))
    contribs: dict[str, list[dict[str, Any]]] = {}
    for part in client.query(list='usercontribs', ucuser=target,
                             uclimit='max', ucprop='ids|title|flags'):
        for c in part.get('usercontribs', []):
            contribs.setdefault(c['title'], []).append(c)

    def alone(revs: list[dict[str, Any]]) -> bool:
        revs = sorted(revs, key=lambda c: c['revid'])
        return (revs[0].get('new', False) and revs[-1].get('top', False)
                and all(b['parentid'] == a['revid']
                        for a, b in zip(revs, revs[1:])))

    moved = {title for move in moves for title in move}
    deletions = [t for t, revs in contribs.items()
                 if t not in moved and alone(revs)]
    skip = moved | set(overwritten) | set(deletions)
    done = 0
    for title, revs in contribs.items():
        if title not in skip and any(c.get('top') for c in revs):
            done += bool(client.write(title, action='rollback', title=title,
                                      user=target, token=rollback_token))
    done += _revert_files(client, target, iter(overwritten), csrf)
    for old, new in moves:
        done += bool(client.write(new, action='move', **{'from': new},
                                  to=old, reason='bench: move back',
                                  noredirect=1, movetalk=1, token=csrf))
    for title in deletions:
        done += bool(client.write(title, action='delete', title=title,
                                  reason='bench: delete', token=csrf))
    return done


def main(argv: list[str] | None = None) -> int:
    """Run one bare loop; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('job', choices=['rollback', 'rollback-docs',
                                        'undelete', 'filerevert',
                                        'buried', 'cleanup'])
    parser.add_argument('--api', required=True, help='api.php URL')
    parser.add_argument('--users-file', required=True, type=Path,
                        help="the test wiki's users.json")
    parser.add_argument('--login', default='Admin', help='acting account')
    parser.add_argument('--target', default='Vandal',
                        help='whose work to revert')
    parser.add_argument('--admin', default='Admin',
                        help='who deleted the pages (undelete)')
    args = parser.parse_args(argv)

    probe.install()
    client = Client(args.api)
    users = json.loads(args.users_file.read_text('utf-8'))
    client.login(args.login, users[args.login])
    del users
    probe.login_done()
    if args.job in ('rollback', 'rollback-docs'):
        done = rollback(client, args.target,
                        fresh_token=args.job == 'rollback-docs')
    elif args.job == 'undelete':
        done = undelete(client, args.admin)
    elif args.job == 'buried':
        done = buried(client, args.target)
    elif args.job == 'cleanup':
        done = cleanup(client, args.target)
    else:
        done = filerevert(client, args.target)
    probe.state['extra'].update(done=done, failed=client.failed,
                                errors=client.errors)
    return 1 if client.failed else 0


if __name__ == '__main__':
    sys.exit(main())
