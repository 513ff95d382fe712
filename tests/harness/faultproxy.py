"""Fault-injecting HTTP proxy for tests against a local MediaWiki.

The proxy listens on loopback and forwards every request to a single,
fixed upstream on loopback (normally ``php -S 127.0.0.1:WIKIPORT``).
pywikibot is pointed at the proxy as if it were the wiki, and a test can
then make selected API requests fail in realistic ways: HTTP 5xx answers,
connections dropped after the wiki performed a write, slow answers that
exceed the client's read timeout, corrupt bodies and MediaWiki API error
responses; or answer in the wiki's place with a body of the test's own
(``answer``), e.g. that of an extension the test wiki lacks.  Two
more faults hold a request for as long as the test wants, for example
while it kills the client: ``hold`` lets the write land and keeps the
answer back, ``hold_before_forward`` keeps the request itself back, so
that the write lands only if the test releases it.

With ``latency=`` every request and every answer is delayed, half of
it each way, so that a client sees a network's round trip on each
request (a benchmark of parallel work across wikis needs one):
``FaultProxy(port, latency=0.1)``.

The module only uses the standard library and does not import pytest, so
it can also be used from ad-hoc scripts::

    with FaultProxy(wiki_port) as proxy:
        proxy.add_fault('drop_after_forward', action='rollback')
        ...  # pywikibot talks to proxy.url + '/api.php'
        assert proxy.requests_for('rollback')[0].fault == 'drop_after_forward'

    with FaultProxy(wiki_port) as proxy:
        proxy.add_fault('hold', action='rollback', skip=1)
        ...  # start a client that makes two rollbacks
        held = proxy.wait_held(timeout=60)  # the 2nd one has landed
        ...  # kill the client
        proxy.abandon()  # or release() to send the answer after all

Nothing is printed except on internal errors of the proxy itself, and
request or response bodies are never logged because they contain
passwords and tokens.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import email.message
import email.parser
import email.utils
import http.client
import json
import logging
import quopri
import re
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ['FAULTS', 'HOLD_FAULTS', 'FaultProxy', 'Request', 'Rule']

_log = logging.getLogger(__name__)

#: Hosts the proxy may listen on and forward to.  Anything else is refused
#: so that a typo in a test can never send credentials off the machine.
LOOPBACK_HOSTS = frozenset({'127.0.0.1', 'localhost', '::1'})

#: Supported values of the ``fault`` argument of :meth:`FaultProxy.add_fault`.
FAULTS = frozenset({
    'status',
    'drop_after_forward',
    'delay',
    'delay_before_forward',
    'garbage',
    'api_error',
    'answer',
    'hold',
    'hold_before_forward',
})

#: Faults that keep a request until :meth:`FaultProxy.release` or
#: :meth:`FaultProxy.abandon`.
HOLD_FAULTS = frozenset({'hold', 'hold_before_forward'})

#: Timeout for the connection to the upstream wiki.  MediaWiki on
#: ``php -S`` is single-threaded and can be slow on the first request.
UPSTREAM_TIMEOUT = 60.0

#: Idle timeout of client connections, so that a client which neither
#: sends nor closes cannot keep a handler thread alive forever.
CLIENT_TIMEOUT = 120.0

# Hop-by-hop headers (RFC 9110 section 7.6.1) describe a single connection
# and must not be passed on.  Content-Length is recomputed, Host is
# rewritten and Expect has already been answered by the handler.
_HOP_BY_HOP = frozenset({
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
})
_NOT_FORWARDED = _HOP_BY_HOP | {'host', 'content-length', 'expect'}

# The client gave up or went away; nothing to report.
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
                TimeoutError)

# Canned ``info`` texts, close to MediaWiki's English messages so that
# code matching on them (e.g. pywikibot's maxlag regex) behaves as with a
# real wiki.
_API_ERROR_INFO = {
    'badtoken': 'Invalid CSRF token.',
    'ratelimited': ('As an anti-abuse measure, you are limited from '
                    'performing this action too many times in a short space '
                    'of time, and you have exceeded this limit. Please try '
                    'again in a few minutes.'),
    'maxlag': 'Waiting for db: 5 seconds lagged.',
    'readonly': 'The wiki is currently in read-only mode.',
    'assertuserfailed': ('You are no longer logged in, so the action could '
                         'not be completed.'),
    'assertbotfailed': ('You do not have the "bot" right, so the action '
                        'could not be completed.'),
    'blocked': 'You have been blocked from editing.',
    'permissiondenied': 'You don\'t have permission to perform this action.',
    'notoken': 'The "token" parameter must be set.',
    'internal_api_error_DBQueryError': ('[faultproxy] Exception caught: A '
                                        'database query error has occurred.'),
}

_MULTIPART_EOL = re.compile(rb'\r?\n')

# Parameter and header names whose values must not show up in output.
_SECRET_KEY = re.compile(r'password|token|secret|cookie|authorization|'
                         r'^oauth', re.IGNORECASE)


def _check_loopback(host: str, what: str) -> None:
    """Refuse any host that is not a loopback address.

    :param host: host name or address to check
    :param what: description used in the error message
    :raises ValueError: if *host* is not 127.0.0.1, localhost or ::1
    """
    if host not in LOOPBACK_HOSTS:
        raise ValueError(
            f'{what} must be one of {sorted(LOOPBACK_HOSTS)}, got {host!r}')


def _netloc(host: str, port: int) -> str:
    """Return ``host:port`` with IPv6 literals in brackets.

    :param host: host name or address
    :param port: TCP port
    :return: the authority part of a URL, also usable as Host header
    """
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'


def _first_values(values: dict[str, list[str]]) -> dict[str, str]:
    """Reduce a multi-valued mapping to the first value of each key.

    :param values: mapping as returned by :func:`urllib.parse.parse_qs`
    :return: mapping of each key to its first value
    """
    return {key: vals[0] for key, vals in values.items() if vals}


def _redact(values: dict[str, Any]) -> dict[str, Any]:
    """Mask the values of keys that look like secrets.

    :param values: parameters or headers
    :return: a copy with passwords, tokens, cookies and credentials
        replaced by ``'***'``
    """
    return {key: '***' if _SECRET_KEY.search(key) else value
            for key, value in values.items()}


@dataclass(frozen=True)
class Request:
    """One request received by the proxy.

    ``path`` is the URL path; the query string is parsed into ``query``.
    ``query`` and ``form`` keep all values of a repeated parameter.  For
    ``multipart/form-data`` bodies, parts with a filename are recorded in
    ``form`` as the placeholder ``'<file FILENAME: N bytes>'`` instead of
    their content.  ``headers`` keeps the header names as sent by the
    client; use :meth:`header` for a case-insensitive lookup.  ``time`` is
    :func:`time.time` when the request was complete.  ``fault`` is the
    fault applied to the request or None if it was forwarded untouched.

    The repr leaves out the body and masks passwords, tokens, cookies and
    credentials, so that a failing assertion does not show them.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = field(repr=False)  # may hold passwords and tokens
    time: float
    fault: str | None = None

    def __repr__(self) -> str:
        """Describe the request without secrets.

        :return: a repr with sensitive values replaced by ``'***'``
        """
        return (f'Request(method={self.method!r}, path={self.path!r}, '
                f'query={_redact(self.query)!r}, '
                f'form={_redact(self.form)!r}, '
                f'headers={_redact(self.headers)!r}, '
                f'body=<{len(self.body)} bytes>, time={self.time!r}, '
                f'fault={self.fault!r})')

    @property
    def params(self) -> dict[str, str]:
        """Merge query and form parameters, first value of each.

        Like MediaWiki's ``WebRequest``, a body parameter wins over a
        query parameter of the same name.

        :return: mapping of parameter name to its first value
        """
        return {**_first_values(self.query), **_first_values(self.form)}

    @property
    def action(self) -> str | None:
        """Return the API ``action`` parameter.

        :return: the action, e.g. ``'rollback'``, or None if absent
        """
        return self.params.get('action')

    def header(self, name: str, default: str | None = None) -> str | None:
        """Look up a request header case-insensitively.

        :param name: header name in any case
        :param default: value returned if the header is absent
        :return: the header value or *default*
        """
        lname = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lname:
                return value
        return default


