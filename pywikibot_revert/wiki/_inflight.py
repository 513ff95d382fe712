"""A write whose copy got no answer: may it still land?

The in-flight rule of :mod:`~pywikibot_revert.wiki._write`: a write is
sent again only when its first copy can no longer land. This module
tells the two kinds of failure apart (:func:`may_be_running`), makes
pywikibot raise the failure of a write's HTTP exchange instead of its
bare timeout (:func:`raise_transport_failures`), and watches the wiki
for a copy that may still land, without ever resending it
(:func:`watch`).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pywikibot
import requests
from pywikibot import config
from pywikibot.comms import http
from pywikibot.exceptions import (
    APIError,
    Server504Error,
    ServerError,
    SiteDefinitionError,
)
from urllib3.exceptions import NewConnectionError

from ..exceptions import OutcomeUnknownError


try:  # renamed in pywikibot 11.5
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover - pywikibot < 11.5
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError


__all__ = ['INFLIGHT_WAIT', 'UNCERTAIN', 'ApiTimeoutError', 'Reconcile',
           'ask', 'may_be_running', 'raise_transport_failures', 'watch']

#: exceptions after which the write may or may not have happened;
#: pywikibot turns a garbled (non-JSON) answer into SiteDefinitionError
#: when the family was generated from a URL (family_files)
UNCERTAIN = (ApiTimeoutError, ServerError, requests.RequestException,
             ConnectionError, SiteDefinitionError)

#: seconds the wiki is watched for a write whose copy got no answer
#: (and may still be running) before its outcome is called unknown;
#: never more than the write's ``max_wait``
INFLIGHT_WAIT = 60.0

#: reads the wiki after an uncertain outcome: an API-shaped answer if
#: the write happened, None if it certainly did not; raises if unsure
Reconcile = Callable[[], 'dict[str, Any] | None']


def raise_transport_failures(req: Any) -> None:
    """Make a failed HTTP exchange of *req* raise its own error.

    pywikibot logs a transport failure and waits, which with
    ``max_retries = 0`` raises a bare timeout: a 503 answer and a write
    still running on the server would look alike. Only the exchange is
    replaced, for this request alone; pywikibot's ``http.request`` still
    sends it and turns each failure into its error, which now reaches
    :func:`may_be_running`.
    """
    site = req.site

    def http_request(use_get: bool, uri: str, data: Any, headers: Any,
                     paramstring: str) -> tuple[Any, bool]:
        return http.request(site, uri=uri, data=data, headers=headers,
                            method='GET' if use_get else 'POST'), use_get

    req._http_request = http_request


def may_be_running(failure: BaseException) -> bool:
    """Return whether a write that failed with *failure* may still land.

    A copy the wiki answered, even with a 5xx or a body that is not
    JSON, is over; so is one that never reached it (the connection
    could not be made). A copy that got no answer may still be running
    on the server: the read timed out (pywikibot wraps ``requests``'
    timeout in a ``ServerError``), the connection broke after the
    request was sent, or a gateway gave up waiting for it (504).

    >>> may_be_running(ServerError(requests.ReadTimeout('read')))
    True
    >>> may_be_running(ServerError(requests.ConnectTimeout('connect')))
    False
    >>> may_be_running(ServerError('503 Server Error: Unavailable'))
    False
    >>> may_be_running(Server504Error('Server wiki timed out'))
    True
    >>> may_be_running(requests.ConnectionError('Connection aborted.'))
    True
    >>> may_be_running(ApiTimeoutError('Maximum retries attempted'))
    False

    :param failure: the error the write's request raised
    """
    if isinstance(failure, Server504Error):
        return True
    cause = failure.args[0] if isinstance(failure, ServerError) \
        and failure.args else failure
    if isinstance(cause, requests.ConnectTimeout):
        return False
    if isinstance(cause, requests.Timeout):
        return True
    if isinstance(cause, requests.ConnectionError):
        reason = getattr(cause.args[0] if cause.args else None, 'reason',
                         None)
        return not isinstance(reason, NewConnectionError)
    # ApiTimeoutError: pywikibot waited on an answer (an API error such
    # as ratelimited, or a body that is not JSON), since the exchange's
    # own failures are raised (raise_transport_failures)
    return False


def watch(action: str, page: Any, site: Any, reconcile: Reconcile,
           failure: BaseException, max_wait: float) -> dict[str, Any]:
    """Read the wiki for a write whose copy may still land; never resend.

    :return: the answer the wiki shows, once the write landed
    :raises OutcomeUnknownError: it did not show up within
        :data:`INFLIGHT_WAIT` seconds (at most *max_wait*), or reading
        failed
    """
    window = min(INFLIGHT_WAIT, max_wait)
    waited = 0.0
    delay = float(config.retry_wait)
    pywikibot.warning(f'{action} on {page}: no answer; it may still be '
                      'running on the server, so it is not sent again; '
                      f'watching the wiki for up to {window:.0f} s')
    while waited < window:
        pause = min(delay, window - waited, float(config.retry_max))
        time.sleep(max(pause, 0))
        waited += max(pause, 0.01)
        delay *= 2
        answer = ask(action, page, site, reconcile, failure)
        if answer is not None:
            return answer
    raise OutcomeUnknownError(
        f'{action} on {page}: no answer from the wiki, and for '
        f'{window:.0f} s more it showed nothing written; the request may '
        'still be running on the server, so it was not sent again; '
        'rerun with the same -journal to settle it', page=page, site=site
    ) from failure


def ask(action: str, page: Any, site: Any, reconcile: Reconcile,
         failure: BaseException) -> dict[str, Any] | None:
    """Return what :data:`Reconcile` finds, marked ``reconciled``.

    :raises OutcomeUnknownError: reading the wiki failed
    """
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
