"""Conflict-safe edits and undos, the one put-back, deleting pages again.

:func:`edit_on` saves an edit planned on a known revision, never over
one saved since: the undo of buried edits and the removal of spam
links, and (through :func:`undo_revisions`) ``-undo``'s reversal of a
rollback. :func:`delete_page` reverses an undelete. Both go through
:func:`~pywikibot_revert.wiki._write.submit_write`, so an uncertain outcome
is checked on the wiki (:func:`find_edit`, :func:`find_delete`) before
anything is resent.

A write that replaced a change made after our read puts it back at once
and reports the conflict (:func:`put_back`): an edit merged onto an
unseen revision here, a file revert over an unseen upload in
:mod:`~pywikibot_revert.ops._filerevert`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pywikibot
from pywikibot.exceptions import Error

from ..exceptions import ConflictError, EditConflictError, OutcomeUnknownError
from ..wiki._i18n import plugin_message
from ..wiki._query import read, top_revisions
from ..results import DeleteResult, EditResult
from ..wiki._rights import require_rights
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['delete_page', 'edit_on', 'find_delete', 'find_edit', 'landed',
           'put_back', 'undo_revisions']


def landed(revisions: list[dict[str, Any]], base: int,
           me: str | None) -> bool | None:
    """Tell from the newest revisions whether *me*'s edit on *base* landed.

    >>> landed([{'revid': 9, 'parentid': 8, 'user': 'Me'}], 8, 'Me')
    True
    >>> landed([{'revid': 8, 'parentid': 7, 'user': 'X'}], 8, 'Me')
    False

    :param revisions: the newest revisions, newest first
    :param base: the revision the edit was made on
    :return: True if it landed, False if the page is still at *base*,
        None if the page changed some other way
    """
    top = revisions[0] if revisions else {}
    if top.get('revid') == base:
        return False
    if top.get('parentid') == base and top.get('user') == me:
        return True
    return None


def find_edit(site: Any, title: str, base: int) -> dict[str, Any] | None:
    """Ask the wiki whether this account's edit on revision *base* landed.

    One read of the two newest revisions (:func:`landed`); after an
    uncertain answer, and on resume after a kill.

    :return: the ``edit`` answer the API would have given, or None when
        the page is still at *base*
    :raises OutcomeUnknownError: the page has other new revisions
    """
    revs = top_revisions(site, title=title, limit=2)
    done = landed(revs, base, site.user())
    if done is None:
        raise OutcomeUnknownError(f'{title}: other new revisions since the '
                                  f'edit on revision {base}')
    if not done:
        return None
    return {'result': 'Success', 'title': title, 'oldrevid': base,
            'newrevid': revs[0]['revid'],
            'newtimestamp': revs[0].get('timestamp')}


def edit_on(page: pywikibot.Page, *, base: int,
            basetimestamp: Any = None, starttimestamp: Any = None,
            summary: str | None = None, max_wait: float | None = None,
            **fields: Any) -> EditResult:
    """Save an edit planned on revision *base*, never over an unseen one.

    The edit (``action=edit`` with *fields*: ``undo``/``undoafter`` or
    ``text``) names its base revision (``baserevid``, *basetimestamp*,
    *starttimestamp*), so that MediaWiki treats a revision saved since
    as an edit conflict, and is sent with ``nocreate``, so that a page
    deleted meanwhile is not created again. MediaWiki merges an edit
    onto a later revision when the two touch other lines; the answer
    then names that revision (``oldrevid``), and the edit is undone at
    once (:func:`put_back`).

    **Example:** replace the text of revision 41, if it is current::

        edit_on(page, base=41, text='clean text', summary='cleanup')

    :param base: the revision the edit was planned on
    :return: the result; ``nochange`` when the text was already so
        (nothing was saved)
    :raises EditConflictError: a revision saved after *base* met the
        edit (refused, or merged and undone again)
    :raises OutcomeUnknownError: the answer was lost and the page has
        changed in another way since
    """
    site = page.site
    require_rights(site, 'edit')
    params: dict[str, Any] = {
        'action': 'edit', 'title': page.title(), 'baserevid': base,
        'basetimestamp': basetimestamp, 'starttimestamp': starttimestamp,
        'nocreate': True, 'summary': summary, **fields}
    params = {k: v for k, v in params.items() if v is not None}

    answer = submit_write(
        site, params, token='csrf', page=page, max_wait=max_wait,
        reconcile=reconcile_by('edit', lambda: find_edit(
            site, page.title(), base)))
    if is_simulation() and not answer.get('reconciled'):
        return EditResult(title=page.title(), simulated=True)
    result = EditResult.from_api({'title': page.title(),
                                  **answer.get('edit', {})})
    if result.oldrevid not in (None, base) and result.newrevid:
        put_back(page, f'{page.title()}: edit conflict: revision '
                 f'{result.oldrevid} was saved after {base} was read, and '
                 'MediaWiki merged the edit onto it',
                 lambda: undo_revisions(
                     page, undo=result.newrevid, undoafter=result.oldrevid,
                     summary=plugin_message(site, 'putback-edit',
                                            revid=result.oldrevid)),
                 error=EditConflictError, code='editconflict',
                 undoing='undoing that', undone='it was undone again')
    return result


def undo_revisions(page: pywikibot.Page, *, undo: int,
                   undoafter: int | None = None, summary: str | None = None,
                   basetimestamp: Any = None,
                   max_wait: float | None = None) -> EditResult:
    """Undo revisions up to *undo*, the current one, with ``action=edit``.

    MediaWiki computes the new text itself; with *undo* on top of the
    page that is exactly the text of *undoafter*. Conflict-safe as
    :func:`edit_on`, with *undo* as the base revision.

    **Example:** undo a rollback (revision 42, which replaced 41)::

        undo_revisions(page, undo=42, undoafter=41, summary='oops')

    :param undo: the newest revision to undo; must be the current one
    :param undoafter: undo the revisions after this one (default: the
        parent of *undo*)
    :raises EditConflictError: a revision saved after *undo* met it
    :raises OutcomeUnknownError: the answer was lost and the page has
        changed in another way since
    """
    return edit_on(page, base=undo, basetimestamp=basetimestamp,
                   summary=summary, max_wait=max_wait, undo=undo,
                   undoafter=undoafter)


def put_back(page: pywikibot.Page, conflict: str,
             restore: Callable[[], Any], *,
             error: type[ConflictError] = ConflictError,
             code: str = 'conflict', undoing: str = 'putting it back',
             undone: str = 'it was put back',
             thing: str = 'page') -> NoReturn:
    """Put back what a write replaced by mistake; report the conflict.

    A write that replaced a change made after our read (an edit merged
    onto an unseen revision, a file revert over an unseen upload) is
    undone at once by *restore*, and the item is a conflict, never
    done: restored, or, if that failed too, left for a person.

    **Example:**

    .. code-block:: python

       put_back(filepage, f'{title}: an upload came after the plan',
                lambda: filerevert(filepage, archivename=theirs),
                thing='file')

    :param conflict: what happened, the start of the error's message
    :param restore: the write that puts the replaced change back
    :param error: the conflict's class, and *code* its code
    :param undoing: what *restore* does, named in the message if it fails
    :param undone: the message's end when it did
    :param thing: what to check by hand if it failed
    :raises ConflictError: always (*error*); ``restored`` when
        *restore* succeeded
    """
    try:
        restore()
    except Error as err:
        raise error(f'{conflict}; {undoing} failed: {err}; check the '
                    f'{thing} by hand', page=page, code=code) from err
    raise error(f'{conflict}; {undone}', page=page, code=code,
                restored=True)


def find_delete(site: Any, title: str) -> dict[str, Any] | None:
    """Ask the wiki (not pywikibot's cached page info) if *title* is gone.

    :return: the ``delete`` answer the API would have given (the title),
        or None when the page is still there
    """
    data = read(site, action='query', titles=title, formatversion=2)
    if data['query']['pages'][0].get('missing'):
        return {'title': title}
    return None


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

    answer = submit_write(
        site, params, token='csrf', page=page, max_wait=max_wait,
        reconcile=reconcile_by('delete', lambda: find_delete(
            site, page.title())))
    data = answer.get('delete', {})
    return DeleteResult(title=page.title(), logid=data.get('logid'),
                        simulated=is_simulation()
                        and not answer.get('reconciled'))
