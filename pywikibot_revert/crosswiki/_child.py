"""What one wiki's run knows of the cross-wiki run around it.

A cross-wiki run (:mod:`~pywikibot_revert.crosswiki._run`) works on each
wiki in a thread of its own (:mod:`~pywikibot_revert.crosswiki._workers`).
While a thread works on a wiki, :func:`working_on` names that wiki, and
every line pywikibot prints from the thread starts with it
(``[wikipedia:de] ...``), so that the lines of wikis running side by
side can be told apart. Outside a cross-wiki run nothing is named and
nothing here changes a line.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


__all__ = ['in_crosswiki_run', 'wiki_label', 'working_on']

_local = threading.local()
_install_lock = threading.Lock()


def wiki_label() -> str | None:
    """Return the wiki this thread works on (``family:code``), if any."""
    return getattr(_local, 'label', None)


def in_crosswiki_run() -> bool:
    """Return whether this thread works on one wiki of a cross-wiki run."""
    return wiki_label() is not None


@contextmanager
def working_on(label: str) -> Iterator[None]:
    """Name *label* as this thread's wiki, its lines prefixed with it.

    **Example:**

    .. code-block:: python

       with working_on('wikipedia:de'):
           pywikibot.info('Summary: ...')  # [wikipedia:de] Summary: ...
    """
    _install()
    _local.label = label
    _local.line_start = True
    try:
        yield
    finally:
        _local.label = None


class _WikiPrefix(logging.Filter):

    """Start each line a wiki's thread prints with the wiki.

    On the handlers (the terminal's, ``-log``'s), so that it sees the
    record whole: a record printed with ``newline=False`` leaves the
    next one on the same line, unprefixed. A record goes to several
    handlers: it is changed once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        label = wiki_label()
        if not label or getattr(record, '_wiki_prefixed', False) \
                or not isinstance(record.msg, str):
            return True
        record._wiki_prefixed = True
        prefix = f'[{label}] '
        # every line of the message, the empty ones too
        text = record.msg.replace('\n', '\n' + prefix)
        if record.levelno >= logging.WARNING:
            # pywikibot prints these as "LEVEL: message": the wiki goes
            # first, as on every other line
            record.levelname = prefix + record.levelname
        elif getattr(_local, 'line_start', True):
            text = prefix + text
        record.msg = text
        _local.line_start = getattr(record, 'newline', '\n') != ''
        return True


_FILTER = _WikiPrefix()


def _install() -> None:
    """Put the filter on pywikibot's handlers (made anew at times)."""
    with _install_lock:
        for name in ('pywiki', 'py.warnings'):
            for handler in logging.getLogger(name).handlers:
                if _FILTER not in handler.filters:
                    handler.addFilter(_FILTER)
