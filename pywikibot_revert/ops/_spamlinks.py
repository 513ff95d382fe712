"""Remove external links to a spam domain from wikitext.

Each piece of wikitext that exists only to link to the domain becomes a
marker in mwparserfromhell's tree; the markers then go with the
whitespace they would strand. Bytes away from a removal stay as they are.

Pieces removed whole: an external link, bare or bracketed with its label
(the URL decides, not the label; a bare URL ends at the first space
character, as in MediaWiki); a template whose ``url`` points there
(``archive-url`` and the like do not decide); a ``<ref>`` or
``''``/``'''`` run holding nothing else but whitespace, punctuation and
comments, and the reuses of such a named ref; a line, list item or not,
left with only list markers, whitespace and punctuation, with its
newline (and a blank line, if it was a paragraph of its own).

Whitespace is tidied at the removal point only. Before a line's end,
``.,;:!?``, ``)``, ``|``, ``}}``, ``]]``, ``</`` or ``<ref`` the space
before the piece goes (``Text http://spam.example.`` → ``Text.``); after
a line's start, ``(``, ``|`` or an opening tag the space after it goes;
between words one space stays (``See [http://spam.example x] here.`` →
``See here.``); a stop doubled by the removal stays once (``Foo,
[http://spam.example x], bar`` → ``Foo, bar``); pieces apart only by
spaces and punctuation go as one; a space stays where its loss would
make new markup (``| [http://spam.example x] || y`` → ``| || y``).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment, ExternalLink, Heading, Node, Tag, Template, Text, Wikilink,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from mwparserfromhell.wikicode import Wikicode

__all__ = ['LinkRemoval', 'matches_domain', 'remove_links']

_LABEL = r'[^\W_](?:[^\W_]|-)*'
# One dot at least: a bare TLD such as 'com' would match half the web.
_DOMAIN = re.compile(rf'{_LABEL}(?:\.{_LABEL})+')
_SCHEME = re.compile(r'([a-z][a-z0-9+.-]*:)?(//)?', re.I)
_STOPS = '.,;:!?'
_PUNCT = _STOPS + '\u2013\u2014'
_BLANK = string.whitespace + _PUNCT
_FILLER = re.compile(rf'[*#:;]*[\s{_PUNCT}]*')
_OPEN_TAG = re.compile(r'<[A-Za-z][^<>]*(?<!/)>\Z')
# Pairs that would make new markup if a removal glued them together.
_TOKENS = ('||', '[[', ']]', '{{', '}}', "''", '==', '{|', '|}', '|-',
           '|+', '!!', '--', '~~', '__')
_CLOSERS = ('</', '<ref', '|', '}}', ']]', ')') + tuple(_STOPS)


def _normalise(domain: str) -> str:
    name = domain.strip(string.whitespace + '.').lower()
    if not _DOMAIN.fullmatch(name):
        raise ValueError(f'not a domain name: {domain!r} '
                         "(expected a host name such as 'spam.example')")
    return name


def matches_domain(url: str, domain: str) -> bool:
    """Return True if *url*'s host is *domain* or a subdomain of it.

    Case, ports, user info and a trailing dot of the host do not
    matter. A URL without a scheme is read as a host name and path;
    schemes without a host (``mailto:``, ``news:``) never match.

    >>> matches_domain('https://WWW.Spam.example./x', 'spam.example')
    True
    >>> matches_domain('//user@spam.example:8080/', ' .SPAM.example ')
    True
    >>> matches_domain('http://notspam.example/', 'spam.example')
    False

    :param url: an external link's target
    :param domain: the domain name, e.g. ``spam.example``
    :return: whether the link points into *domain*
    :raises ValueError: *domain* is not a host name with a dot
    """
    domain = _normalise(domain)
    url = url.strip()
    scheme, netloc = _SCHEME.match(url).groups()
    if not netloc:
        if scheme:
            return False
        url = '//' + url
    try:
        host = urlsplit(url).hostname or ''
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    host = host.rstrip('.')
    return host == domain or host.endswith('.' + domain)


@dataclass(frozen=True)
class LinkRemoval:

    """The outcome of :func:`remove_links`.

    >>> remove_links('no links', 'spam.example')
    LinkRemoval(text='no links', removed=())
    """

    #: the new text
    text: str
    #: the URLs removed, in text order; a template or ref counts by its URL
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything was removed."""
        return bool(self.removed)


def _template_url(template: Template) -> str:
    for param in template.params:
        if str(param.name).strip().lower() == 'url':
            return ''.join(str(node) for node in param.value.nodes
                           if not isinstance(node, Comment)).strip()
    return ''


def _ref_key(node: Node) -> tuple[str, str] | None:
    """Return a named ref's group and name, None for any other node."""
    if not isinstance(node, Tag) or str(node.tag).strip().lower() != 'ref':
        return None
    group, name = (str(node.get(attr).value).strip() if node.has(attr)
                   else '' for attr in ('group', 'name'))
    return (group, name) if name else None


def _split_url(link: ExternalLink) -> tuple[str, str]:
    # mwparserfromhell runs a bare URL on over tabs and '\r'; MediaWiki
    # ends it at the first space character: the rest is text.
    url = str(link.url).strip() if link.brackets else str(link.url)
    head = re.match(r'\S*', url).group()
    return head, url[len(head):]


