"""Choosing the wikis of a cross-wiki run: named, or found by CentralAuth.

``-sites:FAMILY:CODE,...`` names the wikis; ``-global`` asks CentralAuth
for every wiki where an account has edits and keeps those whose family
pywikibot knows (its own families and the operator's ``family_files``;
an unknown wiki is listed, never guessed at with an ad-hoc family).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pywikibot
from pywikibot import config
from pywikibot.exceptions import APIError, Error, SiteDefinitionError
from pywikibot.family import Family

from ..bot._errors import UsageError
from ..bot._journal import Journal, site_id
from ..wiki._validate import user_info


__all__ = ['as_account', 'edit_count', 'global_wikis', 'journal_sites',
           'parse_sites', 'site_for_url', 'site_label', 'workers']


def site_label(site: Any) -> str:
    """Return ``family:code``, the way ``-sites:`` names a wiki."""
    return f'{site.family.name}:{site.code}'


def parse_sites(site: Any, text: str) -> tuple[Any, ...]:
    """The wikis of ``-sites:FAM:CODE,FAM:CODE``, each once, in order.

    >>> parse_sites(None, 'wikipedia')
    Traceback (most recent call last):
    ...
    ValueError: 'wikipedia': name each wiki as FAMILY:CODE, e.g. wikipedia:en

    :param site: unused (the signature of an option converter)
    :raises ValueError: names the entry that is malformed or unknown
    """
    sites: list[Any] = []
    for item in (part.strip() for part in text.split(',')):
        if not item:
            continue
        fam, sep, code = item.partition(':')
        if not (sep and fam and code):
            raise ValueError(f'{item!r}: name each wiki as FAMILY:CODE, '
                             'e.g. wikipedia:en')
        try:
            family = Family.load(fam)
            # an AutoFamily answers any code with its one wiki
            if code not in family.codes:
                codes = sorted(family.codes)
                raise ValueError(
                    f'{item}: family {fam} has no wiki {code!r} (its codes: '
                    + ', '.join(codes[:8]) + (', ...' if codes[8:] else '')
                    + ')')
            found = pywikibot.Site(code, family)
        except SiteDefinitionError as err:
            raise ValueError(f'{item}: {err}') from None
        if found not in sites:
            sites.append(found)
    if not sites:
        raise ValueError('needs at least one FAMILY:CODE')
    return tuple(sites)


def workers(site: Any, text: str) -> int:
    """A number of wikis worked on at once, 1 or more.

    >>> workers(None, '3')
    3
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f'{text!r}: needs a whole number, 1 or more')
    return value


def site_for_url(url: str) -> Any | None:
    """Return the site pywikibot knows at *url*, or None.

    Unlike ``pywikibot.Site(url=...)``, an unknown URL does not make an
    :class:`~pywikibot.family.AutoFamily`: a cross-wiki run acts only
    on wikis the operator's configuration names.

    :param url: a wiki's base URL, e.g. ``https://de.wikipedia.org``
    :raises pywikibot.exceptions.Error: a family knows the URL, but its
        wiki did not answer (making the site asks it)
    """
    for name in config.family_files:
        try:
            family = Family.load(name)
        except Error:  # a broken family file is not this wiki's
            continue
        try:
            code = family.from_url(url)
        except RuntimeError:  # several codes of the family match
            continue
        if code:
            return pywikibot.Site(code, name)
    return None


def global_wikis(site: Any, user: str
                 ) -> tuple[list[tuple[Any, int]], list[str]]:
    """Ask CentralAuth on *site* where *user* has edits (one read).

    :return: the known wikis with the user's edit count on each, most
        edits first; and the wikis left out (dbname, URL and why), for
        the operator to see
    :raises UsageError: *site* has no CentralAuth, or no such account
    """
    request = site.simple_request(action='query', meta='globaluserinfo',
                                  guiuser=user, guiprop='merged')
    try:
        data = request.submit()
    except APIError as err:
        if err.code in ('badvalue', 'unknown_meta'):
            data = {}
        else:
            raise
    info = data.get('query', {}).get('globaluserinfo')
    if info is None:
        # MediaWiki without CentralAuth only warns of an unknown module
        raise UsageError(f'-global needs CentralAuth (meta=globaluserinfo),'
                         f' which {site_label(site)} ({site.base_url("")})'
                         ' does not have; name the wikis with -sites:')
    if 'missing' in info:
        raise UsageError(f'-global: {user!r} has no global account on '
                         f'{site_label(site)}')
    known: list[tuple[Any, int]] = []
    unknown: list[str] = []
    for wiki in info.get('merged', []):
        count = int(wiki.get('editcount') or 0)
        if not count:
            continue
        entry = f'{wiki.get("wiki")} ({wiki.get("url")})'
        try:
            found = site_for_url(wiki.get('url', ''))
        except (Error, OSError) as err:
            unknown.append(f'{entry}: did not answer: {err}')
            continue
        if found is None:
            unknown.append(f'{entry}: not a wiki pywikibot knows '
                           '(family_files)')
        elif all(found != s for s, _ in known):
            known.append((found, count))
    known.sort(key=lambda pair: -pair[1])
    return known, unknown


def edit_count(site: Any, user: str) -> int | None:
    """Return *user*'s edit count on *site* (one read); None if unknown."""
    info = user_info(site, user, usprop='editcount')
    if 'missing' in info or 'invalid' in info:
        return None
    return info.get('editcount')


def journal_sites(folder: str, account: str | None = None
                  ) -> list[tuple[Any, str, int]]:
    """The wikis of the journals in *folder* (``-undo:DIR``).

    :param account: the acting account on each (``pwb -user:NAME``)
    :return: per journal: its wiki, its path and its number of writes
    :raises UsageError: no journal, a file that is none, or one written
        for a wiki not known here or now at another API URL
    """
    found = []
    for path in sorted(Path(folder).glob('*.jsonl')):
        records = Journal.read(path)
        head = next((r for r in records if r.get('type') == 'header'), None)
        if head is None:
            raise UsageError(f'-undo: {path} is not a journal')
        fam, _, code = str(head.get('site')).partition(':')
        try:
            site = as_account(pywikibot.Site(code, fam), account)
        except SiteDefinitionError as err:
            raise UsageError(f'-undo: {path} was written on '
                             f'{head.get("site")}: {err}') from None
        if site_id(site)['api'] != head.get('api'):
            raise UsageError(
                f'-undo: {path} was written on {head.get("site")} at '
                f'{head.get("api")}; that wiki is at {site_id(site)["api"]}'
                ' now')
        done = sum(1 for r in records if r.get('type') == 'done')
        found.append((site, str(path), done))
    if not found:
        raise UsageError(f'-undo: no journal (*.jsonl) in {folder}')
    return found


def as_account(site: Any, account: str | None) -> Any:
    """Return *site* for *account* (``pwb -user:NAME``), if one was given.

    The global ``-user`` names the account of every wiki of a cross-wiki
    run, as each wiki's own run receives it too.
    """
    if not account or site.username() == account:
        return site
    return pywikibot.Site(site.code, site.family, user=account)
