"""What a run checks before its first write: rights, and the right wiki.

``localhost`` and ``127.0.0.1``, a test wiki and the live one, look
alike in a config file: before the first write a run says which wiki
(its API URL) and which account it acts as, and without ``-always``
asks once. The account's rights and blocks are checked first
(:func:`~pywikibot_revert.wiki._rights.require_rights`), so a run that
could not write stops before the question.
"""
from __future__ import annotations

from typing import Any

import pywikibot

from ..exceptions import StopRunError
from ..wiki._rights import require_rights
from ._journal import site_id


__all__ = ['preflight']


def preflight(site: Any, operation: str, *, ask: bool) -> None:
    """Check the rights for *operation*; name the wiki; if *ask*, ask.

    **Example:**

    .. code-block:: python

       preflight(site, 'rollback', ask=not always)

    :param operation: a key of
        :data:`~pywikibot_revert.wiki._rights.REQUIRED_RIGHTS`
    :param ask: ask the operator to confirm the wiki and the account
        (not with ``-always`` or ``-simulate``)
    :raises MissingRightError: the account lacks a right
    :raises StopRunError: the operator said no, or gave no answer
    """
    require_rights(site, operation)
    ident = site_id(site)
    where = f'{ident["site"]} ({ident["api"]}) as {site.user()}'
    pywikibot.info(f'Wiki: {where}')
    if not ask:
        return
    try:
        ok = pywikibot.input_yn(f'Act on {where}?', default=False,
                                automatic_quit=False)
    except EOFError:
        ok = False
    if not ok:
        raise StopRunError(f'not acting on {where}: the operator did '
                           'not confirm the wiki and the account')
