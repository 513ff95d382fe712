"""Command line handling shared by the three scripts.

Each ``scripts/<name>.py`` holds only its docstring (``-help``) and a
``main()`` that calls :func:`run`. Everything an operator types is
checked here, before the first write: unknown options, user names that
do not exist, malformed timestamps and ranges.
"""
from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from itertools import chain
from typing import Any

import pywikibot
from pywikibot import pagegenerators
from pywikibot.bot import suggest_help
from pywikibot.exceptions import Error

from . import _redact
from ._bots import (
    FileRevertBot,
    RevertBot,
    RollbackBot,
    UndeleteBot,
    UndoBot,
    deletion_log_pages,
    overwritten_files,
    top_contributions,
)
from ._exceptions import RevertError
from ._params import WATCHLIST_VALUES
from ._validate import (
    parse_timestamp,
    require_existing_user,
    require_tags,
)


__all__ = ['run']

#: options every script takes: name -> takes a value
COMMON = {'-always': False, '-summary': True, '-journal': True,
          '-maxwait': True, '-undo': True}

#: script -> its own options: name -> takes a value
OPTIONS: dict[str, dict[str, bool]] = {
    'rollback': {'-user': True, '-iprange': True, '-since': True,
                 '-until': True, '-markbot': False, '-tags': True,
                 '-watchlist': True, '-addedlink': True},
    'undelete': {'-except-user': True, '-since': True, '-until': True,
                 '-undeletetalk': False, '-tags': True},
    'filerevert': {'-user': True, '-to': True},
}


class UsageError(ValueError):

    """Bad command line input; shown with a hint to use -help."""


def _parse(script: str, args: list[str]) -> tuple[dict[str, Any], list[str]]:
    known = {**COMMON, **OPTIONS[script]}
    opts: dict[str, Any] = {}
    unknown = []
    for arg in args:
        name, sep, value = arg.partition(':')
        if name not in known:
            unknown.append(arg)
            continue
        if known[name]:
            if not value:
                value = pywikibot.input(f'Value for {name}:')
            if not value:
                raise UsageError(f'{name} needs a value')
            opts[name.lstrip('-').replace('-', '_')] = value
        else:
            if sep:
                raise UsageError(f'{name} takes no value')
            opts[name.lstrip('-')] = True
    return opts, unknown


def _timestamp(opts: dict[str, Any], name: str) -> None:
    if name in opts:
        try:
            opts[name] = parse_timestamp(opts[name])
        except ValueError as err:
            raise UsageError(f'-{name}: {err}') from None


def _log_timestamp(value: str | None) -> pywikibot.Timestamp | None:
    """Parse a -logevents time the way pywikibot does (8+ digits)."""
    if not value:
        return None
    if not value.isdigit() or len(value) < 8:
        raise UsageError(f'-logevents: bad timestamp {value!r}; use '
                         'YYYYMMDD[HHMMSS] (UTC)')
    return pywikibot.Timestamp.fromtimestampformat(value)


def _deletion_log(site: Any, value: str) -> Iterator[pywikibot.Page]:
    """``-logevents:delete,ADMIN,START,END`` with real deletions only."""
    logtype, admin, start, end = (value.split(',') + [None] * 3)[:4]
    assert logtype == 'delete'
    first, second = _log_timestamp(start), _log_timestamp(end)
    if first and second and first > second:
        first, second = second, first  # either order names one window
    if admin:
        admin = require_existing_user(site, admin)
    return deletion_log_pages(site, admin=admin or None, start=first,
                              end=second)


