"""The wiki's own messages, read once per wiki, and the default summaries.

What an administrator's form would fill in, so that a script's write
without ``-summary`` does not leave an empty comment:

- a file revert: MediaWiki's ``filerevert-defaultcomment`` in the
  wiki's content language, as the file's "revert" page fills it
  (:func:`filerevert_comment`);
- an undelete: a reason naming the deletion it reverses, the deleting
  admin and the log entry (:func:`undelete_reason`);
- an undo or a rollback: MediaWiki's ``undo-summary``,
  ``revertpage-nouser``... filled as MediaWiki fills them
  (:func:`mw_message`).

Where MediaWiki has no message, the plugin's own bundle is used
(``pywikibot_revert.wiki._i18n``), in the same content language.

Messages are read with ``meta=allmessages`` in the content language
(siteinfo ``lang``), all that are needed in one request, and kept for
the life of the process per site object: one read per run, not per
file.
"""
from __future__ import annotations

import datetime
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pywikibot

from ._query import read


__all__ = ['FileRevertComment', 'deletion_words', 'filerevert_comment',
           'format_message', 'mw_message', 'site_messages',
           'undelete_reason']

#: MediaWiki 1.39's English text, used if the wiki lacks the message
FILEREVERT_DEFAULT = 'Reverted to version as of $2, $1 ($3)'
#: English month names, for MediaWiki's English date format ``j F Y``
MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July',
          'August', 'September', 'October', 'November', 'December')
#: longest quote of a deletion's own reason in an undelete reason
QUOTE_MAX = 150

_cache: weakref.WeakKeyDictionary[Any, dict[str, str | None]] = \
    weakref.WeakKeyDictionary()
_comments: weakref.WeakKeyDictionary[Any, FileRevertComment] = \
    weakref.WeakKeyDictionary()
_expanded: weakref.WeakKeyDictionary[Any, dict[tuple, str | None]] = \
    weakref.WeakKeyDictionary()


def content_language(site: Any) -> str:
    """Return the wiki's content language (siteinfo ``lang``)."""
    return site.siteinfo['lang'] or site.lang


def site_messages(site: Any, keys: Iterable[str]) -> dict[str, str | None]:
    """Return MediaWiki messages in the content language, read once.

    Keys not read before on this site are read in one request
    (``meta=allmessages``, no parser: ``$1`` stays for the caller);
    later calls for them send nothing.

    :return: key -> text, None for a message the wiki does not have
    """
    known = _cache.setdefault(site, {})
    missing = [k for k in dict.fromkeys(keys) if k not in known]
    if missing:
        data = read(site, action='query', meta='allmessages',
                    ammessages='|'.join(missing),
                    amlang=content_language(site), formatversion=2)
        for msg in data.get('query', {}).get('allmessages', []):
            known[msg['name']] = (None if msg.get('missing')
                                  else msg.get('content', ''))
        for key in missing:
            known.setdefault(key, None)
    return {k: known[k] for k in keys}


def clear_cache(site: Any = None) -> None:
    """Forget the messages read (of one site, or all): read them anew."""
    for cache in (_cache, _comments, _expanded):
        if site is None:
            cache.clear()
        else:
            cache.pop(site, None)


def format_message(text: str, *params: Any) -> str:
    """Fill in ``$1``, ``$2``... as MediaWiki's ``Message`` does.

    A ``$n`` with no parameter stays as it is. Parser constructs such as
    ``{{PLURAL:...}}`` are not expanded.

    >>> format_message('Reverted to version as of $2, $1 ($3)',
    ...                '29 November 2026', '19:05', 'UTC')
    'Reverted to version as of 19:05, 29 November 2026 (UTC)'
    >>> format_message('$1 and $4', 'a')
    'a and $4'
    """
    def fill(match: re.Match) -> str:
        n = int(match.group(1))
        return str(params[n - 1]) if 0 < n <= len(params) else match.group(0)

    return re.sub(r'\$(\d+)', fill, text)


