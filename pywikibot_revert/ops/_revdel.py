"""Hide or show revisions of one page (``action=revisiondelete``).

Revision deletion sets three bits on a revision: its content, its edit
summary (the API's ``comment``) and its user name. Each may be hidden,
shown, or left as it is; :func:`set_visibility` sets any of them on or
off, on revisions of one page, and reports what each revision was
before, so the change can be put back (a run's ``-undo``, or the
visibility a rogue administrator changed).

Only the ``deleterevision`` right is needed. Suppression (hiding from
administrators too, ``suppressrevision``) is never asked for unless the
caller says so (``suppress=True``).

MediaWiki refuses a hidden revision as the base of a rollback
(``notvisiblerev``) or an undo (``nosuchrevid``): a revert is sent
first, and its revisions are hidden only once it has landed. The
content of a page's current revision cannot be hidden
(``revdelete-hide-current``).

The write's answer says per revision whether it changed; a revision
already as asked is not an error (the wiki warns ``revdelete-no-change``).
After a lost answer the wiki is read again (:func:`find_revdel`): the
write landed when every revision is as asked. Sending it again is
harmless: a revision already as asked stays as it is.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pywikibot
from pywikibot.exceptions import APIError

from ..exceptions import (
    MissingRightError,
    MissingTargetError,
    RevisionDeleteError,
)
from ..results import RevisionDeleteResult
from ..wiki._apierrors import from_api_error
from ..wiki._params import batched
from ..wiki._query import query
from ..wiki._i18n import plugin_message
from ..wiki._messages import site_messages
from ..wiki._rights import require_rights
from ..wiki._write import is_simulation, reconcile_by, submit_write


__all__ = ['BITS', 'find_revdel', 'parse_bits', 'plan_visibility',
           'set_visibility', 'visibility']

#: the bits of a revision, in the API's words
BITS = ('content', 'comment', 'user')

#: a bit -> the flag ``prop=revisions`` sets when it is hidden
#: (``texthidden`` only comes with the content; ``sha1hidden`` is the
#: same bit and costs no content read, on 1.35 to 1.43 alike)
FLAGS = {'content': 'sha1hidden', 'comment': 'commenthidden',
         'user': 'userhidden'}

#: the words an operator may use for a bit
ALIASES = {'content': 'content', 'text': 'content', 'comment': 'comment',
           'summary': 'comment', 'user': 'user'}


def parse_bits(values: str | Iterable[str]) -> tuple[str, ...]:
    """Return the API's bits for an operator's words, in :data:`BITS` order.

    ``summary`` is the API's ``comment``.

    >>> parse_bits('content,summary,user')
    ('content', 'comment', 'user')
    >>> parse_bits(['user', 'content'])
    ('content', 'user')
    >>> parse_bits('content,name')
    Traceback (most recent call last):
    ...
    ValueError: not a revision part: 'name' (content, summary, user)

    :raises ValueError: a word is none of them, or none is given
    """
    if isinstance(values, str):
        values = values.split(',')
    bits = set()
    for value in values:
        word = value.strip().lower()
        if word not in ALIASES:
            raise ValueError(f'not a revision part: {value.strip()!r} '
                             '(content, summary, user)')
        bits.add(ALIASES[word])
    if not bits:
        raise ValueError('no revision part given (content, summary, user)')
    return tuple(bit for bit in BITS if bit in bits)


def _bits_of(rev: dict[str, Any]) -> frozenset[str]:
    """The hidden bits of a revision of ``prop=revisions``."""
    hidden = {bit for bit, flag in FLAGS.items() if rev.get(flag)}
    if rev.get('suppressed'):
        hidden.add('suppressed')
    return frozenset(hidden)


def read_revisions(site: Any, revids: Iterable[int], *, batch: int = 50
                   ) -> dict[int, tuple[str, frozenset[str]]]:
    """Return each revision's page title and hidden bits (one read each 50).

    Any account may read the flags, also one that cannot see what they
    hide. A revision of a deleted page, or no revision, is left out.

    :return: revid -> (title, hidden bits); the bits are of
        :data:`BITS`, plus ``'suppressed'`` when hidden from
        administrators too
    """
    found: dict[int, tuple[str, frozenset[str]]] = {}
    for chunk in batched(sorted(set(revids)), batch):
        for part in query(site, prop='revisions', revids=chunk,
                          rvprop='ids|user|comment|sha1'):
            for page in part.get('pages', []):
                for rev in page.get('revisions', []):
                    found[rev['revid']] = (page['title'], _bits_of(rev))
    return found


def visibility(site: Any, revids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Return the hidden bits of each revision, as the wiki shows them now.

    **Example:**

    .. code-block:: python

       visibility(site, [123, 124])
       # {123: frozenset({'content', 'user'}), 124: frozenset()}

    :return: revid -> hidden bits (as ``read_revisions`` reads them); a
        revision of a deleted page is left out
    """
    return {revid: bits
            for revid, (_, bits) in read_revisions(site, revids).items()}


