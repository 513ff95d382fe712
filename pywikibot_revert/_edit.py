"""Undo revisions with MediaWiki's own undo, and delete pages again.

The writes that reverse what a run did (``-undo``): an edit that undoes
a rollback, and a deletion that reverses an undelete. Both go through
:func:`~pywikibot_revert._write.submit_write`, so an uncertain outcome
is checked on the wiki before anything is resent.
"""
from __future__ import annotations

from typing import Any

import pywikibot
from pywikibot.exceptions import Error

from ._exceptions import ConflictError, OutcomeUnknownError
from ._query import read, top_revisions
from ._results import DeleteResult, EditResult
from ._rights import require_rights
from ._write import is_simulation, submit_write


__all__ = ['delete_page', 'landed_undo', 'page_missing', 'undo_revisions']


def landed_undo(revisions: list[dict[str, Any]], undo: int,
                me: str | None) -> bool | None:
    """Tell from the newest revisions whether *me*'s undo of *undo* landed.

    >>> landed_undo([{'revid': 9, 'parentid': 8, 'user': 'Me'}], 8, 'Me')
    True
    >>> landed_undo([{'revid': 8, 'parentid': 7, 'user': 'X'}], 8, 'Me')
    False

    :param revisions: the newest revisions, newest first
    :return: True if it landed, False if the page is still at *undo*,
        None if the page changed some other way
    """
    top = revisions[0] if revisions else {}
    if top.get('revid') == undo:
        return False
    if top.get('parentid') == undo and top.get('user') == me:
        return True
    return None


def undo_revisions(page: pywikibot.Page, *, undo: int,
                   undoafter: int | None = None, summary: str | None = None,
                   basetimestamp: Any = None,
                   max_wait: float | None = None) -> EditResult:
    """Undo revisions up to *undo* with ``action=edit``.

    MediaWiki computes the new text itself; with *undo* on top of the
    page that is exactly the text of *undoafter*. The edit is sent with
    ``baserevid`` (and *basetimestamp*) so that a concurrent edit comes
    back as a conflict, and ``nocreate`` so that a deleted page is not
    created again.

    **Example:** undo a rollback (revision 42, which replaced 41)::

        undo_revisions(page, undo=42, undoafter=41, summary='oops')

    :param undo: the newest revision to undo; must be the current one
    :param undoafter: undo the revisions after this one (default: the
        parent of *undo*)
    :raises OutcomeUnknownError: the answer was lost and the page has
        changed in another way since
    """
    site = page.site
    require_rights(site, 'edit')
    params: dict[str, Any] = {
        'action': 'edit', 'title': page.title(), 'undo': undo,
        'undoafter': undoafter, 'baserevid': undo, 'nocreate': True,
        'summary': summary, 'basetimestamp': basetimestamp}
    params = {k: v for k, v in params.items() if v is not None}

    def reconcile() -> dict[str, Any] | None:
        revs = top_revisions(site, title=page.title(), limit=2)
        landed = landed_undo(revs, undo, site.user())
        if landed is None:
            raise OutcomeUnknownError(
                f'{page.title()}: after an uncertain undo the page has '
                'other new revisions', page=page)
        if not landed:
            return None
        return {'edit': {'result': 'Success', 'title': page.title(),
                         'oldrevid': undo, 'newrevid': revs[0]['revid']}}

    answer = submit_write(site, params, token='csrf', reconcile=reconcile,
                          page=page, max_wait=max_wait)
    result = EditResult.from_api(
        {'title': page.title(), **answer.get('edit', {})},
        simulated=is_simulation() and not answer.get('reconciled'))
    if result.oldrevid not in (None, undo) and result.newrevid:
        _put_back(page, result, undo)
    return result


def _put_back(page: pywikibot.Page, result: EditResult, undo: int) -> None:
    """Undo our undo that MediaWiki merged onto someone else's edit.

    MediaWiki merges an undo with an edit that came after the read
    (the two touched other lines) instead of refusing it. The page is
    then not the state we looked at: our edit is undone at once and the
    page reported as a conflict.

    :raises ConflictError: always
    """
    what = (f'{page.title()}: revision {result.oldrevid} was saved after '
            f'{undo} was read, and MediaWiki merged the undo onto it')
    try:
        undo_revisions(page, undo=result.newrevid,
                       undoafter=result.oldrevid,
                       summary=f'Put back revision {result.oldrevid}: an '
                       'undo was merged onto it by mistake (edit conflict)')
    except Error as err:
        raise ConflictError(f'{what}; undoing that failed: {err}; check '
                            'the page by hand', page=page,
                            code='conflict') from err
    raise ConflictError(f'{what}; it was undone again', page=page,
                        code='conflict', restored=True)


def page_missing(site: Any, title: str) -> bool:
    """Ask the wiki (not pywikibot's cached page info) if *title* is gone."""
    data = read(site, action='query', titles=title, formatversion=2)
    return bool(data['query']['pages'][0].get('missing'))


def delete_page(page: pywikibot.Page, *, reason: str | None = None,
                max_wait: float | None = None) -> DeleteResult:
    """Delete *page* (``action=delete``), checked on the wiki if unsure.

    **Example:**

    .. code-block:: python

       delete_page(pywikibot.Page(site, 'Restored by mistake'),
                   reason='Undo undelete')
    """
    site = page.site
    require_rights(site, 'delete')
    params = {'action': 'delete', 'title': page.title()}
    if reason:
        params['reason'] = reason

    def reconcile() -> dict[str, Any] | None:
        gone = page_missing(site, page.title())
        return {'delete': {'title': page.title()}} if gone else None

    answer = submit_write(site, params, token='csrf', reconcile=reconcile,
                          page=page, max_wait=max_wait)
    data = answer.get('delete', {})
    return DeleteResult(title=page.title(), logid=data.get('logid'),
                        simulated=is_simulation()
                        and not answer.get('reconciled'))
