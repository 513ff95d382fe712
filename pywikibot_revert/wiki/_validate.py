"""Validate and normalise operator input before anything is written.

User names are normalised as MediaWiki does (``User:`` prefix,
underscores, first letter, Unicode NFC); IP addresses as MediaWiki's
``IPUtils::sanitizeIP``. Timestamps have two grammars, side by side
here: :func:`parse_timestamp` for the scripts' own time options and the
library, which accepts only unambiguous UTC forms, and
``parse_log_timestamp`` for the times inside pywikibot's
``-logevents:`` spec, which keeps pywikibot's grammar for that option.
"""
from __future__ import annotations

import datetime
import ipaddress
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pywikibot

from ..exceptions import HiddenUserError, MissingTargetError


__all__ = ['is_ip', 'normalize_ip', 'normalize_username',
           'parse_log_timestamp', 'parse_timestamp', 'require_existing_user',
           'require_tags', 'user_info', 'users_read_once']

#: within users_read_once(): each ``list=users`` answer, by site and
#: name, and the ``usprop`` it was asked with
_answers: ContextVar[dict[tuple[int, str], tuple[frozenset[str],
                                                dict[str, Any]]] | None] = \
    ContextVar('pywikibot_revert_users_answers', default=None)
#: what a read within users_read_once() asks for besides
_READ_ONCE_PROPS = frozenset({'editcount'})

_MW_TS = re.compile(r'^\d{14}$')
_ISO_TS = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]00:?00)$')


