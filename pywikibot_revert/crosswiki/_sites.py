"""Choosing the wikis of a cross-wiki run: named, or found by CentralAuth.

``-sites:FAMILY:CODE,...`` names the wikis; ``-global`` asks CentralAuth
for every wiki where an account has edits and keeps those whose family
pywikibot knows (its own families and the operator's ``family_files``;
an unknown wiki is listed, never guessed at with an ad-hoc family).
"""
from __future__ import annotations

import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pywikibot
from pywikibot import config
from pywikibot.exceptions import APIError, Error, SiteDefinitionError
from pywikibot.family import Family

from ..bot._errors import UsageError
from ..bot._journal import Journal, site_id
from ..wiki._validate import is_ip, normalize_username, user_info


__all__ = ['SiteName', 'check_api', 'edit_count', 'global_args',
           'global_wikis', 'journal_sites', 'name_for_url', 'parse_sites',
           'site_label', 'workers']


@dataclass(frozen=True)
class SiteName:

    """A wiki named by its family and code, its site not made yet.

    Making a pywikibot site logs in from the cookie jar, a request to
    the wiki: a cross-wiki run names its wikis first and makes their
    sites in its checks, N wikis at a time.

    >>> SiteName('wikipedia', 'de')
    SiteName('wikipedia:de')
    """

    family: str
    code: str

    def __repr__(self) -> str:
        """Return e.g. ``SiteName('wikipedia:de')``."""
        return f'{type(self).__name__}({str(self)!r})'

    def __str__(self) -> str:
        """Return ``family:code``."""
        return f'{self.family}:{self.code}'

    def open(self, account: str | None = None) -> Any:
        """Return the site, for *account* (``pwb -user:NAME``) if given.

        :raises pywikibot.exceptions.SiteDefinitionError: no such wiki
        """
        if account:
            return pywikibot.Site(self.code, self.family, user=account)
        return pywikibot.Site(self.code, self.family)


def site_label(site: Any) -> str:
    """Return ``family:code``, the way ``-sites:`` names a wiki."""
    if isinstance(site, SiteName):
        return str(site)
    return f'{site.family.name}:{site.code}'


def parse_sites(site: Any, text: str) -> tuple[SiteName, ...]:
    """The wikis of ``-sites:FAM:CODE,FAM:CODE``, each once, in order.

    Each family is loaded and must know the code; the sites are made
    later (:meth:`SiteName.open`).

    >>> parse_sites(None, 'wikipedia')
    Traceback (most recent call last):
    ...
    ValueError: 'wikipedia': name each wiki as FAMILY:CODE, e.g. wikipedia:en

    :param site: unused (the signature of an option converter)
    :raises ValueError: names the entry that is malformed or unknown
    """
    sites: list[SiteName] = []
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
            found = SiteName(family.name, code)
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


def name_for_url(url: str) -> SiteName | None:
    """Return the wiki pywikibot knows at *url*, or None.

    Unlike ``pywikibot.Site(url=...)``, an unknown URL does not make an
    :class:`~pywikibot.family.AutoFamily`: a cross-wiki run acts only
    on wikis the operator's configuration names.

    :param url: a wiki's base URL, e.g. ``https://de.wikipedia.org``
    """
    parsed = urllib.parse.urlparse(url)
    bare = parsed.path in ('', '/') and not parsed.query
    for name in config.family_files:
        try:
            family = Family.load(name)
        except Error:  # a broken family file is not this wiki's
            continue
        if bare and any(d in parsed.netloc for d in family.domains):
            # CentralAuth's bare URLs: the wiki whose host it is, as
            # Family.from_url finds it, but without making the site
            # (a login) of each; the run's checks make them side by side
            codes = [c for c in family.codes
                     if family.hostname(c) == parsed.netloc]
            if len(codes) == 1:
                return SiteName(name, codes[0])
        try:
            code = family.from_url(url)
        except RuntimeError:  # several codes of the family match
            continue
        if code:
            return SiteName(name, code)
    return None


def global_wikis(site: Any, user: str
                 ) -> tuple[list[tuple[SiteName, int]], list[str]]:
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
    known: list[tuple[SiteName, int]] = []
    unknown: list[str] = []
    for wiki in info.get('merged', []):
        count = int(wiki.get('editcount') or 0)
        if not count:
            continue
        entry = f'{wiki.get("wiki")} ({wiki.get("url")})'
        found = name_for_url(wiki.get('url', ''))
        if found is None:
            unknown.append(f'{entry}: not a wiki pywikibot knows '
                           '(family_files)')
        elif all(found != s for s, _ in known):
            known.append((found, count))
    known.sort(key=lambda pair: -pair[1])
    return known, unknown


def edit_count(site: Any, user: str) -> int | None:
    """Return *user*'s edit count on *site*; None if unknown.

    One read, or none within
    :func:`~pywikibot_revert.wiki._validate.users_read_once` after the
    user check.
    """
    if not is_ip(user):
        user = normalize_username(user, site)
    info = user_info(site, user, usprop='editcount')
    if 'missing' in info or 'invalid' in info:
        return None
    return info.get('editcount')


def journal_sites(folder: str) -> list[tuple[SiteName, str, int, str]]:
    """The wikis of the journals in *folder* (``-undo:DIR``).

    :return: per journal: its wiki, its path, its number of writes and
        the API URL it was written at (which the wiki must still have:
        see :func:`check_api`)
    :raises UsageError: no journal, or a file that is none
    """
    found = []
    for path in sorted(Path(folder).glob('*.jsonl')):
        records = Journal.read(path)
        head = next((r for r in records if r.get('type') == 'header'), None)
        if head is None:
            raise UsageError(f'-undo: {path} is not a journal')
        fam, _, code = str(head.get('site')).partition(':')
        done = sum(1 for r in records if r.get('type') == 'done')
        found.append((SiteName(fam, code), str(path), done,
                      str(head.get('api'))))
    if not found:
        raise UsageError(f'-undo: no journal (*.jsonl) in {folder}')
    return found


def check_api(site: Any, path: str, api: str) -> None:
    """Refuse to reverse the journal at *path* on a wiki moved elsewhere.

    :param api: the API URL the journal was written at
    :raises UsageError: *site* is at another API URL now
    """
    if site_id(site)['api'] != api:
        raise UsageError(
            f'-undo: {path} was written on {site_label(site)} at {api}; '
            f'that wiki is at {site_id(site)["api"]} now')


def global_args() -> list[str]:
    """Return pywikibot's global options given before the script name.

    ``pwb`` handles them itself, so the script never sees them; its
    wrapper module keeps them (``pwb -user:Bot -simulate rollback``).
    The acting account (``-user``) is among them.
    """
    for name in ('pywikibot.scripts.wrapper', '__main__'):
        found = getattr(sys.modules.get(name), 'global_args', None)
        if isinstance(found, list):
            return list(found)
    return []
