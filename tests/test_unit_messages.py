"""Default summaries: the wiki's message filled in, without a wiki."""
from __future__ import annotations

import pywikibot

from pywikibot_revert.wiki._messages import (
    FILEREVERT_DEFAULT,
    FileRevertComment,
    format_message,
    undelete_reason,
)


def test_filerevert_comment_as_mediawiki_fills_it_in_english():
    c = FileRevertComment(FILEREVERT_DEFAULT, 'en', 'UTC', 0,
                          {'UTC': 'UTC'})
    assert c.format(pywikibot.Timestamp(2026, 11, 29, 19, 5, 14)) == \
        'Reverted to version as of 19:05, 29 November 2026 (UTC)'
    # day without a leading zero, time with one (j F Y, H:i)
    assert c.format(pywikibot.Timestamp(2026, 1, 2, 3, 4, 5)) == \
        'Reverted to version as of 03:04, 2 January 2026 (UTC)'


def test_local_time_zone_and_its_message():
    c = FileRevertComment('$1 $2 $3', 'en-gb', 'Europe/Berlin', 60,
                          {'CET': 'MEZ'})
    assert c.format(pywikibot.Timestamp(2026, 1, 31, 23, 30)) == \
        '1 February 2026 00:30 MEZ'
    # no message for summer time: the abbreviation itself, as MediaWiki
    assert c.format(pywikibot.Timestamp(2026, 7, 1, 12, 0)) == \
        '1 July 2026 14:00 CEST'


def test_other_languages_get_an_iso_date():
    c = FileRevertComment('Version vom $1, $2 ($3)', 'de', 'UTC', 0, {})
    assert c.format(pywikibot.Timestamp(2026, 3, 4, 5, 6)) == \
        'Version vom 2026-03-04, 05:06 (UTC)'


def test_unknown_zone_uses_the_offset():
    c = FileRevertComment('$1 $2', 'en', 'No/Such_Zone', -90, {})
    assert c.format(pywikibot.Timestamp(2026, 3, 4, 1, 0)) == \
        '3 March 2026 23:30'


def test_format_message():
    assert format_message('$2-$1-$10', 'a', 'b') == 'b-a-$10'
    assert format_message('no parameters', 'x') == 'no parameters'


def test_undelete_reason():
    entry = {'logid': 42, 'user': 'Hasty', 'timestamp':
             '2026-11-29T19:05:14Z', 'comment': '  spam\n page '}
    assert undelete_reason(entry) == (
        'Undoing the deletion by [[User:Hasty|Hasty]] (log entry 42 of '
        '2026-11-29T19:05:14Z: "spam page")')
    assert undelete_reason({**entry, 'comment': ''}) == (
        'Undoing the deletion by [[User:Hasty|Hasty]] (log entry 42 of '
        '2026-11-29T19:05:14Z)')
    assert undelete_reason({**entry, 'commenthidden': True}).endswith(
        '2026-11-29T19:05:14Z)')
    long = undelete_reason({**entry, 'comment': 'x' * 400})
    assert long.endswith('…")') and len(long) < 250
    assert undelete_reason(None) == 'Restoring deleted revisions'


# -- the plugin's bundle and MediaWiki's messages, in the content language

import json  # noqa: E402
import re  # noqa: E402
from importlib import resources  # noqa: E402

import pytest  # noqa: E402

from pywikibot_revert.ops._delete import default_reason  # noqa: E402
from pywikibot_revert.ops._rollback import nouser_summary  # noqa: E402
from pywikibot_revert.ops._undo_user_plan import UserRun  # noqa: E402
from pywikibot_revert.wiki import _messages  # noqa: E402
from pywikibot_revert.wiki._i18n import (  # noqa: E402
    BUNDLE,
    PACKAGE,
    plugin_message,
)


class FakeSite:

    """A wiki whose messages are already read: nothing is sent."""

    def __init__(self, lang: str, messages: dict[str, str | None]) -> None:
        self.siteinfo = {'lang': lang}
        self.lang = lang
        _messages.clear_cache(self)
        _messages._cache[self] = dict(messages)


