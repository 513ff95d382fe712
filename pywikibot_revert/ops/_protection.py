"""A page's protection: what it is now, as a value to compare and set.

:class:`Protection` is what a ``protect`` log entry sets and what
``prop=info&inprop=protection`` reads (:func:`current_protections`, 50
titles a request), in one form: levels sorted, expiries normalised
(``infinite`` and ``infinity`` alike), so that "the protection the
user left" and "the protection now" compare equal when they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..wiki._params import batched
from ..wiki._query import read
from ._logactions import is_past, norm_expiry


__all__ = ['Level', 'Protection', 'current_protections']

Level = tuple[str, str, str]  # (type, level, expiry)


@dataclass(frozen=True)
class Protection:

    """A page's protection: ``(type, level, expiry)`` levels and cascade.

    >>> p = Protection.from_levels([('move', 'sysop', 'infinite'),
    ...                             ('edit', 'sysop', 'infinity')])
    >>> p.levels
    (('edit', 'sysop', 'infinity'), ('move', 'sysop', 'infinity'))
    >>> Protection.none() == Protection()
    True
    """

    levels: tuple[Level, ...] = ()
    cascade: bool = False

    @classmethod
    def none(cls) -> Protection:
        """No protection."""
        return cls()

    @classmethod
    def from_levels(cls, levels: Any, cascade: bool = False) -> Protection:
        """Build from ``(type, level, expiry)`` items in any order."""
        return cls(tuple(sorted((str(t), str(lv), norm_expiry(e))
                                for t, lv, e in levels)), bool(cascade))

    @classmethod
    def from_info(cls, protection: list[dict[str, Any]]) -> Protection:
        """Build from a page's ``protection`` (``prop=info``).

        Only the page's own levels count; a level it has through a
        cascading protection of another page (``source``) does not.
        """
        own = [p for p in protection if 'source' not in p]
        return cls.from_levels(
            [(p['type'], p['level'], p['expiry']) for p in own],
            any(p.get('cascade') not in (None, False) for p in own))

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Protection:
        """Build from :func:`dataclasses.asdict` output (a journal's)."""
        return cls.from_levels(data.get('levels', ()), data.get('cascade'))

    def active(self, now: str) -> Protection:
        """Return what is left of it at *now*: expired levels dropped."""
        levels = tuple(lv for lv in self.levels if not is_past(lv[2], now))
        return Protection(levels, self.cascade and bool(levels))

    def __str__(self) -> str:
        """Return e.g. ``edit=sysop (infinity), move=sysop (...)``."""
        if not self.levels:
            return 'no protection'
        text = ', '.join(f'{t}={lv} ({e})' for t, lv, e in self.levels)
        return text + (' cascading' if self.cascade else '')


def current_protections(site: Any, titles: list[str], *, batch: int = 50
                        ) -> tuple[dict[str, Protection], str]:
    """Read each title's protection now, and the wiki's time.

    One request per *batch* titles (``prop=info&inprop=protection``);
    a missing page has its ``create`` protection.

    :return: title -> protection (the titles as given included), and
        the wiki's time (``curtimestamp``)
    """
    found: dict[str, Protection] = {}
    now = ''
    for chunk in batched(titles, batch):
        data = read(site, action='query', prop='info', inprop='protection',
                    titles=chunk, curtimestamp=1, formatversion=2)
        now = now or data.get('curtimestamp', '')
        part = data.get('query', {})
        for page in part.get('pages', []):
            found[page['title']] = Protection.from_info(
                page.get('protection', []))
        for alias in part.get('normalized', []):
            if alias['to'] in found:
                found[alias['from']] = found[alias['to']]
    return found, now