def plan_visibility(before: dict[int, frozenset[str]], hide: Iterable[str],
                    show: Iterable[str]) -> dict[int, frozenset[str]]:
    """Return the hidden bits each revision is to have after the write.

    >>> after = plan_visibility({7: frozenset({'user'}), 8: frozenset()},
    ...                         hide=['content'], show=['user'])
    >>> sorted(after[7]), sorted(after[8])
    (['content'], ['content'])
    """
    hide, show = frozenset(hide), frozenset(show)
    return {revid: (bits | hide) - show for revid, bits in before.items()}


def _as_asked(bits: frozenset[str], hide: frozenset[str],
              show: frozenset[str]) -> bool:
    return hide <= bits and not show & bits


def find_revdel(site: Any, revids: Iterable[int], hide: Iterable[str],
                show: Iterable[str]) -> dict[str, Any] | None:
    """Ask the wiki whether a revision deletion landed (one read).

    :return: the answer the API would have given when every revision
        is as asked, None when one is not
    """
    hide, show = frozenset(hide), frozenset(show)
    now = visibility(site, revids)
    if not now or not all(_as_asked(bits, hide, show)
                          for bits in now.values()):
        return None
    return {'status': 'Success', 'items': [
        {'id': revid, 'status': 'Success',
         **{FLAGS[bit].replace('sha1', 'text'): bit in bits for bit in BITS}}
        for revid, bits in sorted(now.items())]}


def _item_failures(answer: dict[str, Any]) -> list[tuple[int, str, str]]:
    """Return (revid, code, text) of each revision the wiki refused."""
    failures = []
    for item in answer.get('items', []):
        for error in item.get('errors', []):
            code = error.get('code') or error.get('message') or '?'
            text = error.get('text') or error.get('html') or code
            failures.append((int(item.get('id', 0)), code, text))
    return failures


def _changed(answer: dict[str, Any]) -> tuple[int, ...]:
    """The revisions the write changed (not those already as asked)."""
    return tuple(sorted(
        int(item['id']) for item in answer.get('items', [])
        if item.get('status') == 'Success' and not any(
            (w.get('code') or w.get('message')) == 'revdelete-no-change'
            for w in item.get('warnings', []))))


