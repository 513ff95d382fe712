"""The review report of a bot: one row per item a human should look at.

:mod:`~pywikibot_revert.bot._report` writes the file; this module is the
bot's side of it, mixed into the bots as the journal's protocol is
(:mod:`~pywikibot_revert.bot._journalled`): it opens the report for
``-report:FILE``, adds a row for each skip worth a look, failure and
conflict, with the links of the current page's diff, and closes it.
"""
from __future__ import annotations

from typing import Any

import pywikibot

from ..crosswiki._child import in_crosswiki_run
from ._report import Report, ReportRow


__all__ = ['ReviewRows']


class ReviewRows:

    """The review report of a bot, mixed into its class.

    Needs from the bot: ``opt.report`` (a path or None), ``site`` and
    ``_current_page``. While it treats a page, a bot keeps in
    :attr:`review` what a row about that page links to; it is emptied
    before each page.

    **Example:** a bot that knows the diff it undoes says so, and a
    failure of that page is then reported with the diff's links:

    .. code-block:: python

       self.review = {'user': 'Vandal', 'old': 120, 'cur': 123}
    """

    def __init__(self, **kwargs: Any) -> None:
        """Initializer."""
        super().__init__(**kwargs)
        self.report: Report | None = None
        #: what a report row about the current page links to: ``user``,
        #: ``old`` and ``cur`` (the diff), as far as known
        self.review: dict[str, Any] = {}

    def open_report(self) -> None:
        """Open the ``-report`` file, if one was given."""
        if not self.opt.report:  # type: ignore[attr-defined]
            return
        self.report = Report.for_site(
            self.opt.report, self.site).open()  # type: ignore[attr-defined]
        # a cross-wiki run names its one report itself
        if not in_crosswiki_run():
            pywikibot.info(f'Report: {self.report.path}')

    def close_report(self) -> None:
        """Close the report and say how many rows it has to review."""
        if not self.report:
            return
        self.report.close()
        if not in_crosswiki_run():
            pywikibot.info(f'Report: {self.report.rows} item(s) to '
                           f'review in {self.report.path}')

    def review_links(self, page: pywikibot.Page) -> dict[str, Any]:
        """Return the ``user``, ``old`` and ``cur`` a report row links."""
        return self.review

    def report_row(self, page: pywikibot.Page | None, outcome: str,
                   reason: str, detail: str = '') -> None:
        """Write a row about *page* to the report, if there is one."""
        if self.report is None or page is None:
            return
        # a batched check may fail a page other than the current one
        current = self._current_page  # type: ignore[attr-defined]
        links = self.review_links(page) if page == current else {}
        detail = detail.removeprefix(f'{page.title()}: ')
        self.report.add(ReportRow(
            title=page.title(), outcome=outcome, reason=reason,
            user=links.get('user'), old=links.get('old'),
            cur=links.get('cur'), detail=' '.join(detail.split())))
