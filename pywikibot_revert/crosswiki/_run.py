"""One command over many wikis: parallel across wikis, serial within each.

``-sites:FAM:CODE,...`` or ``-global`` (with ``-workers:N``) runs the
script on each wiki, up to N wikis at once (see
:mod:`~pywikibot_revert.crosswiki._workers`), and ``-undo:DIR`` reverses
such a run. Before the first write this process checks every wiki, N
at a time: it builds the wiki's bot from the command line (the input
checked there), logs in, checks the rights (a wiki where the account
lacks one is left out, not failed page by page) and reads the edit
count; then it shows the wikis with the edit count on each and asks
once. Each wiki's run then goes on with the bot, login and rights read
here: nothing of it is read twice. It ends with one summary: a row per
wiki, in the order given, and a total.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import pywikibot
from pywikibot import config

from ..bot._errors import UsageError
from ..bot._journal import site_id
from ..bot._options import (
    Option,
    journal_dir,
    parse_options,
    peek_options,
    report_path,
)
from ._checks import check_wikis
from ._workers import Wiki, run_wikis, summary_table
from ._reports import merge_reports, part_path, report_parts
from ._sites import global_args, global_wikis, journal_sites, parse_sites, \
    workers


__all__ = ['CROSSWIKI_HELP', 'CROSSWIKI_OPTIONS', 'CrossWikiRun', 'wanted']

#: the scripts' ``-help`` on cross-wiki runs (``&crosswiki;``)
CROSSWIKI_HELP = """\
Cross-wiki runs (the other options apply on each wiki):

-sites:F:C,F:C    Run on each of these wikis (FAMILY:CODE), each with
                  its own login (usernames in user-config.py), rights
                  check, throttle and journal.

-global           With -user: run on every wiki where the user has
                  edits, as CentralAuth on the current wiki lists
                  them (those whose family pywikibot knows).

-workers:N        How many wikis at once (default 4), in the checks
                  before the first write and in the runs; within a
                  wiki, one request at a time.

-journal:DIR      One journal per wiki in DIR (FAMILY-CODE.jsonl); a
                  rerun resumes each wiki from its own. An existing DIR
                  open to others is made private (0700), and said so.

-undo:DIR         Reverse each journal in DIR on its own wiki.

