"""Rights, blocks and the session, checked before the first write."""
from __future__ import annotations

from typing import Any

import pytest

from pywikibot_revert import exceptions as exc
from pywikibot_revert.wiki._rights import REQUIRED_RIGHTS, require_rights


class Site:

    """Enough of a logged in APISite for the rights check."""

    def __init__(self, rights: tuple[str, ...], *, name: str = 'Admin',
                 session: str | None = None, **userinfo: Any) -> None:
        self.name = name
        self.rights = set(rights)
        self.userinfo = {'name': session or name.split('@')[0],
                         'rights': sorted(rights), **userinfo}
        self.logins = 0

    def logged_in(self) -> bool:
        return self.logins > 0

    def login(self) -> None:
        self.logins += 1

    def username(self) -> str:
        return self.name

    def user(self) -> str:
        return self.userinfo['name']

    def has_right(self, right: str) -> bool:
        return right in self.rights


ALL = tuple(r for rights in REQUIRED_RIGHTS.values() for r in rights)


@pytest.mark.parametrize('operation', sorted(REQUIRED_RIGHTS))
def test_each_operation_names_its_missing_right(operation):
    require_rights(Site(ALL), operation)
    for right in REQUIRED_RIGHTS[operation]:
        site = Site(tuple(r for r in ALL if r != right))
        with pytest.raises(exc.MissingRightError) as info:
            require_rights(site, operation)
        assert info.value.right == right
        assert f"'{right}' right" in str(info.value)


def test_logs_in_first_and_accepts_a_bot_password_name():
    site = Site(ALL, name='Admin@cleanup')
    require_rights(site, 'rollback')
    assert site.logins == 1


def test_a_session_of_another_account_is_refused():
    site = Site(ALL, session='Someone else')
    with pytest.raises(exc.SessionError, match='Someone else'):
        require_rights(site, 'undo')


@pytest.mark.parametrize('blockinfo, blocked', [
    ({'blockid': 3, 'blockreason': 'x'}, True),
    ({'blockid': 3, 'blockpartial': ''}, False),
    ({'blockid': 3, 'blockpartial': True}, False),
])
def test_a_sitewide_block_stops_a_partial_one_does_not(blockinfo, blocked):
    site = Site(ALL, blockinfo=blockinfo)
    if blocked:
        with pytest.raises(exc.SitewideBlockError):
            require_rights(site, 'rollback')
    else:
        require_rights(site, 'rollback')
