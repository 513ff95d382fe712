"""Seed and inspect the test wiki through pywikibot (for tests only).

Writes go through ``site.simple_request`` so they work alike on every
pywikibot version the plugin supports.
"""
from __future__ import annotations

import hashlib
import datetime
import inspect
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pywikibot
from pywikibot.site._upload import Uploader

from .wikiharness import make_png


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


def stamp_file_earlier(site: Any, wiki: Any, title: str) -> None:
    """Move the current version's time of *title* a second back.

    MediaWiki writes a file version and the revision its upload adds in
    separate steps, which may fall in neighbouring seconds; this makes
    that gap certain (in the database, with the server idle between
    requests).
    """
    stamp = pywikibot.Timestamp.fromISOformat(
        revisions(site, title)[0]['timestamp'])
    earlier = (stamp - datetime.timedelta(seconds=1)).totimestampformat()
    name = title.split(':', 1)[1].replace(' ', '_').replace("'", "''")
    wiki.maintenance('sql.php', '--query',
                     f"UPDATE image SET img_timestamp = '{earlier}' "
                     f"WHERE img_name = '{name}'")


def file_sha1s(site: Any, title: str) -> list[str]:
    """Return the sha1 of every version, newest first (fresh)."""
    data = site.simple_request(
        action='query', prop='imageinfo', titles=title, iilimit='max',
        iiprop='sha1|user|timestamp', formatversion=2).submit()
    return [v['sha1'] for v in data['query']['pages'][0].get('imageinfo',
                                                             [])]


def wiki_state(site: Any, *titles: str) -> dict[str, Any]:
    """Return a fingerprint of the wiki, to compare before and after a run.

    Any write of any kind (an edit, a rollback, a deletion, a restore,
    an upload or file revert) adds a recent change or a log entry, so
    the newest ``rcid`` and ``logid`` tell whether anything at all was
    written; the pages named say in detail what a run would have
    touched: the latest revision id and user, the deleted revision
    count and, for a file, the sha1 of each version.

    **Example:**

    .. code-block:: python

       before = wiki_state(site, *titles)
       code, out = pwb(wiki, cfg, 'rollback', '-bogus')
       assert wiki_state(site, *titles) == before, wiki_changes(site, before)

    :param titles: the pages a run would act on
    :return: a dict, equal for equal states
    """
    rc = site.simple_request(
        action='query', list='recentchanges', rclimit=1, rcprop='ids',
        formatversion=2).submit()['query']['recentchanges']
    log = site.simple_request(
        action='query', list='logevents', lelimit=1, leprop='ids',
        formatversion=2).submit()['query']['logevents']
    state: dict[str, Any] = {'last rcid': rc[0]['rcid'] if rc else 0,
                             'last logid': log[0]['logid'] if log else 0}
    for title in titles:
        revs = revisions(site, title)
        state[title] = {
            'latest': (revs[0]['revid'], revs[0]['user']) if revs else None,
            'deleted': deleted_count(site, title),
        }
        if title.startswith('File:'):
            state[title]['sha1s'] = file_sha1s(site, title)
    return state


def wiki_changes(site: Any, before: dict[str, Any]) -> list[tuple]:
    """Return the recent changes made since *before* was taken.

    :param before: a :func:`wiki_state`
    :return: (type, log action or '', title, user, bot flag) of each
        change, oldest first
    """
    data = site.simple_request(
        action='query', list='recentchanges', rclimit='max',
        rcprop='ids|title|user|flags|loginfo', formatversion=2).submit()
    return [(c['type'], c.get('logaction', ''), c['title'], c['user'],
             c['bot'])
            for c in reversed(data['query']['recentchanges'])
            if c['rcid'] > before['last rcid']]


def posts(proxy: Any, action: str) -> list[Any]:
    """Return the POST requests of *action* a fault proxy has seen."""
    return [r for r in proxy.requests_for(action) if r.method == 'POST']