def _whole(node: Node, domain: str) -> list[str] | None:
    """Return the URLs if *node* is, or only holds, links to *domain*."""
    if isinstance(node, ExternalLink):
        url = _split_url(node)[0]
        return [url] if matches_domain(url, domain) else None
    if isinstance(node, Template):
        url = _template_url(node)
        return [url] if url and matches_domain(url, domain) else None
    tag = str(node.tag).strip().lower() if isinstance(node, Tag) else ''
    if tag != 'ref' and not (tag in ('b', 'i') and node.wiki_markup):
        return None
    urls = []
    for child in node.contents.nodes:
        if isinstance(child, Comment) or (
                isinstance(child, Text) and not child.value.strip(_BLANK)):
            continue
        found = _whole(child, domain)
        if found is None or isinstance(child, ExternalLink) and (
                _split_url(child)[1].strip(_BLANK)):
            return None
        urls += found
    return urls or None


def _children(node: Node) -> list[Wikicode]:
    if isinstance(node, Template):
        # URL fields are data, not prose, and only ``url`` decides the
        # template's fate: a template is never left half emptied.
        return [param.value for param in node.params
                if 'url' not in str(param.name).lower()]
    if isinstance(node, Tag):
        return [node.contents]
    if isinstance(node, Wikilink):  # file captions
        return [node.text] if node.text is not None else []
    if isinstance(node, Heading):
        return [node.title]
    return []


def _cut(code: Wikicode, swap: Callable[[Node], str | None]) -> None:
    """Replace nodes, in text order, by the text *swap* gives for them."""
    for index, node in enumerate(code.nodes):
        new = swap(node)
        if new is not None:
            code.set(index, Text(new))
        else:
            for child in _children(node):
                _cut(child, swap)


def _tidy_line(line: str, marker: str) -> str:
    mark = re.escape(marker)
    runs = re.compile(rf'{mark}(?:[ \t{_PUNCT}]*{mark})*')
    done, rest = '', line
    while (match := runs.search(rest)) is not None:
        before = done + rest[:match.start()]
        head = before.rstrip(' \t')
        lead = before[len(head):]
        tail = rest[match.end():]
        if tail[:1] in _STOPS and tail[:1] == head[-1:]:
            tail = tail[1:]
        trail = tail[:len(tail) - len(tail.lstrip(' \t'))]
        tail = tail[len(trail):]
        if not tail.strip() or tail.startswith(_CLOSERS):
            space = ''
        elif not head or head.endswith(('|', '(')) or _OPEN_TAG.search(head):
            space = lead  # a leading space makes a <pre> line: keep it
        else:
            space = lead or trail
        if head[-1:] + tail[:1] in _TOKENS:
            space = lead or trail
        done, rest = head + space, tail
    return done + rest


def _tidy(marked: str, marker: str) -> str:
    """Take the markers out of *marked*, with lines they empty."""
    lines = marked.split('\n')
    gone = {i for i, line in enumerate(lines) if marker in line
            and _FILLER.fullmatch(line.replace(marker, ''))}
    for first in sorted(gone - {i + 1 for i in gone}):
        last = first
        while last + 1 in gone:
            last += 1
        before = first == 0 or lines[first - 1] == ''
        after = last + 1 == len(lines) or lines[last + 1] == ''
        if before and after:  # a paragraph of its own: keep one break
            gone.add(last + 1 if last + 1 < len(lines) else first - 1)
    return '\n'.join(_tidy_line(line, marker)
                     for i, line in enumerate(lines) if i not in gone)


def remove_links(text: str, domain: str) -> LinkRemoval:
    """Remove the links to *domain* and its subdomains from *text*.

    See the module documentation for what goes and how whitespace is
    tidied. Comments and ``<nowiki>`` hold no links, so they stay.

    >>> result = remove_links('See [http://spam.example buy] here.',
    ...                       'spam.example')
    >>> result.text, result.removed, result.changed
    ('See here.', ('http://spam.example',), True)
    >>> remove_links('A.<ref name=s>{{cite web|url=//www.spam.example/}}'
    ...              '</ref> B.<ref name=s/>', 'spam.example').text
    'A. B.'

    :param text: the wikitext
    :param domain: the domain name, e.g. ``spam.example``
    :return: the new text and the URLs removed
    :raises ValueError: *domain* is not a host name with a dot
    """
    domain = _normalise(domain)
    marker = next(chr(c) for c in range(0xE000, 0xF900)
                  if chr(c) not in text)
    code = mwparserfromhell.parse(text)
    removed: list[str] = []
    names: set[tuple[str, str] | None] = set()

    def spam(node: Node) -> str | None:
        urls = _whole(node, domain)
        if not urls:
            return None
        removed.extend(urls)
        names.add(_ref_key(node))
        glued = isinstance(node, ExternalLink) and _split_url(node)[1]
        return marker + (glued or '')

    def reuse(node: Node) -> str | None:
        hit = _ref_key(node) in names and not str(node.contents).strip()
        return marker if hit else None

    _cut(code, spam)
    names.discard(None)
    if names:  # a reuse may come before the definition
        _cut(code, reuse)
    new = _tidy(str(code), marker) if removed else text
    return LinkRemoval(new, tuple(removed))
