"""Default summaries on wikis whose content language is German, Ukrainian.

Each language gets a clone of the session's wiki with
``$wgLanguageCode`` set, made and started once for the module. The
scripts run through ``pwb`` as an operator would; every comment they
wrote is read back from the wiki (revisions, log entries) and compared
with MediaWiki's own message in that language, read from the same wiki
(``meta=allmessages&amlang=...``, filled by the wiki where the message
has ``{{...}}``), or with the plugin's bundle in that language. With
``-nouser`` no comment the run wrote names the account.
"""
from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from harness.wikitools import ApiClient, pwb
from pywikibot_revert.wiki._i18n import plugin_message


pytestmark = pytest.mark.wiki

#: a tiny PNG, and a second one: two versions of one file
PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'
    '+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')
PNG2 = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8'
    'z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==')

TEXT = 'First paragraph.\n\nSecond paragraph.\n\nThird paragraph.'


@pytest.fixture(scope='module', params=['de', 'uk'])
def lang_wiki(request: Any, wiki: Any, session_dir: Path) -> Any:
    """A clone of the session's wiki in *lang*, with its own accounts."""
    lang = request.param
    clone = wiki.clone(session_dir / f'lang-{lang}')
    clone.settings += f"\n$wgLanguageCode = '{lang}';\n"
    clone._write_runtime()  # the maintenance scripts read the settings
    for name in ('Hasty', ):
        clone.create_user(name, ('sysop',))
    for name in ('Spammer', 'Spammer2', 'Pusher', 'Pusher2'):
        clone.create_user(name)
    clone.start()
    clone.lang = lang
    clone.cfg = clone.write_pywikibot_config(
        session_dir / f'lang-{lang}-pwb', 'Admin')
    yield clone
    clone.stop()


def client(wiki: Any, user: str) -> ApiClient:
    return ApiClient(wiki.api_url, user, wiki.users[user])


def message(api: ApiClient, lang: str, key: str, *args: Any) -> str:
    """MediaWiki's message as MediaWiki fills it (``Message::text()``)."""
    msg = api.get(action='query', meta='allmessages', ammessages=key,
                  amlang=lang, amenableparser=1,
                  # U+001F separates values holding a pipe
                  amargs='\x1f' + '\x1f'.join(str(a) for a in args)
                  )['query']['allmessages'][0]
    assert not msg.get('missing'), key
    return msg['content']


def comments(api: ApiClient, title: str) -> list[str]:
    """The comments of *title*'s revisions, newest first."""
    page = api.get(action='query', prop='revisions', titles=title,
                   rvprop='comment|user', rvlimit='max')['query']['pages'][0]
    return [r['comment'] for r in page.get('revisions', [])]


def log_comment(api: ApiClient, kind: str, title: str) -> str:
    """The comment of the newest log entry of *kind* on *title*."""
    entries = api.get(action='query', list='logevents', letype=kind,
                      letitle=title, leprop='comment',
                      lelimit=1)['query']['logevents']
    assert entries, (kind, title)
    return entries[0]['comment']


def written_since(api: ApiClient, since: int, user: str = 'Admin'
                  ) -> list[str]:
    """Every comment *user* wrote after change *since*: edits, logs."""
    changes = api.get(action='query', list='recentchanges', rcuser=user,
                      rcdir='newer', rcprop='comment|title|ids',
                      rclimit='max')['query']['recentchanges']
    return [c['comment'] for c in changes if c['rcid'] > since]


def now(api: ApiClient) -> int:
    """The newest change's id: what a run writes comes after it."""
    return api.get(action='query', list='recentchanges', rcprop='ids',
                   rclimit=1)['query']['recentchanges'][0]['rcid']


def seed_buried(editor: ApiClient, vandal: ApiClient, title: str,
                vandal_edits: int) -> list[int]:
    """Vandal's edits under a later edit by Editor; return their ids."""
    editor.edit(title, TEXT)
    ids = [vandal.edit(title, TEXT.replace(
        'First', 'First' + ' spam' * (n + 1))) for n in range(vandal_edits)]
    editor.edit(title, TEXT.replace('First', 'First' + ' spam'
                                    * vandal_edits).replace('Third',
                                                            'Third edited'))
    return ids


