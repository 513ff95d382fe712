"""What undoing one run of a user's edits would write, before it is sent.

The API has no dry run of an undo, but MediaWiki's edit form computes
the same three-way merge (``index.php?action=edit&undo=…``): one GET,
nothing saved (:func:`undo_preview`). :func:`preview_run` turns its
answer into what the write will be: the undo itself where it merges,
else the removal of the spam links
(:func:`~pywikibot_revert.ops._undo_user_plan.links_instead`), with
the two texts an operator is shown before saying yes.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pywikibot
from pywikibot.comms import http

from ._undo_user_plan import UserRun, links_instead, no_longer_in_text
from ..wiki._query import revision_texts


__all__ = ['RunPreview', 'UndoPreview', 'parse_undo_form', 'preview_run',
           'undo_preview']


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


@dataclass(frozen=True)
class RunPreview:

    """What undoing one run will write, as an operator is shown it.

    :ivar how: ``'undo'`` (MediaWiki's undo, which merges) or
        ``'links'`` (it does not merge: the spam links go instead)
    :ivar old: the current text
    :ivar new: the text after the write
    """

    how: str
    old: str
    new: str


def preview_run(site: Any, page: pywikibot.Page, run: UserRun, *,
                user: str, base: int, addedlink: str | None = None,
                texts: dict[int, str] | None = None) -> RunPreview:
    """Return what undoing *run* would make of revision *base*'s text.

    One GET of the undo form (:func:`undo_preview`), then the text of
    *base* (the current revision) unless *texts* has it. Where the
    undo does not merge, or the run created the page, the links to
    *addedlink* go instead. Where the form shows no status (another
    skin, or a form this version does not have) the undo is previewed
    as no change: the wiki still answers whether it merges when sent.

    **Example:**

    .. code-block:: python

       preview = preview_run(site, page, run, user='Spambot',
                             base=page.latest_revision_id)
       pywikibot.showDiff(preview.old, preview.new)

    :param texts: revision texts read before, by revision id
    :raises AlreadyCleanError: the run is gone from the text
    :raises UndoFailedError: the undo does not merge, and there are no
        links to *addedlink* to remove instead
    """
    title = page.title()
    preview = undo_preview(site, title, run)
    if preview.status == 'nochange':
        raise no_longer_in_text(page, user, f' up to revision {run.undo}')
    texts = texts or {}
    current = (texts[base] if base in texts
               else revision_texts(site, [base]).get(base, ''))
    if preview.status == 'unknown' and run.undoafter:
        pywikibot.warning(f'{title}: no preview of the undo (the edit '
                          'form shows no undo status)')
        return RunPreview('undo', current, current)
    if preview.status == 'success' and run.undoafter:
        return RunPreview('undo', current, preview.text or '')
    removal = links_instead(
        page, current, addedlink, f'{title}: the undo of revision(s) '
        f'{run.first} to {run.undo} by {user} does not merge with the '
        f'later edits ({preview.status})')
    return RunPreview('links', current, removal.text)
