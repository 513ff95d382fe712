"""Plan the undo of a user's edits buried under later edits.

Rollback reverts a user's edits only while they are on top of the page.
Further down the history, each *run* of the user's edits (consecutive
revisions, nobody else in between) can be undone with MediaWiki's undo
(:mod:`~pywikibot_revert.ops._undo_user`). This module finds the runs
(:func:`find_runs`, :func:`plan_buried`, both pure) from reads that
serve many pages at once where the API allows: the user's
contributions (500 per request, :func:`user_edits`) and the pages'
latest revisions (50 per request,
:func:`~pywikibot_revert.wiki._query.latest_revisions_at`). A page
selection is planned from its history (:func:`read_plan`, one read).

What undoing one run would write is previewed by
:mod:`~pywikibot_revert.ops._undo_user_preview`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pywikibot

from ..exceptions import (
    AlreadyCleanError,
    MissingTargetError,
    NothingToDoError,
    UndoFailedError,
)
from ..wiki._i18n import plugin_message
from ..wiki._messages import format_message, mw_message
from ..wiki._query import query, read, revision_texts
from ._spamlinks import LinkRemoval, remove_links
from ._wikitext import adds_link_to


__all__ = ['BuriedPlan', 'UserRun', 'find_runs', 'links_instead',
           'no_longer_in_text', 'plan_buried', 'read_plan', 'runs_adding_link',
           'top_run', 'user_edits', 'whole_history']


#: MediaWiki's English ``undo-summary``
UNDO_SUMMARY = ('Undo revision $1 by [[Special:Contributions/$2|$2]] '
                '([[User talk:$2|talk]])')


@dataclass(frozen=True)
class UserRun:

    """Consecutive edits by one user on one page, nobody else between.

    >>> run = UserRun(first=8, undo=9, undoafter=5, count=2)
    >>> run.summary('Spambot')
    'Undo revisions 8 to 9 by [[Special:Contributions/Spambot|Spambot]]'
    >>> UserRun(8, 8, 5, 1).summary('Spambot')
    'Undo revision 8 by [[Special:Contributions/Spambot|Spambot]] ([[User talk:Spambot|talk]])'
    >>> UserRun(7, 8, 5, 2).summary('Spambot', nouser=True)
    'Undo revisions 7 to 8 by a hidden user'

    :ivar first: the oldest revision of the run
    :ivar undo: the newest revision of the run
    :ivar undoafter: the revision before the run; 0 when the run
        created the page
    :ivar count: how many revisions
    """

    first: int
    undo: int
    undoafter: int
    count: int

    def summary(self, user: str, site: Any = None, *,
                nouser: bool = False) -> str:
        """Return the default edit summary of the run's undo.

        One revision: MediaWiki's own, as its API writes it for an undo
        without a summary (``undo-summary``: ``$1`` the revision, ``$2``
        its user), or ``undo-summary-username-hidden`` with *nouser*.
        Several: MediaWiki has no message, the plugin's is used. Both in
        the wiki's content language (English without a *site*).

        :param site: the wiki, whose messages and language are used
        :param nouser: leave *user*'s name out
        """
        source = 'en' if site is None else site
        if self.count == 1 and site is not None:
            text = (mw_message(site, 'undo-summary-username-hidden',
                               self.undo) if nouser else
                    mw_message(site, 'undo-summary', self.undo, user))
            if text:
                return text
        if self.count == 1 and not nouser:
            # MediaWiki's English text, for a caller without a site
            return format_message(UNDO_SUMMARY, self.undo, user)
        if nouser:
            return plugin_message(source, 'undo-revisions-hidden',
                                  first=self.first, last=self.undo)
        return plugin_message(source, 'undo-revisions', first=self.first,
                              last=self.undo, user=user)


def find_runs(revisions: Iterable[dict[str, Any]]) -> list[UserRun]:
    """Group one user's revisions of one page into runs, newest first.

    A revision belongs to the run of the next newer one when it is that
    one's parent: nobody else edited in between.

    >>> revs = [{'revid': 9, 'parentid': 8}, {'revid': 8, 'parentid': 5},
    ...         {'revid': 3, 'parentid': 0}]
    >>> [(r.first, r.undo, r.undoafter, r.count) for r in find_runs(revs)]
    [(8, 9, 5, 2), (3, 3, 0, 1)]

    :param revisions: the user's revisions (any order), each with
        ``revid`` and ``parentid``
    """
    runs: list[UserRun] = []
    for rev in sorted(revisions, key=lambda r: r['revid'], reverse=True):
        parent = int(rev.get('parentid') or 0)
        if runs and runs[-1].undoafter == rev['revid']:
            last = runs.pop()
            runs.append(UserRun(rev['revid'], last.undo, parent,
                                last.count + 1))
        else:
            runs.append(UserRun(rev['revid'], rev['revid'], parent, 1))
    return runs


@dataclass(frozen=True)
class BuriedPlan:

    """What undoing one user's edits on one page will do.

    :ivar base: the current revision, which the first edit builds on
    :ivar basetimestamp: its timestamp
    :ivar starttimestamp: the wiki's time when the page was read
    :ivar runs: the user's runs under later edits, newest first
    :ivar top: the user's run on top of the page (rollback's job)
    """

    title: str
    user: str
    base: int
    basetimestamp: str | None
    runs: tuple[UserRun, ...]
    top: UserRun | None = None
    starttimestamp: str | None = None

    @property
    def old(self) -> int | None:
        """The revision before the user's first edit (for a diff link)."""
        runs = (*self.runs, *([self.top] if self.top else []))
        return min((r.undoafter for r in runs), default=None) or None


