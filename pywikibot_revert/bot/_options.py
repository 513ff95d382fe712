"""Script options as data: declared once per bot, parsed generically.

Each bot lists its :class:`Option` objects; from them come pywikibot's
``available_options`` (the defaults, read as ``self.opt.name``) and the
command line parsing in :func:`parse_options`. An option's *convert*
checks and converts its value before anything is written, raising
:exc:`ValueError` (or a typed error) with a message naming what is
wrong; the parser puts the option's name in front.

The ``-name:value`` grammar itself is :func:`split_arg`, the one place
an argument is split; what must look at the command line before it is
parsed (which account, a single or a cross-wiki run) uses
:func:`peek_options`. Splitting a value (``FAMILY:CODE``, a
``-logevents:`` spec) is its converter's business.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError

from ._errors import UsageError
from ._journal import private_dir
from ._report import FORMATS, MUST_END
from ..wiki._params import WATCHLIST_VALUES
from ..wiki._validate import (
    parse_log_timestamp,
    parse_timestamp,
    require_existing_user,
    require_tags,
)


__all__ = ['Option', 'check_common', 'choice', 'deletion_log',
           'existing_user', 'iprange', 'journal_dir', 'parse_options',
           'peek_options', 'report_path', 'seconds', 'split_arg', 'tags',
           'timestamp', 'watchlist']

#: (site, text) -> value
Converter = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Option:

    """One command line option of a script.

    >>> Option('except-user').key
    'except_user'

    :ivar name: as typed, without the dash: ``except-user``
    :ivar default: the value when the option is not given
    :ivar flag: takes no value (``-always``)
    :ivar convert: checks and converts the text given
    :ivar many: may be given more than once; the value is a list
    """

    name: str
    default: Any = None
    flag: bool = False
    convert: Converter | None = None
    many: bool = False

    @property
    def key(self) -> str:
        """The bot option's name: ``self.opt.<key>``."""
        return self.name.replace('-', '_')


# -- converters: (site, text) -> value -----------------------------------

def timestamp(site: Any, text: str) -> pywikibot.Timestamp:
    """An unambiguous UTC time (see :func:`parse_timestamp`)."""
    return parse_timestamp(text)


