"""Describe what a change does to wikitext, with mwparserfromhell."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import mwparserfromhell


__all__ = ['WikitextChange', 'describe_change', 'external_hosts']


def _parts(text: str) -> tuple[set[str], set[str], set[str], set[str]]:
    code = mwparserfromhell.parse(text or '')
    links, files = set(), set()
    for link in code.filter_wikilinks():
        target = str(link.title).strip()
        ns = target.split(':', 1)[0].strip().lower() if ':' in target else ''
        (files if ns in ('file', 'image') else links).add(target)
    templates = {str(t.name).strip() for t in code.filter_templates()}
    external = {str(e.url).strip() for e in code.filter_external_links()}
    return links, templates, files, external


@dataclass(frozen=True)
class WikitextChange:

    """Links, templates, files and external links added or removed."""

    added_links: frozenset[str]
    removed_links: frozenset[str]
    added_templates: frozenset[str]
    removed_templates: frozenset[str]
    added_files: frozenset[str]
    removed_files: frozenset[str]
    added_external: frozenset[str]
    removed_external: frozenset[str]

    def summary(self) -> str:
        """Return a one-line description, empty when nothing changed.

        >>> describe_change('a', 'a [[B]] {{spam}}').summary()
        '+1 link (B), +1 template (spam)'
        """
        out = []
        for sign, kind, items in (
                ('+', 'link', self.added_links),
                ('-', 'link', self.removed_links),
                ('+', 'template', self.added_templates),
                ('-', 'template', self.removed_templates),
                ('+', 'file', self.added_files),
                ('-', 'file', self.removed_files),
                ('+', 'external link', self.added_external),
                ('-', 'external link', self.removed_external)):
            if items:
                plural = 's' if len(items) > 1 else ''
                shown = ', '.join(sorted(items)[:3])
                more = ', ...' if len(items) > 3 else ''
                out.append(f'{sign}{len(items)} {kind}{plural} '
                           f'({shown}{more})')
        return ', '.join(out)


def describe_change(old: str, new: str) -> WikitextChange:
    """Compare two versions of a page's wikitext.

    >>> sorted(describe_change('x', 'x [http://spam.example/ buy]')
    ...        .added_external)
    ['http://spam.example/']
    """
    fields = []
    for before, after in zip(_parts(old), _parts(new)):
        fields += [frozenset(after - before), frozenset(before - after)]
    return WikitextChange(*fields)


def external_hosts(urls: set[str] | frozenset[str]) -> set[str]:
    """Return the host names of external links, lower case.

    >>> sorted(external_hosts({'https://Spam.example/x', '//cdn.example'}))
    ['cdn.example', 'spam.example']
    """
    hosts = set()
    for url in urls:
        host = urlsplit(url if '//' in url else '//' + url).hostname
        if host:
            hosts.add(host.lower())
    return hosts


def adds_link_to(old: str, new: str, domain: str) -> bool:
    """Return True if *new* adds an external link to *domain* or a subdomain.

    >>> adds_link_to('a', 'a http://www.spam.example/x', 'spam.example')
    True
    >>> adds_link_to('http://spam.example/', 'http://spam.example/',
    ...              'spam.example')
    False
    """
    domain = domain.lower().strip('.')
    added = describe_change(old, new).added_external
    return any(h == domain or h.endswith('.' + domain)
               for h in external_hosts(added))
