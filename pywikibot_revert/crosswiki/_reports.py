"""The one ``-report`` of a cross-wiki run, merged from each wiki's.

Each wiki's run writes its rows to a ``.jsonl`` part of its own, in a
private directory next to the report (:func:`report_parts`); at the end
this process merges them into the report the operator named, a ``wiki``
column telling the rows apart (:func:`merge_reports`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable

import pywikibot

from ..bot._report import Report, ReportRow
from ._workers import Wiki


__all__ = ['merge_reports', 'part_path', 'report_parts']


def report_parts(report_path: str) -> str:
    """Create the directory of the wikis' parts of *report_path*.

    Next to the report, so that the parts are on its file system, and
    named after it.
    """
    return tempfile.mkdtemp(
        prefix=f'.{os.path.basename(report_path)}.',
        dir=os.path.dirname(report_path) or os.curdir)


def part_path(parts: str, wiki: Wiki) -> str:
    """Return the file of *wiki*'s rows in the directory *parts*."""
    return os.path.join(parts, wiki.label.replace(':', '-') + '.jsonl')


def merge_reports(report_path: str, wikis: Iterable[Wiki],
                  parts: str) -> int:
    """Write every wiki's report rows into the one report, by wiki.

    Never raises: the summary and exit status come after it. A torn
    row (a run killed while it wrote) is left out with a warning;
    if the report cannot be written, the parts are kept and named.

    :return: how many rows were written
    """
    wikis = list(wikis)
    sites = {w.label: w.site for w in wikis}
    rows = 0
    try:
        with Report.for_sites(report_path, sites) as report:
            for wiki in wikis:
                path = part_path(parts, wiki)
                if os.path.exists(path):
                    for row in ReportRow.read_jsonl(path):
                        report.add(row)
                        rows = report.rows
    except (OSError, ValueError, KeyError) as err:
        pywikibot.error(f'Report {report_path}: {err}; each '
                        f"wiki's rows are left in {parts}")
        return rows
    shutil.rmtree(parts, ignore_errors=True)
    return rows
