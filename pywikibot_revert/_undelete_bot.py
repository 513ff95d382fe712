"""The bot behind ``pwb undelete``: restore deleted pages, whole or in part."""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import pywikibot
from pywikibot.pagegenerators import GeneratorFactory

from ._bot import RevertBot
from ._exceptions import NothingToUndeleteError, UsageError
from ._generators import deletion_log_pages, unique
from ._options import Option, existing_user, tags, timestamp
from ._params import batched
from ._results import DeletedRevision
from ._rights import require_rights
from ._undelete import (
    deleted_revisions,
    select_revisions,
    undelete,
    undelete_landed,
)
from ._validate import require_existing_user


__all__ = ['UndeleteBot', 'deletion_log']

#: pages per batched read of deleted revisions
BATCH = 50


def _log_timestamp(text: str | None) -> pywikibot.Timestamp | None:
    """Parse a ``-logevents`` time the way pywikibot does (8+ digits)."""
    if not text:
        return None
    if not text.isdigit() or len(text) < 8:
        raise ValueError(f'bad timestamp {text!r}; use YYYYMMDD[HHMMSS] '
                         '(UTC)')
    return pywikibot.Timestamp.fromtimestampformat(text)


def deletion_log(site: Any, text: str) -> dict[str, Any]:
    """Convert ``-logevents:delete,ADMIN,START,END`` (either order).

    Only real deletions count (``delete/delete``): not restores, nor
    revision deletions.

    :return: keywords for
        :func:`~pywikibot_revert._generators.deletion_log_pages`
    :raises ValueError: another log type, a bad time or user
    """
    logtype, admin, start, end = (text.split(',') + [''] * 3)[:4]
    if logtype != 'delete':
        raise ValueError(f'undelete reads the deletion log: use '
                         f'-logevents:delete,ADMIN,START,END, not '
                         f'{logtype!r}')
    first, second = _log_timestamp(start), _log_timestamp(end)
    if first and second and first > second:
        first, second = second, first  # either order names one window
    return {'admin': require_existing_user(site, admin) if admin else None,
            'start': first, 'end': second}


class UndeleteBot(RevertBot):

    """Restore deleted pages, whole or filtered by time and user.

    Whole pages are restored with one request each and no read; with
    ``except_user``/``since``/``until``, or to preview, the deleted
    revisions are read for 50 pages per request.
    """

    operation = 'undelete'
    needs_selection = ('select pages: -logevents:delete,ADMIN,START,END, '
                       '-page:, -file: or another generator')
    options = (
        Option('logevents', convert=deletion_log, many=True),
        Option('except-user', convert=existing_user),
        Option('since', convert=timestamp),
        Option('until', convert=timestamp),
        Option('undeletetalk', False, flag=True),
        Option('tags', convert=tags),
    )

    @property
    def filtered(self) -> bool:
        """True when only some revisions come back."""
        return bool(self.opt.except_user or self.opt.since
                    or self.opt.until)

    @property
    def reads_first(self) -> bool:
        """True when the deleted revisions are read before restoring."""
        return self.filtered or self.simulate or not self.opt.always

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """The deletion log entries and the operator's page selection."""
        gens: list[Iterable[pywikibot.Page]] = [
            deletion_log_pages(self.site, **spec)
            for spec in self.opt.logevents or []]
        combined = factory.getCombinedGenerator()
        if combined is not None:
            gens.append(combined)
        if not gens:
            raise UsageError(self.needs_selection)
        return unique(chain(*gens))

    def setup(self) -> None:
        """Also need ``deletedhistory`` when revisions are read."""
        super().setup()
        if self.reads_first:
            require_rights(self.site, 'deletedhistory')
        self._cache: dict[str, list[DeletedRevision]] = {}
        self.generator = self._prefetching(self.generator)

    def _prefetching(self, pages: Iterable[pywikibot.Page]
                     ) -> Iterator[pywikibot.Page]:
        for batch in batched(pages, BATCH):
            if self.reads_first:
                self._cache.update(self._read(batch))
            yield from batch

    def _read(self, pages: list[pywikibot.Page]
              ) -> Iterator[tuple[str, list[DeletedRevision]]]:
        # every user's revisions: select_revisions() must see those of
        # except_user to keep their seconds deleted
        return deleted_revisions(self.site, pages, since=self.opt.since,
                                 until=self.opt.until)

    def deleted(self, page: pywikibot.Page) -> list[DeletedRevision] | None:
        """Return *page*'s deleted revisions, or None when none are needed.

        They come from the batched read; a page the batch missed is read
        on its own: a miss never means "nothing deleted".
        """
        revs = self._cache.pop(page.title(), None)
        if revs is None and self.reads_first:
            (_, revs), = self._read([page])
        return revs

    def act(self, page: pywikibot.Page) -> None:
        """Select, preview, confirm, restore."""
        title = page.title()
        revs = self.deleted(page)
        if self.filtered:
            selection = select_revisions(page, revisions=revs,
                                         since=self.opt.since,
                                         until=self.opt.until,
                                         except_user=self.opt.except_user)
            if selection.empty:
                raise NothingToUndeleteError(f'{title}: nothing selected')
            what = (f'{len(selection.timestamps)} revision(s)'
                    + (f', {len(selection.fileids)} file version(s)'
                       if selection.fileids else ''))
            part = dataclasses.asdict(selection)
            kwargs: dict[str, Any] = {'selection': selection}
        else:
            if revs == []:
                raise NothingToUndeleteError(f'{title}: nothing deleted')
            what = (f'all {len(revs)} revision(s)' if revs is not None
                    else 'all revisions')
            part = {'all_revisions': True}
            kwargs = {'all_revisions': True}
        if revs:
            users = Counter(r.user or '(hidden)' for r in revs)
            self.progress(f'{title}: {what} to restore, by '
                          + ', '.join(f'{u} ({n})'
                                      for u, n in users.most_common(5)))
        if not self.confirm(f'Restore {what} of {title}?'):
            return

        def do():
            return undelete(page, summary=self.opt.summary,
                            tags=self.opt.tags,
                            undeletetalk=self.opt.undeletetalk,
                            max_wait=self.max_wait, **kwargs)

        def reconcile():
            # part of it restored (killed between chunks): restore the rest
            return {} if undelete_landed(self.site, title, part) else None

        result = self.write(f'undelete|{title}', page, do,
                            reconcile=reconcile,
                            selection=part if self.filtered else None)
        if result is not None and not result.simulated:
            self.progress(f'{title}: restored {result.revisions} '
                          f'revision(s), {result.fileversions} file '
                          'version(s)')