def write_title(req: Any, site: Any = None) -> str:
    """Return the page a write sent through a proxy names.

    A rollback names its page by id where the plan knew it (a page
    moved meanwhile keeps its id); the id is looked up on *site*.

    :param req: a request the proxy saw
    :param site: the wiki written to; pywikibot's default site if None
    :return: the title (``File:`` for a file revert)
    """
    if 'pageid' in req.params:
        data = (site or pywikibot.Site()).simple_request(
            action='query', pageids=req.params['pageid'],
            formatversion=2).submit()
        return data['query']['pages'][0]['title']
    return req.params.get('title') or 'File:' + req.params[
        'filename'].replace('_', ' ')


def written_titles(proxy: Any, action: str,
                   site: Any = None) -> Counter[str]:
    """Count the *action* writes sent through a proxy, per title.

    A resumed run that acts once must send each write once; the wiki's
    own answer (``alreadyrolled``) would hide a second one.

    :param site: the wiki written to (see :func:`write_title`)
    :return: title -> how many POSTs named it (``File:`` for files)
    """
    return Counter(write_title(r, site) for r in posts(proxy, action))


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


def anon_edit(api_url: str, title: str, text: str,
              ip: str | None = None) -> None:
    """Edit as an anonymous user (the IP is 127.0.0.1, or *ip*).

    :param ip: the address to edit from, sent as ``X-Forwarded-For``
        (the test wiki trusts it from loopback), e.g. ``'2001:db8::7'``
    """
    import json
    import urllib.parse
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(),
                                         urllib.request.ProxyHandler({}))
    if ip:
        opener.addheaders.append(('X-Forwarded-For', ip))
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


def spawn_pwb(wiki: Any, config_dir: Path, args: list[str], *,
              stdin: Any = subprocess.DEVNULL, text: bool = True
              ) -> subprocess.Popen:
    """Start ``pwb ARGS`` unbuffered, its output (stderr too) on a pipe.

    :param stdin: ``subprocess.PIPE`` to answer its questions; closed
        by default
    :param text: decode the output as UTF-8 (else bytes)
    """
    env = wiki.pywikibot_env(config_dir)
    env['PYTHONUNBUFFERED'] = '1'
    return subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), 'pwb'), *args],
        env=env, cwd=config_dir, stdin=stdin, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=text,
        encoding='utf-8' if text else None)


class Conversation:

    """``pwb ARGS`` with a pipe for stdin: wait for a prompt, answer it.

    The output is read in a thread as it comes, so a question printed
    without a line end can be waited for.

    Example::

        talk = Conversation(wiki, cfg, ['rollback', '-user:Vandal'])
        talk.wait_for('Act on')
        talk.answer('y')
        code, out = talk.finish()

    :param wiki: the :class:`~harness.wikiharness.TestWiki` to run on
    :param config_dir: the ``pwb`` configuration directory
    :param args: the script and its arguments
    """

    def __init__(self, wiki, config_dir, args):
        self.proc = spawn_pwb(wiki, config_dir, args,
                              stdin=subprocess.PIPE, text=False)
        self.out = b''
        self._grown = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while chunk := self.proc.stdout.read1(4096):
            with self._grown:
                self.out += chunk
                self._grown.notify_all()

    @property
    def text(self):
        """Everything printed so far, decoded."""
        return self.out.decode('utf-8', 'replace')

    def wait_for(self, text, count=1, timeout=60):
        """Wait until *text* was printed *count* times."""
        with self._grown:
            if not self._grown.wait_for(
                    lambda: self.out.count(text.encode()) >= count, timeout):
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f'no {text!r} after {timeout} s:\n'
                                     + self.text)

    def answer(self, line):
        """Type *line* and Enter."""
        self.proc.stdin.write(line.encode() + b'\n')
        self.proc.stdin.flush()

    def finish(self, timeout=120):
        """Close stdin, wait for the end; return the exit status and text."""
        self.proc.stdin.close()
        self.proc.wait(timeout)
        self._reader.join(10)
        self.proc.stdout.close()
        return self.proc.returncode, self.text


