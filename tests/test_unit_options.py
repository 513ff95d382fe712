"""Command line options as data, parsed generically (no wiki needed)."""
from __future__ import annotations

import pytest
import pywikibot

from pywikibot_revert.bot._errors import UsageError
from pywikibot_revert.bot._base import COMMON_OPTIONS, RevertBot
from pywikibot_revert.bot._filerevert import FileRevertBot
from pywikibot_revert.bot._options import (
    Option,
    choice,
    iprange,
    parse_options,
    peek_options,
    seconds,
    split_arg,
    timestamp,
)
from pywikibot_revert.bot._rollback import RollbackBot
from pywikibot_revert.bot._options import deletion_log
from pywikibot_revert.bot._undelete import UndeleteBot
from pywikibot_revert.bot._reverse import ReverseBot


OPTIONS = (Option('always', False, flag=True), Option('summary'),
           Option('maxwait', convert=seconds),
           Option('since', convert=timestamp),
           Option('except-user'), Option('log', many=True))


@pytest.mark.parametrize('arg, expected', [
    ('-always', ('always', None)),
    ('-report:', ('report', '')),
    ('-summary:a: b', ('summary', 'a: b')),
    ('-sites:wikipedia:de,wiktionary:de', ('sites',
                                           'wikipedia:de,wiktionary:de')),
    ('-page:Talk:Main Page', ('page', 'Talk:Main Page')),
    ('-undo:C:\\journal.jsonl', ('undo', 'C:\\journal.jsonl')),
    ('-', ('', None)),
    ('-:x', ('', 'x')),
    ('--always', ('-always', None)),
    ('Main Page', (None, 'Main Page')),
    ('user:X', (None, 'user:X')),
    ('', (None, '')),
])
def test_split_arg(arg, expected):
    assert split_arg(arg) == expected


def test_split_arg_is_the_parsers_grammar():
    # a name the parser knows only with its dash; a second colon is the
    # value's
    opts, unknown = parse_options(OPTIONS, ['summary:x', '-summary:-a:b'])
    assert opts == {'summary': '-a:b'} and unknown == ['summary:x']


def test_peek_options_takes_the_last_and_asks_nothing():
    assert peek_options(['-user:A', '-sites', 'Title', '-user:B',
                         '-summary:-sites:x']) \
        == {'user': 'B', 'sites': None, 'summary': '-sites:x'}


def test_values_flags_and_unknown():
    opts, unknown = parse_options(
        OPTIONS, ['-always', '-summary:a: b', '-except-user:X', '-log:1',
                  '-log:2', '-maxwait:0', '-nope', 'positional'])
    assert opts == {'always': True, 'summary': 'a: b', 'except_user': 'X',
                    'log': ['1', '2'], 'maxwait': 0.0}
    assert unknown == ['-nope', 'positional']


def test_converted_values():
    opts, _ = parse_options(OPTIONS, ['-since:2026-11-23T15:45:00Z'])
    assert opts['since'] == pywikibot.Timestamp(2026, 11, 23, 15, 45)


@pytest.mark.parametrize('arg, message', [
    ('-always:yes', '-always takes no value'),
    ('-maxwait:-1', '-maxwait: needs a number of seconds'),
    ('-maxwait:soon', '-maxwait: needs a number of seconds'),
    ('-since:yesterday', '-since: ambiguous or malformed timestamp'),
    ('-since:2026-13-01T00:00:00Z', '-since: invalid timestamp'),
])
def test_bad_values_name_the_option(arg, message):
    with pytest.raises(UsageError, match=message):
        parse_options(OPTIONS, [arg])


def test_missing_value_is_asked_for():
    asked = []
    opts, _ = parse_options(OPTIONS, ['-summary'],
                            ask=lambda q: asked.append(q) or 'typed')
    assert opts == {'summary': 'typed'} and asked == ['Value for -summary:']
    with pytest.raises(UsageError, match='-summary needs a value'):
        parse_options(OPTIONS, ['-summary'], ask=lambda q: '')


def test_missing_value_without_a_terminal_is_refused():
    def no_terminal(question):
        raise EOFError
    with pytest.raises(UsageError, match='-report needs a value'):
        parse_options([Option('report')], ['-report:'], ask=no_terminal)


def test_converters():
    assert iprange(None, '2001:db8::1/32') == '2001:DB8::/32'
    assert iprange(None, '10.1.2.3/8') == '10.0.0.0/8'
    with pytest.raises(ValueError):
        iprange(None, '300.1.1.1/8')
    assert choice(['a', 'b'])(None, 'b') == 'b'
    with pytest.raises(ValueError, match='one of a, b'):
        choice(['a', 'b'])(None, 'c')


def test_deletion_log_spec():
    assert deletion_log(None, 'delete,,20261124,20261123') == {
        'admin': None, 'start': pywikibot.Timestamp(2026, 11, 23),
        'end': pywikibot.Timestamp(2026, 11, 24)}
    for bad, message in [('deletion,Admin', "not 'deletion'"),
                         ('upload', "not 'upload'"),
                         ('delete,,tomorrow', 'bad timestamp')]:
        with pytest.raises(ValueError, match=message):
            deletion_log(None, bad)


def test_each_bot_declares_its_options_once():
    for bot in (RollbackBot, UndeleteBot, FileRevertBot, ReverseBot):
        names = [o.name for o in bot.all_options()]
        assert len(names) == len(set(names)), bot
        assert bot.available_options == {o.key: o.default
                                         for o in bot.all_options()}
        assert bot.update_options == {}
    # pywikibot's BaseBot updates available_options in place: each bot
    # has its own dict, so no option leaks into another script
    assert 'iprange' not in UndeleteBot.available_options
    assert set(RevertBot.available_options) == {o.key
                                                for o in COMMON_OPTIONS}


@pytest.mark.parametrize('bot, opts, message', [
    (RollbackBot, {}, 'missing -user'),
    (RollbackBot, {'user': 'A', 'iprange': '10.0.0.0/8'}, 'not both'),
    (RollbackBot, {'user': 'A', 'since': pywikibot.Timestamp(2026, 2, 1),
                   'until': pywikibot.Timestamp(2026, 1, 1)},
     'later than -until'),
    (FileRevertBot, {}, 'exactly one'),
    (FileRevertBot, {'user': 'A', 'to': pywikibot.Timestamp(2026, 1, 1)},
     'exactly one'),
])
def test_option_combinations(bot, opts, message):
    with pytest.raises(UsageError, match=message):
        bot.check_options(opts)


def test_good_combinations_pass():
    RollbackBot.check_options({'iprange': '10.0.0.0/8'})
    FileRevertBot.check_options({'to': pywikibot.Timestamp(2026, 1, 1)})
    UndeleteBot.check_options({})
