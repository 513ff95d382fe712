"""``-hide:content,summary,user``: the reverted revisions hidden after.

A rollback of a hidden revision fails (``notvisiblerev``), an undo of
one too (``nosuchrevid``): so a page's revisions are hidden only once
every revert of that page has landed and been confirmed, as a write of
its own, journalled after the reverts (action ``revisiondelete``).

Which revisions: those each revert took away, by the account: a
rollback's from the one after ``last_revid`` up to ``old_revid``, an
undo's run from the one after ``undoafter`` up to ``undo`` (the user's
revisions there, read in one request per page).

A run killed between a revert and its hide leaves the revert ``done``
in the journal and no hide: the next run reads the journal's reverts
first (:meth:`RevisionHider.resume`) and hides what they reverted that
no hide of the journal covers, once. A hide killed mid-write is
settled from the wiki (:func:`~pywikibot_revert.ops._revdel.find_revdel`).
``-undo`` shows again only the bits the run hid, only on revisions
still as the run left them (``ReverseBot._undo_revisiondelete``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pywikibot

from ._journal import Journal
from ._resume import settle_open
from ..ops._revdel import (
    find_revdel,
    parse_bits,
    set_visibility,
    visibility,
)
from ..wiki._query import query
from ..wiki._redact import plain_record
from ..wiki._rights import ensure_login


__all__ = ['ACTION', 'HIDE_HELP', 'HideSteps', 'RevisionHider', 'hide_bits',
           'reverted_range']

#: the journal's action of a hide
ACTION = 'revisiondelete'

#: ``-hide`` in the scripts' ``-help`` (``&hide;``)
HIDE_HELP = """\
-hide:PARTS       After a page's reverts landed, hide what they reverted
                  (the account's revisions) with revision deletion:
                  PARTS of content, summary, user, comma separated
                  (for doxxing, copyright or an abusive name). Needs
                  the deleterevision right (checked before any write);
                  never suppresses. Journalled; -undo shows again the
                  parts the run hid, where still as it left them."""


def hide_bits(site: Any, text: str) -> tuple[str, ...]:
    """The ``-hide`` option: bits to hide, and the right to hide them.

    Checked when the command line is read, before any write: without
    ``deleterevision`` the run is refused.

    :raises ValueError: a bad value (named), or the right is missing
    """
    bits = parse_bits(text)
    ensure_login(site)
    if not site.has_right('deleterevision'):
        raise ValueError(f'hiding revisions needs the \'deleterevision\' '
                         f'right, which {site.user()} does not have on '
                         f'{site}; nothing was written')
    return bits


def reverted_range(record: dict[str, Any]) -> tuple[int, int] | None:
    """Return (after, upto): the revisions a journalled revert took away.

    >>> reverted_range({'key': 'rollback|A|U', 'result': {
    ...     'revid': 9, 'old_revid': 8, 'last_revid': 5}})
    (5, 8)
    >>> reverted_range({'key': 'buried|A|7', 'undo': 7, 'undoafter': 4,
    ...                 'result': {'newrevid': 10}})
    (4, 7)
    >>> reverted_range({'key': 'rollback|A|U', 'result': {
    ...     'revid': 8, 'old_revid': 8, 'last_revid': 5}}) is None
    True
    """
    result = record.get('result') or {}
    if record.get('undo'):
        if not (result.get('newrevid') or record.get('reconciled')):
            return None  # an undo that wrote nothing took nothing away
        return int(record.get('undoafter') or 0), int(record['undo'])
    old, last = result.get('old_revid'), result.get('last_revid')
    if not old or last is None or result.get('revid') == old:
        return None
    return int(last), int(old)


def _is_revert(record: dict[str, Any]) -> bool:
    key = str(record.get('key', ''))
    return record.get('type') == 'done' and key.split('|')[0] in (
        'rollback', 'buried')


@dataclass
class RevisionHider:

    """Hide what a run reverted, page by page, after the reverts.

    The bot tells of each revert that landed (:meth:`reverted`) and,
    once a page is done, asks for the hide (:meth:`hide`), a write
    through *write* (the bot's journalled write).

    :ivar bits: what to hide, of :data:`~pywikibot_revert.ops._revdel.BITS`
    :ivar write: the bot's journalled write
    :ivar progress: the bot's progress line
    """

    site: Any
    bits: tuple[str, ...]
    write: Callable[..., Any]
    progress: Callable[[str], None]
    max_wait: float | None = None
    #: title -> user -> ranges (after, upto) reverted, not hidden yet
    ranges: dict[str, dict[str, list[tuple[int, int]]]] = field(
        default_factory=dict)
    #: revisions a hide of the journal covers already
    hidden: set[int] = field(default_factory=set)

    def reverted(self, title: str, user: str, record: dict[str, Any]
                 ) -> None:
        """Note a revert that landed (as its journal record would read)."""
        span = reverted_range(record)
        if span is not None:
            self.ranges.setdefault(title, {}).setdefault(user, []).append(
                span)

    def resume(self, journal: Journal) -> list[str]:
        """Note the journal's reverts no hide of it covers.

        Read from the whole file (the writes settled at this run's start
        included).

        :return: the titles that have some left to hide
        """
        for rec in Journal.read(journal.path):
            if rec.get('type') == 'done' and rec.get('action') == ACTION:
                self.hidden.update(rec.get('revids') or ())
            elif _is_revert(rec) and not rec.get('simulated'):
                self.reverted(rec['title'], rec.get('user', ''), rec)
        return list(self.ranges)

    def revisions(self, title: str, user: str,
                  spans: Iterable[tuple[int, int]]) -> list[int]:
        """The user's revisions of *title* in the reverted *spans*."""
        spans = list(spans)
        revids = []
        for part in query(self.site, prop='revisions', titles=title,
                          rvuser=user, rvprop='ids', rvlimit='max'):
            for page in part.get('pages', []):
                revids += [rev['revid'] for rev in page.get('revisions', [])
                           if any(a < rev['revid'] <= b for a, b in spans)]
        return sorted(set(revids) - self.hidden)

    def hide(self, page: pywikibot.Page) -> None:
        """Hide what the run reverted on *page* (one write per user).

        :raises NothingToDoError: nothing left to hide
        """
        title = page.title()
        for user, spans in self.ranges.pop(title, {}).items():
            revids = self.revisions(title, user, spans)
            if not revids:
                continue
            before = visibility(self.site, revids)
            if all(set(self.bits) <= bits for bits in before.values()):
                self.hidden.update(revids)
                continue

            def do(revids: list[int] = revids) -> Any:
                return set_visibility(self.site, revids, hide=self.bits,
                                      title=title, max_wait=self.max_wait)

            key = f'{ACTION}|{title}|{revids[0]}-{revids[-1]}|{len(revids)}'
            result = self.write(
                key, page, do, action=ACTION, kind='hide', op=ACTION,
                user=user, revids=revids, hide=list(self.bits),
                before={str(r): sorted(b) for r, b in before.items()})
            self.hidden.update(revids)
            if result is not None:
                self.progress(f'{title}: ' + (
                    'would hide' if result.simulated else 'hid')
                    + f' the {", ".join(self.bits)} of {len(revids)} '
                    f'revision(s) by {user}')


class HideSteps:

    """``-hide`` in a reverting bot: a mixin of :class:`RollbackBot`.

    Each write of a revert notes what it took away; once every revert
    of a page has landed, the page's revisions are hidden.
    """

    @cached_property
    def hider(self) -> RevisionHider | None:
        """What hides the reverted revisions (``-hide``), or None."""
        if not self.opt.hide:
            return None
        return RevisionHider(self.site, self.opt.hide, write=self.write,
                             progress=self.progress, max_wait=self.max_wait)

    def write(self, key: str, page: pywikibot.Page, do: Any,
              **details: Any) -> Any:
        """Write; with ``-hide``, note what a revert took away."""
        result = super().write(key, page, do, **details)
        if self.hider is not None and result is not None \
                and key.split('|')[0] in ('rollback', 'buried') \
                and not getattr(result, 'simulated', False):
            self.hider.reverted(page.title(), details.get('user') or '',
                                {'key': key, **details,
                                 'result': plain_record(result)})
        return result

    def treat_page(self) -> None:
        """Revert the page; with ``-hide``, hide what was reverted.

        Only after every revert of the page landed: a hidden revision
        cannot be rolled back or undone.
        """
        super().treat_page()
        page = self.current_page
        if self.hider is not None and not self.stopped \
                and page.title() in self.hider.ranges:
            self.attempt(page, self.hider.hide)

    def _resume_hides(self) -> None:
        """Hide what a run killed between a revert and its hide left."""
        if self.hider is None or not self.journal or self.simulate:
            return
        settle_open(self.journal, 'rollback', self.landed)
        settle_open(self.journal, ACTION, self.landed)
        for title in self.hider.resume(self.journal):
            self.attempt(pywikibot.Page(self.site, title), self.hider.hide)

    def _landed_hide(self, details: dict[str, Any]) -> Any:
        """Tell whether a visibility change landed.

        A ``-hide``, or a cleanup putting back what a rogue hid.
        """
        return find_revdel(self.site, details['revids'],
                           details.get('hide', ()), details.get('show', ()))
