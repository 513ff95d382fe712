"""The bots behind ``pwb rollback``, ``pwb undelete`` and ``pwb filerevert``.

Built on pywikibot's bot classes: options are data
(``available_options``), each page goes through ``skip_page`` and
``treat_page``, ``counter`` and ``exit()`` print the run summary, and
``user_confirm`` honours ``-always``. What they add:

- a journal (:class:`~pywikibot_revert._journal.Journal`) written before
  and after every write, so a rerun resumes and ``-undo`` reverses;
- skips (not the latest editor, nothing to restore, ...) counted by
  reason and kept apart from failures;
- :attr:`RevertBot.exit_status`: non-zero when an action failed or the
  run was interrupted.
"""
from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import pywikibot
from pywikibot import config
from pywikibot.bot import CurrentPageBot, SingleSiteBot
from pywikibot.exceptions import APIError, Error

from ._exceptions import (
    AlreadyRolledBackError,
    BadFileVersionError,
    BlockedError,
    HiddenUserError,
    IdenticalVersionError,
    MissingTargetError,
    NothingToUndeleteError,
    OnlyAuthorError,
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    RevertError,
)
from ._filerevert import (
    choose_version,
    file_histories,
    file_history,
    landed_revert,
)
from ._filerevert import filerevert as _filerevert
from ._journal import Journal, JournalError
from ._query import query
from ._rights import require_rights, warn_markbot
from ._rollback import rollback as _rollback
from ._rollback import landed_rollback, top_revisions
from ._undelete import (
    deleted_revisions,
    landed_undelete,
    select_revisions,
    still_deleted,
)
from ._undelete import undelete as _undelete
from ._wikitext import adds_link_to, describe_change
from ._write import submit_write


__all__ = ['FileRevertBot', 'RevertBot', 'RollbackBot', 'UndeleteBot',
           'UndoBot', 'deletion_log_pages', 'overwritten_files',
           'top_contributions']

#: pages per batched read
BATCH = 50

#: revisions read to preview a rollback (more are counted by the wiki)
PREVIEW_REVS = 50

#: typed errors that mean "nothing to do here", with the reason shown
SKIPS: dict[type[Exception], str] = {
    # MediaWiki also answers alreadyrolled when the rollback would not
    # change the content (a file page's upload revisions, say)
    AlreadyRolledBackError: 'not the latest editor or nothing to change',
    OnlyAuthorError: 'only author',
    NothingToUndeleteError: 'nothing to restore',
    IdenticalVersionError: 'already at that version',
    MissingTargetError: 'missing',
    HiddenUserError: 'hidden user',
    BadFileVersionError: 'no such version',
}

#: what undoing each action needs
UNDO_RIGHTS = {'rollback': 'edit', 'undelete': 'delete',
               'filerevert': 'filerevert'}

#: typed errors after which going on is unsafe or pointless
STOPS = (OutcomeUnknownError, RateLimitedError, ReadOnlyError, JournalError)


def _record(result: Any) -> Any:
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    return result


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# -- generators -------------------------------------------------------

def top_contributions(site: Any, *, user: str | None = None,
                      iprange: str | None = None, since: Any = None,
                      until: Any = None,
                      namespaces: Iterable[int] | None = None
                      ) -> Iterator[tuple[pywikibot.Page, dict[str, Any]]]:
    """Yield ``(page, contribution)`` where the user made the latest edit.

    Streams ``list=usercontribs`` with ``ucshow=top`` in batches of the
    API maximum, following continuation to the end: every page, not the
    first 500.

    :param user: the user name (or a single IP)
    :param iprange: a CIDR range instead of *user*
    """
    if (user is None) == (iprange is None):
        raise ValueError('give exactly one of user and iprange')
    params: dict[str, Any] = {
        'list': 'usercontribs', 'ucshow': 'top', 'uclimit': 'max',
        'ucprop': 'ids|title|timestamp|flags',
        'ucend': since.totimestampformat() if since else None,
        'ucstart': until.totimestampformat() if until else None,
        'ucnamespace': '|'.join(map(str, namespaces)) if namespaces else None,
    }
    if user is not None:
        params['ucuser'] = user
    else:
        params['uciprange'] = iprange
    params = {k: v for k, v in params.items() if v is not None}
    for part in query(site, **params):
        for contrib in part.get('usercontribs', []):
            yield pywikibot.Page(site, contrib['title']), contrib