def _bundle_files() -> dict[str, dict[str, str]]:
    folder = resources.files(PACKAGE).joinpath(BUNDLE)
    return {f.name[:-5]: json.loads(f.read_text('utf-8'))
            for f in folder.iterdir() if f.name.endswith('.json')}


def test_bundle_has_every_key_in_en_qqq_de_uk_with_the_same_parameters():
    files = _bundle_files()
    assert set(files) >= {'en', 'qqq', 'de', 'uk'}
    keys = {k for k in files['en'] if not k.startswith('@')}
    params = re.compile(r'%\((\w+)\)[sd]')
    for lang in ('qqq', 'de', 'uk'):
        assert {k for k in files[lang] if not k.startswith('@')} == keys, \
            lang
    for key in keys:
        assert key.startswith(BUNDLE + '-')
        want = set(params.findall(files['en'][key]))
        for lang in ('de', 'uk'):
            assert set(params.findall(files[lang][key])) == want, (lang, key)
            assert files[lang][key] != files['en'][key], (lang, key)
        for name in want:
            # qqq documents every parameter
            assert f'%({name})' in files['qqq'][key], (key, name)


@pytest.mark.parametrize('lang, count, text', [
    ('en', 1, 'Remove 1 link to x.example'),
    ('en', 3, 'Remove 3 links to x.example'),
    ('de', 1, '1 Link auf x.example entfernt'),
    ('de', 2, '2 Links auf x.example entfernt'),
    ('uk', 1, 'Вилучення 1 посилання на x.example'),
    ('uk', 3, 'Вилучення 3 посилань на x.example'),
    ('uk', 21, 'Вилучення 21 посилання на x.example'),
    # no bundle of its own: pywikibot's fallbacks (Bavarian -> German)
    ('bar', 2, '2 Links auf x.example entfernt'),
    ('fr', 2, 'Remove 2 links to x.example'),
])
def test_plugin_message_plural_and_fallback(lang, count, text):
    assert plugin_message(lang, 'remove-links', count=count,
                          domain='x.example') == text


def test_plugin_message_uses_the_content_language_of_a_site():
    site = FakeSite('uk', {})
    assert plugin_message(site, 'undo-undelete') == 'Скасування відновлення'
    # a parameter's own % is not a format
    assert plugin_message('de', 'undo-move', source='100%', target='B') == \
        'Aufräumen rückgängig gemacht: 100% nach B'


def test_undelete_reason_in_german_and_ukrainian_and_without_the_user():
    entry = {'logid': 42, 'user': 'Hasty', 'timestamp':
             '2026-11-29T19:05:14Z', 'comment': 'Hasty was here'}
    assert undelete_reason(entry, 'de') == (
        'Rückgängigmachung der Löschung durch [[User:Hasty|Hasty]] '
        '(Logbucheintrag 42 vom 2026-11-29T19:05:14Z: „Hasty was here“)')
    assert undelete_reason(entry, FakeSite('uk', {})) == (
        'Скасування вилучення, виконаного користувачем [[User:Hasty|Hasty]]'
        ' (запис журналу 42 від 2026-11-29T19:05:14Z: «Hasty was here»)')
    for lang in ('en', 'de', 'uk'):
        text = undelete_reason(entry, lang, nouser=True)
        assert 'Hasty' not in text and '42' in text
    assert undelete_reason({'logid': 5, 'user': 'A'}) == \
        'Undoing the deletion by [[User:A|A]] (log entry 5)'
    assert undelete_reason({'logid': 5, 'comment': 'x'}, 'uk') == \
        'Скасування вилучення (запис журналу 5: «x»)'
    assert undelete_reason(None, 'de') == \
        'Wiederherstellung gelöschter Versionen'


