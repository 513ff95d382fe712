"""Send one write through pywikibot without ever sending it twice blindly.

pywikibot resends a POST after a timeout, a reset connection, a 5xx or
a garbled body, even when the server already did the write. For
filerevert that adds a second identical version. So a write request
here gets ``max_retries = 0``, and its HTTP exchange raises its own
failure (``_inflight.raise_transport_failures``), not pywikibot's bare
timeout: we ask the wiki (with reads, which are safe to retry) whether
the write happened before doing anything else.

**The in-flight rule.** A write is sent again only when its first copy
can no longer land: the wiki answered it (a refusal such as
``ratelimited``, ``readonly``, lag, an HTTP 5xx other than 504, a
garbled body) or it never reached the wiki (the connection could not
be made). Then, if the wiki shows nothing was written, it is resent
after a pause, within a bound the operator sets (``max_wait``). A copy
that got no answer (the read timed out, the connection broke after the
request was sent, a gateway's 504) may still be running on the server:
on Commons a file operation can outlive the gateway's timeout. It is
never resent: the wiki is read again a few times over
:data:`INFLIGHT_WAIT` seconds (at most ``max_wait``); if the write shows
up it is done, otherwise the outcome is unknown
(:exc:`~pywikibot_revert.exceptions.OutcomeUnknownError`): the run
stops, the journal keeps the write open, and a rerun, when the first
copy has long ended, reads the wiki and writes only what did not land.

A write names its account (``assertuser``), so the wiki refuses it
rather than make it as anyone else. When the session is lost mid-run
(it expired, or was invalidated on the server) the refusal comes back
here: if the wiki confirms the session is gone, the account logs in
again through pywikibot, with the password it has, never by asking
(:func:`login_again`), and the refused write is sent once more.

Everything else stays pywikibot's: the token wallet (and its refresh on
``badtoken``), login, throttle, maxlag and ``-simulate``. So does its
``WARNING: API error CODE: ...`` line, except for a code that only means
"nothing to do" (``alreadyrolled``, ``cantundelete``, ...): the run's
skip line says that, and the warning goes to the log file only
(:func:`~pywikibot_revert.wiki._apierrors.translated`).
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pywikibot
from pywikibot import config, login
from pywikibot.exceptions import Error, MaxlagTimeoutError

from ._apierrors import raise_for_failure, title_of, translated
from ._inflight import (
    INFLIGHT_WAIT,
    UNCERTAIN,
    ApiTimeoutError,
    Reconcile,
    ask,
    may_be_running,
    raise_transport_failures,
    watch,
)
from ..exceptions import (
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    ServerUnavailableError,
    SessionError,
    StopRunError,
)


__all__ = ['DEFAULT_MAX_WAIT', 'INFLIGHT_WAIT', 'UNCERTAIN', 'ApiTimeoutError',
           'Reconcile', 'is_simulation', 'login_again', 'may_be_running',
           'reconcile_by', 'submit_write']

#: default bound, in seconds, for waiting out rate limits and lag
DEFAULT_MAX_WAIT = 300.0

def reconcile_by(action: str, find: Callable[[], Any], *,
                 answer: dict[str, Any] | None = None) -> Reconcile:
    """Return the :data:`Reconcile` of a write from its operation's reader.

    Every operation answers "did it land?" the same way: a reader
    (``find_rollback``, ``find_edit``, ``find_delete``,
    ``find_undelete``, ``find_filerevert``) reads the wiki and returns
    what the write left there, None when it certainly did not land, and
    raises when it cannot tell. This turns that into the answer the API
    would have given for *action*.

    >>> reconcile_by('edit', lambda: None)() is None
    True
    >>> reconcile_by('edit', lambda: {'newrevid': 9})()
    {'edit': {'newrevid': 9}}
    >>> reconcile = reconcile_by('filerevert', lambda: 'v2',
    ...                          answer={'result': 'Success'})
    >>> reconcile()
    {'filerevert': {'result': 'Success'}}

    :param action: the write's API action, the key of its answer
    :param find: the reader, called once per uncertain outcome
    :param answer: the answer's body when the reader's find is not it
    """
    def reconcile() -> dict[str, Any] | None:
        found = find()
        if found is None:
            return None
        return {action: found if answer is None else dict(answer)}

    return reconcile


def is_simulation() -> bool:
    """Return True when pywikibot's ``-simulate`` is active."""
    return bool(config.simulate)


def _record_waits(req: Any) -> list[dict[str, Any]]:
    """Note the API error each time pywikibot waits on *req*.

    With ``max_retries = 0`` pywikibot gives up at its first wait and
    raises a bare timeout, whether it waited on ``ratelimited``,
    ``readonly`` or the network; the error it waited on tells which
    (and, for ``readonly``, the wiki's reason).
    """
    errors: list[dict[str, Any]] = []
    wait = req.wait

    def wait_and_record(*args: Any, **kwargs: Any) -> None:
        errors.append(dict(getattr(req, 'last_error', None) or {}))
        wait(*args, **kwargs)

    req.wait = wait_and_record
    return errors


def _can_log_in_unasked(site: Any) -> bool:
    """Return whether logging in again needs nobody at the keyboard.

    pywikibot asks for the password when ``user-password.py`` has none
    for the account; with no terminal on stdin that would hang (or fail
    at end of input) mid-run.
    """
    if sys.stdin is not None and sys.stdin.isatty():
        return True
    try:
        manager = login.ClientLoginManager(site=site, user=site.username())
    except (Error, OSError, ValueError):
        return False
    return manager.password is not None