def deletion_log_pages(site: Any, *, admin: str | None = None,
                       start: Any = None, end: Any = None
                       ) -> Iterator[pywikibot.Page]:
    """Yield each page deleted (``delete/delete``) in the log, once.

    Restores and revision deletions in the same log are left out.
    """
    params: dict[str, Any] = {'list': 'logevents', 'leaction': 'delete/delete',
                              'lelimit': 'max', 'leprop': 'title|type|ids',
                              'ledir': 'newer'}
    if admin:
        params['leuser'] = admin
    if start:
        params['lestart'] = start.totimestampformat()
    if end:
        params['leend'] = end.totimestampformat()
    seen: set[str] = set()
    for part in query(site, **params):
        for event in part.get('logevents', []):
            title = event.get('title')
            if title and title not in seen:
                seen.add(title)
                yield pywikibot.Page(site, title)


def overwritten_files(site: Any, user: str) -> Iterator[pywikibot.FilePage]:
    """Yield each file *user* overwrote (``upload/overwrite``), once."""
    seen: set[str] = set()
    for part in query(site, list='logevents', leaction='upload/overwrite',
                      leuser=user, lelimit='max', leprop='title|type'):
        for event in part.get('logevents', []):
            title = event.get('title')
            if title and title not in seen:
                seen.add(title)
                yield pywikibot.FilePage(site, title)


# -- the base bot -----------------------------------------------------

class RevertBot(SingleSiteBot, CurrentPageBot):

    """Common ground of the three cleanup bots.

    Subclasses set :attr:`operation` (a key of
    :data:`~pywikibot_revert._rights.REQUIRED_RIGHTS`) and implement
    :meth:`act`, which raises a typed error to skip or fail.
    """

    operation = ''
    available_options = {
        'always': False,
        'summary': None,
        'journal': None,
        'maxwait': None,
    }

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

    # -- life cycle

    @property
    def simulate(self) -> bool:
        """True when pywikibot's ``-simulate`` is on."""
        return bool(config.simulate)

    def setup(self) -> None:
        """Log in, check rights and open the journal before any write."""
        if self.operation != 'undo':
            require_rights(self.site, self.operation)
        if self.opt.journal:
            self.journal = Journal(self.opt.journal, self.site,
                                   script=type(self).__name__,
                                   args=self.script_args).open()
            pywikibot.info(f'Journal: {self.journal.path}')

    def teardown(self) -> None:
        """Print skips by reason and the journal's path; close it."""
        reasons = ', '.join(f'{n} {reason}'
                            for reason, n in sorted(self.skips.items()))
        pywikibot.info(
            f'Summary: {self.done} done'
            + (f' ({self.simulated} simulated)' if self.simulated else '')
            + f', {sum(self.skips.values())} skipped'
            + (f' ({reasons})' if reasons else '')
            + f', {self.counter["fail"]} failed'
            + ('' if self.generator_completed and not self.stopped
               else ', interrupted'))
        if self.stopped:
            pywikibot.error(f'Stopped: {self.stopped}')
        if self.journal:
            self.journal.note('end', done=self.done,
                              failed=self.counter['fail'],
                              skipped=sum(self.skips.values()),
                              completed=self.generator_completed
                              and not self.stopped)
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

    def skip(self, reason: str) -> None:
        """Count a skip by *reason* and say so."""
        self.counter['skip'] += 1
        self.skips[reason] += 1
        page = self._current_page
        self.progress(f'{page.title() if page else ""}: skipped ({reason})')

    def progress(self, text: str) -> None:
        """Print one line of progress with the running count."""
        n = self.counter['read']
        pywikibot.info(f'[{n}] {text}')

    # -- one item

    def treat_page(self) -> None:
        """Act on the current page and sort the outcome."""
        page = self.current_page
        try:
            self.act(page)
        except BlockedError as err:
            if not err.partial:
                self.stop(str(err))
            else:
                self.fail(page, err)
        except STOPS as err:
            self.stop(str(err))
        except tuple(SKIPS) as err:
            self.skip(f'{SKIPS[type(err)]}')
            pywikibot.log(str(err))
        except (RevertError, APIError) as err:
            self.fail(page, err)

    def fail(self, page: pywikibot.Page, err: Exception) -> None:
        """Count a failed action; the run goes on."""
        self.counter['fail'] += 1
        pywikibot.error(f'{page.title()}: {err}')

    def stop(self, reason: str) -> None:
        """Stop the run cleanly; a rerun with the journal resumes."""
        self.stopped = reason
        self.quit()

    def act(self, page: pywikibot.Page) -> None:
        """Do the work for one page (abstract)."""
        raise NotImplementedError

    def write(self, key: str, page: pywikibot.Page,
              do: Callable[[], Any], *,
              reconcile: Callable[[], Any] | None = None,
              **details: Any) -> Any:
        """Run one write *do* under the journal.

        A key the journal shows done is skipped without a request. A
        key with an intent but no outcome (the process died mid-write)
        is first checked on the wiki with *reconcile*; only if that
        says "not done" is it written.
        """
        journal = self.journal
        state = journal.state(key) if journal else None
        if state == 'done':
            self.skip('done before (journal)')
            return None
        if state in ('intent', 'uncertain') and reconcile is not None:
            found = reconcile()
            if found is not None:
                journal.done(key, self.operation, title=page.title(),
                             reconciled=True, **details, **found)
                self.skip('done before (confirmed on the wiki)')
                return None
        if self.simulate:
            result = do()
            self.simulated += 1
            return result
        if journal:
            journal.intent(key, self.operation, title=page.title(),
                           **details)
        try:
            result = do()
        except OutcomeUnknownError:
            if journal:
                journal.note('uncertain', key=key, action=self.operation,
                             title=page.title())
            raise
        except tuple(SKIPS) as err:
            if journal:
                journal.note('skipped', key=key, action=self.operation,
                             title=page.title(), reason=SKIPS[type(err)])
            raise
        except Error as err:
            if journal:
                journal.failed(key, self.operation, err, title=page.title())
            raise
        if journal:
            journal.done(key, self.operation, title=page.title(),
                         result=_record(result), **details)
        self.done += 1
        self.counter[self.operation] += 1
        return result

    @property
    def max_wait(self) -> float | None:
        """The operator's bound for waiting out rate limits and lag."""
        return float(self.opt.maxwait) if self.opt.maxwait else None


