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
from pywikibot.exceptions import (
    APIError,
    MaxlagTimeoutError,
    ServerError,
    SiteDefinitionError,
)

from ._apierrors import raise_for_failure, translated
from ._exceptions import (
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    ServerUnavailableError,
    StopRunError,
)


try:  # renamed in pywikibot 11.5
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover - pywikibot < 11.5
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError


__all__ = ['DEFAULT_MAX_WAIT', 'UNCERTAIN', 'is_simulation', 'submit_write']

#: exceptions after which the write may or may not have happened;
#: pywikibot turns a garbled (non-JSON) answer into SiteDefinitionError
#: when the family was generated from a URL (family_files)
UNCERTAIN = (ApiTimeoutError, ServerError, requests.RequestException,
             ConnectionError, SiteDefinitionError)

#: default bound, in seconds, for waiting out rate limits and lag
DEFAULT_MAX_WAIT = 300.0

#: reads the wiki after an uncertain outcome: an API-shaped answer if
#: the write happened, None if it certainly did not; raises if unsure
Reconcile = Callable[[], 'dict[str, Any] | None']


def is_simulation() -> bool:
    """Return True when pywikibot's ``-simulate`` is active."""
    return bool(config.simulate)


def _record_waits(req: Any) -> list[str | None]:
    """Note the API error code each time pywikibot waits on *req*.

    With ``max_retries = 0`` pywikibot gives up at its first wait and
    raises a bare timeout, whether it waited on ``ratelimited``,
    ``readonly`` or the network; the code it waited on tells which.
    """
    codes: list[str | None] = []
    wait = req.wait

    def wait_and_record(*args: Any, **kwargs: Any) -> None:
        codes.append((getattr(req, 'last_error', None) or {}).get('code'))
        wait(*args, **kwargs)

    req.wait = wait_and_record
    return codes


def _gave_up(action: str, page: Any, site: Any, failure: BaseException,
             codes: list[str | None], max_wait: float) -> StopRunError:
    """Return the error for a write still refused after *max_wait*."""
    if 'ratelimited' in codes:
        cls: type[StopRunError] = RateLimitedError
        code, what = 'ratelimited', 'kept the rate limit'
    elif 'readonly' in codes or isinstance(failure, MaxlagTimeoutError):
        cls = ReadOnlyError
        code, what = 'readonly', 'stayed read-only or lagged'
    else:
        cls = ServerUnavailableError
        code = None
        what = f'kept failing ({type(failure).__name__})'
    return cls(f'{action} on {page}: the wiki {what} for {max_wait:.0f} s; '
               'it shows nothing was written; stopped cleanly',
               page=page, site=site, code=code)


def submit_write(site: Any, params: dict[str, Any], *, token: str,
                 reconcile: Reconcile | None, page: Any = None,
                 max_wait: float | None = None) -> dict[str, Any]:
    """Submit a write action and return pywikibot's answer.

    **Example:**

    .. code-block:: python

       answer = submit_write(site, {'action': 'delete', 'title': 'Foo'},
                             token='csrf', reconcile=gone_yet)

    :param params: parameters without token
    :param token: token type, ``'csrf'`` or ``'rollback'``
    :param reconcile: reads the wiki after an uncertain outcome and
        returns an API-shaped answer if the write happened, None if it
        certainly did not; it raises if it cannot tell
    :param page: the page concerned, for errors
    :param max_wait: seconds to keep waiting out failures the wiki
        confirmed as not written (rate limit, read-only, lag, network);
        default :data:`DEFAULT_MAX_WAIT`
    :raises RevertError: a typed error for a known API error code or a
        ``Failure`` answer
    :raises OutcomeUnknownError: the wiki could not tell what happened
    :raises StopRunError: still refused after *max_wait* seconds
        (:exc:`RateLimitedError`, :exc:`ReadOnlyError`,
        :exc:`ServerUnavailableError`)
    """
    max_wait = DEFAULT_MAX_WAIT if max_wait is None else max_wait
    action = params['action']
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
        codes = _record_waits(req)
        try:
            with translated(page=page, site=site):
                answer = req.submit()
        except UNCERTAIN as err:
            failure = err
        else:
            raise_for_failure(action, answer, page=page, site=site)
            return answer
        pywikibot.log(f'{action}: uncertain outcome '
                      f'({type(failure).__name__}); asking the wiki')
        if reconcile is None:
            raise OutcomeUnknownError(
                f'{action} on {page}: no answer from the wiki and '
                'no way to check; not resent', page=page, site=site
            ) from failure
        try:
            answer = reconcile()
        except (APIError, *UNCERTAIN) as err:
            raise OutcomeUnknownError(
                f'{action} on {page}: no answer from the wiki, '
                f'and checking failed too ({err}); not resent',
                page=page, site=site) from failure
        if answer is not None:
            pywikibot.log(f'{action}: the wiki shows it was done')
            answer.setdefault('reconciled', True)
            return answer
        if waited >= max_wait:
            raise _gave_up(action, page, site, failure, codes,
                           max_wait) from failure
        pause = min(delay, max_wait - waited, float(config.retry_max))
        pywikibot.warning(f'{action} on {page} was not done; '
                          f'retrying in {pause:.1f} s')
        time.sleep(max(pause, 0))
        waited += max(pause, 0.01)
        delay *= 2