def mw_message(site: Any, key: str, *params: Any) -> str | None:
    """Return MediaWiki's message *key* as MediaWiki itself fills it.

    MediaWiki writes its default summaries with ``Message::text()`` in
    the content language: ``$1``... replaced and ``{{GENDER:...}}``,
    ``{{PLURAL:...}}`` expanded (by the user's gender preference, the
    language's plural rules). A text without ``{{`` is filled here; one
    with is filled by the wiki (``amenableparser`` with ``amargs``, one
    request per distinct parameters, kept), so that the text is the one
    MediaWiki would have written.

    :param params: ``$1``, ``$2``... in order
    :return: the filled text, or None when the wiki lacks the message
        (the caller's fallback applies)
    """
    text = site_messages(site, [key])[key]
    if text is None or '{{' not in text:
        return None if text is None else format_message(text, *params)
    args = tuple(str(p) for p in params)
    known = _expanded.setdefault(site, {})
    if (key, args) not in known:
        # a link's pipe is no separator: the API's other one, U+001F
        sep = '\x1f' if any('|' in a for a in args) else '|'
        data = read(site, action='query', meta='allmessages',
                    ammessages=key,
                    amargs=(sep if sep != '|' else '') + sep.join(args),
                    amenableparser=1, amlang=content_language(site),
                    formatversion=2)
        msgs = data.get('query', {}).get('allmessages', [])
        known[key, args] = (msgs[0].get('content') if msgs
                            and not msgs[0].get('missing') else None)
    return known[key, args]


def _zone(name: str | None, offset: int) -> datetime.tzinfo:
    """Return the wiki's time zone: by name, else its current offset."""
    if name:
        try:
            from zoneinfo import ZoneInfo
            return ZoneInfo(name)
        except (ImportError, ValueError, LookupError, OSError):
            pass
    return datetime.timezone(datetime.timedelta(minutes=offset))


@dataclass(frozen=True)
class FileRevertComment:

    """MediaWiki's default file revert comment for one wiki.

    MediaWiki's revert form (``RevertAction::getFormFields``, 1.39)
    fills ``filerevert-defaultcomment`` in the content language with

    - ``$1`` the date and ``$2`` the time of the upload of the version
      reverted to, in the wiki's time zone (``$wgLocaltimezone``,
      siteinfo ``timezone``), formatted by the content language's
      default date format;
    - ``$3`` the time zone's abbreviation, through its ``timezone-*``
      message where the wiki has one (``timezone-utc``: ``UTC``).

    The user name is not a parameter. Date formats are not exposed by
    the API, so this mirrors MediaWiki for an English content language
    (``j F Y`` and ``H:i``, MediaWiki's default unless
    ``$wgAmericanDates``); for any other language the date is given as
    ISO 8601 (``2026-11-29``), which every language reads, and the time
    as ``H:i``.

    >>> c = FileRevertComment(FILEREVERT_DEFAULT, 'en', 'UTC', 0,
    ...                       {'UTC': 'UTC'})
    >>> c.format(pywikibot.Timestamp(2026, 11, 9, 7, 5, 14))
    'Reverted to version as of 07:05, 9 November 2026 (UTC)'
    >>> FileRevertComment('Zurückgesetzt auf $1, $2 ($3)', 'de',
    ...                   'Europe/Berlin', 60, {}).format(
    ...     pywikibot.Timestamp(2026, 7, 1, 12, 0))
    'Zurückgesetzt auf 2026-07-01, 14:00 (CEST)'
    """

    template: str
    lang: str
    timezone: str | None = 'UTC'
    offset: int = 0
    zone_names: Any = None

    @classmethod
    def for_site(cls, site: Any) -> FileRevertComment:
        """Read the message once per site (one request), kept after."""
        if site in _comments:
            return _comments[site]
        info = site.siteinfo  # 'general', read at login
        name, offset = info.get('timezone'), info.get('timeoffset')
        zone = _zone(name, int(offset or 0))
        year = datetime.datetime.now(datetime.timezone.utc).year
        abbrevs = {datetime.datetime(year, month, 1, tzinfo=zone).tzname()
                   or 'UTC' for month in (1, 7)}
        keys = {a: f'timezone-{a.strip().lower()}' for a in abbrevs}
        texts = site_messages(site, ['filerevert-defaultcomment',
                                     *keys.values()])
        comment = cls(
            template=texts['filerevert-defaultcomment'] or FILEREVERT_DEFAULT,
            lang=content_language(site), timezone=name,
            offset=int(offset or 0),
            zone_names={a: texts[k] for a, k in keys.items() if texts[k]})
        _comments[site] = comment
        return comment

    def format(self, timestamp: datetime.datetime) -> str:
        """Return the comment for a revert to the version of *timestamp*."""
        when = timestamp.replace(tzinfo=datetime.timezone.utc) \
            if timestamp.tzinfo is None else timestamp
        local = when.astimezone(_zone(self.timezone, self.offset))
        if self.lang == 'en' or self.lang.startswith('en-'):
            date = f'{local.day} {MONTHS[local.month - 1]} {local.year}'
        else:
            date = f'{local.year:04d}-{local.month:02d}-{local.day:02d}'
        time = f'{local.hour:02d}:{local.minute:02d}'
        abbrev = local.tzname() or 'UTC'
        zone = (self.zone_names or {}).get(abbrev, abbrev)
        return format_message(self.template, date, time, zone)


