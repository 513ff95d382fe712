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
(:func:`~pywikibot_revert.ops._spamlinks.remove_links`), and nothing else.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pywikibot
from pywikibot.comms import http

from ._undo_user_plan import UserRun, read_plan, runs_adding_link
from ._edit import edit_on
from ..exceptions import AlreadyCleanError, NothingToDoError, UndoFailedError
from ..wiki._query import revision_texts
from ..results import EditResult, UndoUserResult
from ..wiki._rights import require_rights
from ._spamlinks import remove_links
from ..wiki._validate import normalize_username
from ..wiki._write import is_simulation


__all__ = ['UndoPreview', 'parse_undo_form', 'remove_spam', 'undo_preview',
           'undo_run', 'undo_user']


@dataclass(frozen=True)
class UndoPreview:

    """What MediaWiki's undo of a run would make of the current text.

    :ivar status: ``success``, ``nochange`` (already undone),
        ``failure`` (does not merge) or ``norev`` (a revision is gone)
    :ivar text: the merged text, for ``success``
    """

    status: str
    text: str | None = None


_UNDO_STATUS = re.compile(r'class="(?:error )?mw-undo-([a-z-]+)"')
_TEXTBOX = re.compile(r'<textarea[^>]*\bid="wpTextbox1"[^>]*>(.*?)'
                      r'</textarea>', re.S)


def parse_undo_form(page_html: str) -> UndoPreview:
    """Read the undo status and merged text off MediaWiki's edit form.

    >>> parse_undo_form('<div class="mw-undo-success">x</div>'
    ...                 '<textarea id="wpTextbox1" name="t">a &amp; b'
    ...                 '\\n</textarea>')
    UndoPreview(status='success', text='a & b')
    """
    found = _UNDO_STATUS.search(page_html)
    box = _TEXTBOX.search(page_html)
    status = found.group(1) if found else 'unknown'
    text = None
    if status == 'success' and box:
        text = html.unescape(box.group(1))
        # the form adds a newline at each end for browsers that strip it
        text = text[1:] if text.startswith('\n') else text
        text = text.rstrip()
    return UndoPreview(status, text)


def undo_preview(site: Any, title: str, run: UserRun) -> UndoPreview:
    """Ask MediaWiki what undoing *run* would make of the current text.

    The API has no dry run of an undo, but the edit form computes the
    same merge (``index.php?action=edit&undo=…``): one GET, nothing
    saved. Its status is read from the CSS class MediaWiki gives it,
    which does not depend on the language.
    """
    query_string = urlencode({'title': title, 'action': 'edit',
                              'undo': run.undo, 'undoafter': run.undoafter})
    response = http.request(site, uri=f'{site.path()}?{query_string}')
    return parse_undo_form(response.text)


def remove_spam(page: pywikibot.Page, *, domain: str, base: int,
                basetimestamp: Any = None, starttimestamp: Any = None,
                summary: str | None = None,
                max_wait: float | None = None) -> EditResult:
    """Remove the external links to *domain* from revision *base*'s text.

    Only the links go (:func:`~pywikibot_revert.ops._spamlinks.remove_links`);
    the edit is conflict-safe as
    :func:`~pywikibot_revert.ops._edit.edit_on`.

    **Example:**

    .. code-block:: python

       remove_spam(page, domain='spam.example', base=page.latest_revision_id)

    :raises UndoFailedError: the text has no link to *domain*
    """
    text = revision_texts(page.site, [base]).get(base, '')
    removal = remove_links(text, domain)
    if not removal.changed:
        raise UndoFailedError(f'{page.title()}: the undo does not merge, '
                              f'and the text has no link to {domain}',
                              page=page, code='undofailure')
    return edit_on(page, base=base, basetimestamp=basetimestamp,
                   starttimestamp=starttimestamp, text=removal.text,
                   max_wait=max_wait, summary=summary or (
                       f'Remove {len(removal.removed)} link(s) to {domain}'))


def undo_run(page: pywikibot.Page, run: UserRun, *, user: str, base: int,
             basetimestamp: Any = None, starttimestamp: Any = None,
             summary: str | None = None, addedlink: str | None = None,
             max_wait: float | None = None) -> EditResult:
    """Undo one run of *user*'s edits with MediaWiki's undo.

    Where it does not merge and *addedlink* is given, the links to that
    domain are removed from the current text instead.

    :param base: the page's current revision, as read
    :raises AlreadyCleanError: the undo would change nothing
    :raises UndoFailedError: it does not merge (and there are no links
        to *addedlink* to remove), or the run created the page
    :raises EditConflictError: a revision saved after *base* met it
    """
    summary = summary or run.summary(user)
    try:
        if not run.undoafter:
            raise UndoFailedError(f'{page.title()}: revision {run.first} '
                                  f'by {user} created the page; an undo '
                                  'would blank it', page=page)
        result = edit_on(page, base=base, basetimestamp=basetimestamp,
                         starttimestamp=starttimestamp, summary=summary,
                         max_wait=max_wait, undo=run.undo,
                         undoafter=run.undoafter)
    except UndoFailedError:
        if not addedlink:
            raise
        return remove_spam(page, domain=addedlink, base=base,
                           basetimestamp=basetimestamp,
                           starttimestamp=starttimestamp,
                           summary=f'{summary}: it does not merge; remove '
                           f'the links to {addedlink}', max_wait=max_wait)
    if result.nochange:
        raise AlreadyCleanError(f'{page.title()}: the edits of {user} up '
                                f'to revision {run.undo} are no longer in '
                                'the text', page=page)
    return result


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
    base, stamp = plan.base, plan.basetimestamp
    done: dict[str, list[Any]] = {'undone': [], 'not_merged': [],
                                  'clean': [], 'edits': []}
    for run in runs:
        try:
            result = undo_run(page, run, user=user, base=base,
                              basetimestamp=stamp,
                              starttimestamp=plan.starttimestamp,
                              summary=summary, addedlink=addedlink,
                              max_wait=max_wait)
        except AlreadyCleanError:
            done['clean'].append(run)
            continue
        except UndoFailedError:
            done['not_merged'].append(run)
            continue
        done['undone'].append(run)
        done['edits'].append(result)
        if result.newrevid:
            base, stamp = result.newrevid, result.timestamp
    if not done['edits']:
        if done['not_merged']:
            raise UndoFailedError(f'{title}: the undo of the edits of '
                                  f'{user} does not merge with the later '
                                  'edits', page=page, code='undofailure')
        raise AlreadyCleanError(f'{title}: the edits of {user} are no '
                                'longer in the text', page=page)
    return UndoUserResult(title=title, user=user,
                          **{k: tuple(v) for k, v in done.items()},
                          simulated=is_simulation())
