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
- :meth:`RevertBot.write`: each write under a journal, recorded before
  and after, so a rerun resumes (settling on the wiki what a killed run
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
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pywikibot
from pywikibot import config
from pywikibot.bot import CurrentPageBot, SingleSiteBot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import UsageError, classify
from ..exceptions import (
    ConflictError,
    OutcomeUnknownError,
    RevertError,
    UndoFailedError,
)
from ..wiki._listings import unique
from ._journal import Journal
from ._resume import settle, settle_open, take_unchecked
from ..crosswiki._child import publish
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
)


class RevertBot(SingleSiteBot, CurrentPageBot):

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
        publish(summary)

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

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Ask the wiki whether an interrupted write landed (abstract).

        Each bot asks its operation's ``find_*`` reader, given the
        *details* the write was journalled with.

        :return: the result to record if it landed, None if it did not
        :raises NothingToDoError: it did not land, and is not needed
        :raises OutcomeUnknownError: the page changed some other way
        """
        raise NotImplementedError

    def write(self, key: str, page: pywikibot.Page, do: Callable[[], Any],
              *, kind: str | None = None, action: str | None = None,
              **details: Any) -> Any:
        """Run one write *do*, under the journal if there is one.

        A key the journal shows done is skipped without a request; one
        a killed run left open is first settled on the wiki
        (:func:`~pywikibot_revert.bot._resume.settle`), and
        written only if it did not land; the write itself is recorded
        before and after
        (:meth:`~pywikibot_revert.bot._journal.Journal.recorded`).

        :param kind: what the write is, for the counters at the end
            (default: its action)
        :param action: the journal's action (default: the bot's
            operation); ``-undo`` reverses by it
        :param details: plain data for the journal's records; what
            :meth:`landed` is given on resume
        :return: what *do* returned, or None when it was not sent
        """
        journal, title = self.journal, page.title()
        action = action or self.operation
        state = journal.state(key) if journal else None
        if state in ('intent', 'uncertain'):
            state = settle(journal, key, action, title, details,
                           self.landed)
        if state in ('done', 'landed'):
            self.skip('done before (journal)' if state == 'done'
                      else 'done before (confirmed on the wiki)')
            return None
        if state == 'unknown':
            self.fail(page, OutcomeUnknownError(
                'the interrupted write may have landed and the page '
                'changed since; check it by hand'))
            return None
        if self.simulate:
            result = do()
            self.simulated += 1
            return result
        result = journal.recorded(key, action, do, title=title, **details) \
            if journal else do()
        self.done += 1
        self.counter[kind or action] += 1
        return result

    def unchecked(self, what: str, *, action: str | None = None
                  ) -> list[dict[str, Any]]:
        """Return the writes a killed run journalled done, never checked.

        For the bot to read back as a live run does (:meth:`failed_check`).

        :param what: what they are, e.g. ``'revert(s)'``
        :param action: their journal action (default: the operation)
        """
        if not self.journal or self.simulate:
            return []
        records = take_unchecked(self.journal, action or self.operation,
                                 what)
        self._resumed.update(rec['key'] for rec in records)
        return records

    def failed_check(self, key: str, page: pywikibot.Page, err: Exception,
                     note: str = 'conflict', *, kind: str | None = None,
                     **data: Any) -> None:
        """Count a write its read-back found wrong: failed, not done."""
        if key not in self._resumed:
            # counted as done when the wiki said so (in this run)
            self.done -= 1
            self.counter[kind or self.operation] -= 1
        self.fail(page, err)
        if self.journal:
            self.journal.note(note, key=key, message=str(err), **data)

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
        try:
            self.act(page)
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