def login_again(site: Any, refused: SessionError) -> None:
    """Log in again after the wiki refused a write for its session.

    Only a session the wiki confirms lost (it answers as an anonymous
    user) is renewed, through pywikibot (``site.login()``), and only
    when that needs no password prompt. The refused write wrote
    nothing, so the caller may send it once more afterwards.

    :param refused: the ``assertuserfailed`` or
        ``assertnameduserfailed`` error of the refused write
    :raises SessionError: the session is not simply lost (it belongs
        to another account, or the refusal is unexplained), or the
        login failed or would prompt; the run stops, a rerun with the
        journal resumes
    """
    expected = site.username().split('@')[0]
    where = f'{title_of(refused.page)}: ' if refused.page is not None \
        else ''

    def stop(why: str) -> SessionError:
        why = ' '.join(why.split())  # one line, whatever the error said
        return SessionError(
            f'{where}the wiki refused the write for the session of '
            f'{expected} ({refused.code}); {why}; nothing was written; '
            'rerun with the same -journal to resume',
            page=refused.page, site=site, code=refused.code)

    del site.userinfo  # ask the wiki who this session is now
    try:
        userinfo = site.userinfo
    except (Error, *UNCERTAIN) as err:
        raise stop(f'checking the session failed ({err})') from refused
    if 'anon' not in userinfo:
        actual = userinfo.get('name')
        raise stop('the session is still logged in'
                   if actual == expected else
                   f'the session now belongs to {actual!r}') from refused
    if not _can_log_in_unasked(site):
        raise stop('the session was lost and there is no password in '
                   'the password file to log in again without asking'
                   ) from refused
    pywikibot.warning(f'the session of {expected} on {site} was lost; '
                      'logging in again')
    try:
        site.login()
        actual = site.userinfo.get('name')
    except (Error, EOFError, RuntimeError, *UNCERTAIN) as err:
        raise stop(f'the session was lost and logging in again failed '
                   f'({type(err).__name__}: {err})') from refused
    if actual != expected:
        raise stop(f'the session was lost and logging in again gave '
                   f'{actual!r}') from refused
    site.tokens.clear()  # the old tokens belonged to the lost session


def _gave_up(action: str, page: Any, site: Any, failure: BaseException,
             errors: list[dict[str, Any]], max_wait: float
             ) -> StopRunError:
    """Return the error for a write still refused after *max_wait*."""
    codes = [error.get('code') for error in errors]
    if 'ratelimited' in codes:
        cls: type[StopRunError] = RateLimitedError
        code, what = 'ratelimited', 'kept the rate limit'
    elif 'readonly' in codes or isinstance(failure, MaxlagTimeoutError):
        cls = ReadOnlyError
        code, what = 'readonly', 'stayed read-only or lagged'
        reason = next((error['readonlyreason'] for error in errors
                       if error.get('readonlyreason')), None)
        if reason:
            what = f'stayed read-only ({" ".join(str(reason).split())})'
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

       answer = submit_write(
           site, {'action': 'delete', 'title': 'Foo'}, token='csrf',
           reconcile=reconcile_by('delete', lambda: find_delete(site, 'Foo')))

    :param params: parameters without token
    :param token: token type, ``'csrf'`` or ``'rollback'``
    :param reconcile: reads the wiki after an uncertain outcome and
        returns an API-shaped answer if the write happened, None if it
        certainly did not; it raises if it cannot tell (made from the
        operation's reader by :func:`reconcile_by`)
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
    :raises SessionError: the wiki refused the write for its session,
        and logging in again was not possible (:func:`login_again`)
    """
    max_wait = DEFAULT_MAX_WAIT if max_wait is None else max_wait
    action = params['action']
    params = dict(params)
    named = bool(site.username())
    if named:
        # a session that silently became another user writes nothing
        params['assertuser'] = site.username().split('@')[0]
    waited = 0.0
    delay = float(config.retry_wait)
    logged_in_again = False
    while True:
        params['token'] = site.tokens[token]
        req = site.simple_request(**params)
        req.max_retries = 0
        raise_transport_failures(req)
        if named and 'assert' in req:
            # assertuser says more than pywikibot's assert=user, and its
            # refusal comes here instead of to pywikibot's own re-login
            # (which may prompt for a password, then resends the write
            # with a login token)
            del req['assert']
        errors = _record_waits(req)
        try:
            with translated(page=page, site=site):
                answer = req.submit()
        except SessionError as err:
            if logged_in_again or err.code not in (
                    'assertuserfailed', 'assertnameduserfailed'):
                raise
            login_again(site, err)
            logged_in_again = True
            continue
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
        answer = ask(action, page, site, reconcile, failure)
        if answer is None and may_be_running(failure):
            answer = watch(action, page, site, reconcile, failure,
                            max_wait)
        if answer is not None:
            return answer
        if waited >= max_wait:
            raise _gave_up(action, page, site, failure, errors,
                           max_wait) from failure
        pause = min(delay, max_wait - waited, float(config.retry_max))
        pywikibot.warning(f'{action} on {page} was not done; '
                          f'retrying in {pause:.1f} s')
        time.sleep(max(pause, 0))
        waited += max(pause, 0.01)
        delay *= 2
