"""Read-backs of pages restored onto a title read as missing.

The undelete API has no precondition: a page moved (or created) onto
the title after it was read as missing gets the restored revisions
merged into its history, behind its own revision. Nothing can refuse
or undo that; it can only be found and reported. Every restored
revision is older than the deletion, so a newer one on top is
another's.

The read-back rides on the undelete bot's next batched read of latest
revisions (no request of its own). Until it is done the journal's
``done`` record carries ``unchecked``, so that a run killed before it
leaves the check to the next run (:meth:`Journal.unchecked
<pywikibot_revert.bot._journal.Journal.unchecked>`), as for a file
revert.
"""
from __future__ import annotations

from typing import Any

import pywikibot

from ..exceptions import ConflictError
from ..wiki._query import read


__all__ = ['RestoreReadBack']


class RestoreReadBack:

    """The restores onto missing titles not yet read back.

    **Example:**

    .. code-block:: python

       checks = RestoreReadBack(site)
       checks.saw(latest, wiki_time)          # each batched read
       fields = checks.bound(title, deletion) # journalled with the write
       checks.add(title, fields, restored=2)  # once it landed
       for title, err in checks.check(latest):
           report(title, err)

    :param site: the wiki
    """

    def __init__(self, site: Any) -> None:
        """Initializer."""
        self.site = site
        #: title -> the wiki's time when it was last read as missing
        self.missing_at: dict[str, str] = {}
        #: title -> (bound, how many revisions the restore brought back)
        self.pending: dict[str, tuple[str, int]] = {}

    def saw(self, latest: dict[str, Any], wiki_time: str | None) -> None:
        """Note the titles a read found missing, and the wiki's time."""
        if wiki_time:
            self.missing_at.update(
                (title, wiki_time) for title, rev in latest.items()
                if rev is None)

    def bound(self, title: str, deletion: str | None) -> dict[str, Any]:
        """Return what the read-back of *title* compares with.

        :param deletion: the deletion's time, if the run knows it
        :return: journal fields: ``unchecked``, ``bound`` (the
            deletion's time, else the wiki's time when the title was
            last read as missing)
        """
        return {'unchecked': True,
                'bound': deletion or self.missing_at.get(title, '')}

    def add(self, title: str, fields: dict[str, Any],
            restored: int) -> None:
        """Read *title* back with the next batch.

        :param fields: what :meth:`bound` returned
        :param restored: how many revisions the restore brought back
        """
        self.pending[title] = (fields.get('bound') or '', restored)

    def check(self, latest: dict[str, Any]
              ) -> list[tuple[str, ConflictError | None]]:
        """Check the pending titles that *latest* holds.

        :param latest: title -> latest revision (None: missing), as
            :func:`~pywikibot_revert.wiki._query.latest_revisions_at`
            returns it
        :return: (title, a conflict or None) for each title checked
        """
        out = []
        for title in [t for t in self.pending if t in latest]:
            bound, restored = self.pending.pop(title)
            now = latest[title]
            err = None
            if now and bound and self._newer(title, now, bound, restored):
                err = ConflictError(
                    f'{title}: a page came to this title while restoring '
                    f'(revision {now["revid"]} by {now.get("user")}, e.g. '
                    'moved here); the restored revisions are behind it in '
                    'its history; check the page by hand',
                    page=pywikibot.Page(self.site, title), code='conflict')
            out.append((title, err))
        return out

    def _newer(self, title: str, now: dict[str, Any], bound: str,
               restored: int) -> bool:
        """Whether *now* came after the deletion.

        A time only tells to the second: *now* in the very second of
        *bound* may be a restored revision or another's. Then the page's
        revisions are counted (one read, in that case only): more than
        the restore brought back means another page's are there too.
        """
        if now['timestamp'] != bound:
            return now['timestamp'] > bound
        if not restored:
            return False
        page = read(self.site, action='query', prop='revisions',
                    titles=title, rvprop='ids', rvlimit=restored + 1,
                    formatversion=2)['query']['pages'][0]
        return len(page.get('revisions') or ()) > restored