def filerevert_comment(site: Any, timestamp: pywikibot.Timestamp) -> str:
    """Return the wiki's default comment for a revert to *timestamp*.

    **Example:**

    .. code-block:: python

       filerevert_comment(site, target.timestamp)
       # 'Reverted to version as of 19:05, 29 November 2026 (UTC)'

    :param timestamp: the upload time of the version reverted to
    """
    return FileRevertComment.for_site(site).format(timestamp)


def undelete_reason(entry: dict[str, Any] | None, source: Any = 'en', *,
                    nouser: bool = False) -> str:
    """Return the default reason of an undelete, naming the deletion.

    In the wiki's content language: the deletion in MediaWiki's own
    words (``logentry-delete-delete``, as the deletion log writes it:
    "[[User:Hasty|Hasty]] deleted page [[:Example]]"), where *source*
    is a site and the entry names the page and its admin; the frame
    (MediaWiki has no message for the undo of a deletion) and every
    other case the plugin's.

    :param entry: the deletion's log entry (``list=logevents``, with
        ``logid``, ``user``, ``timestamp`` and ``comment``), or None
        when it was not read: then the reason says only what is done
    :param source: the site (its content language) or a language code
    :param nouser: keep the deleting admin's name out, and the deletion's
        own reason (the admin's words) with it

    >>> undelete_reason({'logid': 1234, 'user': 'Hasty',
    ...                  'timestamp': '2026-11-29T19:05:14Z',
    ...                  'comment': 'mistake'})
    'Undoing the deletion by [[User:Hasty|Hasty]] (log entry 1234 of 2026-11-29T19:05:14Z: "mistake")'
    >>> undelete_reason({'logid': 7, 'userhidden': True,
    ...                  'timestamp': '2026-11-29T19:05:14Z'})
    'Undoing a deletion (log entry 7 of 2026-11-29T19:05:14Z)'
    >>> undelete_reason({'logid': 7, 'user': 'Hasty', 'comment': 'Hasty!',
    ...                  'timestamp': '2026-11-29T19:05:14Z'}, 'de',
    ...                 nouser=True)
    'Rückgängigmachung einer Löschung (Logbucheintrag 7 vom 2026-11-29T19:05:14Z)'
    >>> undelete_reason(None)
    'Restoring deleted revisions'
    """
    from ._i18n import plugin_message
    if not entry:
        return plugin_message(source, 'undelete-default')
    user = None if entry.get('userhidden') or nouser else entry.get('user')
    comment = ' '.join(str(entry.get('comment') or '').split())
    params = {'logid': entry['logid']}
    name = 'logentry-id'
    if entry.get('timestamp'):
        params['timestamp'] = entry['timestamp']
        name = 'logentry'
    if comment and not entry.get('commenthidden') and not nouser:
        if len(comment) > QUOTE_MAX:
            comment = comment[:QUOTE_MAX - 1].rstrip() + '…'
        params['comment'] = comment
        name += '-quote'
    where = plugin_message(source, name, **params)
    if user and entry.get('title') and not isinstance(source, str):
        action = deletion_words(source, user, entry['title'])
        if action:
            return plugin_message(source, 'undelete-of', action=action,
                                  entry=where)
    if user:
        return plugin_message(source, 'undelete-by', user=user, entry=where)
    return plugin_message(source, 'undelete-hidden', entry=where)


def deletion_words(site: Any, user: str, title: str) -> str | None:
    """Return a deletion as the wiki's deletion log writes it.

    MediaWiki's ``logentry-delete-delete`` in the content language, with
    the admin's gender: read once per admin (the page goes in after, so
    a run of many pages costs one request, not one a page).

    :return: e.g. ``[[User:Hasty|Hasty]] deleted page [[:Example]]``,
        or None when the wiki lacks the message
    """
    text = mw_message(site, 'logentry-delete-delete',
                      f'[[User:{user}|{user}]]', user, '$3')
    return None if text is None else text.replace('$3', f'[[:{title}]]')