# -- rollback -----------------------------------------------------------

class RollbackBot(RevertBot):

    """Roll back a user's (or an IP range's) latest edits on many pages.

    Where the user is not the latest editor the page is skipped, never
    reverted; a page the user alone wrote is skipped too.
    """

    operation = 'rollback'
    update_options = {
        'user': None,
        'markbot': None,
        'tags': None,
        'watchlist': None,
        'addedlink': None,
    }

    def __init__(self, *, listed: dict[str, dict[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        """Initializer.

        :param listed: title -> the latest contribution, as listed by
            :func:`top_contributions` (filled while the generator runs);
            those pages need no read before the write
        """
        super().__init__(**kwargs)
        self.listed = listed if listed is not None else {}

    def setup(self) -> None:
        """Warn about markbot without the right, then the usual setup."""
        super().setup()
        warn_markbot(self.site, self.opt.markbot)

    def _texts(self, revids: list[int]) -> dict[int, str]:
        data = self.site.simple_request(
            action='query', prop='revisions', revids=revids,
            rvprop='ids|content', rvslots='main', formatversion=2).submit()
        texts = {}
        for page in data.get('query', {}).get('pages', []):
            for rev in page.get('revisions', []):
                slot = rev.get('slots', {}).get('main', {})
                texts[rev['revid']] = slot.get('content', '')
        return texts

    def act(self, page: pywikibot.Page) -> None:
        """Preview (when asked or needed), confirm, roll back."""
        title = page.title()
        contrib = self.listed.pop(title, None)
        user = contrib['user'] if contrib else self.opt.user
        key = f'rollback|{title}|{user}'
        if contrib and contrib.get('new'):
            # the user's latest edit created the page: nothing to go back to
            raise OnlyAuthorError(f'{title}: {user} created the page')
        # without a preview nothing needs reading first: the wiki itself
        # refuses (alreadyrolled) where the user is not the latest editor
        preview = (self.simulate or not self.opt.always
                   or bool(self.opt.addedlink))
        count = None
        if preview:
            revs = top_revisions(self.site, title=title, limit=PREVIEW_REVS)
            latest = revs[0] if revs else {}
            if latest.get('userhidden'):
                raise HiddenUserError(f'{title}: latest editor hidden')
            if latest.get('user') != user:
                raise AlreadyRolledBackError(
                    f'{title}: latest edit by {latest.get("user")}, '
                    f'not {user}')
            count = next((i for i, r in enumerate(revs)
                          if r.get('user') != user or r.get('userhidden')),
                         None)
            if count is None and len(revs) < PREVIEW_REVS:
                raise OnlyAuthorError(f'{title}: {user} is the only author')
            more = ''
            if count is None:  # a very long run: the wiki finds its start
                count, more = PREVIEW_REVS, '+'
                revs.append({'revid': revs[-1].get('parentid')})
            good = revs[count]
            texts = self._texts([latest['revid'], good['revid']])
            old, new = texts.get(good['revid'], ''), texts.get(
                latest['revid'], '')
            if self.opt.addedlink and not adds_link_to(
                    old, new, self.opt.addedlink):
                self.skip(f'no link to {self.opt.addedlink} added')
                return
            self.progress(f'{title}: {count}{more} edit{"s" * (count > 1)} '
                          f'by {user} to undo')
            pywikibot.showDiff(new, old)
            change = describe_change(new, old).summary()
            if change:
                pywikibot.info(f'Rollback would: {change}')
            if not self.user_confirm(
                    f'Roll back {count} edit(s) by {user} on {title}?'):
                self.skip('declined')
                return

        def do():
            return _rollback(page, user=user, summary=self.opt.summary,
                             markbot=self.opt.markbot, tags=self.opt.tags,
                             watchlist=self.opt.watchlist, count=False,
                             max_wait=self.max_wait)

        def reconcile():
            done = landed_rollback(top_revisions(self.site, title=title,
                                                 limit=50),
                                   user, self.site.user())
            return None if done is None else {'result': done}

        result = self.write(key, page, do, reconcile=reconcile, user=user)
        if result is not None and not result.simulated:
            self.progress(f'{title}: rolled back {user} '
                          f'(revision {result.revid})')
        elif result is not None:
            self.progress(f'{title}: would roll back {count} edit(s) by '
                          f'{user}')


# -- undelete ----------------------------------------------------------

class UndeleteBot(RevertBot):

    """Restore deleted pages, whole or filtered by time and user.

    Whole pages are restored with one request each and no read; with
    ``except_user``/``since``/``until`` the deleted revisions are read
    for 50 pages per request.
    """

    operation = 'undelete'
    update_options = {
        'except_user': None,
        'since': None,
        'until': None,
        'undeletetalk': False,
        'tags': None,
    }

    @property
    def filtered(self) -> bool:
        """True when only some revisions come back."""
        return bool(self.opt.except_user or self.opt.since
                    or self.opt.until)

    def setup(self) -> None:
        """Also need ``deletedhistory`` when revisions are filtered."""
        super().setup()
        if self.filtered or self.simulate or not self.opt.always:
            require_rights(self.site, 'deletedhistory')
        self._cache: dict[str, list] = {}
        self.generator = self._prefetching(self.generator)

    def _prefetching(self, pages: Iterable[pywikibot.Page]
                     ) -> Iterator[pywikibot.Page]:
        needs_read = self.filtered or self.simulate or not self.opt.always
        for batch in _batched(pages, BATCH):
            if needs_read:
                self._cache.update(deleted_revisions(
                    self.site, batch, since=self.opt.since,
                    until=self.opt.until, except_user=self.opt.except_user))
            yield from batch

    def act(self, page: pywikibot.Page) -> None:
        """Select, preview, confirm, restore."""
        title = page.title()
        key = f'undelete|{title}'
        if self.filtered:
            revs = self._cache.pop(title, [])
            selection = select_revisions(page, revisions=revs,
                                         since=self.opt.since,
                                         until=self.opt.until,
                                         except_user=self.opt.except_user)
            if selection.empty:
                raise NothingToUndeleteError(f'{title}: nothing selected')
            what = (f'{len(selection.timestamps)} revision(s)'
                    + (f', {len(selection.fileids)} file version(s)'
                       if selection.fileids else ''))
            kwargs: dict[str, Any] = {'selection': selection}
        else:
            revs = self._cache.pop(title, None)
            if revs == []:
                raise NothingToUndeleteError(f'{title}: nothing deleted')
            what = (f'all {len(revs)} revision(s)' if revs is not None
                    else 'all revisions')
            kwargs = {'all_revisions': True}
        if revs:
            users = Counter(r.user or '(hidden)' for r in revs)
            self.progress(f'{title}: {what} to restore, by '
                          + ', '.join(f'{u} ({n})'
                                      for u, n in users.most_common(5)))
        if not self.user_confirm(f'Restore {what} of {title}?'):
            self.skip('declined')
            return

        def do():
            return _undelete(page, summary=self.opt.summary,
                             tags=self.opt.tags,
                             undeletetalk=self.opt.undeletetalk,
                             max_wait=self.max_wait, **kwargs)

        def reconcile():
            part = kwargs.get('selection')
            part = (dataclasses.asdict(part) if part is not None
                    else {'all_revisions': True})
            landed = landed_undelete(part, *still_deleted(self.site, title))
            return {'result': {}} if landed else None

        result = self.write(key, page, do, reconcile=reconcile,
                            selection=kwargs.get('selection')
                            and dataclasses.asdict(kwargs['selection']))
        if result is not None and not result.simulated:
            self.progress(f'{title}: restored {result.revisions} '
                          f'revision(s), {result.fileversions} file '
                          'version(s)')


# -- filerevert --------------------------------------------------------

class FileRevertBot(RevertBot):

    """Revert files: undo a user's overwrites, or go back to a time.

    File histories are read for 50 files per request, and the reverts
    are read back and checked (sha1 of the new current version) in
    batches of 50 as well.
    """

    operation = 'filerevert'
    treat_page_type = pywikibot.FilePage
    update_options = {
        'user': None,
        'to': None,
    }

    def setup(self) -> None:
        """Batch the history reads."""
        super().setup()
        self._histories: dict[str, list] = {}
        self._unverified: list[tuple[str, Any]] = []
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

    def init_page(self, item: Any) -> pywikibot.FilePage:
        """Make every item a FilePage; other namespaces are skipped."""
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
        for batch in _batched(pages, BATCH):
            self._verify()
            files = [p for p in batch if p.namespace() == 6]
            if files:
                self._histories.update(file_histories(self.site, files))
            yield from batch

    def act(self, page: pywikibot.FilePage) -> None:
        """Choose the version, preview, confirm, revert and verify."""
        title = page.title()
        history = self._histories.pop(title, None)
        if history is None:
            history = file_history(page)
        if not history:
            raise MissingTargetError(f'{title}: no file')
        if self.opt.user:
            choice = {'not_user': self.opt.user}
        else:
            choice = {'at': self.opt.to}
        target = choose_version(history, title=title, **choice)
        current = history[0]
        key = f'filerevert|{title}|{current.sha1}'
        self.progress(
            f'{title}: current {current.timestamp.isoformat()} by '
            f'{current.user} ({current.sha1[:10]}) -> '
            f'{target.timestamp.isoformat()} by {target.user} '
            f'({target.sha1[:10]})')
        if not self.user_confirm(f'Revert {title}?'):
            self.skip('declined')
            return

        def do():
            # verified below, in batches, not one read per file
            return _filerevert(page, comment=self.opt.summary,
                               history=history, max_wait=self.max_wait,
                               verify=False, **choice)

        def reconcile():
            now = file_history(page, limit=2)
            if landed_revert(now, target, current):
                return {'result': {'target': dataclasses.asdict(target),
                                   'replaced': dataclasses.asdict(current),
                                   'current': dataclasses.asdict(now[0])}}
            return None

        result = self.write(key, page, do, reconcile=reconcile)
        if result is not None and not result.simulated:
            self._unverified.append((key, result))
            self.progress(f'{title}: reverted to {target.sha1[:10]}')


# -- undo ----------------------------------------------------------------

class UndoBot(RevertBot):

    """Reverse a journal, newest first.

    - a rollback is undone only where the page is still at the
      rollback's revision;
    - an undelete is deleted again, only where the page consists of
      exactly the restored revisions and nobody edited since;
    - a file revert goes back to the version it replaced, only where
      the file is still at the reverted version.

    Anything else is skipped and reported. A journal written for
    another wiki is refused.
    """

    operation = 'undo'
    treat_page_type = pywikibot.Page
    update_options = {'undo': None}

    def __init__(self, **kwargs: Any) -> None:
        """Initializer; the generator is the journal, newest first."""
        kwargs.setdefault('generator', None)
        super().__init__(**kwargs)
        self._records: deque[dict[str, Any]] = deque()

    def setup(self) -> None:
        """Read the journal to undo, and open this run's journal."""
        undo = Journal(self.opt.undo, self.site, script='UndoBot',
                       args=self.script_args)
        undo.open()  # refuses another wiki
        self._verified = {r['key']: r.get('current') for r in undo.records
                          if r.get('type') == 'verified'}
        records = [r for r in undo.done_records()
                   if r.get('action') in ('rollback', 'undelete',
                                          'filerevert')]
        undo.close()
        if not self.opt.journal:
            self.opt.journal = self.opt.undo
        super().setup()
        for op in {r['action'] for r in records}:
            require_rights(self.site, UNDO_RIGHTS[op])
        records.reverse()
        self._records.extend(records)
        self.generator = (pywikibot.Page(self.site, r['title'])
                          for r in records)

    def act(self, page: pywikibot.Page) -> None:
        """Undo one journal record."""
        record = self._records.popleft()
        action = record['action']
        key = f'undo|{record["key"]}'
        undo = getattr(self, f'_undo_{action}')
        undo(page, record, key)

    def _undo_rollback(self, page, record, key):
        result = record.get('result') or {}
        revid, old = result.get('revid'), result.get('old_revid')
        if not revid or revid == old:
            raise IdenticalVersionError(f'{page.title()}: null rollback')
        top = top_revisions(self.site, title=page.title(), limit=1)[0]
        if top['revid'] != revid:
            self.skip('edited since the rollback')
            return
        if not self.user_confirm(f'Undo the rollback on {page.title()}?'):
            self.skip('declined')
            return

        def do():
            text = page.getOldVersion(old)
            page.text = text
            page.save(summary=self.opt.summary
                      or f'Undo rollback (revision {revid})',
                      minor=False)
            return {'revid': page.latest_revision_id}

        self.write(key, page, do, action_undone='rollback')

    def _undo_undelete(self, page, record, key):
        restored = (record.get('result') or {}).get('revisions') or 0
        data = self.site.simple_request(
            action='query', prop='revisions', titles=page.title(),
            rvprop='ids|timestamp', rvlimit='max', formatversion=2).submit()
        pages = data['query']['pages']
        revs = pages[0].get('revisions', []) if pages else []
        if not revs:
            self.skip('already deleted')
            return
        done_at = pywikibot.Timestamp.fromISOformat(record['time'])
        if any(pywikibot.Timestamp.fromISOformat(r['timestamp']) > done_at
               for r in revs) or len(revs) != restored:
            self.skip('page has other revisions than the restored ones')
            return
        if not self.user_confirm(f'Delete {page.title()} again?'):
            self.skip('declined')
            return

        def do():
            params = {'action': 'delete', 'title': page.title(),
                      'reason': self.opt.summary or 'Undo undelete'}

            def reconcile():
                # ask the wiki, not pywikibot's cached page info
                data = self.site.simple_request(
                    action='query', titles=page.title(),
                    formatversion=2).submit()
                gone = data['query']['pages'][0].get('missing')
                return {'delete': {}} if gone else None

            answer = submit_write(self.site, params, token='csrf',
                                  reconcile=reconcile, page=page,
                                  max_wait=self.max_wait)
            return answer.get('delete', {})

        self.write(key, page, do, action_undone='undelete')

    def _undo_filerevert(self, page, record, key):
        result = record.get('result') or {}
        target = result.get('target') or {}
        replaced = result.get('replaced') or {}
        current = result.get('current') or self._verified.get(
            record['key']) or {}
        filepage = pywikibot.FilePage(page)
        now = file_history(filepage)
        if now[0].sha1 != target.get('sha1') or (
                current and now[0].timestamp.isoformat()
                != current.get('timestamp')):
            self.skip('file changed since the revert')
            return
        if not self.user_confirm(f'Undo the revert of {page.title()}?'):
            self.skip('declined')
            return

        def do():
            return _filerevert(filepage, sha1=replaced['sha1'], history=now,
                               comment=self.opt.summary
                               or 'Undo file revert',
                               max_wait=self.max_wait)

        self.write(key, filepage, do, action_undone='filerevert')