def parse_timestamp(value: str | pywikibot.Timestamp) -> pywikibot.Timestamp:
    """Parse an unambiguous UTC timestamp.

    Accepted: MediaWiki's 14 digits (``20261123154500``) and ISO 8601
    with an explicit UTC zone (``2026-11-23T15:45:00Z``). Anything else
    (no zone, local times, dates alone) is refused: a cleanup must not
    act on a window shifted by the operator's time zone. The scripts'
    own time options (``-since:``, ``-until:``, ``-to:``) and the
    library take this grammar; the times inside pywikibot's
    ``-logevents:`` spec take pywikibot's (``parse_log_timestamp``).

    >>> parse_timestamp('20261123154500').isoformat()
    '2026-11-23T15:45:00Z'
    >>> parse_timestamp('2026-11-23T15:45:00+00:00').isoformat()
    '2026-11-23T15:45:00Z'
    >>> parse_timestamp('2026-11-23 15:45')
    Traceback (most recent call last):
    ...
    ValueError: ambiguous or malformed timestamp '2026-11-23 15:45': use 2026-11-23T15:45:00Z or 20261123154500 (UTC)

    :raises ValueError: the text is not one of the accepted forms, or
        not a real date
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            # the wiki's timestamps are naive UTC; compare like with like
            value = value.astimezone(datetime.timezone.utc).replace(
                tzinfo=None)
        return pywikibot.Timestamp.set_timestamp(value)
    text = str(value).strip()
    m = _ISO_TS.match(text)
    if m:
        text = ''.join(m.groups()[:6])
    if not _MW_TS.match(text):
        raise ValueError(
            f'ambiguous or malformed timestamp {value!r}: use '
            '2026-11-23T15:45:00Z or 20261123154500 (UTC)')
    try:
        return pywikibot.Timestamp.fromtimestampformat(text)
    except ValueError as err:
        raise ValueError(f'invalid timestamp {value!r}: {err}') from None


def parse_log_timestamp(text: str | None) -> pywikibot.Timestamp | None:
    """Parse a time of a ``-logevents:TYPE,USER,START,END`` spec.

    Accepted: ``YYYYMMDD`` (midnight) or MediaWiki's 14 digits
    ``YYYYMMDDHHMMSS``, in UTC; nothing (an empty field) means no bound.

    It differs from :func:`parse_timestamp` on purpose. ``-logevents:``
    is pywikibot's option, and this is pywikibot's grammar for it
    (``pagegenerators``' ``_parse_log_events``): a spec means here what
    it means to pywikibot's other scripts. So a date alone is taken (as
    midnight UTC; digits name no time zone, nothing is ambiguous), and
    ISO 8601, which pywikibot refuses there, is refused here too.

    >>> parse_log_timestamp('20261123').isoformat()
    '2026-11-23T00:00:00Z'
    >>> parse_log_timestamp('20261123154500').isoformat()
    '2026-11-23T15:45:00Z'
    >>> parse_log_timestamp('') is None
    True
    >>> parse_log_timestamp('2026-11-23T15:45:00Z')
    Traceback (most recent call last):
    ...
    ValueError: bad timestamp '2026-11-23T15:45:00Z'; use YYYYMMDD[HHMMSS] (UTC)

    :param text: the field of the spec; empty or None for no bound
    :return: the time, or None for no bound
    :raises ValueError: not 8 or 14 digits, or not a real date
    """
    if not text:
        return None
    if not text.isdigit() or len(text) < 8:
        raise ValueError(f'bad timestamp {text!r}; use YYYYMMDD[HHMMSS] '
                         '(UTC)')
    return pywikibot.Timestamp.fromtimestampformat(text)


def is_ip(name: str) -> bool:
    """Return True if *name* is an IPv4 or IPv6 address (any spelling).

    >>> is_ip('2001:db8::1'), is_ip('010.0.0.1'), is_ip('Example')
    (True, True, False)
    """
    try:
        normalize_ip(name)
    except ValueError:
        return False
    return True


def normalize_ip(name: str) -> str:
    """Spell an IP address the way MediaWiki stores it.

    IPv4 loses leading zeros; IPv6 is upper case with every group
    written out and leading zeros dropped (``IPUtils::sanitizeIP``).

    >>> normalize_ip('2001:db8::0001')
    '2001:DB8:0:0:0:0:0:1'
    >>> normalize_ip('192.168.001.010')
    '192.168.1.10'

    :raises ValueError: not an IP address
    """
    text = name.strip()
    if ':' in text:
        addr = ipaddress.IPv6Address(text)
        return ':'.join(format(int(g, 16), 'X')
                        for g in addr.exploded.split(':'))
    parts = text.split('.')
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3
                                  for p in parts):
        raise ValueError(f'not an IP address: {name!r}')
    octets = [int(p) for p in parts]
    if any(o > 255 for o in octets):
        raise ValueError(f'not an IP address: {name!r}')
    return '.'.join(map(str, octets))


def normalize_username(name: str, site: Any = None) -> str:
    """Normalise a user name or IP as MediaWiki would store it.

    Strips a ``User:`` prefix (also the wiki's localised one when
    *site* is given), turns underscores into spaces, collapses blanks,
    applies Unicode NFC and upper-cases the first letter.

    >>> normalize_username('User:some_vandal')
    'Some vandal'
    >>> normalize_username(' 2001:db8::1 ')
    '2001:DB8:0:0:0:0:0:1'

    :raises ValueError: empty, or a character MediaWiki forbids
    """
    text = unicodedata.normalize('NFC', str(name)).replace('_', ' ')
    text = ' '.join(text.split())
    prefixes = {'user'}
    if site is not None:
        prefixes |= {n.lower() for n in site.namespaces[2]}
    if ':' in text:
        head, rest = text.split(':', 1)
        if head.strip().lower() in prefixes:
            text = rest.strip()
    if not text:
        raise ValueError(f'empty user name: {name!r}')
    if is_ip(text):
        return normalize_ip(text)
    if any(c in text for c in '#<>[]|{}/@:') and not is_ip(text):
        raise ValueError(f'invalid user name {name!r}')
    first = text[0].upper()
    # 'ß'.upper() is 'SS': MediaWiki keeps such letters as they are
    return (first if len(first) == 1 else text[0]) + text[1:]


def user_info(site: Any, name: str, **params: str) -> dict[str, Any]:
    """Return what ``list=users`` says of *name* (one read).

    Within :func:`users_read_once`, a second call for the same user and
    wiki is answered from the first read.

    :param params: more of its parameters, e.g. ``usprop='editcount'``
    :return: its entry; ``{'missing': True}`` when it says nothing
    """
    answers = _answers.get()
    if answers is None:
        return _read_user(site, name, params)
    wanted = frozenset(filter(None, params.pop('usprop', '').split('|')))
    key = (id(site), name)
    if key in answers and wanted <= answers[key][0] and not params:
        return answers[key][1]
    props = wanted | _READ_ONCE_PROPS
    info = _read_user(site, name, {**params, 'usprop': '|'.join(sorted(props))})
    answers[key] = (props, info)
    return info


def _read_user(site: Any, name: str, params: dict[str, str]
               ) -> dict[str, Any]:
    data = site.simple_request(action='query', list='users', ususers=name,
                               formatversion=2, **params).submit()
    users = data.get('query', {}).get('users', [])
    return users[0] if users else {'missing': True}


@contextmanager
def users_read_once() -> Iterator[None]:
    """Read each user once on each wiki, with the edit count.

    For the checks before a cross-wiki run, where the user check of the
    input and the edit count the wikis are listed with would otherwise
    be two reads of the same user. Only within the block, and only in
    this thread (a context variable): a run's later reads are fresh.

    **Example:**

    .. code-block:: python

       with users_read_once():
           require_existing_user(site, 'Vandal')   # one read
           user_info(site, 'Vandal', usprop='editcount')  # none
    """
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def require_existing_user(site: Any, name: str) -> str:
    """Return the normalised *name* after checking the wiki knows it.

    One read. IP addresses have no account and are accepted as they
    are. A rollback for a user who does not exist would answer
    ``alreadyrolled`` on every page, so this runs before a batch.

    :raises MissingTargetError: no such user
    :raises HiddenUserError: the user name is hidden on this wiki
    :raises ValueError: not a valid user name
    """
    norm = normalize_username(name, site)
    if is_ip(norm):
        return norm
    info = user_info(site, norm)
    if info.get('invalid'):
        raise ValueError(f'invalid user name {name!r}')
    if info.get('missing'):
        raise MissingTargetError(f'user {norm!r} does not exist on {site}',
                                 site=site, code='nosuchuser')
    if info.get('hidden'):
        raise HiddenUserError(f'user {norm!r} is hidden on {site}',
                              site=site)
    return info.get('name', norm)


def require_tags(site: Any, tags: str | list[str] | None) -> list[str]:
    """Return the change tags as a list after checking the wiki has them.

    One read. Only tags defined on the wiki and active can be applied;
    anything else would fail on every page of a run.

    :raises ValueError: names the tags the wiki does not offer
    """
    if not tags:
        return []
    wanted = [t.strip() for t in (tags.split(',') if isinstance(tags, str)
                                  else tags) if t.strip()]
    data = site.simple_request(action='query', list='tags', tglimit='max',
                               tgprop='defined|active',
                               formatversion=2).submit()
    usable = {t['name'] for t in data.get('query', {}).get('tags', [])
              if t.get('defined') and t.get('active')}
    unknown = [t for t in wanted if t not in usable]
    if unknown:
        raise ValueError(f'change tag(s) not defined or not active on '
                         f'{site}: {", ".join(unknown)}')
    return wanted
