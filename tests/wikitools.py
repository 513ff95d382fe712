"""Seed and inspect the test wiki through pywikibot (for tests only).

Writes go through ``site.simple_request`` so they work alike on every
pywikibot version the plugin supports.
"""
from __future__ import annotations

import hashlib
import inspect
import time
from pathlib import Path
from typing import Any

import pywikibot
from pywikibot.site._upload import Uploader

from wikiharness import make_png


def edit(site: Any, title: str, text: str, summary: str = 'test') -> int:
    """Save *text* as *site*'s user; return the new revision id."""
    data = site.simple_request(
        action='edit', title=title, text=text, summary=summary,
        token=site.tokens['csrf'], formatversion=2).submit()
    return int(data['edit']['newrevid'])


def delete(site: Any, title: str, reason: str = 'test') -> None:
    """Delete a page as *site*'s user."""
    site.simple_request(action='delete', title=title, reason=reason,
                        token=site.tokens['csrf']).submit()


def protect(site: Any, title: str, level: str = 'sysop') -> None:
    """Protect a page against editing below *level*."""
    site.simple_request(action='protect', title=title,
                        protections=f'edit={level}|move={level}',
                        expiry='infinite', token=site.tokens['csrf']).submit()


def revisions(site: Any, title: str) -> list[dict[str, Any]]:
    """Return the page's revisions, newest first (ids, user, tags)."""
    data = site.simple_request(
        action='query', prop='revisions', titles=title, rvlimit='max',
        rvprop='ids|user|tags|comment|timestamp|flags',
        formatversion=2).submit()
    return data['query']['pages'][0].get('revisions', [])


def text_of(site: Any, title: str) -> str:
    """Return the current wikitext (fresh from the wiki)."""
    data = site.simple_request(
        action='query', prop='revisions', titles=title, rvprop='content',
        rvslots='main', formatversion=2).submit()
    page = data['query']['pages'][0]
    return page['revisions'][0]['slots']['main']['content']


def deleted_count(site: Any, title: str) -> int:
    """Return how many revisions of *title* are in the deletion archive."""
    data = site.simple_request(
        action='query', prop='deletedrevisions', titles=title,
        drvlimit='max', drvprop='ids', formatversion=2).submit()
    page = data['query']['pages'][0]
    return len(page.get('deletedrevisions', []))


def exists(site: Any, title: str) -> bool:
    """Ask the wiki (not pywikibot's cache) whether *title* exists."""
    data = site.simple_request(action='query', titles=title,
                               formatversion=2).submit()
    return not data['query']['pages'][0].get('missing')


_last_upload: dict[str, float] = {}
# pywikibot 11.8 renamed the upload comment to summary
_SUMMARY = ('summary' if 'summary' in inspect.signature(
    Uploader.__init__).parameters else 'comment')


def upload(site: Any, title: str, tmp: Path, seed: int,
           comment: str = 'test') -> str:
    """Upload a distinct PNG as a new version of *title*; return sha1.

    Waits so that two versions of one file are at least a second apart
    (archive names have one-second resolution).
    """
    wait = _last_upload.get(title, 0) + 1.1 - time.time()
    if wait > 0:
        time.sleep(wait)
    path = make_png(tmp / f'{seed}.png', seed)
    filepage = pywikibot.FilePage(site, title)
    site.upload(filepage, source_filename=str(path), text='file',
                ignore_warnings=True, **{_SUMMARY: comment})
    _last_upload[title] = time.time()
    return hashlib.sha1(path.read_bytes()).hexdigest()


def file_sha1s(site: Any, title: str) -> list[str]:
    """Return the sha1 of every version, newest first (fresh)."""
    data = site.simple_request(
        action='query', prop='imageinfo', titles=title, iilimit='max',
        iiprop='sha1|user|timestamp', formatversion=2).submit()
    return [v['sha1'] for v in data['query']['pages'][0].get('imageinfo',
                                                             [])]


def hide_user_of(site: Any, revid: int) -> None:
    """Revision-delete the user name of one revision."""
    site.simple_request(action='revisiondelete', type='revision',
                        ids=revid, hide='user', reason='test',
                        token=site.tokens['csrf']).submit()


def new_user(wiki: Any, config_dir: Path, name: str,
             groups: tuple[str, ...] = ()) -> Any:
    """Create a fresh account (so a test owns all of its edits).

    :param config_dir: this process's pywikibot configuration (the
        harness keeps its password file up to date)
    :param groups: groups for the account, e.g. ``('sysop',)``
    :return: a logged-in APISite for the new user
    """
    wiki.create_user(name, groups)
    wiki.write_password_file(config_dir)
    site = pywikibot.Site('testwiki', 'testwiki', user=name)
    site.login()
    return site


def anon_edit(api_url: str, title: str, text: str) -> None:
    """Edit as an anonymous user (the IP is 127.0.0.1)."""
    import json
    import urllib.parse
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(),
                                         urllib.request.ProxyHandler({}))
    with opener.open(f'{api_url}?action=query&meta=tokens&format=json') as r:
        token = json.load(r)['query']['tokens']['csrftoken']
    body = urllib.parse.urlencode({'action': 'edit', 'title': title,
                                   'text': text, 'token': token,
                                   'format': 'json'}).encode()
    with opener.open(api_url, data=body) as r:
        answer = json.load(r)
    assert answer.get('edit', {}).get('result') == 'Success', answer


def settled_count(wiki: Any) -> int:
    """Count the server's requests once its log has caught up.

    The web server logs a request after answering it, so the line for
    the request just before may still be on its way.
    """
    count = wiki.request_count()
    while True:
        time.sleep(0.2)
        again = wiki.request_count()
        if again == count:
            return count
        count = again


def pwb(wiki: Any, config_dir: Path, script: str, *args: str,
        input: str | None = None) -> tuple[int, str]:
    """Run ``pwb SCRIPT ARGS`` as an operator would.

    :param input: what the operator types; stdin is closed if None
    :return: the exit status and everything the program printed
    """
    out = wiki.run_pwb([script, *args], config_dir, input=input,
                       timeout=300)
    return out.returncode, out.stdout + out.stderr


def interrupt_pwb(wiki: Any, config_dir: Path, args: list[str], *,
                  after: str, times: int, sig: int) -> tuple[int, str]:
    """Run ``pwb ARGS`` and send *sig* once *after* was printed *times*.

    :return: the exit status and everything the program printed
    """
    import os
    import subprocess
    import sys
    env = wiki.pywikibot_env(config_dir)
    env['PYTHONUNBUFFERED'] = '1'
    proc = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), 'pwb'), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    seen, lines = 0, []
    deadline = time.time() + 120
    while seen < times and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        seen += after in line
    proc.send_signal(sig)
    lines.append(proc.stdout.read())
    proc.wait(timeout=60)
    proc.stdout.close()
    return proc.returncode, ''.join(lines)
