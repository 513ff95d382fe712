"""One stand-in for pywikibot's APISite in the unit tests.

As httpx's tests give a client one ``MockTransport``, the unit tests
give the code under test a :class:`FakeSite`: each
``site.simple_request(**params).submit()`` is answered from what the
test gives, and each request submitted is recorded in
:attr:`FakeSite.sent`, so a test states both what the wiki answers and
what the code asked. Besides requests it has what the plugin reads of a
site: family and code, the account and its session (``user()``,
``username()``, ``userinfo``, ``login()``), rights, tokens, the API's
address and the MediaWiki version.

An answer is one of

- a dict: what ``submit()`` returns;
- an exception: what ``submit()`` raises (``APIError``,
  ``ServerError``, ``requests.ConnectionError``...);
- an API error code pywikibot waits on and retries (``ratelimited``,
  ``readonly``...), as a string or a ``(code, details)`` pair: the
  request gives up at its first wait, as pywikibot does with
  ``max_retries = 0``, raising its timeout error with the code in
  ``last_error``.

The answers come in turn (``FakeSite(first, second)``), or from a
*handler* called with the parameters of each request, which may also
look at them or at the test's own state first.

>>> site = FakeSite({'query': {'pages': []}}, family='wikipedia')
>>> site.simple_request(action='query', titles='A').submit()
{'query': {'pages': []}}
>>> site.sent
[{'action': 'query', 'titles': 'A'}]
>>> str(site), site.user(), site.has_right('rollback')
('wikipedia:en', 'Admin', False)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from pywikibot.data.api._requests import WRITE_ACTIONS
from pywikibot.tools import MediaWikiVersion

try:  # renamed in pywikibot 11.5
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover - pywikibot < 11.5
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError


__all__ = ['FakeRequest', 'FakeSite']

#: what the wiki says of a session that is no longer logged in
ANONYMOUS = {'anon': True, 'name': '1.2.3.4'}


class FakeRequest:

    """What :meth:`FakeSite.simple_request` returns: a pywikibot Request.

    Like pywikibot's, it adds ``assert=user`` to a write action, and
    its parameters can be read, set and removed like a dict's before it
    is submitted.

    :param site: the site that answers it
    :param params: the request's parameters
    """

    def __init__(self, site: FakeSite, params: dict[str, Any]) -> None:
        self.site = site
        self.params = dict(params)
        if self.params.get('action') in WRITE_ACTIONS:
            self.params['assert'] = 'user'
        self.max_retries: int | None = None
        self.last_error: dict[str, Any] = {'code': None, 'info': None}

    def __contains__(self, key: str) -> bool:
        return key in self.params

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.params[key] = value

    def __delitem__(self, key: str) -> None:
        del self.params[key]

    def wait(self, *args: Any, **kwargs: Any) -> None:
        """Give up at once, as pywikibot does with ``max_retries = 0``."""
        self.last_error = {'code': None, 'info': None}
        raise ApiTimeoutError('Maximum retries attempted without success.')

    def submit(self) -> dict[str, Any]:
        """Record the request and return (or raise) the site's answer.

        :raises ApiTimeoutError: the answer is an API error code
            pywikibot waits on
        """
        sent = dict(self.params)
        if self.max_retries is not None:  # set by the write protocol
            sent['max_retries'] = self.max_retries
        answer = self.site._answer(sent)
        if isinstance(answer, str):
            answer = (answer, {})
        if isinstance(answer, tuple):
            code, details = answer
            self.last_error = {'code': code, 'info': '', **details}
            self.wait()
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeSite:

    """Enough of a pywikibot APISite, answering each request from the test.

    The site starts logged out: ``logged_in()`` is true once the code
    called ``login()``. ``userinfo`` is what the wiki says of the
    session; deleting it, as pywikibot's code does to ask again, or
    logging in makes the next read take the next of *who*, and once
    those are used up, the first one again.

    :param answers: the answers to the requests, in turn
    :param handler: called with each request's parameters instead, it
        returns the answer
    :param family: the family's name
    :param code: the site's code
    :param user: the account the session belongs to
    :param username: the account of the configuration, e.g. a
        BotPassword ``'Admin@cleanup'``; *user* if None
    :param rights: the account's rights
    :param userinfo: more of the wiki's userinfo, e.g. ``blockinfo``
    :param who: the names the wiki gives for the session when asked
        again, in turn; None for a session logged out
    :param login_fails: what ``login()`` raises, if anything
    :param tokens: the tokens by type; if None, tokens of each session
        (``'rollback0+\\'`` before the first login, then
        ``'rollback1+\\'``...)
    :param url: the wiki's address, scheme and host
    :param version: the MediaWiki version
    """

    #: pywikibot's: where a page is, ``{}`` standing for its title
    articlepath = '/wiki/{}'

    def __init__(self, *answers: Any,
                 handler: Callable[[dict[str, Any]], Any] | None = None,
                 family: str = 'wikipedia', code: str = 'en',
                 user: str = 'Admin', username: str | None = None,
                 rights: Iterable[str] = (),
                 userinfo: dict[str, Any] | None = None,
                 who: Iterable[str | None] = (),
                 login_fails: BaseException | None = None,
                 tokens: dict[str, str] | None = None,
                 url: str = 'https://wiki.example',
                 version: str = '1.39.0') -> None:
        if answers and handler is not None:
            raise TypeError('give answers or a handler, not both')
        self._answers = list(answers)
        self._handler = handler
        self.family = SimpleNamespace(name=family)
        self.code = code
        self._username = user if username is None else username
        self.rights = set(rights)
        self._first_userinfo = {'name': user, 'rights': sorted(self.rights),
                                **(userinfo or {})}
        self._userinfo: dict[str, Any] | None = self._first_userinfo
        self.who = list(who)
        self.login_fails = login_fails
        self.logins = 0
        self.tokens = _SessionTokens(self) if tokens is None else tokens
        self.url = url
        self._version = version
        #: the parameters of each request submitted, in order (with
        #: ``max_retries`` when the code set it)
        self.sent: list[dict[str, Any]] = []

    def __str__(self) -> str:
        return f'{self.family.name}:{self.code}'

    def __repr__(self) -> str:
        return f'FakeSite({str(self)!r})'

    # -- requests ----------------------------------------------------

    def simple_request(self, **params: Any) -> FakeRequest:
        """Return a request; the site answers it when it is submitted."""
        return FakeRequest(self, params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters of the last request submitted (``{}``: none)."""
        return self.sent[-1] if self.sent else {}

    def _answer(self, sent: dict[str, Any]) -> Any:
        self.sent.append(sent)
        if self._handler is not None:
            return self._handler(sent)
        if not self._answers:
            raise AssertionError(f'FakeSite: no answer left for {sent}')
        # handed over, not kept: a test can see whether the code lets go
        return self._answers.pop(0)

    # -- the account and its session ----------------------------------

    def username(self) -> str:
        """Return the account of the configuration."""
        return self._username

    def user(self) -> str | None:
        """Return the account of the session; None if it is logged out."""
        info = self.userinfo
        return None if 'anon' in info else info['name']

    @property
    def userinfo(self) -> dict[str, Any]:
        """What the wiki says of the session."""
        if self._userinfo is None:
            if not self.who:
                self._userinfo = self._first_userinfo
            else:
                name = self.who.pop(0)
                self._userinfo = {'name': name} if name else dict(ANONYMOUS)
        return self._userinfo

    @userinfo.deleter
    def userinfo(self) -> None:
        self._userinfo = None

    def logged_in(self) -> bool:
        """Return whether the code logged in."""
        return self.logins > 0

    def login(self) -> None:
        """Log in (count it), or raise *login_fails*."""
        self.logins += 1
        if self.login_fails:
            raise self.login_fails
        self._userinfo = None

    def has_right(self, right: str) -> bool:
        """Return whether the account has *right*."""
        return right in self.rights

    # -- the wiki ------------------------------------------------------

    def base_url(self, path: str) -> str:
        """Return the address of *path* on the wiki."""
        return self.url + path

    def apipath(self) -> str:
        """Return the path of ``api.php``."""
        return '/w/api.php'

    def version(self) -> str:
        """Return the MediaWiki version, e.g. ``'1.39.0'``."""
        return self._version

    @property
    def mw_version(self) -> MediaWikiVersion:
        """The MediaWiki version, to compare."""
        return MediaWikiVersion(self._version)


class _SessionTokens(dict):

    """Tokens that change with each session, as the wiki's do."""

    def __init__(self, site: FakeSite) -> None:
        super().__init__()
        self.site = site

    def __missing__(self, key: str) -> str:
        self[key] = f'{key}{self.site.logins}+\\'
        return self[key]
