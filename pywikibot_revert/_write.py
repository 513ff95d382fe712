"""Send one write through pywikibot without ever resending it blindly.

pywikibot resends a POST after a timeout, a reset connection, a 5xx or
a garbled body, even when the server already did the write. For
filerevert that adds a second identical version. So a write request
here gets ``max_retries = 0``: the first transport failure comes back
to us, and we ask the wiki (with reads, which are safe to retry) whether
the write happened before doing anything else. Only when the wiki says
it did not is the write sent again, after a pause, within a bound the
operator sets.

Everything else stays pywikibot's: the token wallet (and its refresh on
``badtoken``), login, throttle, maxlag and ``-simulate``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pywikibot
import requests
from pywikibot import config
from pywikibot.exceptions import APIError, ServerError, SiteDefinitionError

from ._exceptions import (
    OutcomeUnknownError,
    RateLimitedError,
    from_api_error,
)


try:  # renamed in pywikibot 11.5
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover - pywikibot < 11.5
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError


__all__ = ['UNCERTAIN', 'is_simulation', 'submit_write']

#: exceptions after which the write may or may not have happened;
#: pywikibot turns a garbled (non-JSON) answer into SiteDefinitionError
#: when the family was generated from a URL (family_files)
UNCERTAIN = (ApiTimeoutError, ServerError, requests.RequestException,
             ConnectionError, SiteDefinitionError)

#: default bound, in seconds, for waiting out rate limits and lag
DEFAULT_MAX_WAIT = 300.0

Reconcile = Callable[[], 'dict[str, Any] | None']


def is_simulation() -> bool:
    """Return True when pywikibot's ``-simulate`` is active."""
    return bool(config.simulate)


def submit_write(site: Any, params: dict[str, Any], *, token: str,
                 reconcile: Reconcile | None, page: Any = None,
                 max_wait: float | None = None) -> dict[str, Any]:
    """Submit a write action and return pywikibot's answer.

    :param params: parameters without token
    :param token: token type, ``'csrf'`` or ``'rollback'``
    :param reconcile: reads the wiki after an uncertain outcome and
        returns an API-shaped answer if the write happened, None if it
        certainly did not; it raises if it cannot tell
    :param page: the page concerned, for errors
    :param max_wait: seconds to keep waiting out failures the wiki
        confirmed as not written (rate limit, read-only, lag); default
        :data:`DEFAULT_MAX_WAIT`
    :raises RevertError: a typed error for a known API error code
    :raises OutcomeUnknownError: the wiki could not tell what happened
    :raises RateLimitedError: still refused after *max_wait* seconds
    """
    max_wait = DEFAULT_MAX_WAIT if max_wait is None else max_wait
    params = dict(params)
    if site.username():
        # a session that silently became another user writes nothing
        params['assertuser'] = site.username().split('@')[0]
    waited = 0.0
    delay = float(config.retry_wait)
    while True:
        params['token'] = site.tokens[token]
        req = site.simple_request(**params)
        req.max_retries = 0
        try:
            return req.submit()
        except APIError as err:
            raise from_api_error(err, page=page, site=site) from err
        except UNCERTAIN as err:
            failure = err
        pywikibot.log(f'{params["action"]}: uncertain outcome '
                      f'({type(failure).__name__}); asking the wiki')
        if reconcile is None:
            raise OutcomeUnknownError(
                f'{params["action"]} on {page}: no answer from the wiki and '
                'no way to check; not resent', page=page, site=site
            ) from failure
        try:
            answer = reconcile()
        except (APIError, *UNCERTAIN) as err:
            raise OutcomeUnknownError(
                f'{params["action"]} on {page}: no answer from the wiki, '
                f'and checking failed too ({err}); not resent',
                page=page, site=site) from failure
        if answer is not None:
            pywikibot.log(f'{params["action"]}: the wiki shows it was done')
            answer.setdefault('reconciled', True)
            return answer
        if waited >= max_wait:
            raise RateLimitedError(
                f'{params["action"]} on {page}: the wiki did not take the '
                f'write within {max_wait:.0f} s (rate limit, lag, read-only '
                'or network); stopped cleanly, nothing was written',
                page=page, site=site, code='ratelimited') from failure
        pause = min(delay, max_wait - waited, float(config.retry_max))
        pywikibot.warning(f'{params["action"]} on {page} was not done; '
                          f'retrying in {pause:.1f} s')
        time.sleep(max(pause, 0))
        waited += max(pause, 0.01)
        delay *= 2
