"""Each write of a run under its journal: :class:`JournalledWrites`.

Mixed into :class:`~pywikibot_revert.bot._base.RevertBot`. A write is
recorded before and after; a key the journal shows done is not sent
again; one a killed run left open is first settled on the wiki; one
journalled done but never read back is handed to the bot to read back
as a live run does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pywikibot

from ._resume import settle, take_unchecked
from ..exceptions import OutcomeUnknownError


__all__ = ['JournalledWrites']


class JournalledWrites:

    """:meth:`write`, :meth:`unchecked` and :meth:`failed_check`."""

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
