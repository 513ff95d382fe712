"""The ``.wiki`` review report: a sortable table to save on a wiki page.

Every cell is wikitext a reader can trust: a title, a user name or a
message cannot make a link, a template, a signature, or end the row or
the table (:func:`plain`, :func:`nowiki`). The rows themselves are
:class:`~pywikibot_revert.bot._report.ReportRow`.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._report import ReportRow


__all__ = ['TABLE_END', 'nowiki', 'plain', 'table_start', 'wiki_row']

#: the table's last line, written when the report is closed
TABLE_END = '|}\n'
#: markup in a link or a plain cell: brackets, braces, pipes, tags,
#: entities, and the runs that make italics ('') or signatures (~~~)
_MARKUP = re.compile(r"[\[\]{}|<>&]|'(?=')|~(?=~)")


def table_start(columns: tuple[str, ...], wiki: str = '') -> str:
    """Return the table's first lines: its caption and column heads.

    >>> print(table_start(('page', 'outcome'), 'wikipedia:en'), end='')
    {| class="wikitable sortable"
    |+ Items not done (wikipedia:en)
    ! page !! outcome

    :param wiki: a label like ``wikipedia:en`` for the caption
    """
    caption = f' ({plain(wiki)})' if wiki else ''
    return ('{| class="wikitable sortable"\n'
            f'|+ Items not done{caption}\n'
            f'! {" !! ".join(columns)}\n')


def plain(text: str) -> str:
    """Return *text* on one line, its markup as entities (links too).

    >>> print(plain("O'Brien ''x'' [[y]] ~~~ a|b"))
    O'Brien &#39;'x&#39;' &#91;&#91;y&#93;&#93; &#126;&#126;~ a&#124;b
    """
    return _MARKUP.sub(lambda m: f'&#{ord(m.group())};',
                       ' '.join(text.splitlines()))


def nowiki(text: str) -> str:
    r"""Return *text* on one line in ``<nowiki>``, shown as given.

    Entities still count inside and ``<`` could close it: both escaped.

    >>> print(nowiki('a | b </nowiki> &lt;\n~~~~'))
    <nowiki>a | b &lt;/nowiki> &amp;lt; ~~~~</nowiki>
    """
    text = ' '.join(text.splitlines())
    text = text.replace('&', '&amp;').replace('<', '&lt;')
    return f'<nowiki>{text}</nowiki>' if text else ''


def wiki_row(row: ReportRow, urls: tuple[str | None, ...] | None = None
             ) -> str:
    """Return the ``.wiki`` table row of *row*.

    :param urls: the page's, the diff's and the contributions' URLs:
        external links, for a table of many wikis; None for wikilinks
    """
    diff = contribs = ''
    label = row.diff.split('/', 1)[1].replace('/', '→') if row.diff else ''
    user = plain(row.user or '')
    if urls is None:
        # the leading colon links File: and Category: pages, where a
        # plain link would show the file or categorise the page
        page = f'[[:{plain(row.title)}]]'
        if row.diff:
            diff = f'[[{row.diff}|{label}]]'
        if row.user:
            contribs = f'[[Special:Contributions/{user}|{user}]]'
    else:
        page_url, diff_url, contribs_url = urls
        page = f'[{plain(page_url or "")} {plain(row.title)}]'
        if diff_url:
            diff = f'[{plain(diff_url)} {label}]'
        if contribs_url:
            contribs = f'[{plain(contribs_url)} {user}]'
    cells = (page, plain(row.outcome),
             nowiki(row.reason), user, diff, contribs,
             nowiki(row.detail))
    if urls is not None:
        cells = (plain(row.wiki), *cells)
    # a cell a line, after '| ': no text starts a line, so none can end
    # the row ('|-') or the table ('|}')
    return '|-\n' + ''.join(f'| {c}\n' if c else '|\n' for c in cells)