def test_undo_summary_is_mediawikis_for_one_revision_ours_for_several():
    site = FakeSite('de', {
        'undo-summary': 'Änderung $1 von [[Special:Contributions/$2|$2]] '
                        '([[User talk:$2|Diskussion]]) rückgängig gemacht.',
        'undo-summary-username-hidden':
            'Änderung $1 eines versteckten Benutzers rückgängig gemacht.'})
    one, two = UserRun(8, 8, 5, 1), UserRun(7, 8, 5, 2)
    assert one.summary('Spam', site) == (
        'Änderung 8 von [[Special:Contributions/Spam|Spam]] '
        '([[User talk:Spam|Diskussion]]) rückgängig gemacht.')
    assert one.summary('Spam', site, nouser=True) == \
        'Änderung 8 eines versteckten Benutzers rückgängig gemacht.'
    assert two.summary('Spam', site) == (
        'Änderungen 7 bis 8 von [[Special:Contributions/Spam|Spam]] '
        'rückgängig gemacht')
    assert 'Spam' not in two.summary('Spam', site, nouser=True)
    # a wiki without the message: ours, in its language
    bare = FakeSite('uk', {'undo-summary-username-hidden': None})
    assert one.summary('Spam', bare, nouser=True) == \
        'Скасування версій з 8 по 8, зроблених прихованим користувачем'


def test_a_message_with_braces_is_filled_by_the_wiki(monkeypatch):
    site = FakeSite('de', {'revertpage-nouser':
                           'Zurück auf {{GENDER:$1|[[User:$1|$1]]}}'})
    sent = []

    def read(site_, **params):
        sent.append(params)
        return {'query': {'allmessages': [
            {'name': params['ammessages'], 'content': 'expanded'}]}}

    monkeypatch.setattr(_messages, 'read', read)
    assert nouser_summary(site, 'Editor') == 'expanded'
    assert nouser_summary(site, 'Editor') == 'expanded'  # kept
    assert len(sent) == 1
    assert sent[0]['amenableparser'] == 1 and sent[0]['amlang'] == 'de'
    # $2 (the reverted user) is never left for the rollback to fill
    assert sent[0]['amargs'] == 'Editor||$3|$4|$5|$6|$7'
    assert nouser_summary(site, 'Editor', 2) == 'expanded'
    assert sent[1]['amargs'] == 'Editor||$3|$4|$5|$6|2'


def test_the_deletion_in_the_wiki_words_once_per_admin(monkeypatch):
    """logentry-delete-delete: one read per admin; a link's pipe kept."""
    site = FakeSite('en', {'logentry-delete-delete':
                           '$1 {{GENDER:$2|deleted}} page $3'})
    sent = []

    def read(site_, **params):
        sent.append(params)
        args = params['amargs'].lstrip('\x1f').split('\x1f')
        return {'query': {'allmessages': [
            {'name': params['ammessages'],
             'content': f'{args[0]} deleted page {args[2]}'}]}}

    monkeypatch.setattr(_messages, 'read', read)
    entry = {'logid': 9, 'user': 'Hasty', 'title': 'A'}
    assert undelete_reason(entry, site) == (
        'Undoing: [[User:Hasty|Hasty]] deleted page [[:A]] (log entry 9)')
    assert undelete_reason({**entry, 'title': 'B'}, site).startswith(
        'Undoing: [[User:Hasty|Hasty]] deleted page [[:B]]')
    assert len(sent) == 1
    # U+001F separates values one of which holds a pipe
    assert sent[0]['amargs'] == '\x1f[[User:Hasty|Hasty]]\x1fHasty\x1f$3'
    # the name kept out: the plugin's words, no read
    assert 'Hasty' not in undelete_reason(entry, site, nouser=True)
    assert len(sent) == 1


def test_default_delete_reason_nuke_or_ours_and_without_the_user():
    nuke = FakeSite('de', {'nuke-defaultreason':
                           'Massenlöschung von Seiten, die von $1 angelegt '
                           'wurden'})
    assert default_reason(nuke, 'Spam') == \
        'Massenlöschung von Seiten, die von Spam angelegt wurden'
    assert default_reason(nuke, 'Spam', nouser=True) == \
        'Seite eines versteckten Benutzers, ohne weitere Autoren (Aufräumen)'
    plain = FakeSite('en', {'nuke-defaultreason': None})
    assert default_reason(plain, 'Spam') == \
        'Page created by Spam, with no other author (cleanup)'
