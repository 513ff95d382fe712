"""The visibility of revisions an administrator changed, put back.

Planned from the account's ``delete/revision`` log entries alone (no
read): see :func:`visibility_backs`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ops._revdel import BITS


__all__ = ['VisibilityBack', 'visibility_backs']


@dataclass(frozen=True)
class VisibilityBack:

    """Revisions of one page whose visibility the account changed.

    >>> v = VisibilityBack('P', (5,), hide=('user',), show=('content',),
    ...                    left=(('content', True), ('user', False)),
    ...                    logids=(16, 17), user='Rogue')
    >>> v.as_left({'content'}), v.as_left({'content', 'comment'})
    (True, True)
    >>> v.as_left(set())
    False
    >>> v.as_before({'user'}), v.as_before({'content', 'user'})
    (True, False)

    :ivar hide: the bits to hide again (the account showed them)
    :ivar show: the bits to show again (the account hid them)
    :ivar left: each bit the account changed, and whether it left it
        hidden
    """

    title: str
    revids: tuple[int, ...]
    hide: tuple[str, ...]
    show: tuple[str, ...]
    left: tuple[tuple[str, bool], ...]
    logids: tuple[int, ...]
    user: str

    def as_left(self, bits: Any) -> bool:
        """Tell whether a revision's hidden *bits* are as the account left."""
        return all((bit in bits) == hidden for bit, hidden in self.left)

    def as_before(self, bits: Any) -> bool:
        """Tell whether they are as before the account changed them."""
        return all((bit in bits) != hidden for bit, hidden in self.left)


def visibility_backs(entries: list[dict[str, Any]]
                     ) -> tuple[list[VisibilityBack],
                                list[tuple[dict[str, Any], str]]]:
    """Plan putting back the visibility the account changed (no read).

    A ``delete/revision`` entry logs, of the bits it changed, what they
    were and what they became. Over the account's entries on one
    revision, each bit goes back to what it was before the account's
    first change of it; a bit it changed and changed back is left.
    Revisions of one page to change alike are one write.

    >>> entry = {'logid': 3, 'title': 'P', 'user': 'Rogue', 'params': {
    ...     'type': 'revision', 'ids': [5, 6],
    ...     'old': {'content': False, 'comment': False, 'user': False},
    ...     'new': {'content': True, 'comment': False, 'user': True}}}
    >>> [(b.revids, b.show) for b in visibility_backs([entry])[0]]
    [((5, 6), ('content', 'user'))]

    :param entries: the account's ``delete/revision`` entries, newest
        first
    :return: the writes, and the entries left for a person with why
    """
    left: list[tuple[dict[str, Any], str]] = []
    bits: dict[tuple[str, int], dict[str, list[Any]]] = {}
    for entry in reversed(entries):
        params = entry.get('params') or {}
        old, new = params.get('old') or {}, params.get('new') or {}
        if params.get('type') != 'revision':
            left.append((entry, f'{params.get("type")} visibility changed: '
                         'no API action here puts it back'))
            continue
        if old.get('restricted') or new.get('restricted'):
            left.append((entry, 'a suppression: ask an oversighter'))
            continue
        for revid in params.get('ids') or []:
            mine = bits.setdefault((entry['title'], int(revid)), {})
            for bit in BITS:
                if bool(old.get(bit)) != bool(new.get(bit)):
                    first = mine.setdefault(bit, [bool(old.get(bit)), None,
                                                  set()])
                    first[1] = bool(new.get(bit))
                    first[2].add(entry['logid'])
    groups: dict[tuple[Any, ...], list[int]] = {}
    for (title, revid), changed in bits.items():
        back = {bit: was for bit, (was, now, _) in changed.items()
                if was != now}
        if not back:
            continue
        key = (title, tuple(sorted(b for b, was in back.items() if was)),
               tuple(sorted(b for b, was in back.items() if not was)),
               tuple(sorted((b, not was) for b, was in back.items())),
               tuple(sorted({i for _, _, ids in changed.values()
                             for i in ids})))
        groups.setdefault(key, []).append(revid)
    user = entries[0].get('user', '') if entries else ''
    backs = [VisibilityBack(title, tuple(sorted(revids)), hide, show,
                            left_as, logids, user)
             for (title, hide, show, left_as, logids), revids
             in groups.items()]
    return backs, left
