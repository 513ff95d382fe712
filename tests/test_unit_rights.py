"""Rights, blocks and the session, checked before the first write."""
from __future__ import annotations

from typing import Any

import pytest

from pywikibot_revert import exceptions as exc
from pywikibot_revert.wiki._rights import REQUIRED_RIGHTS, require_rights
from harness.fakesite import FakeSite


def with_rights(rights: tuple[str, ...], *, name: str = 'Admin',
                session: str | None = None, **userinfo: Any) -> FakeSite:
    """A logged out site of *name* (also a BotPassword) with *rights*.

    :param session: whom the wiki says the session belongs to, if not
        *name*'s account
    :param userinfo: more of what the wiki says of the session
    """
    return FakeSite(rights=rights, username=name,
                    user=session or name.split('@')[0], userinfo=userinfo)


ALL = tuple(r for rights in REQUIRED_RIGHTS.values() for r in rights)


@pytest.mark.parametrize('operation', sorted(REQUIRED_RIGHTS))
def test_each_operation_names_its_missing_right(operation):
    require_rights(with_rights(ALL), operation)
    for right in REQUIRED_RIGHTS[operation]:
        site = with_rights(tuple(r for r in ALL if r != right))
        with pytest.raises(exc.MissingRightError) as info:
            require_rights(site, operation)
        assert info.value.right == right
        assert f"'{right}' right" in str(info.value)


def test_logs_in_first_and_accepts_a_bot_password_name():
    site = with_rights(ALL, name='Admin@cleanup')
    require_rights(site, 'rollback')
    assert site.logins == 1


def test_a_session_of_another_account_is_refused():
    site = with_rights(ALL, session='Someone else')
    with pytest.raises(exc.SessionError, match='Someone else'):
        require_rights(site, 'undo')


@pytest.mark.parametrize('blockinfo, blocked', [
    ({'blockid': 3, 'blockreason': 'x'}, True),
    ({'blockid': 3, 'blockpartial': ''}, False),
    ({'blockid': 3, 'blockpartial': True}, False),
])
def test_a_sitewide_block_stops_a_partial_one_does_not(blockinfo, blocked):
    site = with_rights(ALL, blockinfo=blockinfo)
    if blocked:
        with pytest.raises(exc.SitewideBlockError):
            require_rights(site, 'rollback')
    else:
        require_rights(site, 'rollback')