def interrupt_pwb(wiki: Any, config_dir: Path, args: list[str], *,
                  after: str, times: int, sig: int) -> tuple[int, str]:
    """Run ``pwb ARGS`` and send *sig* once *after* was printed *times*.

    :return: the exit status and everything the program printed
    """
    proc = spawn_pwb(wiki, config_dir, args)
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


def watch_pwb(wiki: Any, config_dir: Path, args: list[str], *,
              after: str, act: Any, times: int = 1,
              timeout: float = 120) -> tuple[int, str]:
    """Run ``pwb ARGS`` (stdin closed); call *act* once *after* was printed.

    The program is paused (SIGSTOP) while *act* runs, so a server
    switch flipped by *act* lands between two of its requests; then it
    goes on. A run that outlives *timeout* is killed and fails the test:
    a hang (a password prompt, an endless wait) is a bug.

    :param act: called without arguments once *after* was seen *times*
    :return: the exit status and everything the program printed
    """
    import signal
    import subprocess
    import threading
    proc = spawn_pwb(wiki, config_dir, args)
    lines: list[str] = []
    failures: list[BaseException] = []

    def read() -> None:
        seen = 0
        for line in proc.stdout:
            lines.append(line)
            if after in line and seen < times:
                seen += 1
                if seen == times:
                    proc.send_signal(signal.SIGSTOP)
                    try:
                        act()
                    except BaseException as err:  # reported below
                        failures.append(err)
                    finally:
                        proc.send_signal(signal.SIGCONT)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        reader.join(10)
        raise AssertionError(f'pwb {args[0]} still ran after {timeout} s '
                             '(a hang?):\n' + ''.join(lines)) from None
    reader.join(30)
    proc.stdout.close()
    if failures:
        raise failures[0]
    return proc.returncode, ''.join(lines)


def rollback_count(site: Any, title: str) -> int:
    """Return how many revisions of *title* are tagged ``mw-rollback``."""
    return sum('mw-rollback' in r['tags'] for r in revisions(site, title))


def signal_pwb(wiki: Any, config_dir: Path, args: list[str], *,
               when: Any, sig: int = 9, timeout: float = 120
               ) -> tuple[int, str]:
    """Run ``pwb ARGS`` and send *sig* (SIGKILL) once ``when()`` is true.

    Like :func:`interrupt_pwb`, but the moment comes from the test, e.g.
    ``when=lambda: proxy.wait_held(0.1) is not None``. The output is
    read in a thread so a chatty program never blocks on a full pipe.

    :param when: called about every 0.1 s until it returns true
    :param timeout: seconds to wait for *when* (then the program is
        killed anyway and :exc:`AssertionError` raised)
    :return: the exit status (negative: killed by that signal) and
        everything the program printed
    """
    import threading
    proc = spawn_pwb(wiki, config_dir, args)
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.extend(proc.stdout),
                              daemon=True)
    reader.start()
    deadline = time.time() + timeout
    fired = False
    try:
        while time.time() < deadline and proc.poll() is None:
            if when():
                fired = True
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.send_signal(sig)
        proc.wait(timeout=60)
        reader.join(10)
        proc.stdout.close()
    out = ''.join(chunks)
    assert fired, f'pwb ended (status {proc.returncode}) or timed out ' \
                  f'before the moment to signal it came:\n{out}'
    return proc.returncode, out


def journal_states(path: Path) -> dict[str, str]:
    """Return where each write of a journal stands: key -> last state.

    States are the record types ``intent``, ``done``, ``failed``,
    ``uncertain`` and ``cleared``; an ``intent`` left last is a write
    whose outcome nobody recorded.
    """
    from pywikibot_revert.bot._journal import Journal
    states = {}
    for rec in Journal.read(path):
        if rec.get('key') and rec['type'] in ('intent', 'done', 'failed',
                                              'uncertain', 'cleared'):
            states[rec['key']] = rec['type']
    return states


