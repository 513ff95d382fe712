"""Keep passwords, tokens and cookies out of pywikibot's output and logs.

pywikibot logs request bodies with ``-debug`` (login passwords
included), a failed request with its parameters (tokens included) and
response headers (cookies included). :func:`install` puts a filter on
every handler of pywikibot's loggers that masks such values before they
reach the screen or a log file.
"""
from __future__ import annotations

import logging
import re


__all__ = ['RedactingFilter', 'install', 'redact']

_SECRET = r'(?:lg)?password|(?:lg|csrf|rollback|login|patrol|watch)?token'
_PATTERNS = [
    # url encoded: lgpassword=secret&token=abc%2B%5C
    (re.compile(rf'(?i)\b({_SECRET})=([^&\s\'",)\]}}]+)'), r'\1=***'),
    # python reprs: 'token': ['abc+\\'] or 'lgpassword': 'x'
    (re.compile(rf'(?i)([\'"](?:{_SECRET})[\'"]\s*:\s*)'
                r'(\[[^\]]*\]|\'[^\']*\'|"[^"]*")'), r"\1'***'"),
    # JSON: "csrftoken":"abc+\\"
    (re.compile(rf'(?i)("(?:{_SECRET})"\s*:\s*)"(?:[^"\\]|\\.)*"'),
     r'\1"***"'),
    # headers: Cookie / Set-Cookie values, in reprs or raw
    (re.compile(r'(?i)((?:set-)?cookie[\'"]?\s*[:=]\s*[\'"]?)[^\'"\n]+'),
     r'\1***'),
]


def redact(text: str) -> str:
    """Mask secrets in *text*.

    >>> redact('action=login&lgname=Bot&lgpassword=hunter2&format=json')
    'action=login&lgname=Bot&lgpassword=***&format=json'
    >>> redact("{'token': ['abc+\\\\\\\\'], 'title': ['A']}")
    "{'token': '***', 'title': ['A']}"
    >>> redact("'Set-Cookie': 'wiki_session=abc; path=/'")
    "'Set-Cookie': '***'"
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
