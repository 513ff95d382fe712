"""Keep passwords, tokens and cookies out of the output, logs and journal.

pywikibot logs request bodies with ``-debug`` (login passwords
included), a failed request with its parameters (tokens included) and
response headers (cookies included). :func:`install` puts a filter on
every handler of pywikibot's loggers that masks such values before they
reach the screen or a log file.

A failed request's parameters are logged as ``pprint`` wraps their repr
(``API Error: query=`` and ``MediaWiki exception ... details``), which
may break the line between a key and its value; and a MediaWiki token
has a shape of its own, so one is masked under whatever name it shows.

A journal record is made of parameters the plugin builds itself; still,
:func:`plain_record` drops every key that could hold a secret.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import pywikibot


__all__ = ['SECRET_KEYS', 'RedactingFilter', 'install', 'plain_record',
           'redact']

_SECRET = r'(?:lg)?password|(?:lg|csrf|rollback|login|patrol|watch)?token'
#: a MediaWiki token (csrf, rollback, login...): hex and ``+\``, raw,
#: url encoded (``%2B%5C``) or escaped in a repr (``+\\``)
_TOKEN_VALUE = r'\b[0-9a-f]{32,40}(?:\+|%2B)(?:\\+|%5C)'
#: where pprint broke a long repr over lines: ``"...'token': "`` then
#: `` "['abc+\\']..."`` on the next line
_BREAK = r"""(?:["']\s*\n\s*["'])?"""
#: a value in a repr: a one-item list, any list, a quoted string
_VALUE = (r"""\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\]|\[[^\]]*\]"""
          r"""|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")
_PATTERNS = [
    # url encoded: lgpassword=secret&token=abc%2B%5C
    (re.compile(rf'(?i)\b({_SECRET})=([^&\s\'",)\]}}]+)'), r'\1=***'),
    # python reprs: 'token': ['abc+\\'] or 'lgpassword': 'x', also with
    # a line break before the value (kept, so the wrapping still reads)
    (re.compile(rf'(?i)([\'"](?:{_SECRET})[\'"]\s*:\s*)({_BREAK})'
                rf'(?:{_VALUE})'), r"\1\2'***'"),
    # JSON: "csrftoken":"abc+\\"
    (re.compile(rf'(?i)("(?:{_SECRET})"\s*:\s*)"(?:[^"\\]|\\.)*"'),
     r'\1"***"'),
    # headers: Cookie / Set-Cookie values, in reprs or raw
    (re.compile(r'(?i)((?:set-)?cookie[\'"]?\s*[:=]\s*[\'"]?)[^\'"\n]+'),
     r'\1***'),
    # any token left, under whatever name it was logged
    (re.compile(_TOKEN_VALUE, re.I), '***'),
]


def redact(text: str) -> str:
    r"""Mask secrets in *text*.

    >>> redact('action=login&lgname=Bot&lgpassword=hunter2&format=json')
    'action=login&lgname=Bot&lgpassword=***&format=json'
    >>> redact("{'token': ['abc+\\\\'], 'title': ['A']}")
    "{'token': '***', 'title': ['A']}"
    >>> redact("'Set-Cookie': 'wiki_session=abc; path=/'")
    "'Set-Cookie': '***'"

    A repr that ``pprint`` wrapped between a key and its value:

    >>> print(redact('''("{'user': ['V'], 'lgpassword': "
    ...  "['hunter2'], 'format': ['json']}")'''))
    ("{'user': ['V'], 'lgpassword': "
     "'***', 'format': ['json']}")

    A token under a name no pattern knows, raw or url encoded:

    >>> redact('t=0123456789abcdef0123456789abcdef%2B%5C&x=1')
    't=***&x=1'
    """
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):

    """A logging filter that masks secrets in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is pywikibot's business
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Attach the filter to all handlers of pywikibot's loggers.

    Call after ``pywikibot.handle_args()`` (which sets the handlers
    up); calling it again is harmless.
    """
    loggers = [logging.getLogger(), logging.getLogger('pywiki'),
               logging.getLogger('py.warnings')]
    loggers += [logger for name, logger in
                logging.root.manager.loggerDict.items()
                if name.startswith('pywiki')
                and isinstance(logger, logging.Logger)]
    for logger in loggers:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)


#: keys that could carry a secret; never written to a journal
SECRET_KEYS = frozenset({'token', 'lgpassword', 'password', 'lgtoken',
                         'cookie', 'cookies', 'csrftoken', 'rollbacktoken'})


def plain_record(value: Any) -> Any:
    """Return *value* as plain JSON data, without keys that hold secrets.

    >>> plain_record({'title': 'A', 'token': 'x', 'n': (1, 2)})
    {'title': 'A', 'n': [1, 2]}
    >>> plain_record({'hidden': frozenset({'user', 'content'})})
    {'hidden': ['content', 'user']}

    Results (dataclasses) become dicts, timestamps ISO 8601 text, and
    anything else unknown its ``str``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain_record(dataclasses.asdict(value))  # a result
    if isinstance(value, dict):
        return {k: plain_record(v) for k, v in value.items()
                if k.lower() not in SECRET_KEYS}
    if isinstance(value, (list, tuple)):
        return [plain_record(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain_record(v) for v in value)
    if isinstance(value, pywikibot.Timestamp):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
