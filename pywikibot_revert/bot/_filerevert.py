"""The bot behind ``pwb filerevert``: undo overwrites, or go back in time."""
from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import pywikibot
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import ChangedSinceError, UsageError
from ._base import RevertBot
from ..exceptions import (
    ConflictError,
    FileRevertFailedError,
    MissingTargetError,
)
from ..ops._filehistory import file_histories, file_history
from ..ops._filerevert import (
    check_revert,
    choose_version,
    filerevert,
    find_filerevert,
)
from ..wiki._listings import overwritten_files, unique
from ._options import Option, existing_user, timestamp
from ..wiki._query import batch_size
from ..results import FileRevertResult, FileVersion


__all__ = ['FileRevertBot', 'check_reverts']

#: files per batched read
BATCH = 50
#: seconds after which a file is read again right before its revert
STALE_AFTER = 5.0


class FileRevertBot(RevertBot):

    """Revert files: undo a user's overwrites, or go back to a time.

    File histories are read for 50 files per request, and the reverts
    are read back and checked in batches of 50 as well, in the same
    requests: each read takes the histories of the next files and the
    read-backs of the files reverted since the last one.

    A file is only reverted from the state the plan was made from: after
    a confirmation, or when its history was read more than
    :data:`STALE_AFTER` seconds ago, it is read again (with the other
    files waiting in the batch, one request) and skipped if a new
    version arrived. An upload that still slips in between that read
    and the write shows in the read-back: it is put back at once and
    the file is counted as a conflict, not as done.

    A revert is journalled ``done`` with ``unchecked`` until its
    read-back: a run killed before that leaves it open, and the resume
    reads it back first (:meth:`settle_unchecked`), as the live run
    would have.
    """

    operation = 'filerevert'
    options = (
        Option('user', convert=existing_user),
        Option('to', convert=timestamp),
    )

    @classmethod
    def check_options(cls, opts: dict[str, Any]) -> None:
        """Need exactly one of -user and -to."""
        super().check_options(opts)
        if bool(opts.get('user')) == bool(opts.get('to')):
            raise UsageError('give exactly one of -user:NAME and '
                             '-to:TIMESTAMP')

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """The page selection; with -user alone, the user's overwrites."""
        gen = factory.getCombinedGenerator()
        if gen is None and self.opt.user:
            gen = overwritten_files(self.site, self.opt.user)
        if gen is None:
            raise UsageError('-to needs a page selection such as -file: '
                             'or -cat:')
        return unique(gen)

    def setup(self) -> None:
        """Batch the history reads and the read-backs."""
        super().setup()
        #: title -> (monotonic time read, versions newest first)
        self._histories: dict[str, tuple[float, list[FileVersion]]] = {}
        self._unverified: list[tuple[str, FileRevertResult]] = []
        #: pages taken from the selection, histories read, not yet treated
        self._waiting: deque[pywikibot.Page] = deque()
        self._source = iter(self.generator)
        self.generator = self._prefetching()
        if self.journal and not self.simulate:
            self.settle_unchecked()

    def settle_unchecked(self) -> None:
        """Read back the reverts a killed run journalled but never checked.

        In one batched read, before any write: an upload the revert
        replaced is put back and the file counted as a conflict, as
        :meth:`_check` does in a live run.
        """
        records = self.unchecked('revert(s)')
        if not records:
            return
        for rec in records:
            self._unverified.append((rec['key'], FileRevertResult(
                title=rec['title'],
                target=FileVersion.from_record(rec['target']),
                replaced=FileVersion.from_record(rec['replaced']))))
        self._read(plan=False)

    def teardown(self) -> None:
        """Check the last reverts before the summary."""
        self._read(plan=False)
        super().teardown()

    def _read(self, title: str | None = None, *, plan: bool = True
              ) -> None:
        """Read histories and read back reverts, all in one request.

        The request (one per 50 titles, 500 with ``apihighlimits``)
        reads back every revert not yet checked, reads *title* and the
        files waiting again, and takes more files from the page
        selection until :data:`BATCH` wait: a re-read of a stale
        history costs no request of its own, nor does a read-back.

        :param title: a file to read, besides those waiting
        :param plan: False to read back only
        """
        pending = list(self._unverified)
        per_read = batch_size(self.site)
        if plan:
            # at most half a request, so that the next read fits their
            # read-backs as well
            want = max(1, min(BATCH, per_read // 2,
                              per_read - len(pending) - (title is not None)))
            while len(self._waiting) < want:
                page = next(self._source, None)
                if page is None:
                    break
                self._waiting.append(page)
        titles = [title] if title is not None else []
        if plan:
            titles += [p.title() for p in self._waiting
                       if p.namespace() == 6]
        if not titles and not pending:
            return
        now = file_histories(self.site, titles,
                             heads=[r.title for _, r in pending])
        del self._unverified[:len(pending)]
        read_at = time.monotonic()
        # a title the answer names otherwise is read on its own in act()
        self._histories.update((t, (read_at, now[t])) for t in titles
                               if t in now)
        check_reverts(self, pending, now)

    def _reread(self, title: str) -> list[FileVersion]:
        """Read *title* again, with the files waiting (see :meth:`_read`)."""
        self._read(title)
        entry = self._histories.pop(title, None)
        if entry is not None:
            return entry[1]
        try:  # the answer named it otherwise
            return file_history(pywikibot.FilePage(self.site, title))
        except MissingTargetError:
            return []

    def init_page(self, item: Any) -> pywikibot.Page:
        """Make every file page a FilePage."""
        page = super().init_page(item)
        if not isinstance(page, pywikibot.FilePage) and page.namespace() == 6:
            page = pywikibot.FilePage(page)
        return page

    def skip_page(self, page: pywikibot.Page) -> bool:
        """Skip pages that are not files."""
        if not isinstance(page, pywikibot.FilePage):
            self.skips['not a file'] += 1
            pywikibot.warning(f'{page.title()} is not a file; skipped')
            return True
        return super().skip_page(page)

    def _prefetching(self) -> Iterator[pywikibot.Page]:
        while True:
            if not self._waiting:
                self._read()
                if not self._waiting:
                    return
            yield self._waiting.popleft()

    def act(self, page: pywikibot.FilePage) -> None:
        """Choose the version, preview, confirm, revert; verify later."""
        title = page.title()
        read_at, history = self._histories.pop(title, (0.0, None))
        if history is None:
            read_at, history = time.monotonic(), file_history(page)
        if not history:
            raise MissingTargetError(f'{title}: no file', page=page)
        if self.opt.user:
            choice = {'not_user': self.opt.user}
        else:
            choice = {'at': self.opt.to}
        target = choose_version(history, title=title, **choice)
        current = history[0]
        self.progress(
            f'{title}: current {current.timestamp.isoformat()} by '
            f'{current.user} ({current.sha1[:10]}) -> '
            f'{target.timestamp.isoformat()} by {target.user} '
            f'({target.sha1[:10]})')
        asks = not (self.opt.always or self.simulate)
        if not self.confirm(f'Revert {title}?'):
            return
        if not self.simulate and (
                asks or time.monotonic() - read_at > STALE_AFTER):
            fresh = self._reread(title)
            if not fresh or fresh[0] != current:
                now = (f'{fresh[0].user} at {fresh[0].timestamp.isoformat()}'
                       f' ({fresh[0].sha1[:10]})' if fresh else 'no file')
                raise ChangedSinceError(
                    f'{title}: the current version is now by {now}; not '
                    'reverted', page=page)
            history = fresh

        def do():
            # verified below, in batches, not one read per file; without
            # -summary the wiki's own default comment (read once a run)
            return filerevert(page, comment=self.opt.summary,
                              history=history, max_wait=self.max_wait,
                              verify=False, **choice)

        key = f'filerevert|{title}|{current.sha1}'
        result = self.write(key, page, do,
                            target=dataclasses.asdict(target),
                            replaced=dataclasses.asdict(current),
                            unchecked=True)
        if result is None:
            return
        if result.simulated:
            self.progress(f'{title}: would revert with the comment '
                          f'"{result.comment or ""}"')
            return
        self._unverified.append((key, result))
        self.progress(f'{title}: reverted to {target.sha1[:10]}')

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Tell whether the file shows the planned revert on top."""
        target = FileVersion.from_record(details['target'])
        replaced = FileVersion.from_record(details['replaced'])
        now = find_filerevert(pywikibot.FilePage(self.site, title),
                              target, replaced)
        if now is None:
            return None
        return {'target': target, 'replaced': replaced, 'current': now}


def check_reverts(bot: RevertBot,
                  pending: list[tuple[str, FileRevertResult]],
                  now: dict[str, list[FileVersion]], *,
                  kind: str | None = None) -> None:
    """Check the read-backs of *bot*'s *pending* reverts.

    A revert that replaced an upload made meanwhile has put it back
    (:func:`~pywikibot_revert.ops._filerevert.check_revert`): the file
    is failed as a conflict; one the read-back does not show at all is
    failed too. The others get their ``verified`` journal note.

    :param now: the files' newest versions, read after the reverts
    :param kind: the bot's counter of the reverts (default: its
        operation)
    """
    for key, result in pending:
        page = pywikibot.FilePage(bot.site, result.title)
        try:
            top = check_revert(page, (now.get(result.title) or [])[:2],
                               result.target, result.replaced)
        except (ConflictError, FileRevertFailedError) as err:
            bot.failed_check(
                key, page, err, 'conflict' if isinstance(
                    err, ConflictError) else 'verify-failed', kind=kind,
                restored=getattr(err, 'restored', None))
            continue
        if bot.journal:
            bot.journal.note('verified', key=key,
                             current=dataclasses.asdict(top))