def _build(script: str, site: Any, opts: dict[str, Any],
           factory: pagegenerators.GeneratorFactory,
           own_gens: list[Any], args: list[str]) -> RevertBot:
    """Validate *opts* and build the bot; raise UsageError on bad input."""
    common = {'always': opts.get('always', False),
              'summary': opts.get('summary'),
              'journal': opts.get('journal'),
              'maxwait': opts.get('maxwait'), 'script_args': args}
    if common['maxwait'] is not None:
        try:
            if float(common['maxwait']) < 0:
                raise ValueError
        except ValueError:
            raise UsageError('-maxwait needs a number of seconds') from None
    if opts.get('undo'):
        return UndoBot(site=site, undo=opts['undo'], **common)
    if opts.get('tags'):
        try:
            opts['tags'] = require_tags(site, opts['tags'])
        except ValueError as err:
            raise UsageError(f'-tags: {err}') from None

    _timestamp(opts, 'since')
    _timestamp(opts, 'until')
    if opts.get('since') and opts.get('until') and (
            opts['since'] > opts['until']):
        raise UsageError('-since is later than -until')
    gens = list(own_gens)
    combined = factory.getCombinedGenerator()
    if combined is not None:
        gens.append(combined)

    if script == 'rollback':
        user, iprange = opts.get('user'), opts.get('iprange')
        if user and iprange:
            raise UsageError('give -user or -iprange, not both')
        if not user and not iprange:
            raise UsageError('missing -user:NAME (or -iprange:CIDR)')
        if iprange:
            try:
                net = ipaddress.ip_network(iprange, strict=False)
            except ValueError as err:
                raise UsageError(f'-iprange: {err}') from None
            iprange = str(net).upper() if net.version == 6 else str(net)
        else:
            user = require_existing_user(site, user)
        if opts.get('watchlist') and opts['watchlist'] not in \
                WATCHLIST_VALUES:
            raise UsageError(f'-watchlist must be one of '
                             f'{", ".join(WATCHLIST_VALUES)}')
        listed: dict[str, dict[str, Any]] = {}
        if gens:
            if iprange:
                raise UsageError('-iprange works on the range\'s own '
                                 'contributions; drop the page selection')
            generator = chain(*gens)
        else:
            namespaces = [ns.id for ns in factory.namespaces] or None

            def contributions() -> Iterator[pywikibot.Page]:
                for page, contrib in top_contributions(
                        site, user=user, iprange=iprange,
                        since=opts.get('since'), until=opts.get('until'),
                        namespaces=namespaces):
                    listed[page.title()] = contrib
                    yield page
            generator = contributions()
        return RollbackBot(
            site=site, generator=generator, listed=listed,
            user=user, markbot=opts.get('markbot'), tags=opts.get('tags'),
            watchlist=opts.get('watchlist'),
            addedlink=opts.get('addedlink'), **common)

    if script == 'undelete':
        if opts.get('except_user'):
            opts['except_user'] = require_existing_user(
                site, opts['except_user'])
        if not gens:
            raise UsageError('select pages: -logevents:delete,ADMIN,START,'
                             'END, -page:, -file: or another generator')
        return UndeleteBot(
            site=site, generator=_unique(chain(*gens)),
            except_user=opts.get('except_user'), since=opts.get('since'),
            until=opts.get('until'),
            undeletetalk=opts.get('undeletetalk', False),
            tags=opts.get('tags'), **common)

    user, to = opts.get('user'), opts.get('to')
    if bool(user) == bool(to):
        raise UsageError('give exactly one of -user:NAME and -to:TIMESTAMP')
    if to:
        try:
            to = parse_timestamp(to)
        except ValueError as err:
            raise UsageError(f'-to: {err}') from None
    if user:
        user = require_existing_user(site, user)
        if not gens:
            gens = [overwritten_files(site, user)]
    elif not gens:
        raise UsageError('-to needs a page selection such as -file: or '
                         '-cat:')
    return FileRevertBot(site=site, generator=_unique(chain(*gens)),
                         user=user, to=to, **common)


def _unique(pages: Any) -> Iterator[pywikibot.Page]:
    seen: set[str] = set()
    for page in pages:
        if page.title() not in seen:
            seen.add(page.title())
            yield page


def run(script: str, *args: str) -> int:
    """Run *script* (``rollback``, ``undelete`` or ``filerevert``).

    :param args: the command line, as ``pwb`` passes it to ``main()``
    :return: the exit status: 0, or 1 when something failed, the run
        was interrupted, or the input was refused
    """
    # -user: is also pywikibot's global "log in as" option: here it names
    # whose work to revert, so it must never reach handle_args() (the
    # login account goes before the script: pwb -user:Me rollback ...)
    # main() is called without arguments when run as a script
    args = tuple(args) or tuple(sys.argv[1:])
    own_user = [a for a in args if a.split(':', 1)[0] == '-user']
    others = [a for a in args if a.split(':', 1)[0] != '-user']
    # handle_args() falls back to pywikibot.argvu when given no
    # arguments; that copy of the command line must not hold -user either
    pywikibot.argvu = [*pywikibot.argvu[:1], *others]
    local_args = pywikibot.handle_args(others)
    _redact.install()
    site = pywikibot.Site()
    # -until is a timestamp here, not pagegenerators' title bound
    factory = pagegenerators.GeneratorFactory(site,
                                              disabled_options=['until'])
    own_gens = []
    rest = []
    for arg in local_args:
        if script == 'undelete' and arg.startswith('-logevents:delete'):
            own_gens.append(arg.partition(':')[2])
        else:
            rest.append(arg)
    try:
        # -page: and friends build pages right away: a bad title is
        # bad input, reported before anything is written
        for arg in rest:
            name, _, value = arg.partition(':')
            if name == '-page' and value:
                pywikibot.Page(site, value).title()  # raises if invalid
        rest = factory.handle_args(rest) + own_user
    except (Error, ValueError) as err:
        suggest_help(additional_text=f'bad page selection: {err}')
        return 2
    try:
        opts, unknown = _parse(script, rest)
        if unknown:
            suggest_help(unknown_parameters=unknown)
            return 2
        own = [_deletion_log(site, v) for v in own_gens]
        bot = _build(script, site, opts, factory, own, list(args))
    except UsageError as err:
        suggest_help(additional_text=str(err))
        return 2
    except (RevertError, ValueError) as err:
        pywikibot.error(str(err))
        return 2
    try:
        bot.run()
    except Error as err:  # raised in setup(): login, rights, journal
        pywikibot.error(str(err))
        return 1
    return bot.exit_status
