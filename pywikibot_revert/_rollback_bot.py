"""The bot behind ``pwb rollback``: a user's edits on many pages.

The user's latest edits are rolled back; with ``-buried`` the edits
under later edits are undone too (:mod:`~pywikibot_revert._undouser`).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError
from pywikibot.pagegenerators import GeneratorFactory

from ._bot import RevertBot
from ._buried import read_plan
from ._buried_bot import BuriedUndo
from ._edit import find_edit
from ._exceptions import RevertError, UsageError
from ._generators import top_contributions, unique
from ._options import (
    Option,
    existing_user,
    iprange,
    tags,
    timestamp,
    watchlist,
)
from ._query import revision_texts, top_revisions
from ._results import RollbackResult
from ._rights import warn_markbot
from ._rollback import RollbackPlan, find_rollback, plan_rollback, rollback
from ._wikitext import adds_link_to, describe_change


__all__ = ['RollbackBot']

#: revisions read to preview a rollback (the wiki finds a longer run)
PREVIEW_REVS = 50


class RollbackBot(BuriedUndo, RevertBot):

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
    )

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        #: title -> the user's latest contribution, as listed
        self.listed: dict[str, dict[str, Any]] = {}

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

    def make_generator(self, factory: GeneratorFactory) -> Iterator[Any]:
        """The page selection, or else the user's top contributions."""
        gen = factory.getCombinedGenerator()
        if gen is not None:
            if self.opt.iprange:
                raise UsageError("-iprange works on the range's own "
                                 'contributions; drop the page selection')
            return unique(gen)
        namespaces = [ns.id for ns in factory.namespaces] or None
        if self.opt.buried:
            return self._edited(namespaces)
        return self._contributions(namespaces)

    def _contributions(self, namespaces: list[int] | None
                       ) -> Iterator[pywikibot.Page]:
        for page, contrib in top_contributions(
                self.site, user=self.opt.user, iprange=self.opt.iprange,
                since=self.opt.since, until=self.opt.until,
                namespaces=namespaces):
            self.listed[page.title()] = contrib
            yield page

    def setup(self) -> None:
        """Warn about markbot without the right, then the usual setup."""
        super().setup()
        warn_markbot(self.site, self.opt.markbot)

    def act(self, page: pywikibot.Page) -> None:
        """Roll back; with -buried, undo the runs under later edits too."""
        title = page.title()
        if not self.opt.buried:
            contrib = self.listed.pop(title, None)
            self._rollback(page, contrib['user'] if contrib else
                           self.opt.user, contrib)
            return
        self.act_buried(page)

    def _rollback(self, page: pywikibot.Page, user: str,
                  contrib: dict[str, Any] | None) -> RollbackResult | None:
        """Preview (when asked or needed), confirm, roll back."""
        title = page.title()
        if contrib:
            # listed on top: only a page the user created has nothing
            # to go back to, and that needs no read to tell
            plan_rollback([contrib], user, title=title)
        # without a preview nothing needs reading first: the wiki itself
        # refuses (alreadyrolled) where the user is not the latest editor
        if self.simulate or not self.opt.always or self.opt.addedlink:
            revs = top_revisions(self.site, title=title, limit=PREVIEW_REVS)
            plan = plan_rollback(revs, user, title=title)
            if not self._preview(plan):
                return None

        def do():
            return rollback(page, user=user, summary=self.opt.summary,
                            markbot=self.opt.markbot, tags=self.opt.tags,
                            watchlist=self.opt.watchlist, count=False,
                            max_wait=self.max_wait)

        result = self.write(f'rollback|{title}|{user}', page, do, user=user)
        if result is not None and not result.simulated:
            self.progress(f'{title}: rolled back {user} '
                          f'(revision {result.revid})')
        elif result is not None:
            self.progress(f'{title}: would roll back edits by {user}')
        return result

    def landed(self, title: str, details: dict[str, Any]) -> Any:
        """Find this account's rollback, or edit, on *title*."""
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

    def _preview(self, plan: RollbackPlan) -> bool:
        """Show the diff the rollback would undo; return whether to go on."""
        texts = revision_texts(self.site, [plan.latest, plan.restore])
        old, new = texts.get(plan.restore, ''), texts.get(plan.latest, '')
        if self.opt.addedlink and not adds_link_to(old, new,
                                                   self.opt.addedlink):
            self.skip(f'no link to {self.opt.addedlink} added')
            return False
        count = f'{plan.count}{"+" if plan.more else ""}'
        self.progress(f'{plan.title}: {count} edit{"s" * (plan.count > 1)} '
                      f'by {plan.user} to undo')
        pywikibot.showDiff(new, old)
        change = describe_change(new, old).summary()
        if change:
            pywikibot.info(f'Rollback would: {change}')
        if not self.confirm(f'Roll back {count} edit(s) by {plan.user} '
                            f'on {plan.title}?'):
            return False
        return True