def seconds(site: Any, text: str) -> float:
    """A number of seconds, zero or more.

    >>> seconds(None, '2.5')
    2.5
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ValueError('needs a number of seconds')
    return value


def journal_dir(site: Any, text: str) -> str:
    """The directory of a cross-wiki run's journals, kept private.

    An existing one with permissions wider than 0700 is tightened, and
    the operator told (:func:`~pywikibot_revert.bot._journal.private_dir`).

    :param site: unused (the signature of an option converter)
    :return: *text* with ``~`` expanded
    :raises ValueError: a file, or another user's directory
    """
    path = os.path.expanduser(text)
    if os.path.isfile(path):
        raise ValueError(f'{path}: a cross-wiki run keeps one journal per '
                         'wiki in a directory; name a directory')
    tightened = private_dir(path)
    if tightened:
        pywikibot.warning(f'-journal: {tightened}')
    return path


def iprange(site: Any, text: str) -> str:
    """A CIDR range, spelt as MediaWiki stores it.

    With a *site* that lists a range's contributions (MediaWiki 1.36+),
    one read asks whether the range is within the wiki's
    ``$wgRangeContributionsCIDRLimit``: one too broad (``cidrtoobroad``,
    e.g. an IPv6 /16 where /32 is the limit) is refused before the run,
    not met by its listing once the run has begun.

    >>> iprange(None, '2001:db8::/32'), iprange(None, '192.0.2.7/24')
    ('2001:DB8::/32', '192.0.2.0/24')

    :raises ValueError: not a range, or broader than the wiki allows
    """
    net = ipaddress.ip_network(text, strict=False)
    spelt = str(net).upper() if net.version == 6 else str(net)
    if site is not None and site.mw_version >= '1.36':
        try:
            site.simple_request(action='query', list='usercontribs',
                                uciprange=spelt, uclimit=1,
                                ucprop='ids').submit()
        except APIError as err:
            if err.code != 'cidrtoobroad':
                raise
            raise ValueError(err.info) from None
    return spelt


def existing_user(site: Any, text: str) -> str:
    """A user (or IP) the wiki knows, normalised (one read)."""
    return require_existing_user(site, text)


def tags(site: Any, text: str) -> list[str]:
    """Change tags the wiki has defined and active (one read)."""
    return require_tags(site, text)


def choice(values: Sequence[str]) -> Converter:
    """Return a converter accepting one of *values*.

    >>> choice(['watch', 'unwatch'])(None, 'watch')
    'watch'
    """
    def convert(site: Any, text: str) -> str:
        if text not in values:
            raise ValueError(f'must be one of {", ".join(values)}, '
                             f'not {text!r}')
        return text
    return convert


watchlist = choice(WATCHLIST_VALUES)


def deletion_log(site: Any, text: str) -> dict[str, Any]:
    """Convert ``-logevents:delete,ADMIN,START,END`` (either order).

    Only real deletions count (``delete/delete``): not restores, nor
    revision deletions.

    :return: keywords for
        :func:`~pywikibot_revert.wiki._listings.deletion_log_entries`
    :raises ValueError: another log type, a bad time or user
    """
    logtype, admin, start, end = (text.split(',') + [''] * 3)[:4]
    if logtype != 'delete':
        raise ValueError(f'undelete reads the deletion log: use '
                         f'-logevents:delete,ADMIN,START,END, not '
                         f'{logtype!r}')
    first, second = parse_log_timestamp(start), parse_log_timestamp(end)
    if first and second and first > second:
        first, second = second, first  # either order names one window
    return {'admin': require_existing_user(site, admin) if admin else None,
            'start': first, 'end': second}


# -- parsing -------------------------------------------------------------

def split_arg(arg: str) -> tuple[str | None, str | None]:
    """Split a command line argument into an option's name and value.

    The grammar of pywikibot's scripts: ``-name:value`` is split at the
    first colon, so a value may hold colons of its own
    (``-sites:wikipedia:de``); ``-name`` alone is a flag, or an option
    whose value is to be asked for; ``-name:`` has an empty value. An
    argument without the dash is no option (pywikibot's page generators
    take such as a title).

    >>> split_arg('-sites:wikipedia:de,wiktionary:de')
    ('sites', 'wikipedia:de,wiktionary:de')
    >>> split_arg('-always'), split_arg('-report:')
    (('always', None), ('report', ''))
    >>> split_arg('Main Page')
    (None, 'Main Page')

    :return: the name without its dash (None when *arg* is no option),
        and the text after the first colon (None when there is no colon;
        the whole of *arg* when it is no option)
    """
    if not arg.startswith('-'):
        return None, arg
    name, sep, value = arg[1:].partition(':')
    return name, value if sep else None


def peek_options(args: Iterable[str]) -> dict[str, str | None]:
    """Return the options in *args* by name, as typed, the last one winning.

    A look at the command line before it is parsed: nothing is checked,
    converted or asked for. It tells a cross-wiki run from a single one
    and finds pywikibot's global ``-user:``, which the script never
    parses; :func:`parse_options` gives the values to act on.

    >>> peek_options(['-undo:a.jsonl', '-always', 'Title', '-undo:b'])
    {'undo': 'b', 'always': None}
    """
    return {name: value for name, value in map(split_arg, args)
            if name is not None}


def report_path(site: Any, text: str) -> str:
    """A file for ``-report``, checked before anything is written.

    >>> report_path(None, 'review.txt')
    Traceback (most recent call last):
    ...
    ValueError: review.txt: must end in .wiki, .csv or .jsonl

    :param site: unused (the signature of an option converter)
    :return: *text* with ``~`` expanded
    :raises ValueError: no name, another extension, a directory, no
        parent directory, or a file or directory not writable
    """
    if not text.strip():
        raise ValueError('needs a file name')
    path = os.path.expanduser(text)
    if os.path.splitext(path)[1].lower() not in FORMATS:
        raise ValueError(f'{text}: {MUST_END}')
    if os.path.isdir(path):
        raise ValueError(f'{path} is a directory')
    parent = os.path.dirname(path) or os.curdir
    if not os.path.isdir(parent):
        raise ValueError(f'{path}: no such directory: {parent}')
    # asked, not tried: nothing may be created before the run starts
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            raise ValueError(f'{path} is not writable')
    elif not os.access(parent, os.W_OK):
        raise ValueError(f'cannot create {path}: directory {parent} '
                         'is not writable')
    return path


def check_common(opts: dict[str, Any]) -> None:
    """Refuse combinations of the common options that make no sense.

    >>> check_common({'report': 'a.csv', 'journal': 'a.csv'})
    Traceback (most recent call last):
    ...
    pywikibot_revert.bot._errors.UsageError: -report and -journal name the same file; the report would overwrite the journal

    :raises UsageError: names what is wrong
    """
    since, until = opts.get('since'), opts.get('until')
    if since and until and since > until:
        raise UsageError('-since is later than -until')
    report = opts.get('report')
    for name in ('journal', 'undo'):
        if report and opts.get(name) and os.path.abspath(
                report) == os.path.abspath(opts[name]):
            raise UsageError(f'-report and -{name} name the same file; '
                             'the report would overwrite the journal')


def parse_options(options: Iterable[Option], args: Iterable[str], *,
                  site: Any = None, ask: Callable[[str], str] | None = None
                  ) -> tuple[dict[str, Any], list[str]]:
    """Parse *args* against *options*; return the values and the unknown.

    Each argument is split by :func:`split_arg`. Only options given
    appear in the result, converted; of an option given twice, the
    last counts (unless it is *many*). A value option given without a
    value is asked for (pywikibot's ``input``), as in pywikibot's own
    scripts.

    >>> opts = [Option('always', flag=True), Option('summary')]
    >>> parse_options(opts, ['-always', '-summary:x', '-bogus'])
    ({'always': True, 'summary': 'x'}, ['-bogus'])
    >>> parse_options(opts, ['-always:yes'])
    Traceback (most recent call last):
    ...
    pywikibot_revert.bot._errors.UsageError: -always takes no value

    :param ask: prompts for a missing value (default ``pywikibot.input``)
    :raises UsageError: a value that is missing, not wanted or invalid
    """
    known = {opt.name: opt for opt in options}
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for arg in args:
        key, text = split_arg(arg)
        opt = None if key is None else known.get(key)
        if opt is None:
            unknown.append(arg)
            continue
        name = f'-{key}'  # as typed, for the messages
        if opt.flag:
            if text is not None:
                raise UsageError(f'{name} takes no value')
            values[opt.key] = True
            continue
        if not text:
            try:
                text = (ask or pywikibot.input)(f'Value for {name}:')
            except EOFError:  # no terminal to ask on
                text = ''
        if not text:
            raise UsageError(f'{name} needs a value')
        try:
            value = text if opt.convert is None else opt.convert(site, text)
        except ValueError as err:
            raise UsageError(f'{name}: {err}') from None
        if opt.many:
            values.setdefault(opt.key, []).append(value)
        else:
            values[opt.key] = value
    return values, unknown
