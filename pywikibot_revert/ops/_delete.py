"""Delete a page the user alone wrote (``action=delete``).

A delete has no base revision: the wiki deletes whatever the page holds
when the request lands. So a page is deleted only when every revision
of it, and for a file every file version, is by the user
(``plan_delete``, pure, from one batched read of
:func:`own_pages`), and the bot reads each page's latest revision again
right before its delete. What the delete took is checked afterwards
against the archive (:func:`unplanned_revisions`): a revision the plan
did not see (an edit in the last second, a revision whose author is
hidden, which ``prop=contributors`` does not list) puts the page back.

The talk page goes with the page only when it, too, is the user's alone:
in the same request with ``deletetalk`` (MediaWiki 1.38+), else with a
second request.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pywikibot
from pywikibot.tools import MediaWikiVersion

from ..exceptions import MissingTargetError, OtherAuthorsError
from ..results import DeleteResult
from ..wiki._i18n import plugin_message
from ..wiki._messages import mw_message
from ..wiki._query import merged_pages
from ..wiki._rights import require_rights
from ..wiki._validate import normalize_username
from ..wiki._write import is_simulation, reconcile_by, submit_write
from ._edit import find_delete


__all__ = ['DeletePlan', 'delete_own', 'own_pages', 'plan_delete',
           'unplanned_revisions']

#: the first MediaWiki release whose action=delete takes deletetalk
DELETETALK_SINCE = MediaWikiVersion('1.38')


@dataclass(frozen=True)
class DeletePlan:

    """A page the user alone wrote, as read before its deletion.

    :ivar latest: the latest revision id: the delete is sent only while
        the page is still at it
    :ivar size: the page's size in bytes
    :ivar files: file versions (0 for a page that is no file)
    :ivar first: the page's first revision id, where known (0: not
        known); what the run deleted is from it to *latest*
    :ivar talk: the talk page's plan, when it is the user's alone too
    """

    title: str
    user: str
    pageid: int
    latest: int
    size: int = 0
    files: int = 0
    talk: DeletePlan | None = None
    first: int = 0

    def record(self) -> dict[str, Any]:
        """Return the plan as plain data for a journal record."""
        data = {'user': self.user, 'pageid': self.pageid,
                'first': self.first,
                'latest': self.latest, 'size': self.size}
        if self.talk:
            data['talk'] = self.talk.record() | {'title': self.talk.title}
        return data


def _authors(page: dict[str, Any], user: str, ip: bool) -> list[str]:
    """Return who besides *user* wrote *page* (revisions, file versions)."""
    names = {c['name'] for c in page.get('contributors', [])}
    names.update(v['user'] for v in page.get('imageinfo', [])
                 if v.get('user'))
    others = sorted(names - {user})
    anons = page.get('anoncontributors', 0)
    # an IP is one anonymous contributor; a registered user is none
    if anons > (1 if ip else 0):
        others.append(f'{anons - ip} anonymous')
    if ip and not anons:
        others.append('not by the IP')
    if any(v.get('userhidden') for v in page.get('imageinfo', [])):
        others.append('(hidden)')
    return others


def plan_delete(page: dict[str, Any], user: str) -> DeletePlan:
    """Decide whether *page* is *user*'s alone, from one batched read.

    >>> page = {'title': 'Spam', 'pageid': 7, 'length': 12,
    ...         'revisions': [{'revid': 9, 'user': 'Bot'}],
    ...         'contributors': [{'name': 'Bot'}]}
    >>> plan_delete(page, 'Bot').latest
    9
    >>> page['contributors'].append({'name': 'Editor'})
    >>> plan_delete(page, 'Bot')
    Traceback (most recent call last):
    ...
    pywikibot_revert.exceptions.OtherAuthorsError: Spam: not Bot's alone: also by Editor

    :param page: a page of :func:`own_pages` (``formatversion=2``)
    :raises MissingTargetError: the page does not exist
    :raises OtherAuthorsError: someone else wrote part of it
    """
    title = page['title']
    if page.get('missing') or not page.get('revisions'):
        raise MissingTargetError(f'{title}: no such page', code='missingtitle')
    latest = page['revisions'][0]
    ip = pywikibot.tools.is_ip_address(user)
    others = _authors(page, user, ip)
    if latest.get('userhidden') or latest.get('user') != user:
        others = others or [latest.get('user', '(hidden)')]
    if others:
        raise OtherAuthorsError(
            f"{title}: not {user}'s alone: also by {', '.join(others)}",
            authors=tuple(others))
    return DeletePlan(title, user, page['pageid'], latest['revid'],
                      page.get('length', 0), len(page.get('imageinfo', [])))


def own_pages(site: Any, titles: list[str], *, batch: int = 50
              ) -> dict[str, dict[str, Any]]:
    """Read what ``plan_delete`` needs, for many pages.

    One request serves up to *batch* titles: the latest revision, every
    contributor and, for a file, every version's uploader
    (``prop=revisions|contributors|info|imageinfo``); continuation is
    followed and merged.

    :return: title -> page (``formatversion=2``), aliases included
    """
    return merged_pages(site, titles, batch=batch,
                        prop='revisions|contributors|info|imageinfo',
                        rvprop='ids|user|timestamp', pclimit='max',
                        iiprop='user|timestamp', iilimit='max')


def unplanned_revisions(plan: DeletePlan,
                        deleted: list[Any]) -> list[Any]:
    """Return the deleted revisions the delete of *plan* took unseen.

    Those of the page (from its first revision on) that are newer than
    the plan's latest, or by someone other than the user (a hidden
    name included): the page is to be put back.

    >>> from pywikibot_revert.results import DeletedRevision as R
    >>> plan = DeletePlan('Spam', 'Bot', 7, latest=9, first=8)
    >>> revs = [R('Spam', 10, None, 'Editor'), R('Spam', 9, None, 'Bot'),
    ...         R('Spam', 8, None, 'Bot'), R('Spam', 3, None, 'Old')]
    >>> [r.revid for r in unplanned_revisions(plan, revs)]
    [10]

    :param deleted: the title's deleted revisions
        (:class:`~pywikibot_revert.results.DeletedRevision`)
    """
    return [rev for rev in deleted
            if rev.revid > plan.latest
            or (rev.revid >= plan.first
                and (rev.userhidden or rev.user != plan.user))]


def delete_own(page: pywikibot.Page, *, user: str,
               plan: DeletePlan | None = None, summary: str | None = None,
               talk: bool = True, nouser: bool = False,
               max_wait: float | None = None) -> DeleteResult:
    """Delete *page* if *user* alone wrote it; its talk page too if so.

    Without *plan*, the page (and its talk page) are read first (one
    request); with one, the caller read it right before.

    **Example:**

    .. code-block:: python

       page = pywikibot.Page(site, 'Cheap pills')
       result = page.revert.delete_own(user='Spambot')
       print(result.logid, result.talk)

    :param user: whose page it must be, alone
    :param plan: the page as read right before (``plan_delete``)
    :param summary: the deletion reason; default names the user
        (``default_reason``)
    :param nouser: the default reason leaves the user's name out
    :param talk: delete the talk page too, where it is the user's alone
    :raises OtherAuthorsError: someone else wrote part of it (or of the
        file's versions); nothing is deleted
    :raises MissingTargetError: the page does not exist
    """
    site = page.site
    require_rights(site, 'delete')
    user = normalize_username(user, site)
    title = page.title()
    if plan is None:
        plan = read_plan(page, user, talk=talk)
    reason = summary or default_reason(site, user, nouser=nouser)
    params: dict[str, Any] = {'action': 'delete', 'title': title,
                              'reason': reason}
    together = plan.talk is not None and site.mw_version >= DELETETALK_SINCE
    if together:
        params['deletetalk'] = 1
    answer = submit_write(
        site, params, token='csrf', page=page, max_wait=max_wait,
        reconcile=reconcile_by('delete', lambda: _both_gone(site, plan)))
    logid = answer.get('delete', {}).get('logid')
    talk_logid = None
    if plan.talk is not None and not together:
        talk_page = pywikibot.Page(site, plan.talk.title)
        talk_answer = submit_write(
            site, {'action': 'delete', 'title': plan.talk.title,
                   'reason': reason},
            token='csrf', page=talk_page, max_wait=max_wait,
            reconcile=reconcile_by('delete', lambda: find_delete(
                site, plan.talk.title)))
        talk_logid = talk_answer.get('delete', {}).get('logid')
    return DeleteResult(
        title=title, logid=logid, pageid=plan.pageid, latest=plan.latest,
        talk=plan.talk.title if plan.talk else None, talk_logid=talk_logid,
        simulated=is_simulation() and not answer.get('reconciled'))


def _both_gone(site: Any, plan: DeletePlan) -> dict[str, Any] | None:
    """The page, and the talk page deleted with it, are gone."""
    found = find_delete(site, plan.title)
    if found and plan.talk and site.mw_version >= DELETETALK_SINCE \
            and find_delete(site, plan.talk.title) is None:
        return None
    return found


def read_plan(page: pywikibot.Page, user: str, *,
              talk: bool = True) -> DeletePlan:
    """Read and plan the delete of *page* (and its talk page): one read."""
    site = page.site
    title = page.title()
    talk_title = None
    if talk and page.namespace().id >= 0 and not page.isTalkPage():
        talk_title = page.toggleTalkPage().title()
    pages = own_pages(site, [title] + ([talk_title] if talk_title else []))
    plan = plan_delete(pages[title], user)
    talk_page = pages.get(talk_title) if talk_title else None
    if talk_page and not talk_page.get('missing'):
        try:
            talk_plan = plan_delete(talk_page, user)
        except OtherAuthorsError:
            pywikibot.info(f'{talk_title}: not deleted, not {user}\'s alone')
        else:
            plan = dataclasses.replace(plan, talk=talk_plan)
    return plan


def default_reason(site: Any, user: str, *, nouser: bool = False) -> str:
    """The deletion reason naming *user*: Nuke's message where it is.

    Nuke's ``nuke-defaultreason`` (``$1`` the user) where the wiki has
    the extension, else the plugin's; both in the content language.
    With *nouser* the plugin's text without the name (Nuke has none).
    """
    if nouser:
        return plugin_message(site, 'delete-hidden')
    return (mw_message(site, 'nuke-defaultreason', user)
            or plugin_message(site, 'delete-creator', user=user))
