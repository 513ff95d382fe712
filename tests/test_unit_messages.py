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
