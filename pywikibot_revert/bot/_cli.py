"""The command line of the scripts, parsed against the bot's own options.

Each ``scripts/<name>.py`` holds only its docstring (``-help``) and a
``main()`` that calls :func:`run` with its bot class, the shape of
pywikibot's ``basic.py``: ``handle_args`` → ``GeneratorFactory`` → the
bot's options → ``Bot(...).run()``. Everything an operator types is
checked here, before the first write: unknown options, user names
that do not exist, malformed timestamps and ranges.
"""
from __future__ import annotations

import sys

import pywikibot
from pywikibot import pagegenerators
from pywikibot.bot import suggest_help
from pywikibot.exceptions import Error

from ._errors import UsageError
from ..wiki import _redact
from ._base import COMMON_OPTIONS, RevertBot
from ..crosswiki._run import CrossWikiRun, wanted
from ..exceptions import RevertError
from ._options import parse_options, split_arg
from ._pagecount import page_list_total
from ._reverse import ReverseBot


__all__ = ['run']


def _own_user(args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split off ``-user:``: here it names whose work to revert.

    It is also pywikibot's global "log in as" option, so it must never
    reach ``handle_args()`` (the acting account goes before the script
    name: ``pwb -user:Me rollback ...``).
    """
    own = [a for a in args if split_arg(a)[0] == 'user']
    others = [a for a in args if split_arg(a)[0] != 'user']
    return own, others


def _check_titles(site: pywikibot.site.BaseSite, args: list[str]) -> None:
    """Refuse an invalid ``-page:`` title before anything is written."""
    for name, value in map(split_arg, args):
        if name == 'page' and value:
            pywikibot.Page(site, value).title()  # raises if invalid


def _build(bot_class: type[RevertBot], site: pywikibot.site.BaseSite,
           args: list[str], own_user: list[str],
           script_args: list[str]) -> RevertBot:
    """Parse *args* (and ``-user:``, kept from pywikibot) and build the bot.

    :raises UsageError: bad input, or arguments no option matched
    """
    options = bot_class.all_options()
    # an option of the bot wins over a page generator of the same name
    # (-until: is a time here, not pagegenerators' title bound)
    shadowed = [o.name for o in options
                if hasattr(pagegenerators.GeneratorFactory,
                           f'_handle_{o.name}')]
    factory = pagegenerators.GeneratorFactory(site,
                                              disabled_options=shadowed)
    try:
        _check_titles(site, args)
        rest = factory.handle_args(args) + own_user
    except (Error, ValueError) as err:
        raise UsageError(f'bad page selection: {err}') from None
    opts, unknown = parse_options(options, rest, site=site)
    if unknown:
        raise UsageError('unknown arguments', unknown=unknown)
    if opts.get('undo'):
        common = {o.key for o in COMMON_OPTIONS}
        if set(opts) - common:
            names = ', '.join(f'-{k}' for k in sorted(set(opts) - common))
            raise UsageError(f'-undo:FILE reverses a journal; {names} '
                             'cannot go with it')
        bot_class = ReverseBot
    bot_class.check_options(opts)
    bot = bot_class(site=site, **opts, script_args=script_args)
    # counted before the bot combines the generators
    total = page_list_total(factory)
    bot.generator = bot.make_generator(factory)
    if not any(opts.get(name) for name in bot_class.adds_pages):
        bot.meter.expect(total)
    return bot


def run(bot_class: type[RevertBot], *args: str) -> int:
    """Run a script: parse the command line, build the bot, run it.

    **Example** (``scripts/rollback.py``)::

        def main(*args: str) -> None:
            sys.exit(run(RollbackBot, *args))

    :param bot_class: the script's bot; ``-undo:FILE`` runs
        :class:`~pywikibot_revert.bot._reverse.ReverseBot` instead
    :param args: the command line, as ``pwb`` passes it to ``main()``
    :return: the exit status: 0; 1 when something failed or the run
        was interrupted; 2 when the input was refused (nothing written)
    """
    # main() is called without arguments when run as a script
    args = tuple(args) or tuple(sys.argv[1:])
    own_user, others = _own_user(args)
    # handle_args() falls back to pywikibot.argvu when given no
    # arguments; that copy of the command line must not hold -user either
    pywikibot.argvu = [*pywikibot.argvu[:1], *others]
    local_args = pywikibot.handle_args(others)
    _redact.install()
    site = pywikibot.Site()
    try:
        if wanted(local_args):
            job = CrossWikiRun.from_args(
                bot_class, site, local_args, own_user, build=_build)
            return job.run()
        bot = _build(bot_class, site, local_args, own_user, list(args))
    except UsageError as err:
        if err.unknown:
            suggest_help(unknown_parameters=err.unknown)
        else:
            suggest_help(additional_text=str(err))
        return 2
    except (RevertError, ValueError) as err:
        pywikibot.error(str(err))
        return 2
    except Error as err:  # the wiki's answer to a read, before any write
        pywikibot.error(str(err))
        return 1
    except KeyboardInterrupt:  # before any write (cross-wiki checks)
        pywikibot.error('Stopped (Ctrl-C) before the first write')
        return 1
    try:
        bot.run()
    except Error as err:  # raised in setup(): login, rights, journal
        pywikibot.error(str(err))
        return 1
    return bot.exit_status
