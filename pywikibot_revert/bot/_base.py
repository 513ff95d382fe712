"""The common ground of the cleanup bots: options, run policy, life cycle.

Built on pywikibot's bot classes: options are data (:class:`Option`
lists become ``available_options``), each page goes through
``skip_page`` and ``treat_page``, ``counter`` and ``exit()`` print the
run summary, and ``user_confirm`` honours ``-always``. What
:class:`RevertBot` adds:

- the run policy, read off the error tree
  (:func:`~pywikibot_revert.bot._errors.classify`): a
  :exc:`~pywikibot_revert.exceptions.NothingToDoError` skips the item,
  counted by its reason; a :exc:`~pywikibot_revert.exceptions.StopRunError`
  stops the run cleanly; any other error fails the item and the run
  goes on;
- :meth:`~pywikibot_revert.bot._writes.JournalledWrites.write`: each
  write under a journal, recorded before and after, so a rerun resumes (settling on the wiki what a killed run
  left open) and ``-undo`` reverses;
- :attr:`RevertBot.exit_status`: non-zero when an action failed or the
  run was interrupted;
- a review report (``-report:FILE``,
  :class:`~pywikibot_revert.bot._report.RunReport`): a row for each
  failure, conflict and skip worth a human's look;
- a status line every 100 items or 10 seconds
  (:class:`~pywikibot_revert.bot._progress.Meter`), with a share
  and an ETA when the total is known.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar

import pywikibot
from pywikibot import config
from pywikibot.bot import CurrentPageBot, SingleSiteBot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import UsageError, classify
from ..exceptions import (
    ConflictError,
    RevertError,
    UndoFailedError,
)
from ..wiki._listings import unique
from ._journal import Journal
from ._resume import settle_open
from ._writes import JournalledWrites
from ._summary import RunSummary
from ._options import Option, check_common, report_path, seconds
from ._progress import Meter
from ._report import RunReport
from ._preflight import preflight


__all__ = ['COMMON_OPTIONS', 'RevertBot']

#: options every script takes
COMMON_OPTIONS: tuple[Option, ...] = (
    Option('always', False, flag=True),
    Option('summary'),
    Option('journal'),
    Option('maxwait', convert=seconds),
    Option('undo'),
    Option('report', convert=report_path),
    # keep the account's name out of every default summary and reason
    Option('nouser', False, flag=True),
)


class RevertBot(JournalledWrites, SingleSiteBot, CurrentPageBot):

    """Common ground of the cleanup bots.

    Subclasses set :attr:`operation` (a key of
    :data:`~pywikibot_revert.wiki._rights.REQUIRED_RIGHTS`), list their own
    :attr:`options`, and implement :meth:`act` (which raises a typed
    error to skip, stop or fail) and :meth:`landed`.
    """

    #: what the bot does; also its counter's name
    operation: ClassVar[str] = ''
    #: the bot's own options, besides :data:`COMMON_OPTIONS`
    options: ClassVar[tuple[Option, ...]] = ()
    #: the message when no page selection was given
    needs_selection: ClassVar[str] = ('select pages with -page:, -file:, '
                                      '-cat: or another generator')
    #: the bot's options that add pages besides the page selection
    #: (undelete's -logevents:); with one of them set, a page list does
    #: not tell the run's total
    adds_pages: ClassVar[tuple[str, ...]] = ()
    available_options = {o.key: o.default for o in COMMON_OPTIONS}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive pywikibot's ``available_options`` from the options."""
        super().__init_subclass__(**kwargs)
        # each class its own dict: BaseBot.__init__ updates it in place
        cls.available_options = {o.key: o.default
                                 for o in cls.all_options()}
        cls.update_options = {}

    @classmethod
    def all_options(cls) -> tuple[Option, ...]:
        """Return every option the bot takes."""
        return COMMON_OPTIONS + cls.options

    def __init__(self, *, script_args: list[str] | None = None,
                 **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        self.journal: Journal | None = None
        self.script_args = script_args or []
        self.skips: Counter[str] = Counter()
        self.stopped: str | None = None
        self.done = 0
        self.simulated = 0
        #: keys a killed run journalled done but left unchecked: done
        #: in that run, not counted in this one
        self._resumed: set[str] = set()
        #: the status lines; a -simulate preview is quiet for its first
        #: seconds, so that a short one prints none
        self.meter = Meter(quiet_for=Meter.every_seconds
                           if self.simulate else 0.0)
        self.report: RunReport | None = None
        #: what a report row about the current page links to: ``user``,
        #: ``old`` and ``cur`` (the diff), as far as known; emptied
        #: before each page
        self.review: dict[str, Any] = {}

    # -- from the command line

    @classmethod
    def check_options(cls, opts: dict[str, Any]) -> None:
        """Refuse option combinations that make no sense.

        :raises UsageError: names what is wrong
        """
        check_common(opts)

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """Return the pages to treat: the operator's page selection."""
        gen = factory.getCombinedGenerator()
        if gen is None:
            raise UsageError(self.needs_selection)
        return unique(gen)

    # -- life cycle

    @property
    def simulate(self) -> bool:
        """True when pywikibot's ``-simulate`` is on."""
        return bool(config.simulate)

    @property
    def max_wait(self) -> float | None:
        """The operator's bound for waiting out rate limits and lag."""
        return self.opt.maxwait

    def setup(self) -> None:
        """Log in, check rights, name the wiki, open the journal."""
        preflight(self.site, self.operation,
                  ask=not (self.opt.always or self.simulate))
        if self.opt.journal:
            self.journal = Journal(self.opt.journal, self.site,
                                   script=type(self).__name__,
                                   args=self.script_args).open()
            pywikibot.info(f'Journal: {self.journal.path}')
            if not self.simulate:
                settle_open(self.journal, self.operation, self.landed)
        if self.opt.report:
            self.report = RunReport.for_site(self.opt.report,
                                            self.site).open()

    def run_summary(self) -> RunSummary:
        """Return the run's counts as they stand."""
        return RunSummary(
            done=self.done, simulated=self.simulated,
            skipped=dict(self.skips), failed=self.counter['fail'],
            conflict=self.counter['conflict'], stopped=self.stopped,
            completed=self.generator_completed)

    def teardown(self) -> None:
        """Print skips by reason and the journal's path; close it."""
        summary = self.run_summary()
        completed = summary.completed and not self.stopped
        pywikibot.info(f'Summary: {summary.line()}')
        if self.stopped:
            pywikibot.error(f'Stopped: {self.stopped}')
        if self.report:
            self.report.close()
        if self.journal:
            self.journal.note('end', done=self.done,
                              failed=self.counter['fail'],
                              skipped=sum(self.skips.values()),
                              completed=completed)
            pywikibot.info(f'Journal: {self.journal.path}')
            self.journal.close()

    @property
    def exit_status(self) -> int:
        """0 when every action succeeded and the run was not cut short."""
        failed = self.counter['fail'] or self.stopped
        return 1 if failed or not self.generator_completed else 0

    def user_confirm(self, question: str) -> bool:
        """Ask unless ``-always``; ``-simulate`` previews without asking.

        End of input (no terminal) quits the run like "quit".
        """
        if self.simulate:
            return True
        try:
            return super().user_confirm(question)
        except EOFError:
            self.stop('no answer (end of input); use -always to run '
                      'without questions')
            return False

    def confirm(self, question: str) -> bool:
        """Ask *question* (see :meth:`user_confirm`); a "no" is a skip."""
        if self.user_confirm(question):
            return True
        self.skip('declined')
        return False

    def progress(self, text: str) -> None:
        """Print one line of progress with the running count."""
        pywikibot.info(f'[{self.counter["read"]}] {text}')

    # -- one item

    def init_page(self, item: Any) -> Any:
        """Count the item before this one as finished; print progress.

        Counted here, not in :meth:`treat_page`: a page that
        ``skip_page`` passes over is an item of the run too.
        """
        line = self.meter.next_item(self.run_summary)
        if line:
            pywikibot.info(line)
        return super().init_page(item)

    def treat_page(self) -> None:
        """Act on the current page and sort the outcome by its category."""
        page = self.current_page
        self.review = {}
        self.attempt(page, self.act)

    def attempt(self, page: pywikibot.Page, step: Any) -> None:
        """Run *step(page)*; sort a failure by its category."""
        try:
            step(page)
        except (RevertError, APIError) as err:
            kind = classify(err)
            if kind == 'skip':
                pywikibot.log(str(err))
                self.skip(err.reason, detail=str(err))
            elif kind == 'stop':
                # the page it stopped at is one to review, as a failure
                self.report_row(page, 'stopped', err.reason, str(err))
                self.stop(str(err))
            else:
                self.fail(page, err)

    def act(self, page: pywikibot.Page) -> None:
        """Do the work for one page (abstract)."""
        raise NotImplementedError

    def skip(self, reason: str, *, detail: str = '') -> None:
        """Count a skip by *reason*, say so and report it for review."""
        self.counter['skip'] += 1
        self.skips[reason] += 1
        page = self._current_page
        self.progress(f'{page.title() if page else ""}: skipped ({reason})')
        if not reason.startswith('done before'):
            outcome = ('declined' if reason == 'declined' else 'not merged'
                       if reason == UndoFailedError.reason else 'skipped')
            self.report_row(page, outcome, reason, detail)

    def fail(self, page: pywikibot.Page, err: Exception) -> None:
        """Count a failed action (and a conflict); the run goes on."""
        self.counter['fail'] += 1
        conflict = isinstance(err, ConflictError)
        if conflict:
            self.counter['conflict'] += 1
        message = str(err)
        pywikibot.error(message if message.startswith(f'{page.title()}: ')
                        else f'{page.title()}: {message}')
        self.report_row(page, 'conflict' if conflict else 'failed',
                        getattr(err, 'reason', None)
                        or getattr(err, 'code', 'failed'), str(err))

    def note_review(self, **links: Any) -> None:
        """Note what a report row about the current page links to."""
        self.review.update(links)

    def review_links(self, page: pywikibot.Page) -> dict[str, Any]:
        """Return the ``user``, ``old`` and ``cur`` a report row links."""
        return self.review

    def report_row(self, page: pywikibot.Page | None, outcome: str,
                   reason: str, detail: str = '') -> None:
        """Write a row about *page* to the report, if there is one."""
        if self.report is None or page is None:
            return
        # a batched check may fail a page other than the current one
        links = self.review_links(page) if page == self._current_page \
            else {}
        self.report.row(page, outcome, reason, detail, links)

    def stop(self, reason: str) -> None:
        """Stop the run cleanly; a rerun with the journal resumes."""
        self.stopped = reason
        self.quit()