Before the first write, the wikis are listed with the edit count on
each; a wiki where the account lacks a right is left out. The run asks
once, unless -always. Each output line starts with the wiki; the run
ends with a row per wiki and a total, and -report has a wiki column."""

#: the options that make a run cross-wiki
CROSSWIKI_OPTIONS: tuple[Option, ...] = (
    Option('sites', convert=parse_sites),
    Option('global', flag=True),
    Option('workers', 4, convert=workers),
)
#: the script's options this process reads and rewrites per wiki: each
#: wiki's run gets its own journal, report part, and ``-always`` (this
#: process asked)
_PER_WIKI: tuple[Option, ...] = (
    Option('journal', convert=journal_dir),
    Option('report', convert=report_path),
    Option('undo'),
    Option('always', flag=True),
)
#: the script's options this process reads too and passes on as they
#: are: whose edits (``-global`` and the counts need it)
_PASSED_ON: tuple[Option, ...] = (Option('user'),)


def wanted(args: Iterable[str]) -> bool:
    """Return whether *args* ask for a cross-wiki run.

    A look before the parse, which depends on it (see
    :func:`~pywikibot_revert.bot._options.peek_options`).

    >>> wanted(['-user:X', '-sites:wikipedia:en']), wanted(['-user:X'])
    (True, False)
    """
    given = peek_options(args)
    undo = given.get('undo')
    return any(name in given for name in ('sites', 'global', 'workers')) \
        or bool(undo and os.path.isdir(os.path.expanduser(undo)))


class CrossWikiRun:

    """The script on each of *wikis*, *workers* at a time.

    Built by :meth:`from_args`, which refuses bad input before anything
    is written and checks each wiki; :meth:`run` does the rest.

    :param wikis: each with its bot built and checked
        (:func:`~pywikibot_revert.crosswiki._checks.check_wikis`), or
        left out
    :param script_args: the script's arguments, the same for each wiki;
        each wiki gets its own of the ones in :data:`_PER_WIKI`
    """

    def __init__(self, bot_class: Any, wikis: list[Wiki],
                 script_args: list[str], *, workers: int = 4,
                 always: bool = False, journal_dir: str | None = None,
                 report: str | None = None, user: str | None = None,
                 undo: bool = False) -> None:
        """Initializer."""
        self.bot_class = bot_class
        self.wikis = wikis
        self.script_args = script_args
        self.workers = workers
        self.always = always
        self.journal_dir = journal_dir
        self.report_path = report
        self.user = user
        self.undo = undo
        self.report_rows = 0

    # -- from the command line

    @classmethod
    def from_args(cls, bot_class: Any, site: Any, args: list[str],
                  own_user: list[str], *, build: Callable[..., Any]
                  ) -> CrossWikiRun:
        """Check the command line and every wiki; return the run.

        :param site: the default wiki, where ``-global`` asks CentralAuth
        :param args: the script's arguments (after pywikibot's)
        :param build: builds the single-wiki bot from arguments, as
            ``_cli`` does; called on each wiki, whose run then uses it
        :raises UsageError: names what is wrong (and on which wiki)
        """
        opts, rest = parse_options(
            CROSSWIKI_OPTIONS + _PER_WIKI + _PASSED_ON, [*args, *own_user],
            site=site)
        user = opts.get('user')
        # as parsed: a -user whose value was asked for is not asked again
        own_user = [f'-user:{user}'] if user else []
        script_args = rest + own_user
        undo = opts.get('undo')
        undo_dir = bool(undo and os.path.isdir(os.path.expanduser(undo)))
        chosen = [f'-{k}' for k in ('sites', 'global') if opts.get(k)]
        if len(chosen) > 1:
            raise UsageError('-sites and -global: give one of them')
        if undo_dir and chosen:
            raise UsageError(f'-undo:DIR reverses each journal in DIR on '
                             f'its own wiki; {chosen[0]} cannot go with it')
        if undo and not undo_dir:
            raise UsageError('in a cross-wiki run, -undo: names the '
                             f'directory of its journals; {undo} is not one')
        if not (chosen or undo_dir):
            raise UsageError('-workers goes with -sites:, -global or '
                             '-undo:DIR')
        if opts.get('global') and not user:
            raise UsageError('-global needs -user:NAME, the account whose '
                             'edits to find')
        journal = opts.get('journal')
        # pywikibot's -user before the script's name: the acting account
        account = peek_options(global_args()).get('user')
        if undo_dir:
            wikis = [Wiki(name, count=done, journal=path, api=api)
                     for name, path, done, api
                     in journal_sites(os.path.expanduser(undo))]
        elif opts.get('global'):
            found, unknown = global_wikis(site, user)
            for entry in unknown:
                pywikibot.warning(f'-global: {entry}; left out')
            wikis = [Wiki(name, count=n) for name, n in found]
            if not wikis:
                raise UsageError(f'-global: {user} has no edits on a wiki '
                                 'pywikibot knows')
        else:
            wikis = [Wiki(name) for name in opts['sites']]
        if journal is not None:
            for wiki in wikis:
                wiki.journal = os.path.join(
                    journal, wiki.label.replace(':', '-') + '.jsonl')
        job = cls(bot_class, wikis, script_args,
                  workers=opts.get('workers', 4),
                  always=opts.get('always', False),
                  journal_dir=journal, report=opts.get('report'), user=user,
                  undo=undo_dir)
        check_wikis(job.wikis, build, bot_class, rest, own_user,
                    workers=job.workers, user=user, undo=undo_dir,
                    account=account, per_wiki={o.name for o in _PER_WIKI})
        return job

    # -- the run

    def run(self) -> int:
        """Confirm, run every wiki, sum up.

        :return: 0 when every wiki's run succeeded; 1 otherwise
        """
        acting = [w for w in self.wikis if w.bot is not None]
        self.show(acting)
        if acting and not self.confirm(acting):
            pywikibot.error('Stopped: the operator did not confirm the '
                            'wikis and accounts; nothing was done')
            return 1
        if self.journal_dir:
            os.makedirs(self.journal_dir, mode=0o700, exist_ok=True)
        parts = None
        if self.report_path:
            parts = report_parts(self.report_path)
            for wiki in acting:
                wiki.bot.opt.report = part_path(parts, wiki)
        try:
            run_wikis(acting, self.workers)
        finally:
            if parts:
                self.report_rows = merge_reports(self.report_path,
                                                 acting, parts)
        return self.finish()

    def show(self, acting: list[Wiki]) -> None:
        """List the wikis to act on, and the ones left out."""
        what = ('journal actions' if self.undo
                else f'edits by {self.user}' if self.user else '')
        pywikibot.info(
            f'Cross-wiki {self.bot_class.operation}: {len(acting)} of '
            f'{len(self.wikis)} wiki(s), {self.workers} at a time'
            + (f'; {what}' if what else '') + ':')
        width = max(len(w.label) for w in self.wikis)
        for wiki in acting:
            count = '' if wiki.count is None else f'  {wiki.count} {what}'
            pywikibot.info(f'  {wiki.label:<{width}}  '
                           f'{site_id(wiki.site)["api"]} as '
                           f'{wiki.site.user()}{count}')
        for wiki in self.wikis:
            if wiki.left_out is not None:
                pywikibot.warning(f'{wiki.label} left out: {wiki.left_out}')

    def confirm(self, acting: list[Wiki]) -> bool:
        """Ask once, unless ``-always`` or ``-simulate``."""
        if self.always or config.simulate:
            return True
        try:
            return pywikibot.input_yn(
                f'Act on these {len(acting)} wiki(s)?', default=False,
                automatic_quit=False)
        except EOFError:
            return False

    def finish(self) -> int:
        """Print the combined summary; return the exit status."""
        table, bad = summary_table(self.wikis)
        pywikibot.info('Cross-wiki summary:\n' + table)
        if self.report_path:
            pywikibot.info(f'Report: {self.report_rows} '
                           f'item(s) to review in {self.report_path}')
        if self.journal_dir:
            pywikibot.info(f'Journals: {self.journal_dir}')
        return 1 if bad else 0

