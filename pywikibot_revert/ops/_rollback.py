"""Roll back the latest edits of one user on one page.

The rules for *whether* a rollback makes sense live in
:func:`plan_rollback` (pure), and *whether it landed* after an uncertain
answer or a kill in :func:`landed` (pure) and :func:`find_rollback`
(one read), as for every operation. The library's :func:`rollback` and
the ``pwb rollback`` bot both use these, so they cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pywikibot

from ..exceptions import (
    AlreadyRolledBackError,
    HiddenUserError,
    MissingTargetError,
    NothingToDoError,
    OnlyAuthorError,
)
from ..wiki._i18n import plugin_message
from ..wiki._messages import mw_message
from ..wiki._params import rollback_params
from ..wiki._query import top_revisions
from ..results import RollbackResult
from ..wiki._rights import markbot_default, require_rights, warn_markbot
from ..wiki._validate import normalize_username
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['RollbackPlan', 'find_rollback', 'landed', 'our_rollback',
           'plan_rollback', 'rollback']


@dataclass(frozen=True)
class RollbackPlan:

    """What a rollback of *user* on one page will undo.

    :ivar count: the user's revisions on top (those read)
    :ivar more: the run goes on past the revisions read
    :ivar latest: the revision id of the user's latest edit
    :ivar restore: the revision id the page goes back to
    """

    title: str
    user: str
    count: int
    latest: int
    restore: int | None
    more: bool = False


def plan_rollback(revisions: list[dict[str, Any]], user: str, *,
                  title: str = '') -> RollbackPlan:
    """Decide whether *user*'s latest edits can be rolled back.

    >>> revs = [{'revid': 9, 'parentid': 8, 'user': 'V'},
    ...         {'revid': 8, 'parentid': 5, 'user': 'V'},
    ...         {'revid': 5, 'parentid': 0, 'user': 'E'}]
    >>> plan = plan_rollback(revs, 'V')
    >>> plan.count, plan.latest, plan.restore
    (2, 9, 5)
    >>> plan_rollback(revs[:2], 'V').more
    True
    >>> plan_rollback(revs, 'E', title='A')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.AlreadyRolledBackError: A: E is not the latest editor (V is)

    :param revisions: the newest revisions, newest first, each with
        ``revid``, ``parentid`` and ``user`` (or ``userhidden``); a
        cut history is fine (then :attr:`RollbackPlan.more` is set)
    :raises MissingTargetError: no revisions
    :raises HiddenUserError: the latest editor's name is hidden
    :raises AlreadyRolledBackError: *user* is not the latest editor
    :raises OnlyAuthorError: *user* wrote every revision
    """
    if not revisions:
        raise MissingTargetError(f'{title}: no revisions', code='missingtitle')
    latest = revisions[0]
    if latest.get('userhidden'):
        raise HiddenUserError(
            f'{title}: the latest editor is hidden; name the user '
            'explicitly')
    count = 0
    for rev in revisions:
        if rev.get('userhidden') or rev.get('user') != user:
            break
        count += 1
    if count == 0:
        raise AlreadyRolledBackError(
            f'{title}: {user} is not the latest editor ({latest["user"]} is)',
            code='alreadyrolled')
    if count < len(revisions):
        restore = revisions[count]['revid']
    elif revisions[-1].get('parentid'):
        return RollbackPlan(title, user, count, latest['revid'],
                            revisions[-1]['parentid'], more=True)
    else:
        raise OnlyAuthorError(f'{title}: {user} is the only author',
                              code='onlyauthor')
    return RollbackPlan(title, user, count, latest['revid'], restore)


def our_rollback(revisions: list[dict[str, Any]], user: str,
                 me: str | None) -> dict[str, Any] | None:
    """Return the ids of *me*'s rollback of *user*, if it is on top.

    The newest revision must be *me*'s, tagged ``mw-rollback``, right
    after *user*'s run.

    >>> revs = [{'revid': 9, 'parentid': 8, 'user': 'Me',
    ...          'tags': ['mw-rollback']},
    ...         {'revid': 8, 'parentid': 5, 'user': 'V'},
    ...         {'revid': 5, 'parentid': 0, 'user': 'E'}]
    >>> our_rollback(revs, 'V', 'Me')
    {'revid': 9, 'old_revid': 8, 'last_revid': 5}

    :param revisions: the newest revisions, newest first
        (:func:`~pywikibot_revert.wiki._query.top_revisions`)
    :return: ``revid``, ``old_revid`` and ``last_revid``, or None
    """
    if len(revisions) < 2:
        return None
    top = revisions[0]
    if (top.get('user') != me or 'mw-rollback' not in top.get('tags', [])
            or revisions[1].get('user') != user):
        return None
    rest = revisions[1:]
    run = next((i for i, r in enumerate(rest) if r.get('user') != user),
               len(rest))
    last = rest[run] if run < len(rest) else {}
    return {'revid': top['revid'], 'old_revid': top.get('parentid'),
            'last_revid': last.get('revid')}


def landed(revisions: list[dict[str, Any]], user: str,
           me: str | None) -> bool | None:
    """Tell from the newest revisions whether *me*'s rollback landed.

    >>> ours = [{'revid': 9, 'user': 'Me', 'tags': ['mw-rollback']},
    ...         {'revid': 8, 'user': 'V'}]
    >>> landed(ours, 'V', 'Me'), landed(ours[1:], 'V', 'Me')
    (True, False)
    >>> landed(ours, 'V', 'Other') is None
    True

    :param revisions: the newest revisions, newest first
    :return: True if it landed (:func:`our_rollback` is on top), False
        if *user* is still on top, None if someone else is
    """
    if our_rollback(revisions, user, me) is not None:
        return True
    if revisions and revisions[0].get('user') == user:
        return False
    return None


def find_rollback(site: Any, user: str, *, title: str | None = None,
                  pageid: int | None = None) -> dict[str, Any] | None:
    """Ask the wiki whether this account's rollback of *user* landed.

    One read of the newest 50 revisions (:func:`landed`).

    :return: the ``rollback`` answer the API would have given, or None
        when *user* is still on top (the rollback did not happen)
    :raises AlreadyRolledBackError: someone else is on top now
    """
    revs = top_revisions(site, title=title, pageid=pageid, limit=50)
    me = site.user()
    done = landed(revs, user, me)
    if done is None:
        raise AlreadyRolledBackError(
            f'{title or pageid}: the latest edit is by '
            f'{revs[0].get("user") if revs else None}, not by {user} nor '
            'by us', site=site, code='alreadyrolled')
    if not done:
        return None
    return {'title': title, 'pageid': pageid,
            **our_rollback(revs, user, me)}


def nouser_summary(site: Any, target: str | None = None,
                   count: int | None = None) -> str:
    """Return a rollback summary without the reverted user's name.

    MediaWiki's ``revertpage-nouser``, filled as MediaWiki fills it
    (:func:`mw_message`): ``$1`` the user of the revision restored,
    ``$7`` (1.41+, ``{{PLURAL:$7|edit|edits}}``) how many revisions are
    reverted. The rollback fills what is left as ``$1``, ``$3``... in a
    summary it is given, with the parameters of its own; ``$2``, the
    reverted user, is never left to it.

    :param target: the user of the revision restored; None: left to
        the rollback
    :param count: how many revisions are reverted
    """
    params = [target or '$1', '', '$3', '$4', '$5', '$6',
              '$7' if count is None else count]
    return (mw_message(site, 'revertpage-nouser', *params)
            or plugin_message(site, 'rollback-nouser',
                              target=target or '$1'))


def rollback(page: pywikibot.Page | None = None, *,
             pageid: int | None = None, site: Any = None,
             user: str | None = None, summary: str | None = None,
             markbot: bool | None = None, tags: Any = None,
             watchlist: str | None = None,
             watchlistexpiry: str | None = None, count: bool = True,
             nouser: bool = False,
             max_wait: float | None = None) -> RollbackResult:
    """Roll back the latest run of edits by *user* on a page.

    The page is given as a :class:`pywikibot.Page` or as *pageid* with
    *site*. Without *user*, the latest editor is read from the wiki; a
    hidden (revision-deleted) name is an error, never ``''``.

    **Example:**

    .. code-block:: python

       import pywikibot, pywikibot_revert
       page = pywikibot.Page(pywikibot.Site(), 'Sandbox')
       result = page.revert.rollback(user='Vandal', summary='spam')
       print(result.revid, result.reverted)

    :param page: the page (not together with *pageid*)
    :param pageid: the page id (needs *site*)
    :param user: whose edits to revert; default the latest editor
    :param summary: edit summary; default the wiki's own
        (``revertpage``, which MediaWiki fills in its content language)
    :param nouser: keep *user*'s name out of the default summary:
        MediaWiki's ``revertpage-nouser``, as MediaWiki writes it for a
        rollback of a hidden user's edits (the history is read for its
        parameters even with ``count=False``)
    :param markbot: mark the rollback and the reverted edits as bot
        edits; default True only for an account with the ``bot`` and
        ``markbotedits`` rights
    :param tags: change tags, a list or comma separated text
    :param watchlist: ``watch``, ``unwatch``, ``preferences`` or
        ``nochange``
    :param watchlistexpiry: watchlist expiry (MediaWiki 1.35+)
    :param count: read the page history first (one request) to count
        the reverted revisions and refuse a pointless request early;
        with ``count=False`` and a *user*, exactly one request is sent
    :param max_wait: seconds to wait out rate limits and lag
    :return: the frozen result; ``changed`` is False for a null rollback
    :raises AlreadyRolledBackError: *user* is not the latest editor
    :raises OnlyAuthorError: *user* wrote every revision
    :raises HiddenUserError: the latest editor's name is hidden
    :raises MissingRightError: ``rollback`` or ``edit`` is missing
    :raises ValueError: both *page* and *pageid*, or neither
    """
    if (page is None) == (pageid is None):
        raise ValueError('give exactly one of page and pageid')
    if page is not None:
        site = page.site
    elif site is None:
        raise ValueError('pageid needs site')
    title = page.title() if page is not None else None
    name = title or str(pageid)
    require_rights(site, 'rollback')
    if user is not None:
        user = normalize_username(user, site)

    reverted = None
    # -nouser: the summary names the user restored and counts the edits
    if user is None or count or (nouser and summary is None):
        revs = top_revisions(site, title=title, pageid=pageid)
        if user is None and revs and not revs[0].get('userhidden'):
            user = revs[0]['user']
        try:
            plan = plan_rollback(revs, user or '', title=name)
        except NothingToDoError as err:
            err.page, err.site = page, site
            raise
        reverted = plan.count
    if nouser and summary is None:
        target = next((r for r in revs if r.get('revid') == plan.restore),
                      None) if reverted is not None else None
        summary = nouser_summary(site, None if target is None
                                 or target.get('userhidden')
                                 else target.get('user'), reverted)

    if markbot is None:
        markbot = markbot_default(site)
    else:
        warn_markbot(site, markbot)
    params = rollback_params(
        site.mw_version, title=title, pageid=pageid, user=user,
        summary=summary, markbot=markbot, tags=tags, watchlist=watchlist,
        watchlistexpiry=watchlistexpiry)

    answer = submit_write(
        site, params, token='rollback', page=page or pageid,
        reconcile=reconcile_by('rollback', lambda: find_rollback(
            site, user, title=title, pageid=pageid)), max_wait=max_wait)
    data = answer.get('rollback', {})
    if is_simulation() and 'revid' not in data:
        return RollbackResult(title=name, user=user, pageid=pageid,
                              summary=summary, reverted=reverted,
                              simulated=True)
    return RollbackResult.from_api(data, user=user, reverted=reverted)
