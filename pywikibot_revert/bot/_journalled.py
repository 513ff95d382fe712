"""Writes under a journal: recorded before and after, settled on resume.

The protocol every bot's write goes through (:meth:`JournalledWrites.write`):
an ``intent`` record before the request, ``done`` (or ``failed``, or
an ``uncertain`` note) after it. A run killed in between leaves an
intent without an outcome; the next run with the same journal settles
each such write on the wiki (:meth:`JournalledWrites.settle_interrupted`)
before it writes anything, so nothing is done twice and everything
that landed can be undone.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError, Error

from ..exceptions import (
    NothingToDoError,
    OutcomeUnknownError,
    RevertError,
    StopRunError,
)


__all__ = ['JournalledWrites']

#: journal record fields that are not the write's own details
_RECORD_FIELDS = frozenset({'type', 'time', 'key', 'action', 'title'})


def _record(result: Any) -> Any:
    """Return *result* as plain data for the journal."""
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    if isinstance(result, dict):
        return {key: _record(value) for key, value in result.items()}
    return result


class JournalledWrites:

    """The journalled write protocol, mixed into the bots.

    Needs from the bot: ``journal`` (or None), ``operation``,
    ``simulate``, ``skip()``, ``fail()``, ``done`` and ``counter``;
    each bot implements :meth:`landed`.
    """

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Ask the wiki whether an interrupted write landed (abstract).

        :param title: the page written to
        :param details: the keywords the write was journalled with, as
            read back from the journal (plain data)
        :return: the result to record if it landed, None if it did not
        :raises NothingToDoError: it did not land, and is not needed
        :raises OutcomeUnknownError: the page changed some other way
        """
        raise NotImplementedError

    def settle(self, key: str, title: str, details: dict[str, Any]) -> str:
        """Settle a write with no known outcome on the wiki; journal it.

        :return: ``'landed'`` (recorded done, so ``-undo`` includes
            it), ``'cleared'`` (it did not land; it may be written now)
            or ``'unknown'`` (the page changed some other way; it is
            left for a person to check)
        """
        journal = self.journal
        try:
            found = self.landed(title, details)
        except NothingToDoError:
            found = None
        except (RevertError, APIError) as err:
            if isinstance(err, StopRunError) and not isinstance(
                err, OutcomeUnknownError):
                raise
            journal.note('unresolved', key=key, action=self.operation,
                         title=title, message=str(err))
            pywikibot.warning(f'{title}: cannot tell whether the '
                              f'interrupted write landed: {err}')
            return 'unknown'
        if found is None:
            journal.cleared(key, self.operation, title=title, **details)
            return 'cleared'
        journal.done(key, self.operation, title=title, reconciled=True,
                     result=_record(found), **details)
        pywikibot.info(f'{title}: the interrupted {self.operation} had '
                       'landed (confirmed on the wiki)')
        return 'landed'

    def settle_interrupted(self) -> None:
        """Before any write, settle every write a killed run left open.

        The page selection may not yield those pages again (a rollback
        that landed takes the page off the user's top contributions),
        so they are taken from the journal, not from the generator.
        """
        intents = self.journal.open_intents(self.operation)
        if not intents or self.simulate:
            return
        pywikibot.info(f'Journal: {len(intents)} write(s) without an '
                       'outcome; asking the wiki')
        outcomes: Counter[str] = Counter()
        for rec in intents:
            details = {k: v for k, v in rec.items()
                       if k not in _RECORD_FIELDS}
            outcomes[self.settle(rec['key'], rec.get('title', ''),
                                 details)] += 1
        pywikibot.info('Journal: ' + ', '.join(
            f'{outcomes[k]} {k}' for k in ('landed', 'cleared', 'unknown')))

    def write(self, key: str, page: pywikibot.Page, do: Callable[[], Any],
              *, kind: str | None = None, **details: Any) -> Any:
        """Run one write *do* under the journal.

        A key the journal shows done is skipped without a request. A
        key with an intent but no outcome (the process died mid-write)
        is first settled on the wiki (:meth:`settle`); only if the wiki
        says "not done" is it written. *details* (plain data) go into
        the journal records and are what :meth:`landed` is given.

        :param kind: what the write is, for the counters at the end
            (default: the bot's operation)
        :return: what *do* returned, or None when it was done before
        """
        journal = self.journal
        title = page.title()
        state = journal.state(key) if journal else None
        if state == 'done':
            self.skip('done before (journal)')
            return None
        if journal and state in ('intent', 'uncertain'):
            outcome = self.settle(key, title, details)
            if outcome == 'landed':
                self.skip('done before (confirmed on the wiki)')
                return None
            if outcome == 'unknown':
                self.fail(page, OutcomeUnknownError(
                    'the interrupted write may have landed and the page '
                    'changed since; check it by hand'))
                return None
        if self.simulate:
            result = do()
            self.simulated += 1
            return result
        if journal:
            journal.intent(key, self.operation, title=title, **details)
        try:
            result = do()
        except Error as err:
            if journal:
                journal.error(key, self.operation, err, title=title,
                              **details)
            raise
        if journal:
            journal.done(key, self.operation, title=title,
                         result=_record(result), **details)
        self.done += 1
        self.counter[kind or self.operation] += 1
        return result
