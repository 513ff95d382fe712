"""Undo a user's edits buried under later edits, with MediaWiki's undo.

Each run of the user's edits (:class:`~pywikibot_revert.ops._undo_user_plan.UserRun`)
is undone with ``action=edit`` and ``undo``/``undoafter``: MediaWiki
merges the reversal three ways onto the current text, so the later
edits of others stay. Runs are undone newest first, each edit planned
on the revision the previous one left
(:func:`~pywikibot_revert.ops._edit.edit_on`: ``baserevid``,
``basetimestamp``, ``starttimestamp``, ``nocreate``), so an edit saved
meanwhile is an edit conflict, never overwritten.

Where the merge fails, spam can still go: with *addedlink* the links to
that domain are removed from the current text
(:func:`~pywikibot_revert.ops._undo_user_plan.links_instead`), and
nothing else.

:func:`undo_runs` is the one loop over a page's runs: the library's
:func:`undo_user` calls it with :func:`undo_run` as the step, the
rollback bot (``pwb rollback -buried``) with a step that previews,
asks and writes under its journal
(:class:`~pywikibot_revert.bot._buried.BuriedUndo`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pywikibot

from ._undo_user_plan import (
    BuriedPlan,
    UserRun,
    links_instead,
    no_longer_in_text,
    read_plan,
    runs_adding_link,
)
from ._edit import edit_on
from ..exceptions import AlreadyCleanError, NothingToDoError, UndoFailedError
from ..wiki._i18n import plugin_message
from ..wiki._query import revision_texts
from ..results import EditResult, UndoUserResult
from ..wiki._rights import require_rights
from ..wiki._validate import normalize_username
from ..wiki._write import is_simulation


__all__ = ['RunsUndone', 'remove_spam', 'undo_run', 'undo_runs',
           'undo_user']


def remove_spam(page: pywikibot.Page, *, domain: str, base: int,
                basetimestamp: Any = None, starttimestamp: Any = None,
                summary: str | None = None,
                max_wait: float | None = None) -> EditResult:
    """Remove the external links to *domain* from revision *base*'s text.

    Only the links go
    (:func:`~pywikibot_revert.ops._undo_user_plan.links_instead`); the
    edit is conflict-safe as :func:`~pywikibot_revert.ops._edit.edit_on`.

    **Example:**

    .. code-block:: python

       remove_spam(page, domain='spam.example', base=page.latest_revision_id)

    :raises UndoFailedError: the text has no link to *domain*
    """
    text = revision_texts(page.site, [base]).get(base, '')
    removal = links_instead(page, text, domain,
                            f'{page.title()}: the undo does not merge, '
                            f'and the text has no link to {domain}')
    return edit_on(page, base=base, basetimestamp=basetimestamp,
                   starttimestamp=starttimestamp, text=removal.text,
                   max_wait=max_wait, summary=summary or plugin_message(
                       page.site, 'remove-links', count=len(removal.removed),
                       domain=domain))


def undo_run(page: pywikibot.Page, run: UserRun, *, user: str, base: int,
             basetimestamp: Any = None, starttimestamp: Any = None,
             summary: str | None = None, addedlink: str | None = None,
             max_wait: float | None = None,
             links: bool = False, nouser: bool = False) -> EditResult:
    """Undo one run of *user*'s edits with MediaWiki's undo.

    Where it does not merge and *addedlink* is given, the links to that
    domain are removed from the current text instead
    (:func:`remove_spam`).

    **Example:**

    .. code-block:: python

       plan = read_plan(site, 'Sandbox', user='Spambot')
       undo_run(page, plan.runs[0], user='Spambot', base=plan.base,
                basetimestamp=plan.basetimestamp)

    :param base: the page's current revision, as read
    :param summary: the edit summary; default MediaWiki's own for one
        revision (``undo-summary``), the plugin's for several, in the
        wiki's content language (:meth:`UserRun.summary`)
    :param nouser: the default summary leaves *user*'s name out
    :param links: a preview showed that the undo does not merge: only
        remove the links to *addedlink* (with *summary* as given)
    :raises AlreadyCleanError: the undo would change nothing
    :raises UndoFailedError: it does not merge (and there are no links
        to *addedlink* to remove), or the run created the page
    :raises EditConflictError: a revision saved after *base* met it
    """
    on = {'base': base, 'basetimestamp': basetimestamp,
          'starttimestamp': starttimestamp, 'max_wait': max_wait}
    if not links:
        summary = summary or run.summary(user, page.site, nouser=nouser)
        try:
            if not run.undoafter:
                raise UndoFailedError(f'{page.title()}: revision '
                                      f'{run.first} by {user} created the '
                                      'page; an undo would blank it',
                                      page=page)
            result = edit_on(page, summary=summary, undo=run.undo,
                             undoafter=run.undoafter, **on)
        except UndoFailedError:
            if not addedlink:
                raise
            summary = plugin_message(page.site, 'undo-failed-links',
                                     summary=summary, domain=addedlink)
        else:
            if result.nochange:
                raise no_longer_in_text(page, user,
                                        f' up to revision {run.undo}')
            return result
    return remove_spam(page, domain=addedlink, summary=summary, **on)


#: undoes one run on a base revision (and its timestamp); returns the
#: edit, or None where the run is let be (declined, or done before)
UndoStep = Callable[[UserRun, int, Any], EditResult | None]


@dataclass
class RunsUndone:

    """What :func:`undo_runs` did with a page's runs, run by run.

    >>> RunsUndone().all_clean([])
    False

    :ivar undone: the runs undone (or whose links were removed)
    :ivar not_merged: the runs left as they are: the undo does not merge
    :ivar clean: the runs already gone from the current text
    :ivar edits: the edits saved (or simulated), oldest first
    """

    undone: list[UserRun] = field(default_factory=list)
    not_merged: list[UserRun] = field(default_factory=list)
    clean: list[UserRun] = field(default_factory=list)
    edits: list[EditResult] = field(default_factory=list)

    def all_clean(self, runs: Sequence[UserRun]) -> bool:
        """Return True if there were *runs*, all gone from the text."""
        return bool(runs) and len(self.clean) == len(runs)


def undo_runs(plan: BuriedPlan, runs: Sequence[UserRun], step: UndoStep, *,
              undone: Callable[[UserRun, EditResult], None] | None = None,
              not_merged: Callable[[UserRun, int, UndoFailedError], None]
              | None = None) -> RunsUndone:
    """Undo *runs*, newest first, each on the revision the one before left.

    The one loop over a user's runs on a page. Each run is undone (or
    its links removed) by *step*, starting from the plan's current
    revision; a run gone from the text already, or whose undo does not
    merge, is counted and the next one tried. Any other error (an edit
    conflict, a stop) ends the loop.

    **Example:**

    .. code-block:: python

       def step(run, base, stamp):
           return undo_run(page, run, user=plan.user, base=base,
                           basetimestamp=stamp)

       done = undo_runs(plan, plan.runs, step)

    :param runs: the runs to undo, newest first
    :param step: undoes one run: ``step(run, base, basetimestamp)``
    :param undone: told of each run undone, with its edit
    :param not_merged: told of each run left as it is, with the
        revision its undo was tried on and the error
    """
    base, stamp = plan.base, plan.basetimestamp
    done = RunsUndone()
    for run in runs:
        try:
            result = step(run, base, stamp)
        except AlreadyCleanError:
            done.clean.append(run)
            continue
        except UndoFailedError as err:
            done.not_merged.append(run)
            if not_merged:
                not_merged(run, base, err)
            continue
        if result is None:
            continue
        done.undone.append(run)
        done.edits.append(result)
        if undone:
            undone(run, result)
        if result.newrevid:
            # the next undo builds on this edit
            base, stamp = result.newrevid, result.timestamp
    return done


def undo_user(page: pywikibot.Page, *, user: str, since: Any = None,
              until: Any = None, summary: str | None = None,
              addedlink: str | None = None,
              max_wait: float | None = None) -> UndoUserResult:
    """Undo *user*'s edits on a page, also those under later edits.

    Each run of the user's edits (in *since*..*until*) is undone with
    MediaWiki's undo, newest first, keeping the later edits of others.
    A run whose undo does not merge is left as it is (or, with
    *addedlink*, only its links to that domain are removed).

    **Example:**

    .. code-block:: python

       import pywikibot, pywikibot_revert
       page = pywikibot.Page(pywikibot.Site(), 'Sandbox')
       result = page.revert.undo_user(user='Spambot',
                                      addedlink='spam.example')
       print(result.newrevid, result.not_merged)

    :param user: whose edits
    :param since: only edits at or after this time
    :param until: only edits at or before this time
    :param summary: edit summary; default names the user and revisions
    :param addedlink: only runs that added a link to this domain (or a
        subdomain); where such a run does not merge, remove the links
    :param max_wait: seconds to wait out rate limits and lag
    :raises AlreadyCleanError: every run is gone from the text already
    :raises UndoFailedError: no run merges
    :raises EditConflictError: someone edited the page meanwhile
    :raises NothingToDoError: no edits by *user* (that added the link)
    """
    site = page.site
    require_rights(site, 'edit')
    user = normalize_username(user, site)
    title = page.title()
    plan = read_plan(site, title, user=user, since=since, until=until)
    runs = [*([plan.top] if plan.top else []), *plan.runs]
    if addedlink:
        runs = runs_adding_link(site, runs, addedlink)
        if not runs:
            raise NothingToDoError(f'{title}: {user} added no link to '
                                   f'{addedlink}', page=page)

    def step(run: UserRun, base: int, stamp: Any) -> EditResult:
        return undo_run(page, run, user=user, base=base,
                        basetimestamp=stamp,
                        starttimestamp=plan.starttimestamp, summary=summary,
                        addedlink=addedlink, max_wait=max_wait)

    done = undo_runs(plan, runs, step)
    if not done.edits:
        if done.not_merged:
            raise UndoFailedError(f'{title}: the undo of the edits of '
                                  f'{user} does not merge with the later '
                                  'edits', page=page, code='undofailure')
        raise no_longer_in_text(page, user)
    return UndoUserResult(title=title, user=user, undone=tuple(done.undone),
                          not_merged=tuple(done.not_merged),
                          clean=tuple(done.clean), edits=tuple(done.edits),
                          simulated=is_simulation())