def plan_buried(revisions: Iterable[dict[str, Any]],
                current: dict[str, Any], *, user: str, title: str = '',
                starttimestamp: str | None = None) -> BuriedPlan:
    """Plan the undo of *user*'s runs on a page.

    >>> plan = plan_buried([{'revid': 9, 'parentid': 8},
    ...                     {'revid': 6, 'parentid': 5}],
    ...                    {'revid': 9, 'timestamp': 'T'}, user='V')
    >>> plan.top.undo, [r.undo for r in plan.runs], plan.old
    (9, [6], 5)

    :param revisions: the user's revisions of the page (in the window)
    :param current: the page's latest revision (``revid``, ``timestamp``)
    :raises NothingToDoError: no revisions by *user*
    """
    runs = find_runs(revisions)
    if not runs:
        raise NothingToDoError(f'{title}: no edits by {user}')
    top = runs[0] if runs[0].undo == current['revid'] else None
    return BuriedPlan(title, user, current['revid'],
                      current.get('timestamp'),
                      tuple(runs[1:] if top else runs), top,
                      starttimestamp)


def _in_window(timestamp: str, since: Any, until: Any) -> bool:
    stamp = pywikibot.Timestamp.fromISOformat(timestamp)
    return (not since or stamp >= since) and (not until or stamp <= until)


def read_plan(site: Any, title: str, *, user: str, since: Any = None,
              until: Any = None) -> BuriedPlan:
    """Read a page's history and plan the undo of *user*'s runs.

    One read (more only for a history longer than 500 revisions since
    *since*).

    :raises MissingTargetError: the page does not exist
    :raises NothingToDoError: no revisions by *user* in the window
    """
    params = {'action': 'query', 'prop': 'revisions', 'titles': title,
              'rvprop': 'ids|timestamp|user', 'rvlimit': 'max',
              'curtimestamp': 1, 'formatversion': 2}
    if since:
        params['rvend'] = since.isoformat()
    revs: list[dict[str, Any]] = []
    cont: dict[str, Any] = {}
    start = None
    while True:
        data = read(site, **params, **cont)
        start = start or data.get('curtimestamp')
        page = data['query']['pages'][0]
        if page.get('missing') or page.get('invalid'):
            raise MissingTargetError(f'page {title} does not exist',
                                     site=site, code='missingtitle')
        revs += page.get('revisions', [])
        if 'continue' not in data:
            break
        cont = data['continue']
    mine = [r for r in revs if r.get('user') == user
            and _in_window(r['timestamp'], since, until)]
    return plan_buried(mine, revs[0], user=user, title=title,
                       starttimestamp=start)


