"""The checks of a cross-wiki run before its first write, wikis side by side.

Each wiki is checked in a worker thread, *workers* wikis at a time: its
site is made (pywikibot's login from the cookie jar), its bot built
from the command line as its run will use it (the input checked there,
the user read once with the edit count shown), the rights checked from
the login's answer. The bot is kept for the wiki's run, which reads
none of it again. Reads only: nothing is written on any wiki until
every wiki has been checked and the operator has said yes.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from pywikibot.exceptions import Error, SiteDefinitionError

from ..bot._errors import UsageError
from ..bot._journal import site_id
from ..bot._options import split_arg
from ..exceptions import RevertError
from ..wiki._rights import require_rights
from ..wiki._validate import users_read_once
from ._sites import SiteName, check_api, edit_count
from ._workers import Wiki, each_wiki


__all__ = ['check_wikis', 'wiki_args']


def wiki_args(wiki: Wiki, args: list[str], *, undo: bool,
              per_wiki: Collection[str]) -> list[str]:
    """Return the script's arguments for *wiki*'s own run.

    >>> from types import SimpleNamespace as NS
    >>> wiki = Wiki(NS(family=NS(name='xwa'), code='xwa'), journal='j/a')
    >>> wiki_args(wiki, ['-journal:j', '-summary:x'], undo=False,
    ...           per_wiki={'journal'})
    ['-summary:x', '-journal:j/a', '-always']

    :param args: the script's arguments but ``-user``
    :param undo: the run reverses the journals of ``-undo:DIR``
    :param per_wiki: the options each wiki gets its own of, left out
    """
    args = [a for a in args if split_arg(a)[0] not in per_wiki]
    if wiki.journal:
        args.append(f'-{"undo" if undo else "journal"}:{wiki.journal}')
    # the cross-wiki run asks, once for every wiki
    return [*args, '-always']


def check_wikis(wikis: list[Wiki], build: Callable[..., Any],
                bot_class: Any, args: list[str], own_user: list[str], *,
                workers: int, user: str | None, undo: bool,
                account: str | None, per_wiki: Collection[str]) -> None:
    """Make each wiki's site and bot, check its rights, count the edits.

    Bad input on any wiki is refused; a wiki where the account cannot
    act, or that does not answer, is left out (``Wiki.left_out``).

    :param build: builds a wiki's bot from its arguments (``_cli``)
    :param args: the script's arguments but ``-user``
    :param user: whose edits, for the edit count
    :param account: the acting account (``pwb -user:NAME``)
    :param per_wiki: see :func:`wiki_args`
    :raises UsageError: names what is wrong (and on which wiki): the
        first such wiki in the order given
    :raises KeyboardInterrupt: Ctrl-C stopped the checks
    """
    refused: dict[str, UsageError] = {}
    operation = 'undo' if undo else bot_class.operation

    def check_one(wiki: Wiki) -> None:
        try:
            _open(wiki, account)
        except UsageError as err:
            refused[wiki.label] = err
            return
        except Error as err:
            wiki.left_out = f'did not answer: {err}'
            return
        own = wiki_args(wiki, args, undo=undo, per_wiki=per_wiki)
        # the user check of the build also reads the edit count
        with users_read_once():
            try:  # the input, as this wiki's run takes it
                bot = build(bot_class, wiki.site, own, own_user,
                            [*own, *own_user])
            except UsageError as err:
                refused[wiki.label] = err if err.unknown else \
                    UsageError(f'{wiki.label}: {err}')
                return
            except (RevertError, ValueError, Error) as err:
                refused[wiki.label] = UsageError(f'{wiki.label}: {err}')
                return
            try:  # the account on this wiki
                require_rights(wiki.site, operation)
                if wiki.count is None and user:
                    wiki.count = edit_count(wiki.site, user)
            except (Error, RevertError) as err:
                wiki.left_out = str(err) or type(err).__name__
                return
        wiki.bot = bot

    def check_guarded(wiki: Wiki) -> None:
        try:
            check_one(wiki)
        except Exception as err:  # a bug: that wiki alone is left out
            wiki.left_out = f'{type(err).__name__}: {err}'

    if each_wiki(wikis, check_guarded, workers,
                 interrupted='Stopping the checks (Ctrl-C); nothing was '
                             'written'):
        raise KeyboardInterrupt
    for wiki in wikis:
        if wiki.label in refused:
            raise refused[wiki.label]
    seen: dict[str, str] = {}
    for wiki in wikis:
        if wiki.bot is None:
            continue
        api = site_id(wiki.site)['api']
        if api in seen:  # two runs at once on one wiki
            raise UsageError(f'{seen[api]} and {wiki.label} are one wiki '
                             f'({api}); name it once')
        seen[api] = wiki.label


def _open(wiki: Wiki, account: str | None) -> None:
    """Make *wiki*'s site for *account* (a request: the login).

    :raises UsageError: no such wiki, or not the one a journal to
        reverse was written on
    """
    if isinstance(wiki.site, SiteName):
        try:
            wiki.site = wiki.site.open(account)
        except SiteDefinitionError as err:
            raise UsageError(f'{wiki.label}: {err}') from None
    if wiki.api is not None:
        check_api(wiki.site, wiki.journal or '', wiki.api)