def test_rollback_and_buried_undo_summaries(lang_wiki: Any) -> None:
    wiki, lang = lang_wiki, lang_wiki.lang
    admin, editor = client(wiki, 'Admin'), client(wiki, 'Editor')
    vandal = client(wiki, 'Vandal')
    editor.edit('Top', TEXT)
    vandal.edit('Top', TEXT + ' spam')
    # two edits: MediaWiki 1.41+ counts them in the summary
    editor.edit('Top nouser', TEXT)
    vandal.edit('Top nouser', TEXT + ' spam')
    vandal.edit('Top nouser', TEXT + ' spam spam')
    one = seed_buried(editor, vandal, 'Buried one', 1)
    hidden = seed_buried(editor, vandal, 'Buried hidden', 1)
    two = seed_buried(editor, vandal, 'Buried two', 2)
    two_hidden = seed_buried(editor, vandal, 'Buried two hidden', 2)

    status, out = pwb(wiki, wiki.cfg, 'rollback', '-user:Vandal', '-always',
                      '-buried', '-page:Top', '-page:Buried one',
                      '-page:Buried two')
    assert status == 0, out
    # MediaWiki's rollback summary, written by MediaWiki itself
    # $7 (1.41+): how many edits ({{PLURAL:$7|...}}); $3-$6 not used
    assert comments(admin, 'Top')[0] == message(
        admin, lang, 'revertpage', 'Editor', 'Vandal', '', '', '', '', 1)
    # one revision: MediaWiki's undo summary, as its API writes it
    assert comments(admin, 'Buried one')[0] == message(
        admin, lang, 'undo-summary', one[0], 'Vandal')
    # several: ours, in the wiki's language
    assert comments(admin, 'Buried two')[0] == plugin_message(
        lang, 'undo-revisions', first=two[0], last=two[1], user='Vandal')
    assert 'Vandal' in comments(admin, 'Buried two')[0]

    since = now(admin)
    status, out = pwb(wiki, wiki.cfg, 'rollback', '-user:Vandal', '-always',
                      '-buried', '-nouser', '-page:Top nouser',
                      '-page:Buried hidden', '-page:Buried two hidden')
    assert status == 0, out
    assert comments(admin, 'Top nouser')[0] == message(
        admin, lang, 'revertpage-nouser', 'Editor', '', '', '', '', '', 2)
    assert comments(admin, 'Buried hidden')[0] == message(
        admin, lang, 'undo-summary-username-hidden', hidden[0])
    assert comments(admin, 'Buried two hidden')[0] == plugin_message(
        lang, 'undo-revisions-hidden', first=two_hidden[0],
        last=two_hidden[1])
    written = written_since(admin, since)
    assert len(written) == 3, written
    assert not [c for c in written if 'Vandal' in c], written
    # the texts were reverted, not just commented on
    for title in ('Top nouser', 'Buried hidden', 'Buried two hidden'):
        assert 'spam' not in admin.latest(title)['text'], title