def user_edits(site: Any, user: str | None, *, since: Any = None,
               until: Any = None, namespaces: Iterable[int] | None = None,
               iprange: str | None = None
               ) -> dict[str, list[dict[str, Any]]]:
    """Return *user*'s edits in the window, by page, newest page first.

    Reads ``list=usercontribs`` to the end, 500 edits per request.
    Each edit has ``revid``, ``parentid``, ``timestamp``, ``top`` (it is
    the page's latest revision), ``new`` (it created the page),
    ``pageid``, ``size``, ``sizediff`` and ``user`` (with *iprange*, the
    contributions of a whole IP range instead of *user*'s).
    """
    params: dict[str, Any] = {
        'list': 'usercontribs', 'ucuser': user, 'uciprange': iprange,
        'uclimit': 'max',
        'ucprop': 'ids|title|timestamp|flags|size|sizediff',
        'ucend': since.totimestampformat() if since else None,
        'ucstart': until.totimestampformat() if until else None,
        'ucnamespace': '|'.join(map(str, namespaces)) if namespaces
        else None}
    edits: dict[str, list[dict[str, Any]]] = {}
    for part in query(site, **{k: v for k, v in params.items()
                               if v is not None}):
        for contrib in part.get('usercontribs', []):
            edits.setdefault(contrib['title'], []).append(
                {'revid': contrib['revid'],
                 'parentid': contrib.get('parentid', 0),
                 'timestamp': contrib['timestamp'],
                 'top': bool(contrib.get('top')),
                 'new': bool(contrib.get('new')),
                 'pageid': contrib.get('pageid'),
                 'sizediff': contrib.get('sizediff'),
                 'size': contrib.get('size'),
                 'user': contrib.get('user')})
    return edits


def runs_adding_link(site: Any, runs: Iterable[UserRun], domain: str,
                     texts: dict[int, str] | None = None) -> list[UserRun]:
    """Return the runs that added an external link to *domain*.

    :param texts: revision texts read before; the missing ones are
        read here, 50 revisions per request
    """
    runs = list(runs)
    texts = dict(texts or {})
    texts.update(revision_texts(site, [
        rev for run in runs for rev in (run.undoafter, run.undo)
        if rev and rev not in texts]))
    return [run for run in runs
            if adds_link_to(texts.get(run.undoafter, ''),
                            texts.get(run.undo, ''), domain)]


def no_longer_in_text(page: pywikibot.Page, user: str,
                      which: str = '') -> AlreadyCleanError:
    """Return the error for edits of *user* gone from the current text.

    The one wording of "already clean": for one run (*which* names
    it), for the runs under later edits, for all of a page's runs.

    **Example:**

    .. code-block:: python

       raise no_longer_in_text(page, 'Spambot', ' up to revision 9')

    :param which: which of the user's edits, said after the user's name
    """
    return AlreadyCleanError(f'{page.title()}: the edits of {user}{which} '
                             'are no longer in the text', page=page)


def links_instead(page: pywikibot.Page | None, text: str, domain: str | None,
                  failure: str) -> LinkRemoval:
    """Return *text* without its links to *domain*: the undo's fallback.

    Where MediaWiki's undo of a run does not merge (the preview says
    so, or the wiki when it is sent), spam can still go: the links to
    *domain* are removed from the current text, and nothing else.

    >>> links_instead(None, 'a http://spam.example b', 'spam.example',
    ...               'no merge').text
    'a b'

    :param text: the current text
    :param domain: the spam domain (``-addedlink``), or None
    :param failure: the message when there is nothing to remove
    :raises UndoFailedError: no *domain*, or no link to it in *text*
    """
    removal = remove_links(text, domain) if domain else None
    if removal is None or not removal.changed:
        raise UndoFailedError(failure, page=page, code='undofailure')
    return removal


def top_run(edits: list[dict[str, Any]]) -> int:
    """Count the user's edits on top of a page, in one unbroken run.

    Those a rollback undoes; the rest are under later edits.

    >>> top_run([{'revid': 9, 'parentid': 8, 'top': True},
    ...          {'revid': 8, 'parentid': 5, 'top': False},
    ...          {'revid': 3, 'parentid': 2, 'top': False}])
    2

    :param edits: the user's edits on one page, newest first
    """
    if not edits or not edits[0]['top']:
        return 0
    count = 1
    while count < len(edits) \
            and edits[count - 1]['parentid'] == edits[count]['revid']:
        count += 1
    return count


def whole_history(edits: list[dict[str, Any]]) -> bool:
    """Tell whether *edits* are every revision of their page, by one user.

    >>> whole_history([{'revid': 9, 'parentid': 4, 'top': True,
    ...                  'new': False, 'user': 'Bot'},
    ...                 {'revid': 4, 'parentid': 0, 'top': False,
    ...                  'new': True, 'user': 'Bot'}])
    True

    :param edits: one page's edits as listed, newest first
    """
    return bool(edits) and edits[-1]['new'] \
        and top_run(edits) == len(edits) \
        and len({e['user'] for e in edits}) == 1
