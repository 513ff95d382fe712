"""What a run does first with a journal a killed run left behind.

A write the journal shows with an ``intent`` and no outcome may or may
not have landed: :func:`settle` asks the wiki (the bot's ``landed``,
which reads the operation's ``find_*``) and records the answer, so
nothing is written twice and everything that landed can be undone.
:func:`settle_open` does that for every such write before the run's
first write; :func:`take_unchecked` hands over the writes journalled
``done`` but never read back, for the bot to read back as a live run
does.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError

from ._journal import Journal, Landed
from ..exceptions import (
    NothingToDoError,
    OutcomeUnknownError,
    RevertError,
    StopRunError,
)


__all__ = ['settle', 'settle_open', 'take_unchecked']


def settle(journal: Journal, key: str, action: str, title: str,
           details: dict[str, Any], landed: Landed) -> str:
    """Settle a write with no known outcome on the wiki; record it.

    :return: ``'landed'`` (recorded done, so ``-undo`` includes
        it), ``'cleared'`` (it did not land; it may be written now)
        or ``'unknown'`` (the page changed some other way; it is
        left for a person to check)
    :raises StopRunError: the wiki could not be asked (the run stops)
    """
    try:
        found = landed(title, details)
    except NothingToDoError:
        found = None
    except (RevertError, APIError) as err:
        if isinstance(err, StopRunError) and not isinstance(
                err, OutcomeUnknownError):
            raise
        journal.note('unresolved', key=key, action=action, title=title,
                  message=str(err))
        pywikibot.warning(f'{title}: cannot tell whether the '
                          f'interrupted write landed: {err}')
        return 'unknown'
    if found is None:
        journal.cleared(key, action, title=title, **details)
        return 'cleared'
    journal.done(key, action, title=title, reconciled=True,
              result=found, **details)
    pywikibot.info(f'{title}: the interrupted {action} had landed '
                   '(confirmed on the wiki)')
    return 'landed'

def settle_open(journal: Journal, action: str, landed: Landed) -> None:
    """Before any write, settle each write of *action* left open.

    Taken from the journal (:meth:`Journal.open_intents`): the page selection
    may not yield those pages again (a rollback that landed takes the
    page off the user's top contributions).
    """
    intents = journal.open_intents(action)
    if not intents:
        return
    pywikibot.info(f'Journal: {len(intents)} write(s) without an '
                   'outcome; asking the wiki')
    outcomes: Counter[str] = Counter()
    for rec in intents:
        details = {k: v for k, v in rec.items() if k not in (
            'type', 'time', 'key', 'action', 'title')}
        outcomes[settle(journal, rec['key'], action, rec.get('title', ''),
                             details, landed)] += 1
    pywikibot.info('Journal: ' + ', '.join(
        f'{outcomes[k]} {k}' for k in ('landed', 'cleared', 'unknown')))


def take_unchecked(journal: Journal, action: str,
                   what: str) -> list[dict[str, Any]]:
    """Return the writes of *action* journalled done but never checked.

    Said in one line, before any write.

    :param what: what they are, e.g. ``'revert(s)'``
    """
    records = journal.unchecked(action)
    if records:
        pywikibot.info(f'Journal: {len(records)} {what} done but not '
                       'checked; reading them back')
    return records
