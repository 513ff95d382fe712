"""Roll back the latest edits of one user on one page."""
from __future__ import annotations

from typing import Any

import pywikibot

from ._exceptions import (
    AlreadyRolledBackError,
    HiddenUserError,
    MissingTargetError,
    OnlyAuthorError,
)
from ._params import rollback_params
from ._results import RollbackResult
from ._rights import markbot_default, require_rights, warn_markbot
from ._validate import normalize_username
from ._write import is_simulation, submit_write


__all__ = ['landed_rollback', 'rollback', 'top_revisions']


def top_revisions(site: Any, *, title: str | None = None,
                  pageid: int | None = None,
                  limit: int | str = 'max') -> list[dict[str, Any]]:
    """Return the newest revisions of a page, newest first (one read).

    Each item has ``revid``, ``parentid``, ``user`` (absent when
    hidden, then ``userhidden`` is set) and ``tags``.

    :raises MissingTargetError: the page does not exist
    """
    where = {'titles': title} if title is not None else {'pageids': pageid}
    data = site.simple_request(
        action='query', prop='revisions', rvprop='ids|user|tags|timestamp',
        rvlimit=limit, formatversion=2, **where).submit()
    pages = data.get('query', {}).get('pages', [])
    if not pages or pages[0].get('missing') or pages[0].get('invalid'):
        raise MissingTargetError(
            f'page {title or pageid} does not exist on {site}', site=site,
            code='missingtitle')
    return pages[0].get('revisions', [])


def _run_of(revisions: list[dict[str, Any]], user: str) -> int:
    """Count the newest revisions in a row made by *user*."""
    count = 0
    for rev in revisions:
        if rev.get('userhidden') or rev.get('user') != user:
            break
        count += 1
    return count


def landed_rollback(revisions: list[dict[str, Any]], user: str,
                    me: str | None) -> dict[str, Any] | None:
    """Return the ids of *me*'s rollback of *user*, if it is on top.

    Used after an uncertain write and on resume: the newest revision
    must be *me*'s, tagged ``mw-rollback``, right after *user*'s run.

    :param revisions: the newest revisions, newest first
        (:func:`top_revisions`)
    :return: ``revid``, ``old_revid`` and ``last_revid``, or None
    """
    if len(revisions) < 2:
        return None
    top = revisions[0]
    if (top.get('user') != me or 'mw-rollback' not in top.get('tags', [])
            or revisions[1].get('user') != user):
        return None
    run = _run_of(revisions[1:], user)
    last = revisions[1 + run] if len(revisions) > 1 + run else {}
    return {'revid': top['revid'], 'old_revid': top.get('parentid'),
            'last_revid': last.get('revid')}


def rollback(page: pywikibot.Page | None = None, *,
             pageid: int | None = None, site: Any = None,
             user: str | None = None, summary: str | None = None,
             markbot: bool | None = None, tags: Any = None,
             watchlist: str | None = None,
             watchlistexpiry: str | None = None, count: bool = True,
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
    require_rights(site, 'rollback')
    if user is not None:
        user = normalize_username(user, site)

    reverted = None
    if user is None or count:
        revs = top_revisions(site, title=title, pageid=pageid)
        if not revs:
            raise MissingTargetError(f'{title or pageid} has no revisions',
                                     page=page, site=site)
        latest = revs[0]
        if latest.get('userhidden'):
            raise HiddenUserError(
                f'{title or pageid}: the latest editor is hidden; name the '
                'user explicitly', page=page, site=site)
        if user is None:
            user = latest['user']
        reverted = _run_of(revs, user)
        if reverted == 0:
            raise AlreadyRolledBackError(
                f'{title or pageid}: {user} is not the latest editor '
                f'({latest["user"]} is)', page=page, site=site,
                code='alreadyrolled')
        if reverted == len(revs) and not revs[-1].get('parentid'):
            raise OnlyAuthorError(
                f'{title or pageid}: {user} is the only author',
                page=page, site=site, code='onlyauthor')

    if markbot is None:
        markbot = markbot_default(site)
    else:
        warn_markbot(site, markbot)
    params = rollback_params(
        site.mw_version, title=title, pageid=pageid, user=user,
        summary=summary, markbot=markbot, tags=tags, watchlist=watchlist,
        watchlistexpiry=watchlistexpiry)

    def reconcile() -> dict[str, Any] | None:
        revs = top_revisions(site, title=title, pageid=pageid, limit=50)
        done = landed_rollback(revs, user, site.user())
        if done is not None:
            return {'rollback': {'title': title, 'pageid': pageid, **done}}
        if revs and revs[0].get('user') == user:
            return None
        raise AlreadyRolledBackError(
            f'{title or pageid}: after an uncertain rollback the latest '
            f'edit is by {revs[0].get("user") if revs else None}, not by us',
            page=page, site=site, code='alreadyrolled')

    answer = submit_write(site, params, token='rollback',
                          reconcile=reconcile, page=page or pageid,
                          max_wait=max_wait)
    data = answer.get('rollback', {})
    if is_simulation() and 'revid' not in data:
        return RollbackResult(title=title or str(pageid), user=user,
                              pageid=pageid, summary=summary,
                              reverted=reverted, simulated=True)
    return RollbackResult.from_api(data, user=user, reverted=reverted)