def set_visibility(site: Any, revids: Iterable[int], *,
                   hide: Iterable[str] = (), show: Iterable[str] = (),
                   reason: str | None = None, suppress: bool = False,
                   title: str | None = None, max_wait: float | None = None) -> RevisionDeleteResult:
    """Hide or show parts of revisions of one page.

    The revisions are read first (one read): their page, and what each
    hides before the write, which the result keeps.

    **Example:**

    .. code-block:: python

       result = set_visibility(site, [123, 124], hide=['content', 'user'],
                               reason='Doxxing')
       print(result.changed, result.previous(123))

    :param revids: revisions of one page
    :param hide: bits to hide, of ``content``, ``comment``, ``user``
    :param show: bits to show again, of ``content``, ``comment``, ``user``
    :param reason: the reason logged; default says what is hidden
    :param suppress: hide from administrators too (``suppressrevision``);
        never sent otherwise
    :param title: the page the revisions must be of, where known
    :raises ValueError: no bit, a bit unknown or both hidden and shown,
        no revision, or revisions of several pages
    :raises MissingTargetError: a revision does not exist (or its page
        is deleted)
    :raises MissingRightError: ``deleterevision`` (or, with *suppress*,
        ``suppressrevision``) is missing
    :raises RevisionDeleteError: the wiki refused a revision (the
        current revision's content, one hidden from the account...)
    """
    hide, show = tuple(hide), tuple(show)
    revids = tuple(sorted({int(revid) for revid in revids}))
    unknown = set(hide + show) - set(BITS)
    if unknown:
        raise ValueError(f'unknown revision parts: {sorted(unknown)} '
                         f'(of {", ".join(BITS)})')
    if set(hide) & set(show):
        raise ValueError(f'both hidden and shown: {sorted(set(hide) & set(show))}')
    if not hide and not show:
        raise ValueError('nothing to hide or show')
    if not revids:
        raise ValueError('no revision given')
    require_rights(site, 'revisiondelete')
    if suppress and not site.has_right('suppressrevision'):
        raise MissingRightError(
            f'suppress needs the \'suppressrevision\' right, which user '
            f'{site.user()} does not have on {site}',
            right='suppressrevision', site=site, code='permissiondenied')
    found = read_revisions(site, revids)
    missing = [revid for revid in revids if revid not in found]
    if missing:
        raise MissingTargetError(
            f'no such revision (or its page is deleted): '
            f'{", ".join(map(str, missing))}', site=site,
            code='revdelete-modify-missing')
    titles = sorted({title for title, _ in found.values()})
    if len(titles) > 1:
        raise ValueError(f'revisions of several pages: {", ".join(titles)}')
    if title is not None and titles != [title]:
        raise ValueError(f'revisions not of {title}: of {", ".join(titles)}')
    title = titles[0]
    before = {revid: bits for revid, (_, bits) in found.items()}
    params: dict[str, Any] = {
        'action': 'revisiondelete', 'type': 'revision', 'target': title,
        'ids': list(revids),
        'reason': reason or default_reason(site, hide, show)}
    if hide:
        params['hide'] = list(hide)
    if show:
        params['show'] = list(show)
    if suppress:
        params['suppress'] = 'yes'
    page = pywikibot.Page(site, title)
    answer = submit_write(
        site, params, token='csrf', page=page, max_wait=max_wait,
        reconcile=reconcile_by('revisiondelete', lambda: find_revdel(
            site, revids, hide, show)))
    data = answer.get('revisiondelete', {})
    failures = _item_failures(data)
    if failures:
        revid, code, text = failures[0]
        raise from_api_error(
            APIError(code, f'revision {revid}: {text}'), page=page,
            site=site, default=RevisionDeleteError)
    reconciled = bool(answer.get('reconciled'))
    simulated = is_simulation() and not reconciled and 'items' not in data
    if reconciled:
        changed = tuple(revid for revid in revids if not _as_asked(
            before[revid], frozenset(hide), frozenset(show)))
    else:
        changed = _changed(data)
    return RevisionDeleteResult(
        title=title, revids=revids, hidden=hide, shown=show,
        before=tuple(sorted(before.items())), changed=changed,
        simulated=simulated, reconciled=reconciled)


#: a bit -> MediaWiki's name of it on the revision deletion form
BIT_MESSAGES = {'content': 'revdelete-hide-text',
                'comment': 'revdelete-hide-comment',
                'user': 'revdelete-hide-user'}


def default_reason(source: Any, hide: Iterable[str],
                   show: Iterable[str]) -> str:
    """The reason logged when the caller gives none.

    In the wiki's content language: the parts are named by MediaWiki's
    own revision deletion form (one read per run), the frame is the
    plugin's.

    >>> default_reason('en', ['content', 'comment'], [])
    'Hiding: content, comment'
    >>> default_reason('en', ['user'], ['content'])
    'Hiding: user; Showing again: content'

    :param source: a site, or a language code (the parts then keep
        their API names)
    """
    hide, show = tuple(hide), tuple(show)
    names = {b: b for b in BITS}
    if not isinstance(source, str):
        texts = site_messages(source, BIT_MESSAGES.values())
        names.update((b, texts[m]) for b, m in BIT_MESSAGES.items()
                     if texts[m])
    parts = []
    if hide:
        parts.append(plugin_message(source, 'revdel-hide', parts=', '.join(
            names[b] for b in hide)))
    if show:
        parts.append(plugin_message(source, 'revdel-show', parts=', '.join(
            names[b] for b in show)))
    return '; '.join(parts)