def write_history(path: Path) -> dict[str, list[str]]:
    """Return each title's write records in a journal, in order.

    E.g. ``{'P1': ['intent', 'done'], 'P2': ['intent', 'done']}`` after
    two rollbacks; a write killed in flight and settled by a resume
    reads ``['intent', 'done']`` too, its ``done`` a second run's.

    :return: title -> the types of its ``intent``, ``done``,
        ``failed``, ``uncertain`` and ``cleared`` records
    """
    from pywikibot_revert.bot._journal import Journal
    history: dict[str, list[str]] = {}
    for rec in Journal.read(path):
        if rec.get('title') and rec['type'] in (
                'intent', 'done', 'failed', 'uncertain', 'cleared'):
            history.setdefault(rec['title'], []).append(rec['type'])
    return history


def rolled_back_titles(output: str) -> list[str]:
    """Return the titles a ``pwb rollback`` run said it rolled back."""
    import re
    return re.findall(r'^\[\d+\] (.+?): rolled back ', output, re.M)


def proxied_config_dir(wiki: Any, config_dir_for: Any, proxy_url: str,
                       tag: str) -> Path:
    """Return a ``pwb`` config (Admin) whose wiki is behind *proxy_url*.

    The family is ``proxywiki``. Its password is in a password file of
    its own: the harness rewrites ``user-password.py`` of every config
    directory whenever a test creates an account.

    :param tag: makes the directory this caller's own
    """
    extra = (f"family_files['proxywiki'] = '{proxy_url}/api.php'\n"
             "family = mylang = 'proxywiki'\n"
             "usernames['proxywiki']['proxywiki'] = 'Admin'\n"
             "password_file = 'proxy-password.py'\n"
             f'# {tag}')
    cfg = config_dir_for('Admin', extra)
    secret = cfg / 'proxy-password.py'
    secret.touch(mode=0o600)
    secret.write_text(f"('proxywiki', 'proxywiki', 'Admin', "
                      f"{wiki.users['Admin']!r})\n", encoding='utf-8')
    return cfg


def while_held(proxy: Any, action: Callable[[], Any]) -> threading.Thread:
    """Run *action* while the proxy holds a request, then let it go on.

    Makes a race happen for real: with ``proxy.add_fault(
    'hold_before_forward', action='edit')`` our write waits in the proxy
    while *action*, another client's write, reaches the wiki first.

    :param proxy: a :class:`~harness.faultproxy.FaultProxy` with a hold
        fault
    :param action: called without arguments once a request is held
    :return: the thread, started; join it once the run is over
    """
    def later():
        if proxy.wait_held(120) is not None:
            action()
            proxy.release()
    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread


class ApiClient:

    """A logged-in client of any test wiki, without pywikibot.

    For wikis this process's pywikibot configuration does not know (the
    cross-wiki tests' clones); pywikibot reads its configuration once.

    Example::

        client = ApiClient(wiki.api_url, 'Vandal', wiki.users['Vandal'])
        revid = client.edit('Spam', 'text')
    """

    def __init__(self, api_url: str, user: str, password: str) -> None:
        """Log in as *user*."""
        import http.cookiejar
        import urllib.request
        self.api_url = api_url
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.ProxyHandler({}))
        token = self.get(action='query', meta='tokens',
                         type='login')['query']['tokens']['logintoken']
        answer = self.post(action='login', lgname=user, lgpassword=password,
                           lgtoken=token)
        assert answer['login']['result'] == 'Success', answer['login']
        self.user = user

    def get(self, **params: Any) -> dict[str, Any]:
        """Return the answer to a GET request."""
        import json
        import urllib.parse
        query = urllib.parse.urlencode({**params, 'format': 'json',
                                        'formatversion': 2})
        with self._opener.open(f'{self.api_url}?{query}', timeout=60) as r:
            return json.load(r)

    def post(self, **params: Any) -> dict[str, Any]:
        """Return the answer to a POST request."""
        import json
        import urllib.parse
        body = urllib.parse.urlencode({**params, 'format': 'json',
                                       'formatversion': 2}).encode()
        with self._opener.open(self.api_url, data=body, timeout=60) as r:
            return json.load(r)

    def edit(self, title: str, text: str, summary: str = 'test') -> int:
        """Save *text* on *title*; return the new revision id."""
        token = self.get(action='query', meta='tokens')['query'][
            'tokens']['csrftoken']
        answer = self.post(action='edit', title=title, text=text,
                           summary=summary, token=token)
        assert answer.get('edit', {}).get('result') == 'Success', answer
        return answer['edit']['newrevid']

    def upload(self, name: str, data: bytes, comment: str = 'test') -> str:
        """Upload *data* as a new version of File:*name*; return its sha1.

        The caller keeps two versions of one file a second apart
        (archive names have one-second resolution).
        """
        import json
        import secrets
        import urllib.request
        token = self.get(action='query', meta='tokens')['query'][
            'tokens']['csrftoken']
        fields = {'action': 'upload', 'filename': name, 'comment': comment,
                  'text': 'file', 'ignorewarnings': '1', 'token': token,
                  'format': 'json', 'formatversion': '2'}
        boundary = secrets.token_hex(16)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; '
                 f'name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                     f'name="file"; filename="{name}"\r\nContent-Type: '
                     'application/octet-stream\r\n\r\n'.encode() + data
                     + f'\r\n--{boundary}--\r\n'.encode())
        request = urllib.request.Request(
            self.api_url, data=b''.join(parts), headers={
                'Content-Type': f'multipart/form-data; boundary={boundary}'})
        with self._opener.open(request, timeout=60) as r:
            answer = json.load(r)
        assert answer.get('upload', {}).get('result') == 'Success', answer
        return hashlib.sha1(data).hexdigest()

    def file_sha1(self, name: str) -> str:
        """Return the sha1 of File:*name*'s current version."""
        page = self.get(action='query', prop='imageinfo', iiprop='sha1',
                        titles=f'File:{name}')['query']['pages'][0]
        return page['imageinfo'][0]['sha1']

    def latest(self, title: str) -> dict[str, Any]:
        """Return the latest revision of *title* (``revid``, ``user``)."""
        page = self.get(action='query', prop='revisions', titles=title,
                        rvprop='ids|user|content', rvslots='main'
                        )['query']['pages'][0]
        rev = page['revisions'][0]
        return {'revid': rev['revid'], 'user': rev['user'],
                'text': rev['slots']['main']['content']}


MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July',
          'August', 'September', 'October', 'November', 'December')


def file_versions(site: Any, title: str) -> list[dict[str, Any]]:
    """A file's versions, newest first: sha1, timestamp, comment, user."""
    data = site.simple_request(
        action='query', prop='imageinfo', titles=title, iilimit='max',
        iiprop='sha1|timestamp|comment|user', formatversion=2).submit()
    return data['query']['pages'][0]['imageinfo']


def revert_comment_en(iso: str) -> str:
    """MediaWiki's file revert form text on an English wiki in UTC,
    computed apart from the plugin."""
    date, clock = iso.rstrip('Z').split('T')
    year, month, day = (int(x) for x in date.split('-'))
    return (f'Reverted to version as of {clock[:5]}, '
            f'{day} {MONTHS[month - 1]} {year} (UTC)')


def deletion_entry(site: Any, title: str) -> dict[str, Any]:
    """The newest deletion log entry of *title*."""
    data = site.simple_request(action='query', list='logevents',
                               leaction='delete/delete', letitle=title,
                               leprop='ids|user|timestamp|comment',
                               formatversion=2).submit()
    return data['query']['logevents'][0]


