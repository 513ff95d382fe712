"""The bot behind ``pwb undelete``: restore deleted pages, whole or in part."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import ChangedSinceError, UsageError
from ._base import RevertBot
from ._readback import RestoreReadBack
from ._restoreplan import plan_restore, restore_behind
from ..exceptions import (
    ConflictError,
    OutcomeUnknownError,
    RevertError,
)
from ..wiki._listings import deletion_log_entries, unique
from ..wiki._messages import undelete_reason
from ._options import (
    Option,
    choice,
    deletion_log,
    existing_user,
    tags,
    timestamp,
)
from ..wiki._params import batched
from ..wiki._query import batch_size, latest_revisions_at, query_pages
from ..results import DeletedRevision
from ..wiki._rights import require_rights
from ..ops._undelete import deleted_revisions, find_undelete, undelete


__all__ = ['UndeleteBot', 'restore_landed']

#: pages per batched read of deleted revisions
BATCH = 50
#: seconds after which a page is read again right before restoring it
STALE_AFTER = 5.0


class UndeleteBot(RevertBot):

    """Restore deleted pages, whole or filtered by time and user.

    Whole pages are restored with one request each; with
    ``except_user``/``since``/``until``, or to preview, the deleted
    revisions are read for 50 pages per request.

    Whether each page exists now is read for 50 pages per request as
    well. MediaWiki would merge the archived revisions into a page
    created again since the deletion, so such a page is skipped ("re-
    created since"). With ``-recreated:merge`` its archived revisions
    older than its current revision are restored behind it: its text
    stays as it is, and that the current revision is unchanged is
    checked after the restore. As with file reverts, a page whose state
    was read before a confirmation or more than :data:`STALE_AFTER`
    seconds ago is read again before the write.

    Without ``-summary`` the log reason names the deletion undone, for
    pages selected from the deletion log (:meth:`reason`).
    """

    operation = 'undelete'
    adds_pages = ('logevents',)
    needs_selection = ('select pages: -logevents:delete,ADMIN,START,END, '
                       '-page:, -file: or another generator')
    options = (
        Option('logevents', convert=deletion_log, many=True),
        Option('except-user', convert=existing_user),
        Option('since', convert=timestamp),
        Option('until', convert=timestamp),
        Option('undeletetalk', False, flag=True),
        Option('tags', convert=tags),
        Option('recreated', 'skip', convert=choice(('skip', 'merge'))),
    )

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        #: title -> the deletion log entry it was selected by, for the
        #: default reason (no read per page)
        self._deletions: dict[str, dict[str, Any]] = {}

    @property
    def filtered(self) -> bool:
        """True when only some revisions come back."""
        return bool(self.opt.except_user or self.opt.since
                    or self.opt.until)

    @property
    def reads_first(self) -> bool:
        """True when the deleted revisions are read before restoring."""
        return (self.filtered or self.simulate or not self.opt.always
                or self.opt.recreated == 'merge')

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """The deletion log entries and the operator's page selection."""
        sources: list[Iterable[tuple[pywikibot.Page, Any]]] = [
            deletion_log_entries(self.site, **spec)
            for spec in self.opt.logevents or []]
        combined = factory.getCombinedGenerator()
        if combined is not None:
            sources.append((page, None) for page in combined)
        if not sources:
            raise UsageError(self.needs_selection)
        # one set of titles for the run: a page deleted twice is logged
        # twice, and may be in the page selection too
        return self._remembering(unique(
            chain(*sources), key=lambda pair: pair[0].title()))

    def _remembering(self, pairs: Iterable[tuple[pywikibot.Page,
                                                 dict[str, Any] | None]]
                     ) -> Iterator[pywikibot.Page]:
        for page, entry in pairs:
            if entry is not None:
                self._deletions[page.title()] = entry
            yield page

    def reason(self, title: str) -> str:
        """Return the log reason: ``-summary``, else one naming the deletion.

        The deletion is known for pages selected from the deletion log
        (``-logevents:delete,...``); for others (``-page:``, ``-file:``)
        it would cost a read per page, so the reason says only what is
        done (:func:`~pywikibot_revert.wiki._messages.undelete_reason`).
        """
        if self.opt.summary is not None:
            return self.opt.summary
        return undelete_reason(self._deletions.get(title), self.site,
                               nouser=self.opt.nouser)

    def setup(self) -> None:
        """Also need ``deletedhistory`` when revisions are read."""
        super().setup()
        if self.reads_first:
            require_rights(self.site, 'deletedhistory')
        self._cache: dict[str, list[DeletedRevision]] = {}
        #: title -> (monotonic time read, latest revision or None)
        self._latest: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self.readback = RestoreReadBack(self.site)
        if self.journal and not self.simulate:
            self._settle_unchecked()
        self.generator = self._prefetching(self.generator)

    def _prefetching(self, pages: Iterable[pywikibot.Page]
                     ) -> Iterator[pywikibot.Page]:
        for batch in batched(pages, BATCH):
            if self.reads_first:
                self._cache.update(self._read(batch))
            self._read_latest([p.title() for p in batch])
            yield from batch

    def _settle_unchecked(self) -> None:
        """Read back, before any write, what a killed run restored."""
        records = self.unchecked('restore(s)')
        for rec in records:
            self.readback.add(rec['title'], rec, (rec.get('result') or {})
                              .get('revisions') or 0)
        if records:
            self._read_latest([])

    def _read_latest(self, titles: list[str]) -> None:
        """Read the latest revisions of *titles*, and read back restores.

        The pages restored onto a missing title since the last read are
        read back in the same request (:class:`RestoreReadBack`).
        """
        checks = [t for t in self.readback.pending if t not in titles]
        read_at = time.monotonic()
        # one request for a batch and its read-backs (administrators
        # have apihighlimits: 500 titles)
        latest, wiki_time = latest_revisions_at(
            self.site, titles + checks, batch=batch_size(self.site))
        self._latest.update((title, (read_at, latest[title]))
                            for title in titles if title in latest)
        for title, err in self.readback.check(latest):
            key = f'undelete|{title}'
            if err is None:
                if self.journal:
                    self.journal.note('verified', key=key)
                continue
            self.failed_check(key, err.page, err)
        self.readback.saw({t: latest[t] for t in titles if t in latest},
                          wiki_time)

    def teardown(self) -> None:
        """Read back the last restores before the summary."""
        if self.readback.pending and not self.stopped:
            try:
                self._read_latest([])
            except (RevertError, APIError) as err:  # the summary comes
                pywikibot.warning(f'Restores not read back: {err}')
        super().teardown()

    def latest(self, title: str, *, reread: bool = False
               ) -> dict[str, Any] | None:
        """Return the page's latest revision, or None if it is missing.

        :param reread: read it again (with the pages waiting in the
            batch, one request)
        """
        if reread or title not in self._latest:
            self._read_latest([title, *(t for t in self._latest
                                        if t != title)])
        return self._latest[title][1]

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
        try:
            self._restore(page)
        finally:
            self._latest.pop(page.title(), None)
            self._deletions.pop(page.title(), None)
            self.readback.missing_at.pop(page.title(), None)

    def _restore(self, page: pywikibot.Page) -> None:
        title = page.title()
        if self.journal and self.journal.is_done(f'undelete|{title}'):
            # before the checks below: restored by us is not re-created
            self.skip('done before (journal)')
            return
        latest = self.latest(title)
        revs = self.deleted(page)
        if latest is not None and revs is None:
            (_, revs), = self._read([page])
        latest = restore_behind(self.site, page, latest, revs,
                                recreated=self.opt.recreated)
        plan = plan_restore(page, revs, latest, since=self.opt.since,
                            until=self.opt.until,
                            except_user=self.opt.except_user)
        what = plan.what
        if plan.revisions:
            self.progress(f'{title}: {what} to restore'
                          + (' behind the current text' if latest else '')
                          + ', by ' + plan.by)
        asks = not (self.opt.always or self.simulate)
        if not self.confirm(f'Restore {what} of {title}?'):
            return
        read_at, seen = self._latest[title]
        now = self.latest(title, reread=not self.simulate and (
            asks or time.monotonic() - read_at > STALE_AFTER))
        if (now or {}).get('revid') != (seen or {}).get('revid'):
            raise ChangedSinceError(
                f'{title}: ' + (f'created again since it was read (revision '
                                f'{now["revid"]} by {now.get("user")})'
                                if now and not seen else
                                'changed since it was read')
                + '; not restored', page=page)

        reason = self.reason(title)

        def do():
            return undelete(page, summary=reason,
                            tags=self.opt.tags,
                            undeletetalk=self.opt.undeletetalk,
                            max_wait=self.max_wait, **plan.kwargs)

        # a restore onto a missing title is read back later (see
        # RestoreReadBack); until then its record is not final
        check = {} if latest else self.readback.bound(
            title, (self._deletions.get(title) or {}).get('timestamp'))
        result = self.write(f'undelete|{title}', page, do,
                            selection=None if plan.selection is None
                            else plan.part,
                            **check)
        if result is None or result.simulated:
            if result is not None:
                self.progress(f'{title}: would restore {what}, reason: '
                              f'"{reason}"')
            return
        self.progress(f'{title}: restored {result.revisions} '
                      f'revision(s), {result.fileversions} file '
                      'version(s)')
        if latest:
            self._check_current(page, latest)
        else:
            self.readback.add(title, check, result.revisions)

    def _check_current(self, page: pywikibot.Page,
                       latest: dict[str, Any]) -> None:
        """Check that restoring behind a page left its text as it was."""
        now = self.latest(page.title(), reread=True)
        if (now or {}).get('revid') != latest['revid']:
            raise ConflictError(
                f'{page.title()}: after restoring behind it, the current '
                f'revision is {(now or {}).get("revid")}, not '
                f'{latest["revid"]}; check the page by hand', page=page,
                code='conflict')

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether the selection is back (all of it)."""
        return restore_landed(self.site, title, details)


def restore_landed(site: Any, title: str, details: dict[str, Any]) -> Any:
    """Tell whether a journalled restore's selection is back (all of it).

    Part of it restored (killed between chunks) counts as not landed:
    the rest is restored when the page comes up again.

    :param details: the write's journal details (``selection``)
    :return: what the journal records (``title``, ``revisions``), or
        None
    """
    part = details.get('selection') or {'all_revisions': True}
    try:
        back = find_undelete(pywikibot.Page(site, title), part)
    except OutcomeUnknownError:  # part of it: see above
        back = None
    if back is None:
        return None
    # what -undo checks: the page consists of the restored revisions
    stamps = set(part.get('timestamps') or [])
    revisions = sum(
        1 for page in query_pages(site, prop='revisions', titles=title,
                                  rvprop='timestamp', rvlimit='max')
        for rev in page.get('revisions', [])
        if not stamps or pywikibot.Timestamp.fromISOformat(
            rev['timestamp']).totimestampformat() in stamps)
    return {'title': title, 'revisions': revisions}
