"""The bot behind ``pwb filerevert``: undo overwrites, or go back in time."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

import pywikibot
from pywikibot.pagegenerators import GeneratorFactory

from ._bot import RevertBot
from ._exceptions import MissingTargetError, UsageError
from ._filerevert import (
    choose_version,
    file_histories,
    file_history,
    filerevert,
    filerevert_landed,
)
from ._generators import overwritten_files, unique
from ._options import Option, existing_user, timestamp
from ._params import batched
from ._results import FileRevertResult, FileVersion


__all__ = ['FileRevertBot']

#: files per batched read
BATCH = 50


class FileRevertBot(RevertBot):

    """Revert files: undo a user's overwrites, or go back to a time.

    File histories are read for 50 files per request, and the reverts
    are read back and checked (sha1 of the new current version) in
    batches of 50 as well.
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
        """Batch the history reads."""
        super().setup()
        self._histories: dict[str, list[FileVersion]] = {}
        self._unverified: list[tuple[str, FileRevertResult]] = []
        self.generator = self._prefetching(self.generator)

    def teardown(self) -> None:
        """Check the last reverts before the summary."""
        self._verify()
        super().teardown()

    def _verify(self) -> None:
        """Read back the pending reverts (one request per 50 files)."""
        pending, self._unverified = self._unverified, []
        if not pending:
            return
        now = file_histories(self.site, [r.title for _, r in pending])
        for key, result in pending:
            versions = now.get(result.title) or []
            top = versions[0] if versions else None
            if top is not None and top.sha1 == result.target.sha1:
                if self.journal:
                    self.journal.note('verified', key=key,
                                      current=dataclasses.asdict(top))
                continue
            self.counter['fail'] += 1
            message = (f'{result.title}: read back shows '
                       f'{top.sha1 if top else "no file"}, expected '
                       f'{result.target.sha1}')
            pywikibot.error(message)
            if self.journal:
                self.journal.note('verify-failed', key=key, message=message)

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

    def _prefetching(self, pages: Iterable[pywikibot.Page]
                     ) -> Iterator[pywikibot.Page]:
        for batch in batched(pages, BATCH):
            self._verify()
            files = [p for p in batch if p.namespace() == 6]
            if files:
                self._histories.update(file_histories(self.site, files))
            yield from batch

    def act(self, page: pywikibot.FilePage) -> None:
        """Choose the version, preview, confirm, revert; verify later."""
        title = page.title()
        history = self._histories.pop(title, None)
        if history is None:
            history = file_history(page)
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
        if not self.confirm(f'Revert {title}?'):
            return

        def do():
            # verified below, in batches, not one read per file
            return filerevert(page, comment=self.opt.summary,
                              history=history, max_wait=self.max_wait,
                              verify=False, **choice)

        def reconcile():
            now = filerevert_landed(page, target, current)
            if now is None:
                return None
            return {'target': target, 'replaced': current, 'current': now}

        key = f'filerevert|{title}|{current.sha1}'
        result = self.write(key, page, do, reconcile=reconcile)
        if result is not None and not result.simulated:
            self._unverified.append((key, result))
            self.progress(f'{title}: reverted to {target.sha1[:10]}')
