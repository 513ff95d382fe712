"""A review report of what a run did not do, written as the run goes.

``-report:FILE`` lists each item a run left undone (skipped, failed,
conflict, declined, not merged) with the reason and the links an
administrator needs to review it. The extension picks the format:
``.wiki`` (a sortable table to save on a wiki page), ``.csv`` or
``.jsonl``. Only titles, user names, revision ids and the bot's own
messages go in, never a token or a request.

A bot holds a :class:`RunReport`, a row for each skip worth a look,
failure and conflict; a cross-wiki run writes one :class:`Report` for
all its wikis (:meth:`Report.for_sites`).

Each row is flushed when added, so a killed run still leaves every row
so far. A ``.wiki`` table is closed (``|}``) only on :meth:`Report.close`;
a killed run leaves it open, which MediaWiki renders all the same.
"""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

import pywikibot

from ._wikitable import TABLE_END, table_start, wiki_row
from ..crosswiki._child import in_crosswiki_run


__all__ = ['FORMATS', 'MUST_END', 'Report', 'ReportRow', 'RunReport']

FORMATS = ('.wiki', '.csv', '.jsonl')

#: what a report's file name must end in, said in an error
MUST_END = f'must end in {", ".join(FORMATS[:-1])} or {FORMATS[-1]}'
_COLUMNS = ('page', 'outcome', 'reason', 'user', 'diff', 'contributions',
            'detail')


@dataclass(frozen=True)
class ReportRow:

    """One item the run did not do.

    >>> row = ReportRow('File:A.jpg', 'conflict', 'undo failed', user='V',
    ...                 old=4, cur=7)
    >>> row.diff, row.contributions, ReportRow('A', 'x', 'y', cur=7).diff
    ('Special:Diff/4/7', 'Special:Contributions/V', 'Special:Diff/7')

    :ivar user: whose edits (for the contributions link)
    :ivar old: the revision before the user's first edit (diff from)
    :ivar cur: the current revision (diff to)
    :ivar detail: a message, in any characters
    :ivar wiki: ``family:code``, in the report of a cross-wiki run
    """

    title: str
    outcome: str  # 'skipped', 'failed', 'conflict', 'not merged'...
    reason: str  # a few words
    user: str | None = None
    old: int | None = None
    cur: int | None = None
    detail: str = ''
    wiki: str = ''

    @classmethod
    def read_jsonl(cls, path: str) -> Iterator[ReportRow]:
        """Read back the rows of a ``.jsonl`` report.

        A line that is no whole row (cut by a kill while it was written)
        is left out with a warning naming the file and the line.

        :raises OSError: the file cannot be read
        """
        names = {f.name for f in fields(cls)}
        with open(path, 'rb') as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode('utf-8'))
                    yield cls(**{k: v for k, v in record.items()
                                 if k in names})
                except (ValueError, TypeError, AttributeError):
                    pywikibot.warning(
                        f'{path}, line {number}: not a whole report row '
                        f'(torn?), left out: {raw[:60]!r}')

    @property
    def diff(self) -> str | None:
        """The diff to review, if the current revision is known."""
        if self.cur is None:
            return None
        return f'Special:Diff/{self.cur}' if self.old is None \
            else f'Special:Diff/{self.old}/{self.cur}'

    @property
    def contributions(self) -> str | None:
        """The user's contributions, if the user is known."""
        return f'Special:Contributions/{self.user}' if self.user else None