def test_undelete_reasons(lang_wiki: Any) -> None:
    wiki, lang = lang_wiki, lang_wiki.lang
    admin, hasty = client(wiki, 'Admin'), client(wiki, 'Hasty')
    token = hasty.get(action='query', meta='tokens')['query']['tokens'][
        'csrftoken']
    for title in ('Deleted', 'Deleted nouser'):
        admin.edit(title, TEXT)
    hasty.post(action='delete', title='Deleted', reason='Hasty irrt sich',
               token=token)
    entry = hasty.get(action='query', list='logevents', letype='delete',
                      letitle='Deleted', leprop='ids|timestamp|comment',
                      lelimit=1)['query']['logevents'][0]
    status, out = pwb(wiki, wiki.cfg, 'undelete', '-logevents:delete,Hasty',
                      '-always')
    assert status == 0, out
    # the deletion in the words of the wiki's deletion log
    deleted = message(admin, lang, 'logentry-delete-delete',
                      '[[User:Hasty|Hasty]]', 'Hasty', '[[:Deleted]]')
    assert log_comment(admin, 'delete', 'Deleted') == plugin_message(
        lang, 'undelete-of', action=deleted, entry=plugin_message(
            lang, 'logentry-quote', logid=entry['logid'],
            timestamp=entry['timestamp'], comment='Hasty irrt sich'))

    hasty.post(action='delete', title='Deleted nouser',
               reason='Hasty was here', token=token)
    entry = hasty.get(action='query', list='logevents', letype='delete',
                      letitle='Deleted nouser', leprop='ids|timestamp',
                      lelimit=1)['query']['logevents'][0]
    since = now(admin)
    status, out = pwb(wiki, wiki.cfg, 'undelete', '-logevents:delete,Hasty',
                      '-always', '-nouser')
    assert status == 0, out
    assert admin.latest('Deleted nouser')['text'] == TEXT
    written = written_since(admin, since)
    assert len(written) == 1, written
    assert not [c for c in written if 'Hasty' in c], written
    # the admin's name and its words (the deletion's reason) left out
    assert written == [plugin_message(
        lang, 'undelete-hidden', entry=plugin_message(
            lang, 'logentry', logid=entry['logid'],
            timestamp=entry['timestamp']))]


def test_cleanup_delete_move_back_and_file_revert(lang_wiki: Any) -> None:
    wiki, lang = lang_wiki, lang_wiki.lang
    admin, editor = client(wiki, 'Admin'), client(wiki, 'Editor')
    spammer = client(wiki, 'Spammer')
    spammer.edit('Spam page', 'Buy now')
    editor.edit('Moved away', TEXT)
    token = spammer.get(action='query', meta='tokens')['query']['tokens'][
        'csrftoken']
    answer = spammer.post(action='move', **{'from': 'Moved away'},
                          to='Moved here', reason='x', token=token)
    assert 'move' in answer, answer
    move_id = spammer.get(action='query', list='logevents', letype='move',
                          letitle='Moved away', leprop='ids',
                          lelimit=1)['query']['logevents'][0]['logid']
    editor.upload('Lang.png', PNG)
    time.sleep(1.1)  # archive names have one-second resolution
    spammer.upload('Lang.png', PNG2)

    status, out = pwb(wiki, wiki.cfg, 'cleanup', '-user:Spammer', '-always')
    assert status == 0, out
    # no Nuke on this wiki: ours
    assert log_comment(admin, 'delete', 'Spam page') == plugin_message(
        lang, 'delete-creator', user='Spammer')
    assert log_comment(admin, 'move', 'Moved here') == plugin_message(
        lang, 'move-back-log', source='Moved here', target='Moved away',
        logid=move_id)
    assert admin.latest('Moved away')['text'] == TEXT
    # the file: MediaWiki's revert comment in the wiki's language
    info = admin.get(action='query', prop='imageinfo', titles='File:Lang.png',
                     iiprop='sha1|timestamp|comment',
                     iilimit=3)['query']['pages'][0]['imageinfo']
    assert info[0]['sha1'] == admin.file_sha1('Lang.png')
    stamp = info[2]['timestamp']  # Editor's version, reverted to
    zone = admin.get(action='query', meta='allmessages',
                     ammessages='timezone-utc', amlang=lang
                     )['query']['allmessages'][0]
    raw = admin.get(action='query', meta='allmessages',
                    ammessages='filerevert-defaultcomment', amlang=lang
                    )['query']['allmessages'][0]['content']
    expected = (raw.replace('$1', stamp[:10]).replace('$2', stamp[11:16])
                .replace('$3', zone.get('content') or 'UTC'))
    assert info[0]['comment'] == expected

    pusher = client(wiki, 'Spammer2')
    pusher.edit('Spam page 2', 'Buy more')
    since = now(admin)
    status, out = pwb(wiki, wiki.cfg, 'cleanup', '-user:Spammer2', '-always',
                      '-nouser')
    assert status == 0, out
    written = written_since(admin, since)
    assert written == [plugin_message(lang, 'delete-hidden')], written