def restore_comment(site: Any, title: str) -> str:
    """The reason of the newest restore of *title*."""
    data = site.simple_request(action='query', list='logevents',
                               leaction='delete/restore', letitle=title,
                               leprop='comment', formatversion=2).submit()
    return data['query']['logevents'][0]['comment']


# A maintenance script that adds a block next to the user's others.
_ADD_BLOCK = r"""<?php
use MediaWiki\Block\DatabaseBlock;
use MediaWiki\MediaWikiServices;
// run by maintenance/run.php (1.40+), which loads Maintenance
class HarnessAddBlock extends Maintenance {
    public function __construct() {
        parent::__construct();
        $this->addArg( 'target', 'user to block' );
        $this->addArg( 'by', 'blocking admin' );
        $this->addArg( 'reason', 'reason' );
        $this->addOption( 'log', 'write a block log entry too' );
    }
    public function execute() {
        $services = MediaWikiServices::getInstance();
        $users = $services->getUserFactory();
        $block = new DatabaseBlock( [
            'address' => $users->newFromName( $this->getArg( 0 ) ),
            'by' => $users->newFromName( $this->getArg( 1 ) ),
            'reason' => $this->getArg( 2 ),
            'expiry' => 'infinity',
        ] );
        // null: however many blocks the target has already
        $status = $services->getDatabaseBlockStore()->insertBlock(
            $block, null );
        if ( !$status ) {
            $this->fatalError( 'block not inserted' );
        }
        if ( $this->hasOption( 'log' ) ) {
            $entry = new ManualLogEntry( 'block', 'block' );
            $entry->setTarget( $services->getTitleFactory()->makeTitle(
                NS_USER, $block->getTargetName() ) );
            $entry->setPerformer( $block->getBlocker() );
            $entry->setComment( $this->getArg( 2 ) );
            $entry->setParameters( [ '5::duration' => 'infinity',
                '6::flags' => '', 'sitewide' => true ] );
            $entry->setRelations( [ 'ipb_id' => $status['id'] ] );
            $entry->publish( $entry->insert() );
        }
        $this->output( $status['id'] . "\n" );
    }
}
$maintClass = HarnessAddBlock::class;
require_once RUN_MAINTENANCE_IF_MAIN;
"""


def add_block(wiki: Any, target: str, by: str, reason: str = 'test', *,
              log: bool = False) -> int:
    """Add a sitewide block on *target* by *by*, beside its others.

    MediaWiki 1.42+ stores several blocks per user
    (``$wgEnableMultiBlocks``, set by the harness), but 1.43's API and
    special page still refuse a second one (``alreadyblocked``; the
    ``newblock`` parameter comes with 1.44): the block is inserted by a
    maintenance script, as the block store allows.

    :param log: write the ``block/block`` log entry a block by the API
        would (by *by*, infinite, sitewide)
    :return: the new block's id
    """
    if wiki.mw_version < (1, 42):
        raise RuntimeError(f'MediaWiki {wiki.mw_version_string} holds one '
                           'block per user')
    script = wiki.root / 'tmp' / 'harness_add_block.php'
    script.write_text(_ADD_BLOCK, encoding='utf-8')
    args = ['--log'] if log else []
    return int(wiki.maintenance(str(script), *args, target, by,
                                reason).split()[-1])


def summary_rows(out: str) -> dict[str, list[str]]:
    """Return a cross-wiki run's summary: wiki -> [done, skipped, failed,
    status], in the order printed."""
    table = out[out.index('Cross-wiki summary:'):].splitlines()[2:]
    rows = {}
    for line in table:
        match = re.match(r'\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$', line)
        if not match:
            break
        rows[match[1]] = list(match.groups()[1:])
    return rows


def process_tree(pid: int) -> list[int]:
    """Return *pid* and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                stat = Path(f'/proc/{entry}/stat').read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(')')[2].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie does not)."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return False
    return stat.rpartition(')')[2].split()[0] != 'Z'