class Report:

    """Write rows to *path* as they come, in the format of its extension.

    >>> import pathlib, tempfile
    >>> url_for = lambda t: 'https://w.example/wiki/' + t.replace(' ', '_')
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, 'review.csv')
    ...     with Report(str(path), url_for=url_for) as report:
    ...         report.add(ReportRow('A b', 'skipped', 'nothing to undo'))
    ...     print(path.read_text(), end='')
    title,page,outcome,reason,user,diff,contributions,detail
    A b,https://w.example/wiki/A_b,skipped,nothing to undo,,,,

    :param path: the file, as checked by
        :func:`~pywikibot_revert.bot._options.report_path`
    :param url_for: the full URL of a wiki title
    :param wiki: a label like ``wikipedia:en`` for the ``.wiki`` caption
        and each ``.jsonl`` row
    :param url_fors: for the report of many wikis (a ``wiki`` column):
        the *url_for* of each wiki, by label
    :raises ValueError: the extension is not one of :data:`FORMATS`
    """

    def __init__(self, path: str, *, url_for: Callable[[str], str],
                 wiki: str = '',
                 url_fors: Mapping[str, Callable[[str], str]] | None = None
                 ) -> None:
        """Initializer."""
        self.url_fors = dict(url_fors or {})
        self.path = path
        self.format = os.path.splitext(path)[1].lower()
        if self.format not in FORMATS:
            raise ValueError(f'{path}: {MUST_END}')
        self.url_for = url_for
        self.wiki = wiki
        self.rows = 0
        self._fh: Any = None
        self._csv: Any = None

    @staticmethod
    def _url_for(site: Any) -> Callable[[str], str]:
        """Return the function giving the full URL of a title on *site*."""
        def url_for(title: str) -> str:
            # '/' and ':' stay as typed: an encoded slash is refused by
            # many servers (Apache's AllowEncodedSlashes Off)
            name = quote(pywikibot.Page(site, title).title(underscore=True),
                         safe='/:')
            return site.base_url(site.articlepath.format(name))
        return url_for

    @classmethod
    def for_site(cls, path: str, site: Any) -> Report:
        """Return a report whose links point to *site*."""
        return cls(path, url_for=cls._url_for(site),
                   wiki=f'{site.family.name}:{site.code}')

    @classmethod
    def for_sites(cls, path: str, sites: Mapping[str, Any]) -> Report:
        """Return the report of a cross-wiki run: a ``wiki`` column.

        :param sites: the wikis, by the label their rows carry
        """
        def unknown(title: str) -> str:
            raise ValueError(f'{title}: a row of a cross-wiki report '
                             'needs its wiki')
        return cls(path, url_for=unknown, url_fors={
            label: cls._url_for(site) for label, site in sites.items()})

    def open(self) -> Report:
        """Create or empty the file (mode 0600), write the header."""
        if self._fh is not None:
            return self
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
        # newline='' lets the csv module alone choose line ends
        self._fh = os.fdopen(fd, 'w', encoding='utf-8', newline='')
        if self.format == '.csv':
            self._csv = csv.writer(self._fh, lineterminator='\n')
            # the title too: a spreadsheet sorts and filters on it
            self._csv.writerow(('title', *self._wiki_column, *_COLUMNS))
        elif self.format == '.wiki':
            self._fh.write(table_start((*self._wiki_column, *_COLUMNS),
                                       self.wiki))
        self._fh.flush()
        return self

    def add(self, row: ReportRow) -> None:
        """Write *row* to the file at once.

        :raises ValueError: the report is not open
        """
        if self._fh is None:
            raise ValueError(f'report {self.path} is not open')
        if self.format == '.wiki':
            self._fh.write(wiki_row(
                row, self._urls(row) if self.url_fors else None))
        elif self.format == '.csv':
            page, diff, contribs = self._urls(row)
            self._csv.writerow([row.title, *([row.wiki] if self.url_fors
                                             else []),
                                page, row.outcome, row.reason,
                                row.user or '', diff or '', contribs or '',
                                row.detail])
        else:
            page, diff, contribs = self._urls(row)
            record = {'title': row.title, 'outcome': row.outcome,
                      'reason': row.reason, 'user': row.user,
                      'old': row.old, 'cur': row.cur, 'detail': row.detail,
                      'page_url': page, 'diff_url': diff,
                      'contributions_url': contribs,
                      'wiki': row.wiki or self.wiki}
            self._fh.write(json.dumps(record, ensure_ascii=False) + '\n')
        # flushed, not fsync-ed: a killed process loses nothing flushed,
        # and a sync per skipped page would only help on a power cut
        self._fh.flush()
        self.rows += 1

    @property
    def _wiki_column(self) -> tuple[str, ...]:
        return ('wiki',) if self.url_fors else ()

    def _urls(self, row: ReportRow) -> tuple[str | None, ...]:
        url_for = self.url_fors[row.wiki] if self.url_fors \
            else self.url_for
        return tuple(target and url_for(target) for target
                     in (row.title, row.diff, row.contributions))

    def close(self) -> None:
        """Write the footer (``.wiki``) and close; again does nothing."""
        if self._fh is None:
            return
        try:
            if self.format == '.wiki':
                self._fh.write(TABLE_END)
        finally:
            self._fh.close()
            self._fh = self._csv = None

    def __enter__(self) -> Report:
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()


class RunReport(Report):

    """The ``-report`` of one wiki's run, as its bot holds it.

    It says where the file is and, at the end, how many rows it has; in
    a cross-wiki run the parent does, for the combined report.

    **Example:**

    .. code-block:: python

       report = RunReport.for_site('review.wiki', site).open()
       report.row(page, 'skipped', 'protected',
                  links={'user': 'Vandal', 'old': 120, 'cur': 123})
       report.close()
    """

    def open(self) -> RunReport:
        """Create the file and say where it is."""
        super().open()
        if not in_crosswiki_run():
            pywikibot.info(f'Report: {self.path}')
        return self

    def close(self) -> None:
        """Close the file and say how many rows it has to review."""
        super().close()
        if not in_crosswiki_run():
            pywikibot.info(f'Report: {self.rows} item(s) to review in '
                           f'{self.path}')

    def row(self, page: pywikibot.Page, outcome: str, reason: str,
            detail: str = '', links: Mapping[str, Any] | None = None
            ) -> None:
        """Write a row about *page*.

        :param links: the ``user``, ``old`` and ``cur`` of the diff to
            review, as far as known
        """
        links = links or {}
        detail = detail.removeprefix(f'{page.title()}: ')
        self.add(ReportRow(
            title=page.title(), outcome=outcome, reason=reason,
            user=links.get('user'), old=links.get('old'),
            cur=links.get('cur'), detail=' '.join(detail.split())))