@dataclass
class Rule:
    """A fault to inject into matching requests.

    Created by :meth:`FaultProxy.add_fault`; ``hits`` counts how often the
    rule fired so far, ``passed`` how many matching requests it let
    through first (at most ``skip``).
    """

    fault: str
    action: str | None = None
    when: Callable[[Request], bool] | None = None
    times: int = 1
    delay: float = 0.0
    status: int = 503
    garbage: bytes = b'<html>garbage'
    api_code: str | None = None
    body: bytes = b''
    skip: int = 0
    hits: int = 0
    passed: int = 0

    @property
    def remaining(self) -> int:
        """Return how many more times the rule may fire.

        :return: number of remaining firings, 0 when spent
        """
        return max(self.times - self.hits, 0)

    @property
    def spent(self) -> bool:
        """Return whether the rule has fired ``times`` times.

        :return: True if the rule will not fire any more
        """
        return self.hits >= self.times

    def matches(self, req: Request) -> bool:
        """Check whether the rule applies to a request, ignoring ``times``.

        :param req: the request to check
        :return: True if ``action`` equals and ``when`` (if any) is true
        """
        if self.action is not None and req.action != self.action:
            return False
        return self.when is None or bool(self.when(req))


class _ProxyServer(ThreadingHTTPServer):
    """Threading HTTP server that can be stopped promptly.

    It keeps track of its connections and handler threads so that
    :meth:`FaultProxy.stop` can close idle keep-alive connections (which
    would otherwise keep a handler blocked) and join every thread.
    """

    # The proxy must bind the port it was given; reuse avoids TIME_WAIT
    # trouble when a fixed port is reused across tests.
    allow_reuse_address = True
    # socketserver's backlog of 5 drops the SYNs of a burst of clients
    # (30 wikis x workers), which then wait a second for the retry.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], proxy: FaultProxy) -> None:
        """Bind the listening socket.

        :param address: (host, port) to listen on
        :param proxy: the owning proxy, used by the handlers
        """
        if ':' in address[0]:
            self.address_family = socket.AF_INET6
        self.proxy = proxy
        self.conn_lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.aborted: set[socket.socket] = set()
        self.threads: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup done by HTTPServer.

        ``HTTPServer.server_bind`` calls :func:`socket.getfqdn`, which can
        take seconds on machines without working DNS.
        """
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle a new connection in a tracked daemon thread.

        :param request: the accepted client socket
        :param client_address: the client's address
        """
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address),
                                  name='faultproxy-conn', daemon=True)
        with self.conn_lock:
            self.connections.add(request)
            self.threads.add(thread)
        thread.start()

    def process_request_thread(self, request: Any,
                               client_address: Any) -> None:
        """Serve one connection and forget it afterwards.

        :param request: the accepted client socket
        :param client_address: the client's address
        """
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.conn_lock:
                self.connections.discard(request)
                self.threads.discard(threading.current_thread())

    def abort(self, request: socket.socket) -> None:
        """Mark a connection to be reset instead of closed gracefully.

        :param request: the client socket to reset
        """
        # SO_LINGER with a zero timeout makes close() send a RST.
        request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack('ii', 1, 0))
        with self.conn_lock:
            self.aborted.add(request)

    def shutdown_request(self, request: Any) -> None:
        """Close a client connection, abruptly if it was aborted.

        :param request: the client socket
        """
        with self.conn_lock:
            aborted = request in self.aborted
            self.aborted.discard(request)
        if aborted:
            # No shutdown(SHUT_WR): that would send a FIN first; the
            # point is to look like a connection torn down mid-request.
            request.close()
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report unexpected errors without request data.

        A client resetting an idle keep-alive connection is not an error.

        :param request: the client socket
        :param client_address: the client's address
        """
        if isinstance(sys.exc_info()[1], _CLIENT_GONE):
            return
        _log.exception('faultproxy: internal error on a connection from %s',
                       client_address)

    def close_connections(self) -> None:
        """Shut down every open client connection.

        A handler blocked reading the next request of a keep-alive
        connection then sees EOF and returns.
        """
        with self.conn_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler

    def join_threads(self, timeout: float) -> None:
        """Wait for the handler threads to finish.

        :param timeout: overall time limit in seconds
        """
        deadline = time.monotonic() + timeout
        with self.conn_lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0.0))


class _Hold:
    """A request kept back by a ``hold`` fault, and what becomes of it.

    The handler thread waits in :meth:`wait`; the test decides with
    :meth:`decide`: ``'release'`` (answer after all) or ``'abandon'``
    (close the connection without an answer; never forward).
    """

    def __init__(self, request: Request) -> None:
        """Keep *request* until a decision.

        :param request: the recorded request being held
        """
        self.request = request
        self.decision: str | None = None
        self._event = threading.Event()

    def decide(self, decision: str) -> None:
        """Wake the handler with *decision* (the first one counts).

        :param decision: ``'release'`` or ``'abandon'``
        """
        if self.decision is None:
            self.decision = decision
        self._event.set()

    def wait(self) -> str:
        """Block until :meth:`decide` is called.

        :return: the decision
        """
        self._event.wait()
        assert self.decision is not None
        return self.decision


@dataclass
class _Response:
    """An HTTP response to send to the client."""

    status: int
    reason: str | None
    headers: list[tuple[str, str]]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    """Read a request, apply the matching fault or forward it."""

    # HTTP/1.1 enables keep-alive; every response has a Content-Length.
    protocol_version = 'HTTP/1.1'
    server_version = 'faultproxy'
    # The status line and headers, then the body, go out as two writes:
    # with Nagle's algorithm the second waits for the client's delayed
    # ACK, 40 ms a request on Linux, which would swamp a latency of
    # 50 or 100 ms.
    disable_nagle_algorithm = True
    timeout = CLIENT_TIMEOUT
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Suppress the access log: request lines may contain tokens.

        :param format: format string (ignored)
        :param args: format arguments (ignored)
        """

    def do_GET(self) -> None:
        """Handle any request method in the same way."""
        self._handle()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # -- request side ---------------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the request body, de-chunking if necessary.

        :return: the body bytes, empty if there is none
        :raises ValueError: on a malformed length or chunk header
        """
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b';', 1)[0].strip(), 16)
                if size == 0:
                    # Skip trailers up to the terminating empty line.
                    while self.rfile.readline(65537) not in (b'\r\n', b'\n',
                                                             b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self._read_exactly(size))
                self.rfile.readline(65537)  # CRLF after the chunk data
        length = self.headers.get('Content-Length')
        if length is None:
            return b''
        size = int(length)
        if size < 0:
            raise ValueError('negative Content-Length')
        return self._read_exactly(size)

    def _read_exactly(self, size: int) -> bytes:
        """Read exactly *size* bytes from the client.

        :param size: number of bytes to read
        :return: the bytes read
        :raises ConnectionResetError: if the client closes early
        """
        data = self.rfile.read(size)
        if len(data) != size:
            raise ConnectionResetError('client closed during request body')
        return data

    def _target(self) -> str:
        """Return the path and query to request upstream.

        A client configured to use us as a forward proxy sends an
        absolute URL; only its path and query are used, since the proxy
        must never connect anywhere but the upstream wiki.

        :return: origin-form request target
        """
        if self.path.startswith(('http://', 'https://')):
            parts = urllib.parse.urlsplit(self.path)
            return urllib.parse.urlunsplit(
                ('', '', parts.path or '/', parts.query, ''))
        return self.path

    def _headers_dict(self) -> dict[str, str]:
        """Collect the request headers, joining repeated ones.

        :return: mapping of header name (as sent) to value
        """
        headers: dict[str, str] = {}
        names: dict[str, str] = {}  # lower-case name -> name as first sent
        for name, value in self.headers.items():
            key = names.setdefault(name.lower(), name)
            headers[key] = f'{headers[key]}, {value}' if key in headers \
                else value
        return headers

    # -- main flow ------------------------------------------------------------

    def _handle(self) -> None:
        """Process one request: record it, then fault or forward it."""
        proxy = self.server.proxy
        self._sent_headers = False
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            try:
                self._send_simple(HTTPStatus.BAD_REQUEST)
            except _CLIENT_GONE:
                pass
            return
        except _CLIENT_GONE:
            self.close_connection = True
            return

        self._arrived = time.monotonic()
        # the request's half of the round trip, before it reaches the wiki
        if proxy.latency and not self._sleep(proxy.latency / 2):
            return

        target = self._target()
        req = proxy._make_request(self.command, target,
                                  self._headers_dict(), body)
        rule = proxy._match(req)
        if rule is not None:
            req = dataclasses.replace(req, fault=rule.fault)
        proxy._record(req)

        try:
            self._apply(rule, req, target)
        except _CLIENT_GONE:
            # E.g. the client timed out during a 'delay' fault and closed
            # the connection; the proxy must simply carry on.
            self.close_connection = True
        except Exception:
            self.close_connection = True
            # Only method, path and action: bodies and queries may hold
            # passwords and tokens.
            _log.exception('faultproxy: internal error handling %s %s '
                           '(action=%s)', req.method, req.path, req.action)
            if not self._sent_headers:
                try:
                    self._send_simple(HTTPStatus.INTERNAL_SERVER_ERROR)
                except (OSError, ValueError):
                    pass

    def _apply(self, rule: Rule | None, req: Request, target: str) -> None:
        """Answer the request according to the fault of *rule*.

        :param rule: the rule that fired, or None to just forward
        :param req: the recorded request
        :param target: path and query to request upstream
        """
        proxy = self.server.proxy
        fault = rule.fault if rule is not None else None
        if rule is None:
            self._send(self._forward(req, target))
        elif fault == 'status':
            self._send_simple(rule.status)
        elif fault == 'api_error':
            self._send(proxy._api_error(rule, req))
        elif fault == 'answer':
            self._send(_Response(
                HTTPStatus.OK, 'OK',
                [('Content-Type', 'application/json; charset=utf-8')],
                rule.body))
        elif fault == 'drop_after_forward':
            # Read the whole upstream response so that the write is
            # complete before the client loses its connection.
            self._forward(req, target)
            self.close_connection = True
            self.server.abort(self.connection)
        elif fault == 'delay':
            # Forward first, so that the write has certainly happened
            # while the client is still waiting for the answer.
            response = self._forward(req, target)
            if self._sleep(rule.delay):
                self._send(response)
        elif fault == 'delay_before_forward':
            if self._sleep(rule.delay):
                self._send(self._forward(req, target))
        elif fault == 'hold':
            # The write lands first; only then does the test learn (via
            # wait_held) that the request is held.
            response = self._forward(req, target)
            if proxy._hold(req) == 'release':
                self._send(response)
            else:
                self._hang_up()
        elif fault == 'hold_before_forward':
            if proxy._hold(req) == 'release':
                self._send(self._forward(req, target))
            else:
                self._hang_up()
        elif fault == 'garbage':
            # Ask for an uncompressed body: garbage in front of a gzip
            # stream would fail as a decoding error, not as bad JSON.
            response = self._forward(req, target, identity=True)
            response.status, response.reason = 200, 'OK'
            response.body = rule.garbage + response.body
            self._send(response)
        else:  # pragma: no cover - add_fault validates the name
            raise AssertionError(f'unknown fault {fault!r}')

    def _hang_up(self) -> None:
        """Close the client connection without an answer."""
        self.close_connection = True
        self.server.abort(self.connection)

    def _sleep(self, seconds: float) -> bool:
        """Sleep, waking up early when the proxy is stopped.

        :param seconds: time to sleep
        :return: False if the proxy is stopping and the request should be
            abandoned (the connection is then closed without an answer)
        """
        if self.server.proxy._stopping.wait(seconds):
            self.close_connection = True
            return False
        return True

    # -- upstream -------------------------------------------------------------

    def _forward(self, req: Request, target: str, *,
                 identity: bool = False) -> _Response:
        """Send the request to the upstream wiki and read the answer.

        :param req: the request to forward
        :param target: path and query, passed on unchanged
        :param identity: drop Accept-Encoding to get an uncompressed body
        :return: the complete upstream response, or a 502 response if the
            upstream could not be reached
        """
        proxy = self.server.proxy
        connection_tokens = {
            token.strip().lower()
            for token in self.headers.get('Connection', '').split(',')}
        conn = http.client.HTTPConnection(proxy.upstream_host,
                                          proxy.upstream_port,
                                          timeout=UPSTREAM_TIMEOUT)
        proxy._track_upstream(conn, add=True)
        try:
            conn.putrequest(req.method, target, skip_host=True,
                            skip_accept_encoding=True)
            # Raw header items keep repeated headers and their order.
            for name, value in self.headers.items():
                lname = name.lower()
                if lname in _NOT_FORWARDED or lname in connection_tokens:
                    continue
                if identity and lname == 'accept-encoding':
                    continue
                conn.putheader(name, value)
            # MediaWiki builds absolute URLs from Host; it must see itself.
            conn.putheader('Host', proxy._upstream_netloc)
            if req.body or req.method in ('POST', 'PUT', 'PATCH'):
                conn.putheader('Content-Length', str(len(req.body)))
            # One upstream connection per request keeps the proxy simple;
            # php -S closes connections anyway.
            conn.putheader('Connection', 'close')
            conn.endheaders(req.body or None)
            upstream = conn.getresponse()
            try:
                data = upstream.read()
            finally:
                upstream.close()
        except (OSError, http.client.HTTPException) as exc:
            if proxy._stopping.is_set():
                raise ConnectionAbortedError('proxy stopping') from exc
            return _Response(HTTPStatus.BAD_GATEWAY, None,
                             [('Content-Type', 'text/html; charset=utf-8')],
                             _html_page(HTTPStatus.BAD_GATEWAY,
                                        f'Upstream unreachable: '
                                        f'{type(exc).__name__}'))
        finally:
            conn.close()
            proxy._track_upstream(conn, add=False)

        hop = _HOP_BY_HOP | {
            token.strip().lower()
            for token in upstream.headers.get('Connection', '').split(',')}
        headers = []
        for name, value in upstream.getheaders():
            lname = name.lower()
            if lname in hop:
                continue
            # A HEAD answer carries the length of the GET body; keep it.
            if lname == 'content-length' and req.method != 'HEAD':
                continue
            headers.append((name, value))
        return _Response(upstream.status, upstream.reason, headers, data)

    # -- response side --------------------------------------------------------

    def _send(self, response: _Response) -> None:
        """Send a complete response to the client.

        :param response: status, headers and body to send
        """
        latency = self.server.proxy.latency
        if latency and not self._sleep(latency / 2):
            return  # the proxy is stopping: no answer
        self.send_response_only(response.status, response.reason)
        for name, value in response.headers:
            self.send_header(name, value)
        bodyless = (self.command == 'HEAD' or response.status < 200
                    or response.status in (204, 304))
        if not bodyless:
            self.send_header('Content-Length', str(len(response.body)))
        self._sent_headers = True
        self.end_headers()
        if not bodyless and response.body:
            self.wfile.write(response.body)
        arrived = getattr(self, '_arrived', None)
        if arrived is not None:
            with self.server.proxy._lock:
                self.server.proxy.round_trips.append(
                    time.monotonic() - arrived)

    def _send_simple(self, status: int) -> None:
        """Send a small HTML page with the given status.

        :param status: the HTTP status
        """
        self._send(_Response(status, _phrase(status),
                             [('Content-Type', 'text/html; charset=utf-8')],
                             _html_page(status, 'Injected by faultproxy.')))


def _phrase(status: int) -> str:
    """Return the reason phrase of an HTTP status.

    :param status: the HTTP status, possibly one without a standard name
    :return: the standard phrase, or ``'Error'``
    """
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Error'


def _html_page(status: int, text: str) -> bytes:
    """Build a small HTML error page like a web server would.

    :param status: the HTTP status to describe
    :param text: explanation shown in the page
    :return: the UTF-8 encoded page
    """
    title = f'{int(status)} {_phrase(status)}'
    return (f'<!DOCTYPE html>\n<html><head><title>{title}</title></head>'
            f'<body><h1>{title}</h1><p>{text}</p></body></html>\n'
            ).encode()


def _parse_form(content_type: str, body: bytes) -> dict[str, list[str]]:
    """Parse a request body into form fields.

    :param content_type: the request's Content-Type header
    :param body: the request body
    :return: the fields, or an empty mapping for other content types
    """
    msg = email.message.Message()
    msg['Content-Type'] = content_type
    ctype = msg.get_content_type()
    if ctype == 'application/x-www-form-urlencoded':
        charset = msg.get_content_charset() or 'utf-8'
        return urllib.parse.parse_qs(body.decode('ascii', 'replace'),
                                     keep_blank_values=True,
                                     encoding=charset, errors='replace')
    if ctype == 'multipart/form-data':
        boundary = msg.get_boundary()
        if boundary:
            return _parse_multipart(boundary.encode('latin-1'), body)
    return {}


def _parse_multipart(boundary: bytes, body: bytes) -> dict[str, list[str]]:
    """Parse the fields of a ``multipart/form-data`` body.

    Parts are split by hand rather than with :mod:`email` because the
    email parser normalises line endings inside binary parts.  Both CRLF
    and bare LF line endings are accepted: pywikibot builds its multipart
    bodies with :mod:`email`, which uses LF.

    :param boundary: the multipart boundary
    :param body: the request body
    :return: text fields decoded as text; parts with a filename as
        ``'<file FILENAME: N bytes>'``
    """
    delimiter = re.compile(rb'(?:^|\r?\n)--' + re.escape(boundary)
                           + rb'(--)?[ \t]*(?=\r?\n|$)')
    form: dict[str, list[str]] = {}
    pos = None  # end of the previous delimiter line
    for match in delimiter.finditer(body):
        if pos is not None:
            name, value = _parse_part(body[pos:match.start()])
            if name is not None:
                form.setdefault(name, []).append(value)
        if match.group(1):  # closing delimiter
            break
        eol = _MULTIPART_EOL.match(body, match.end())
        pos = eol.end() if eol else match.end()
    return form


def _parse_part(part: bytes) -> tuple[str | None, str]:
    """Parse one part of a multipart body.

    :param part: the part's header lines, blank line and content
    :return: field name (None if there is none) and value
    """
    sep = re.search(rb'\r?\n\r?\n', part)
    if part.startswith((b'\r\n', b'\n')):  # part without headers
        head, content = b'', part[1 if part[:1] == b'\n' else 2:]
    elif sep:
        head, content = part[:sep.start()], part[sep.end():]
    else:
        head, content = part, b''
    headers = email.parser.BytesHeaderParser().parsebytes(head + b'\n\n')
    name = headers.get_param('name', header='content-disposition')
    if name is None:
        return None, ''
    name = email.utils.collapse_rfc2231_value(name)
    cte = headers.get('Content-Transfer-Encoding', '').strip().lower()
    try:
        if cte == 'base64':
            content = base64.b64decode(content)
        elif cte == 'quoted-printable':
            content = quopri.decodestring(content)
    except (binascii.Error, ValueError):
        pass  # keep the raw content
    filename = headers.get_filename()
    if filename is not None:
        return name, f'<file {filename}: {len(content)} bytes>'
    charset = headers.get_content_charset() or 'utf-8'
    try:
        return name, content.decode(charset, 'replace')
    except LookupError:
        return name, content.decode('utf-8', 'replace')


class FaultProxy:
    """Loopback HTTP proxy in front of a test wiki that injects faults.

    :param upstream_port: port of the wiki on *upstream_host*
    :param host: address to listen on; must be a loopback address
    :param port: port to listen on, 0 for a free port
    :param upstream_host: host of the wiki; must be a loopback address
    :param latency: seconds added to every request and its answer,
        half before the request is forwarded and half before the answer
        is sent (a round trip); connections are kept alive and served
        by a thread each, so concurrent clients wait in parallel
    :raises ValueError: if a host is not loopback, a port is invalid or
        the latency negative
    """

    def __init__(self, upstream_port: int, host: str = '127.0.0.1',
                 port: int = 0, *, upstream_host: str = '127.0.0.1',
                 latency: float = 0.0) -> None:
        """Configure the proxy; :meth:`start` opens the port."""
        _check_loopback(upstream_host, 'upstream host')
        _check_loopback(host, 'listen host')
        if latency < 0:
            raise ValueError(f'latency must not be negative, got '
                             f'{latency!r}')
        self.latency = latency
        if not 0 < upstream_port < 65536:
            raise ValueError(f'invalid upstream port {upstream_port!r}')
        if not 0 <= port < 65536:
            raise ValueError(f'invalid port {port!r}')
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self._upstream_netloc = _netloc(upstream_host, upstream_port)
        self.host = host
        self.port = port
        self.requests: list[Request] = []
        #: seconds from each answered request's arrival to the end of its
        #: answer: the latency added and the wiki's own time
        self.round_trips: list[float] = []
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._upstream_conns: set[http.client.HTTPConnection] = set()
        self._holds: list[_Hold] = []
        self._held_changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL of the proxy, e.g. ``http://127.0.0.1:PORT``.

        :return: the URL without a trailing slash
        """
        return f'http://{_netloc(self.host, self.port)}'

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Bind the port and serve in a daemon thread.

        :return: the proxy itself, for chaining
        :raises RuntimeError: if the proxy is already running
        """
        if self._server is not None:
            raise RuntimeError('FaultProxy is already running')
        self._stopping = threading.Event()
        server = _ProxyServer((self.host, self.port), self)
        self._server = server
        self.port = server.server_address[1]
        # A short poll interval makes stop() return quickly.
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={'poll_interval': 0.05},
                                        name=f'faultproxy-{self.port}',
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close all connections and join all threads.

        Pending delays are cut short and held requests abandoned; their
        requests get no answer.  Calling stop() on a stopped proxy does nothing.
        """
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        self.abandon()
        server.shutdown()
        server.close_connections()
        # Unblock handlers still waiting for the wiki.
        with self._lock:
            upstream = list(self._upstream_conns)
        for conn in upstream:
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        server.join_threads(timeout=5.0)
        server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)
        self._server = self._thread = None

    def __enter__(self) -> FaultProxy:
        """Start the proxy unless it is already running.

        :return: the running proxy
        """
        if self._server is None:
            self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop the proxy.

        :param exc_type: exception type, if any (not suppressed)
        :param exc: exception, if any
        :param tb: traceback, if any
        """
        self.stop()

    # -- faults ---------------------------------------------------------------

    def add_fault(self, fault: str, *, action: str | None = None,
                  when: Callable[[Request], bool] | None = None,
                  times: int = 1, delay: float = 0.0, status: int = 503,
                  garbage: bytes = b'<html>garbage',
                  api_code: str | None = None,
                  body: bytes | dict[str, Any] | None = None,
                  skip: int = 0) -> Rule:
        """Add a rule injecting *fault* into matching requests.

        Faults:

        - ``'status'``: answer *status* with an HTML page, not forwarded.
        - ``'drop_after_forward'``: forward, read the whole answer, then
          reset the client connection without sending anything.
        - ``'delay'``: forward at once, wait *delay* seconds, then answer;
          the write has happened even if the client times out.
        - ``'delay_before_forward'``: wait *delay* seconds, then forward
          and answer; the write happens only after the delay.
        - ``'garbage'``: forward, answer 200 with *garbage* + real body.
        - ``'api_error'``: not forwarded; answer a MediaWiki API error
          with code *api_code* in the request's ``formatversion``.
        - ``'answer'``: not forwarded; answer 200 with *body* as
          ``application/json; charset=utf-8``, e.g. the answer of an
          extension the test wiki lacks: ``add_fault('answer', when=lambda
          r: r.params.get('meta') == 'globaluserinfo', body={...})``.
        - ``'hold'``: forward, read the whole answer (the write has
          landed), then hold it until :meth:`release` (answer it) or
          :meth:`abandon` (close without an answer).  Use
          :meth:`wait_held` to wait for the request.
        - ``'hold_before_forward'``: hold the request without forwarding
          it; :meth:`release` forwards and answers it, :meth:`abandon`
          closes the connection: the write never lands.

        :param fault: one of :data:`FAULTS`
        :param action: only match requests with this API action
        :param when: only match requests for which this returns true
        :param times: fire at most this many times
        :param delay: seconds to wait for the delay faults
        :param status: HTTP status for the ``'status'`` fault
        :param garbage: prefix for the ``'garbage'`` fault
        :param api_code: error code for the ``'api_error'`` fault
        :param body: the answer of the ``'answer'`` fault: bytes as
            they are, a dict encoded as JSON
        :param skip: let the first *skip* matching requests through
            untouched, e.g. ``skip=1`` to hit only the second write
        :return: the rule; its ``hits`` tells how often it fired
        :raises ValueError: on an unknown fault or invalid argument
        :raises TypeError: *body* is neither bytes nor a dict
        """
        if fault not in FAULTS:
            raise ValueError(f'unknown fault {fault!r}; use one of '
                             f'{sorted(FAULTS)}')
        if times < 1:
            raise ValueError(f'times must be at least 1, got {times!r}')
        if skip < 0:
            raise ValueError(f'skip must not be negative, got {skip!r}')
        if delay < 0:
            raise ValueError(f'delay must not be negative, got {delay!r}')
        if fault == 'status' and not 400 <= status <= 599:
            raise ValueError(f'status must be 4xx or 5xx, got {status!r}')
        if fault == 'api_error' and not api_code:
            raise ValueError("the 'api_error' fault needs an api_code")
        if fault == 'answer' and body is None:
            raise ValueError("the 'answer' fault needs a body")
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        elif isinstance(body, (bytes, bytearray)):
            body = bytes(body)
        elif body is not None:
            raise TypeError(f'body must be bytes or a dict, not '
                            f'{type(body).__name__}')
        rule = Rule(fault=fault, action=action, when=when, times=times,
                    delay=delay, status=status, garbage=bytes(garbage),
                    api_code=api_code, body=body or b'', skip=skip)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Remove all rules and :meth:`abandon` the held requests.

        A request held before forwarding therefore never lands.
        """
        with self._lock:
            self._rules.clear()
        self.abandon()

    # -- held requests --------------------------------------------------------

    @property
    def held(self) -> list[Request]:
        """Return the requests held right now, oldest first.

        :return: requests kept by a ``hold`` fault and not yet decided
        """
        with self._lock:
            return [hold.request for hold in self._holds]

    def wait_held(self, timeout: float | None = None) -> Request | None:
        """Wait until a request is held.

        For the ``'hold'`` fault the request has been forwarded and
        answered by the wiki by then: the write has landed.

        :param timeout: seconds to wait at most; None waits forever
        :return: the oldest held request, or None on timeout
        """
        with self._held_changed:
            if not self._held_changed.wait_for(lambda: self._holds,
                                               timeout):
                return None
            return self._holds[0].request

    def release(self) -> int:
        """Answer the held requests (forwarding those held before).

        :return: how many requests were released
        """
        return self._decide('release')

    def abandon(self) -> int:
        """Close the held requests' connections without an answer.

        A request held before forwarding is never forwarded.

        :return: how many requests were abandoned
        """
        return self._decide('abandon')

    def _decide(self, decision: str) -> int:
        """Wake every held request with *decision*.

        :param decision: ``'release'`` or ``'abandon'``
        :return: how many requests were woken
        """
        with self._lock:
            holds, self._holds = self._holds, []
        for hold in holds:
            hold.decide(decision)
        return len(holds)

    @property
    def rules(self) -> list[Rule]:
        """Return a snapshot of the rules in matching order.

        :return: all rules, including spent ones
        """
        with self._lock:
            return list(self._rules)

    # -- request log ----------------------------------------------------------

    def requests_for(self, action: str) -> list[Request]:
        """Return the logged requests with the given API action.

        :param action: the API action, e.g. ``'rollback'``
        :return: matching requests in arrival order
        """
        with self._lock:
            return [req for req in self.requests if req.action == action]

    def reset_log(self) -> None:
        """Forget all logged requests and their round trips."""
        with self._lock:
            self.requests.clear()
            self.round_trips.clear()

    # -- internals used by the handler ----------------------------------------

    def _make_request(self, method: str, target: str, headers: dict[str, str],
                      body: bytes) -> Request:
        """Build the :class:`Request` record for a received request.

        :param method: HTTP method
        :param target: path and query as sent by the client
        :param headers: request headers
        :param body: request body
        :return: the record, with ``fault`` None
        """
        parts = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        content_type = next((value for name, value in headers.items()
                             if name.lower() == 'content-type'), '')
        try:
            form = _parse_form(content_type, body) if body else {}
        except Exception:
            # A body the parser chokes on must still be forwarded.
            _log.exception('faultproxy: cannot parse %s body of %s %s',
                           content_type.split(';')[0], method, parts.path)
            form = {}
        return Request(method=method, path=parts.path, query=query, form=form,
                       headers=headers, body=body, time=time.time())

    def _match(self, req: Request) -> Rule | None:
        """Find the first unspent matching rule and count its firing.

        :param req: the request to match
        :return: the rule that fires, or None
        """
        with self._lock:
            for rule in self._rules:
                if rule.spent:
                    continue
                try:
                    matched = rule.matches(req)
                except Exception:
                    _log.exception('faultproxy: "when" predicate of a %r '
                                   'rule failed', rule.fault)
                    continue
                if matched and rule.passed < rule.skip:
                    rule.passed += 1  # let it through, try later rules
                elif matched:
                    rule.hits += 1
                    return rule
        return None

    def _record(self, req: Request) -> None:
        """Append a request to the log.

        :param req: the request to log
        """
        with self._lock:
            self.requests.append(req)

    def _hold(self, req: Request) -> str:
        """Hold *req* until the test decides (see :meth:`release`).

        :param req: the recorded request
        :return: ``'release'`` or ``'abandon'``
        """
        hold = _Hold(req)
        with self._held_changed:
            if self._stopping.is_set():
                return 'abandon'
            self._holds.append(hold)
            self._held_changed.notify_all()
        return hold.wait()

    def _track_upstream(self, conn: http.client.HTTPConnection, *,
                        add: bool) -> None:
        """Register or forget an upstream connection for :meth:`stop`.

        :param conn: the upstream connection
        :param add: True to register, False to forget
        """
        with self._lock:
            if add:
                self._upstream_conns.add(conn)
            else:
                self._upstream_conns.discard(conn)

    def _api_error(self, rule: Rule, req: Request) -> _Response:
        """Build a MediaWiki API error response.

        The shape follows the request's ``formatversion``: version 2 puts
        the help text under ``docref``, version 1 under ``*``.

        :param rule: the firing ``api_error`` rule
        :param req: the request being answered
        :return: an HTTP 200 JSON response
        """
        code = rule.api_code or 'unknown'
        info = _API_ERROR_INFO.get(
            code, f'Simulated API error "{code}" (injected by faultproxy).')
        api_url = self.url + req.path
        docref = (f'See {api_url} for API usage. Subscribe to the '
                  'mediawiki-api-announce mailing list for notice of API '
                  'deprecations and breaking changes.')
        error: dict[str, Any] = {'code': code, 'info': info}
        headers = [('Content-Type', 'application/json; charset=utf-8'),
                   ('MediaWiki-API-Error', code)]
        if code == 'maxlag':
            error.update(host='db', lag=5, type='db')
            headers += [('Retry-After', '1'), ('X-Database-Lag', '5')]
        elif code == 'readonly':
            error['readonlyreason'] = 'test'
        formatversion = req.params.get('formatversion', '1')
        if formatversion in ('2', 'latest'):
            error['docref'] = docref
        else:
            error['*'] = docref
        body = json.dumps({'error': error, 'servedby': 'faultproxy'})
        return _Response(HTTPStatus.OK, 'OK', headers, body.encode())
