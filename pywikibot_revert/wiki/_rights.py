"""Check the account's rights and blocks before the first write."""
from __future__ import annotations

from typing import Any

import pywikibot

from ._apierrors import is_partial_block
from ..exceptions import MissingRightError, SessionError, SitewideBlockError


__all__ = ['REQUIRED_RIGHTS', 'require_rights']

#: operation -> user rights it needs (every one of them)
REQUIRED_RIGHTS: dict[str, tuple[str, ...]] = {
    'rollback': ('rollback', 'edit'),
    'undelete': ('undelete',),
    'deletedhistory': ('deletedhistory',),
    'filerevert': ('edit', 'upload', 'reupload'),
    'edit': ('edit',),
    'delete': ('delete',),
    'move': ('move',),
    'revisiondelete': ('deleterevision',),
    'protect': ('protect',),
    'block': ('block',),
    # a bureaucrat has no 'userrights' right: the groups it may add and
    # remove are checked per write (ops._userrights.require_changeable)
    'userrights': (),
    # each kind of a cleanup's plan is checked on its own (bot._cleanup)
    'cleanup': (),
    # each journal record's own operation is checked when it is read
    'undo': (),
}


def ensure_login(site: Any) -> None:
    """Log in through pywikibot, as the configured account.

    :raises SessionError: the session belongs to another account (for
        example a stale cookie); nothing is written then
    """
    if not site.logged_in():
        site.login()
    expected = site.username()
    actual = site.userinfo.get('name')
    if expected and actual != expected.split('@')[0]:
        raise SessionError(
            f'the session on {site} belongs to {actual!r}, not to the '
            f'configured account {expected!r}; log out and in again',
            site=site, code='assertnameduserfailed')


def require_rights(site: Any, operation: str) -> None:
    """Raise unless the account may perform *operation*.

    Uses the user info pywikibot already holds: no request per call
    once logged in. A BotPassword's grants restrict these rights, so a
    missing grant is caught here too.

    :param operation: a key of :data:`REQUIRED_RIGHTS`
    :raises MissingRightError: names the first missing right
    :raises SitewideBlockError: the account is blocked sitewide
    """
    ensure_login(site)
    for right in REQUIRED_RIGHTS[operation]:
        if not site.has_right(right):
            raise MissingRightError(
                f'{operation} needs the {right!r} right, which user '
                f'{site.user() or "(anonymous)"} does not have on {site}',
                right=right, site=site, code='permissiondenied')
    blockinfo = site.userinfo.get('blockinfo') or (
        site.userinfo if 'blockid' in site.userinfo else None)
    if blockinfo and not is_partial_block(blockinfo):
        raise SitewideBlockError(
            f'user {site.user()} is blocked sitewide on {site}: '
            f'{blockinfo.get("blockreason", "")}', site=site, code='blocked')


def markbot_default(site: Any) -> bool:
    """Return whether rollbacks are marked as bot edits by default.

    True only for a bot account that may mark edits: ``markbot`` is
    silently ignored by the server without ``markbotedits``.
    """
    return site.has_right('bot') and site.has_right('markbotedits')


def warn_markbot(site: Any, markbot: bool | None) -> None:
    """Warn when *markbot* is asked for but the server will ignore it."""
    if markbot and not site.has_right('markbotedits'):
        pywikibot.warning(
            f'markbot: user {site.user()} lacks the markbotedits right on '
            f'{site}; the server will not mark these edits as bot edits')
