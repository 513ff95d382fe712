"""The bot behind ``pwb rollback``: a user's edits on many pages.

The user's latest edits are rolled back; with ``-buried`` the edits
under later edits are undone too, by the
:class:`~pywikibot_revert.bot._buried.BuriedUndo` the bot holds.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._errors import UsageError
from ._base import RevertBot
from ..ops._undo_user_plan import read_plan
from ._buried import BuriedUndo
from ._hide import ACTION as HIDE, HideSteps, hide_bits
from ..ops._edit import find_edit
from ..exceptions import BlacklistedLinkError, RevertError
from ..ops._blacklist import BlacklistedLinks
from ..wiki._listings import top_contributions, unique
from ._options import (
    Option,
    existing_user,
    iprange,
    tags,
    timestamp,
    watchlist,
)
from ..ops._rollback_plan import Preview, RollbackPreviews
from ..wiki._query import revision_texts, top_revisions
from ..results import RollbackResult
from ..wiki._rights import warn_markbot
from ..ops._rollback import RollbackPlan, find_rollback, plan_rollback, \
    rollback
from ..ops._wikitext import adds_link_to, describe_change


__all__ = ['RollbackBot']

#: revisions read to preview a rollback (the wiki finds a longer run)
PREVIEW_REVS = 50


class RollbackBot(HideSteps, RevertBot):

    """Roll back a user's (or an IP range's) latest edits on many pages.

    Where the user is not the latest editor the page is skipped, never
    reverted; a page the user alone wrote is skipped too. Without a
    page selection the user's contributions are listed (only pages
    where the user is on top), and those pages need no read before the
    write: one POST per page.

    With ``buried=True`` (``-buried``), the user's runs of edits under
    later edits are undone as well, newest first, with MediaWiki's
    undo; a run whose undo does not merge is left as it is and
    reported (with ``addedlink``, its links to that domain are removed
    instead). Without a page selection, the user's contributions and
    the pages' current revisions are read for many pages per request.

    **Example:**

    .. code-block:: python

       bot = RollbackBot(site=site, user='Spambot', always=True,
                         journal='spam.jsonl')
       bot.generator = bot.make_generator(GeneratorFactory(site))
       bot.run()
    """

    operation = 'rollback'
    options = (
        Option('user', convert=existing_user),
        Option('iprange', convert=iprange),
        Option('since', convert=timestamp),
        Option('until', convert=timestamp),
        Option('markbot', flag=True),
        Option('tags', convert=tags),
        Option('watchlist', convert=watchlist),
        Option('addedlink'),
        Option('buried', flag=True),
        Option('hide', convert=hide_bits),
    )

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        #: title -> the user's latest contribution, as listed
        self.listed: dict[str, dict[str, Any]] = {}
        #: the previews of the pages ahead, when the run shows them
        self.previews: RollbackPreviews | None = None

    @classmethod
    def check_options(cls, opts: dict[str, Any]) -> None:
        """Need exactly one of -user and -iprange."""
        super().check_options(opts)
        if opts.get('user') and opts.get('iprange'):
            raise UsageError('give -user or -iprange, not both')
        if opts.get('buried') and not opts.get('user'):
            raise UsageError('-buried needs -user:NAME: the edits of one '
                             'user are undone (not of an IP range)')
        if not opts.get('user') and not opts.get('iprange'):
            raise UsageError('missing -user:NAME (or -iprange:CIDR)')

    @property
    def previewing(self) -> bool:
        """True when each rollback's diff is read before it is sent."""
        return bool(self.simulate or not self.opt.always
                    or self.opt.addedlink)

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """The page selection, or else the user's top contributions."""
        gen = factory.getCombinedGenerator()
        if gen is not None:
            if self.opt.iprange:
                raise UsageError("-iprange works on the range's own "
                                 'contributions; drop the page selection')
            if self.opt.buried or not self.previewing:
                return unique(gen)
            return self._previewed((page, self.opt.user, None)
                                   for page in unique(gen))
        namespaces = [ns.id for ns in factory.namespaces] or None
        if self.opt.buried:
            return self.buried.pages(namespaces)
        contribs = top_contributions(
            self.site, user=self.opt.user, iprange=self.opt.iprange,
            since=self.opt.since, until=self.opt.until,
            namespaces=namespaces)
        if self.previewing:
            # the listing tells each page's latest revision and parent
            return self._previewed((page, contrib['user'], contrib)
                                   for page, contrib in contribs)
        return self._contributions(contribs)

    def _contributions(self, contribs: Iterator[tuple[pywikibot.Page,
                                                      dict[str, Any]]]
                       ) -> Iterator[pywikibot.Page]:
        for page, contrib in contribs:
            self.listed[page.title()] = contrib
            yield page

    def _previewed(self, items: Iterator[tuple[pywikibot.Page, str,
                                               dict[str, Any] | None]]
                   ) -> Iterator[pywikibot.Page]:
        """Plan the previews of the pages ahead in batches."""
        self.previews = RollbackPreviews(self.site)
        yield from self.previews.pages(items, total=self.meter.expect)

    def setup(self) -> None:
        """Warn about markbot without the right, then the usual setup."""
        super().setup()
        warn_markbot(self.site, self.opt.markbot)
        if not self.simulate:
            # Read now, with the other preflight reads: first read after
            # a write, it would be the request to meet a session lost
            # meanwhile, and pywikibot's own login again (which may
            # prompt) would answer it instead of the write's.
            self.blacklist.enabled  # noqa: B018 (cached)
        self._resume_hides()

    @cached_property
    def buried(self) -> BuriedUndo:
        """The undo of the user's runs under later edits (``-buried``).

        Made when first needed: the site may come from the first page.
        """
        opt = self.opt
        return BuriedUndo(
            self.site, opt.user, rollback=self._rollback, write=self.write,
            skip=self.skip, confirm=self.confirm, progress=self.progress,
            review=self.note_review, since=opt.since, until=opt.until,
            addedlink=opt.addedlink, summary=opt.summary,
            nouser=opt.nouser, always=opt.always, simulate=self.simulate,
            max_wait=self.max_wait, hidden=None if self.hider is None
            else (lambda run: run.undo in self.hider.hidden))

    def act(self, page: pywikibot.Page) -> None:
        """Roll back; with -buried, undo the runs under later edits too."""
        title = page.title()
        if not self.opt.buried:
            contrib = self.listed.pop(title, None)
            user = (contrib['user'] if contrib
                    else self.previews.user_of(title) if self.previews
                    else None)
            self._rollback(page, user or self.opt.user, contrib)
            return
        self.buried.undo(page)

    def _rollback(self, page: pywikibot.Page, user: str,
                  contrib: dict[str, Any] | None = None
                  ) -> RollbackResult | None:
        """Preview (when asked or needed), confirm, roll back."""
        title = page.title()
        if contrib:
            # listed on top: only a page the user created has nothing
            # to go back to, and that needs no read to tell
            plan_rollback([contrib], user, title=title)
        # without a preview nothing needs reading first: the wiki itself
        # refuses (alreadyrolled) where the user is not the latest editor
        shown = None
        pageid = (contrib or {}).get('pageid')
        if self.previewing:
            shown = self._read_preview(title, user)
            if not self._preview(shown):
                return None
            pageid = shown.pageid or pageid
        # by id where the plan knows it: a page moved meanwhile is not
        # rolled back at the redirect left behind under its old title
        # (-simulate needs the title: pywikibot's simulated answer names it)
        where = ({'pageid': pageid, 'site': self.site}
                 if pageid and not self.simulate else {'page': page})

        def do():
            return rollback(**where, user=user, summary=self.opt.summary,
                            nouser=self.opt.nouser,
                            markbot=self.opt.markbot, tags=self.opt.tags,
                            watchlist=self.opt.watchlist, count=False,
                            max_wait=self.max_wait)

        result = self.write(f'rollback|{title}|{user}', page, do, user=user)
        if result is not None and not result.simulated:
            self.progress(f'{title}: rolled back {user} '
                          f'(revision {result.revid})')
            if shown is not None:
                self._check_undone(shown.plan, result)
            self._blacklisted(self.blacklist.add(title))
        elif result is not None:
            self.progress(f'{title}: would roll back edits by {user}')
        return result

    def _check_undone(self, plan: RollbackPlan, result: RollbackResult
                      ) -> None:
        """Say so when the rollback undid more than the diff shown.

        A rollback takes whatever run of the user's edits is on top
        when it lands: an edit the user made after the preview was read
        (while the question waited) is undone too, unseen. The wiki's
        answer tells: ``old_revid`` is the revision it undid from,
        ``last_revid`` the one it went back to. The rollback stays (it
        only undid more of the same user); the operator is told, and
        the report has a row with the diff not shown.
        """
        newer = result.old_revid is not None \
            and result.old_revid != plan.latest
        # a cut history (plan.more) guessed the revision to go back to
        earlier = not plan.more and result.last_revid is not None \
            and result.last_revid != plan.restore
        if not (newer or earlier):
            return
        message = (f'{plan.title}: the rollback undid more than the diff '
                   f'shown: revision {result.old_revid} back to '
                   f'{result.last_revid}; shown: {plan.latest} back to '
                   f'{plan.restore}')
        pywikibot.warning(message)
        self.note_review(user=plan.user,
                         old=plan.latest if newer else result.last_revid,
                         cur=result.old_revid if newer else plan.restore)
        self.report_row(self.current_page, 'review',
                        'undid more than shown', message)

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Find this account's rollback, edit or hide on *title*."""
        if details.get('op') == HIDE:
            return self._landed_hide(details)
        if not details.get('edit'):
            return find_rollback(self.site, details['user'], title=title)
        return find_edit(self.site, title, details['base'])

    def review_links(self, page: pywikibot.Page) -> dict[str, Any]:
        """The diff from before the user's edits, read if not known yet."""
        if 'cur' not in self.review and self.opt.user:
            try:
                plan = read_plan(self.site, page.title(), user=self.opt.user,
                                 since=self.opt.since, until=self.opt.until)
            except (RevertError, APIError):
                plan = None
            self.review = {'user': self.opt.user,
                           'old': plan and plan.old,
                           'cur': plan and plan.base}
        return self.review

    def _read_preview(self, title: str, user: str) -> Preview:
        """Return what rolling back *user* on *title* undoes.

        Planned ahead in batches where the page came from the bot's
        own generator; else (a run under later edits) read here.
        """
        if self.previews is not None and title in self.previews.ahead:
            return self.previews.preview(title)
        revs = top_revisions(self.site, title=title, limit=PREVIEW_REVS)
        plan = plan_rollback(revs, user, title=title)
        texts = revision_texts(self.site, [plan.latest, plan.restore])
        return Preview(plan, new=texts.get(plan.latest, ''),
                       old=texts.get(plan.restore, ''))

    @cached_property
    def blacklist(self) -> BlacklistedLinks:
        """The rolled back pages' links SpamBlacklist forbids (unchecked)."""
        return BlacklistedLinks(self.site)

    def _blacklisted(self, found: dict[str, tuple[str, ...]]) -> None:
        """Say and report each rolled back page with a blacklisted link.

        The links are those on the page after the rollback: mostly ones
        it brought back, but one the vandal did not touch is as
        forbidden, and telling them apart would cost a read per page.
        """
        for title, urls in found.items():
            text = (f'{title}: after the rollback the page links where '
                    f'the spam blacklist forbids (rollbacks are not '
                    f'checked): {", ".join(urls)}')
            pywikibot.warning(text)
            self.report_row(pywikibot.Page(self.site, title),
                            'blacklisted link', BlacklistedLinkError.reason,
                            text)

    def teardown(self) -> None:
        """Check the last links, say how the previews were read, sum up."""
        if 'blacklist' in self.__dict__:  # a rollback was done
            try:
                self._blacklisted(self.blacklist.flush())
            except (RevertError, APIError) as err:  # the summary comes
                pywikibot.warning(f'Blacklisted links not checked: {err}')
        if self.previews is not None and self.previews.planned:
            pywikibot.info(f'Preview: {self.previews.planned} page(s) read '
                           f'in batches, {self.previews.fallbacks} of them '
                           'with their own history read')
        super().teardown()

    def _preview(self, preview: Preview) -> bool:
        """Show the diff the rollback would undo; return whether to go on."""
        plan, old, new = preview.plan, preview.old, preview.new
        if self.opt.addedlink and not adds_link_to(old, new,
                                                   self.opt.addedlink):
            self.skip(f'no link to {self.opt.addedlink} added')
            return False
        count = f'{plan.count}{"+" if plan.more else ""}'
        self.progress(f'{plan.title}: {count} edit{"s" * (plan.count > 1)} '
                      f'by {plan.user} to undo (revision {plan.latest} back '
                      f'to {plan.restore})')
        pywikibot.showDiff(new, old)
        change = describe_change(new, old).summary()
        if change:
            pywikibot.info(f'Rollback would: {change}')
        if not self.confirm(f'Roll back {count} edit(s) by {plan.user} '
                            f'on {plan.title}?'):
            return False
        return True
