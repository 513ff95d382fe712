"""Tests for the fault-injecting test proxy in :mod:`harness.faultproxy`.

The proxy is exercised against a tiny stdlib HTTP server standing in for
the wiki.  It records what it received, answers JSON, sets two cookies and
counts writes (POST requests), so each test can tell whether a request
reached the "wiki" or not.
"""
from __future__ import annotations

import http.client
import json
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, dataclass, field
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.faultproxy import FAULTS, HOLD_FAULTS, FaultProxy, Request

try:
    import requests
except ImportError:  # pragma: no cover - requests comes with pywikibot
    requests = None

needs_requests = pytest.mark.skipif(requests is None,
                                    reason='requests is not installed')

#: Client timeout for requests that are expected to succeed.
TIMEOUT = 4.0

PASSWORD = 'S3cret-pa55word'


# -- upstream stand-in --------------------------------------------------------


@dataclass
class Received:
    """What the upstream server received for one request."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first header named *name* (case-insensitive).

        :param name: header name
        :return: its value or None
        """
        return next((value for key, value in self.headers
                     if key.lower() == name.lower()), None)


@dataclass
class Upstream:
    """State of the upstream server, shared with its handler threads."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    writes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        """Return the port the upstream listens on.

        :return: TCP port
        """
        return self.server.server_address[1]

    def wait_writes(self, count: int, timeout: float = 3.0) -> int:
        """Wait until the write counter reaches *count*.

        :param count: expected number of writes
        :param timeout: maximum wait in seconds
        :return: the write counter when done waiting
        """
        deadline = time.monotonic() + timeout
        while self.writes < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.writes


class UpstreamHandler(BaseHTTPRequestHandler):
    """Record the request and answer with a JSON echo and two cookies."""

    protocol_version = 'HTTP/1.1'
    server: Any  # ThreadingHTTPServer with an ``upstream`` attribute

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output clean.

        :param format: format string (ignored)
        :param args: format arguments (ignored)
        """

    def do_GET(self) -> None:
        """Record the request and answer it."""
        upstream: Upstream = self.server.upstream
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length)
        with upstream.lock:
            upstream.received.append(Received(
                self.command, self.path, list(self.headers.items()), body))
            if self.command == 'POST':
                upstream.writes += 1
            writes = upstream.writes
        payload = json.dumps({
            'method': self.command,
            'path': self.path,
            'cookie': self.headers.get('Cookie'),
            'writes': writes,
        }).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        # Two Set-Cookie headers: the proxy must not fold or drop one.
        self.send_header('Set-Cookie', 'session=abc123; Path=/; HttpOnly')
        self.send_header('Set-Cookie', 'token=xyz; Path=/')
        self.send_header('X-Upstream', 'yes')
        if self.path.startswith('/chunked'):
            # Exercise de-chunking: the proxy must answer with a length.
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            for piece in (payload[:10], payload[10:]):
                self.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece))
            self.wfile.write(b'0\r\n\r\n')
        else:
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(payload)

    do_POST = do_HEAD = do_GET


class QuietServer(ThreadingHTTPServer):
    """Upstream test server that skips the reverse DNS lookup."""

    daemon_threads = True
    upstream: Upstream

    def server_bind(self) -> None:
        """Bind without calling :func:`socket.getfqdn`."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """Run the upstream stand-in on a free loopback port.

    :return: the upstream state
    """
    server = QuietServer(('127.0.0.1', 0), UpstreamHandler)
    state = Upstream(server)
    server.upstream = state
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    """Run a proxy in front of the upstream stand-in.

    :param upstream: the upstream fixture
    :return: the running proxy
    """
    with FaultProxy(upstream.port) as running:
        yield running


# -- client helpers -----------------------------------------------------------


@dataclass
class Reply:
    """A complete response read with :mod:`http.client`."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first header named *name* (case-insensitive).

        :param name: header name
        :return: its value or None
        """
        return next((value for key, value in self.headers
                     if key.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        """Return all values of header *name*.

        :param name: header name
        :return: the values in order
        """
        return [value for key, value in self.headers
                if key.lower() == name.lower()]

    def json(self) -> Any:
        """Decode the body as JSON.

        :return: the decoded body
        """
        return json.loads(self.body)


def exchange(conn: http.client.HTTPConnection, method: str, target: str,
             body: bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
    """Send one request on *conn* and read the whole response.

    :param conn: an open or lazily connecting connection
    :param method: HTTP method
    :param target: path and query
    :param body: request body
    :param headers: request headers
    :return: the response
    """
    conn.request(method, target, body=body, headers=headers or {})
    with conn.getresponse() as resp:
        return Reply(resp.status, resp.getheaders(), resp.read())


def call(proxy: FaultProxy, method: str, target: str,
         body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = TIMEOUT) -> Reply:
    """Send one request to the proxy on a fresh connection.

    :param proxy: the running proxy
    :param method: HTTP method
    :param target: path and query
    :param body: request body
    :param headers: request headers
    :param timeout: socket timeout
    :return: the response
    """
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port,
                                      timeout=timeout)
    try:
        return exchange(conn, method, target, body, headers)
    finally:
        conn.close()


def post(proxy: FaultProxy, params: dict[str, str],
         timeout: float = TIMEOUT) -> Reply:
    """POST form-encoded API parameters to ``/api.php``.

    :param proxy: the running proxy
    :param params: API parameters
    :param timeout: socket timeout
    :return: the response
    """
    return call(proxy, 'POST', '/api.php',
                urllib.parse.urlencode(params).encode(),
                {'Content-Type': 'application/x-www-form-urlencoded'},
                timeout)


def free_port() -> int:
    """Return a loopback port that nothing listens on.

    :return: a currently unused port
    """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


ROLLBACK = {'action': 'rollback', 'title': 'Foo', 'user': 'Vandal',
            'token': 'abc+\\', 'format': 'json'}


# -- construction -------------------------------------------------------------


@pytest.mark.parametrize('kwargs', [
    {'upstream_host': 'example.org'},
    {'upstream_host': '10.0.0.1'},
    {'upstream_host': '0.0.0.0'},
    {'host': '0.0.0.0'},
    {'host': '192.168.1.1'},
])
def test_refuses_non_loopback(kwargs: dict[str, str]) -> None:
    """Non-loopback hosts are refused before anything is opened."""
    with pytest.raises(ValueError, match='must be one of'):
        FaultProxy(8080, **kwargs)


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost', '::1'])
def test_accepts_loopback(host: str) -> None:
    """All loopback spellings are accepted, with a matching URL."""
    proxy = FaultProxy(8080, host=host, port=8081, upstream_host=host)
    expected = '[::1]' if host == '::1' else host
    assert proxy.url == f'http://{expected}:8081'


@pytest.mark.parametrize('args', [(0,), (70000,), (80, '127.0.0.1', -1)])
def test_refuses_bad_ports(args: tuple[Any, ...]) -> None:
    """Port numbers out of range are refused."""
    with pytest.raises(ValueError, match='port'):
        FaultProxy(*args)


@pytest.mark.parametrize('kwargs', [
    {'fault': 'explode'},
    {'fault': 'status', 'times': 0},
    {'fault': 'status', 'status': 200},
    {'fault': 'delay', 'delay': -1},
    {'fault': 'api_error'},
    {'fault': 'answer'},
    {'fault': 'hold', 'skip': -1},
])
def test_add_fault_validation(kwargs: dict[str, Any]) -> None:
    """Invalid rules are refused when added, not when a request comes."""
    proxy = FaultProxy(8080)
    fault = kwargs.pop('fault')
    with pytest.raises(ValueError):
        proxy.add_fault(fault, **kwargs)
    assert proxy.rules == []


def test_answer_body_must_be_bytes_or_dict() -> None:
    """A text body is refused: its encoding would be a guess."""
    proxy = FaultProxy(8080)
    with pytest.raises(TypeError, match='not str'):
        proxy.add_fault('answer', body='{}')
    assert proxy.rules == []


def test_lifecycle(upstream: Upstream) -> None:
    """start() binds a port, refuses a second start; stop() is idempotent."""
    proxy = FaultProxy(upstream.port)
    assert proxy.start() is proxy
    try:
        assert proxy.port != 0
        assert proxy.url == f'http://127.0.0.1:{proxy.port}'
        with pytest.raises(RuntimeError):
            proxy.start()
        assert call(proxy, 'GET', '/api.php').status == 200
    finally:
        proxy.stop()
    proxy.stop()
    with pytest.raises(OSError):
        call(proxy, 'GET', '/api.php', timeout=1)


def test_importable_without_pytest() -> None:
    """The module does not need pytest (or anything outside stdlib)."""
    code = ('import sys; import harness.faultproxy; '
            'assert "pytest" not in sys.modules; '
            'assert "requests" not in sys.modules')
    subprocess.run([sys.executable, '-W', 'error', '-c', code],
                   cwd=Path(__file__).parent, check=True, timeout=20)


def test_request_is_frozen() -> None:
    """Logged requests cannot be modified by accident."""
    req = Request('GET', '/api.php', {'action': ['query']}, {}, {}, b'', 0.0)
    with pytest.raises(FrozenInstanceError):
        req.fault = 'status'  # type: ignore[misc]
    assert req.action == 'query'


def test_request_params_and_repr() -> None:
    """Body parameters win; the repr hides the body and secrets."""
    req = Request(
        method='POST', path='/api.php',
        query={'action': ['query'], 'format': ['json']},
        form={'action': ['login'], 'lgpassword': [PASSWORD],
              'lgtoken': ['t0k3n+\\'], 'lgname': ['Admin']},
        headers={'Cookie': 'session=s3ss10n', 'User-Agent': 'ua'},
        body=f'lgpassword={PASSWORD}'.encode(), time=1.0)
    assert req.params == {'action': 'login', 'format': 'json',
                          'lgpassword': PASSWORD, 'lgtoken': 't0k3n+\\',
                          'lgname': 'Admin'}
    assert req.action == 'login'
    text = repr(req)
    for secret in (PASSWORD, 't0k3n', 's3ss10n'):
        assert secret not in text
    assert 'Admin' in text and "'ua'" in text and '<' in text


# -- faithful forwarding ------------------------------------------------------


def test_forward_get(proxy: FaultProxy, upstream: Upstream) -> None:
    """GET is passed on with path, query and cookies; Host is rewritten."""
    target = '/api.php?action=query&meta=siteinfo&format=json&x=%C3%9C'
    reply = call(proxy, 'GET', target,
                 headers={'Cookie': 'a=1; b=2', 'X-Custom': 'kept',
                          'Accept-Encoding': 'identity'})
    assert reply.status == 200
    assert reply.json()['path'] == target
    assert reply.all('Set-Cookie') == ['session=abc123; Path=/; HttpOnly',
                                       'token=xyz; Path=/']
    assert reply.header('X-Upstream') == 'yes'
    assert int(reply.header('Content-Length') or -1) == len(reply.body)

    (got,) = upstream.received
    assert (got.method, got.path) == ('GET', target)
    assert got.header('Cookie') == 'a=1; b=2'
    assert got.header('X-Custom') == 'kept'
    assert got.header('Host') == f'127.0.0.1:{upstream.port}'
    assert upstream.writes == 0

    (req,) = proxy.requests
    assert (req.method, req.path, req.action) == ('GET', '/api.php', 'query')
    assert req.query['x'] == ['Ü']
    assert req.fault is None
    assert req.header('cookie') == 'a=1; b=2'


def test_forward_post_form(proxy: FaultProxy, upstream: Upstream) -> None:
    """A form POST reaches the wiki byte for byte and is parsed in the log."""
    body = urllib.parse.urlencode(
        {**ROLLBACK, 'summary': 'Ünïcode', 'empty': ''}).encode()
    reply = call(proxy, 'POST', '/api.php?assert=user', body, {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Cookie': 'session=abc123',
    })
    assert reply.status == 200
    assert reply.json()['writes'] == 1

    (got,) = upstream.received
    assert got.body == body
    assert got.path == '/api.php?assert=user'
    assert got.header('Content-Type') == 'application/x-www-form-urlencoded'
    assert got.header('Content-Length') == str(len(body))
    assert got.header('Cookie') == 'session=abc123'

    (req,) = proxy.requests
    assert req.body == body
    assert req.form['token'] == ['abc+\\']
    assert req.form['summary'] == ['Ünïcode']
    assert req.form['empty'] == ['']
    assert req.params['assert'] == 'user'
    assert req.action == 'rollback'


def test_hop_by_hop_and_chunked(proxy: FaultProxy, upstream: Upstream) -> None:
    """Hop-by-hop headers are dropped; chunked answers get a length."""
    reply = call(proxy, 'GET', '/chunked?action=query', headers={
        'Keep-Alive': 'timeout=5',
        'Proxy-Authorization': 'Basic c2VjcmV0',
        'Connection': 'keep-alive, X-Private',
        'X-Private': 'connection-specific',
    })
    assert reply.status == 200
    assert reply.json()['path'] == '/chunked?action=query'
    assert reply.header('Transfer-Encoding') is None
    assert int(reply.header('Content-Length') or -1) == len(reply.body)

    (got,) = upstream.received
    for name in ('Keep-Alive', 'Proxy-Authorization', 'X-Private'):
        assert got.header(name) is None, name
    assert got.header('Connection') == 'close'


def test_chunked_request_body(proxy: FaultProxy, upstream: Upstream) -> None:
    """A chunked request body is de-chunked and sent with a length."""
    body = urllib.parse.urlencode(ROLLBACK).encode()
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port,
                                      timeout=TIMEOUT)
    try:
        conn.request('POST', '/api.php', body=iter([body[:7], body[7:]]),
                     headers={'Content-Type':
                              'application/x-www-form-urlencoded'},
                     encode_chunked=True)
        with conn.getresponse() as resp:
            assert resp.status == 200
            resp.read()
    finally:
        conn.close()
    assert upstream.received[0].body == body
    assert proxy.requests[0].action == 'rollback'


def test_malformed_chunked_body(proxy: FaultProxy,
                                upstream: Upstream) -> None:
    """A broken chunked body gets 400 and is neither logged nor forwarded."""
    with socket.create_connection(('127.0.0.1', proxy.port),
                                  timeout=TIMEOUT) as sock:
        sock.sendall(b'POST /api.php HTTP/1.1\r\nHost: x\r\n'
                     b'Transfer-Encoding: chunked\r\n\r\nzz\r\n')
        with sock.makefile('rb') as answer:
            assert answer.readline().startswith(b'HTTP/1.1 400 ')
    assert upstream.received == []
    assert proxy.requests == []


def test_head_keeps_length(proxy: FaultProxy, upstream: Upstream) -> None:
    """HEAD answers keep the upstream length and carry no body."""
    reply = call(proxy, 'HEAD', '/api.php')
    assert reply.status == 200
    assert reply.body == b''
    assert int(reply.header('Content-Length') or 0) > 0


def test_keep_alive(proxy: FaultProxy, upstream: Upstream) -> None:
    """Several requests share one client connection."""
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port,
                                      timeout=TIMEOUT)
    try:
        exchange(conn, 'GET', '/api.php?action=query')
        sock = conn.sock
        assert sock is not None
        body = urllib.parse.urlencode(ROLLBACK).encode()
        exchange(conn, 'POST', '/api.php', body,
                 {'Content-Type': 'application/x-www-form-urlencoded'})
        reply = exchange(conn, 'GET', '/api.php?action=query')
        assert conn.sock is sock
        assert reply.status == 200
    finally:
        conn.close()
    assert len(upstream.received) == 3
    assert upstream.writes == 1


def test_urllib_client(proxy: FaultProxy, upstream: Upstream) -> None:
    """urllib.request works through the proxy, too."""
    url = proxy.url + '/api.php?action=query&format=json'
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
        data = json.loads(resp.read())
        assert resp.headers.get_all('Set-Cookie') == [
            'session=abc123; Path=/; HttpOnly', 'token=xyz; Path=/']
    assert data['method'] == 'GET'


@needs_requests
def test_requests_cookies_both_ways(proxy: FaultProxy,
                                    upstream: Upstream) -> None:
    """Cookies set by the wiki come back on the next requests call."""
    with requests.Session() as session:
        first = session.get(proxy.url + '/api.php',
                            params={'action': 'query'}, timeout=TIMEOUT)
        assert first.status_code == 200
        assert session.cookies.get('session') == 'abc123'
        assert session.cookies.get('token') == 'xyz'
        second = session.post(proxy.url + '/api.php', data=ROLLBACK,
                              timeout=TIMEOUT)
        assert second.json()['writes'] == 1
    cookie = upstream.received[1].header('Cookie') or ''
    assert sorted(cookie.split('; ')) == ['session=abc123', 'token=xyz']
    assert proxy.requests[1].form['user'] == ['Vandal']


def test_ipv6_loopback(upstream: Upstream) -> None:
    """The proxy can listen on ::1 (the upstream stays on 127.0.0.1)."""
    try:
        proxy = FaultProxy(upstream.port, host='::1').start()
    except OSError:  # pragma: no cover - no IPv6 on this machine
        pytest.skip('::1 is not available')
    try:
        assert proxy.url == f'http://[::1]:{proxy.port}'
        conn = http.client.HTTPConnection('::1', proxy.port, timeout=TIMEOUT)
        try:
            assert exchange(conn, 'GET', '/api.php').status == 200
        finally:
            conn.close()
    finally:
        proxy.stop()
    assert upstream.received[0].header('Host') == f'127.0.0.1:{upstream.port}'


def test_upstream_down_gives_502(upstream: Upstream) -> None:
    """An unreachable wiki gives 502 and the proxy keeps serving."""
    with FaultProxy(free_port()) as proxy:
        assert call(proxy, 'GET', '/api.php?action=query').status == 502
        assert call(proxy, 'GET', '/api.php?action=query').status == 502
        assert len(proxy.requests) == 2


# -- faults -------------------------------------------------------------------


@pytest.mark.parametrize('status', [500, 502, 503, 504, 429, 599])
def test_status_fault(proxy: FaultProxy, upstream: Upstream,
                      status: int) -> None:
    """The status fault answers without forwarding, once."""
    rule = proxy.add_fault('status', action='rollback', status=status)
    reply = post(proxy, ROLLBACK)
    assert reply.status == status
    assert (reply.header('Content-Type') or '').startswith('text/html')
    assert b'<html>' in reply.body
    assert upstream.writes == 0
    assert upstream.received == []
    assert proxy.requests[0].fault == 'status'
    assert rule.hits == 1 and rule.spent

    # Spent: the next rollback goes through.
    assert post(proxy, ROLLBACK).status == 200
    assert upstream.writes == 1
    assert proxy.requests[1].fault is None


def test_status_fault_keeps_connection(proxy: FaultProxy,
                                       upstream: Upstream) -> None:
    """A faulted answer leaves a keep-alive connection usable."""
    proxy.add_fault('status', action='rollback')
    body = urllib.parse.urlencode(ROLLBACK).encode()
    headers = {'Content-Type': 'application/x-www-form-urlencoded'}
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port,
                                      timeout=TIMEOUT)
    try:
        assert exchange(conn, 'POST', '/api.php', body, headers).status == 503
        assert exchange(conn, 'POST', '/api.php', body, headers).status == 200
    finally:
        conn.close()
    assert upstream.writes == 1


def test_drop_after_forward(proxy: FaultProxy, upstream: Upstream) -> None:
    """The write happens, but the client loses the connection."""
    proxy.add_fault('drop_after_forward', action='rollback')
    # RemoteDisconnected is a subclass of ConnectionResetError.
    with pytest.raises(ConnectionResetError):
        post(proxy, ROLLBACK)
    assert upstream.writes == 1
    assert proxy.requests_for('rollback')[0].fault == 'drop_after_forward'
    assert post(proxy, ROLLBACK).status == 200
    assert upstream.writes == 2


@needs_requests
def test_drop_after_forward_requests(proxy: FaultProxy,
                                     upstream: Upstream) -> None:
    """requests reports a ConnectionError on a pooled connection."""
    proxy.add_fault('drop_after_forward', action='rollback')
    with requests.Session() as session:
        session.get(proxy.url + '/api.php', params={'action': 'query'},
                    timeout=TIMEOUT)
        with pytest.raises(requests.ConnectionError):
            session.post(proxy.url + '/api.php', data=ROLLBACK,
                         timeout=TIMEOUT)
        assert session.post(proxy.url + '/api.php', data=ROLLBACK,
                            timeout=TIMEOUT).status_code == 200
    assert upstream.writes == 2


def test_delay_client_times_out(proxy: FaultProxy,
                                upstream: Upstream) -> None:
    """The client gives up, the write happened, the proxy survives."""
    proxy.add_fault('delay', action='rollback', delay=0.6)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        post(proxy, ROLLBACK, timeout=0.2)
    assert time.monotonic() - start < 0.6
    assert upstream.wait_writes(1, timeout=0.3) == 1  # before the delay
    time.sleep(0.6)  # let the proxy write to the closed connection
    assert post(proxy, {'action': 'query'}).status == 200


def test_delay_answers_late(proxy: FaultProxy, upstream: Upstream) -> None:
    """A patient client gets the normal answer after the delay."""
    proxy.add_fault('delay', action='rollback', delay=0.3)
    start = time.monotonic()
    reply = post(proxy, ROLLBACK)
    assert time.monotonic() - start >= 0.3
    assert reply.status == 200
    assert reply.json()['writes'] == 1


@needs_requests
def test_delay_requests_read_timeout(proxy: FaultProxy,
                                     upstream: Upstream) -> None:
    """requests raises ReadTimeout while the write has happened."""
    proxy.add_fault('delay', action='rollback', delay=1.0)
    with requests.Session() as session:
        with pytest.raises(requests.ReadTimeout):
            session.post(proxy.url + '/api.php', data=ROLLBACK,
                         timeout=(TIMEOUT, 0.2))
    assert upstream.writes == 1


def test_delay_before_forward(proxy: FaultProxy, upstream: Upstream) -> None:
    """The write lands only after the delay, after the client gave up."""
    proxy.add_fault('delay_before_forward', action='rollback', delay=0.5)
    with pytest.raises(TimeoutError):
        post(proxy, ROLLBACK, timeout=0.2)
    assert upstream.writes == 0
    assert upstream.wait_writes(1) == 1


def test_stop_cuts_delays_short(upstream: Upstream) -> None:
    """stop() does not wait for pending delays or idle connections."""
    proxy = FaultProxy(upstream.port).start()
    proxy.add_fault('delay_before_forward', action='rollback', delay=30)
    idle = http.client.HTTPConnection('127.0.0.1', proxy.port,
                                      timeout=TIMEOUT)
    waiting = socket.create_connection(('127.0.0.1', proxy.port),
                                       timeout=TIMEOUT)
    try:
        exchange(idle, 'GET', '/api.php?action=query')  # kept alive
        body = urllib.parse.urlencode(ROLLBACK).encode()
        waiting.sendall(
            b'POST /api.php HTTP/1.1\r\nHost: x\r\n'
            b'Content-Type: application/x-www-form-urlencoded\r\n'
            b'Content-Length: %d\r\n\r\n%s' % (len(body), body))
        deadline = time.monotonic() + 2
        while not proxy.requests_for('rollback'):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        start = time.monotonic()
        proxy.stop()
        assert time.monotonic() - start < 2
        assert waiting.recv(100) == b''  # closed without an answer
    finally:
        idle.close()
        waiting.close()
    assert upstream.writes == 0


def test_garbage(proxy: FaultProxy, upstream: Upstream) -> None:
    """The answer is garbage plus the real body; the write happened."""
    proxy.add_fault('garbage', action='rollback', garbage=b'<html>oops')
    reply = post(proxy, ROLLBACK)
    assert reply.status == 200
    assert reply.body.startswith(b'<html>oops{')
    with pytest.raises(ValueError):
        reply.json()
    assert json.loads(reply.body[len(b'<html>oops'):])['writes'] == 1
    assert int(reply.header('Content-Length') or -1) == len(reply.body)
    assert len(reply.all('Set-Cookie')) == 2
    assert upstream.writes == 1


@needs_requests
def test_garbage_requests(proxy: FaultProxy, upstream: Upstream) -> None:
    """requests (which asks for gzip) gets a body that is not JSON."""
    proxy.add_fault('garbage', action='rollback')
    with requests.Session() as session:
        resp = session.post(proxy.url + '/api.php', data=ROLLBACK,
                            timeout=TIMEOUT)
        assert resp.content.startswith(b'<html>garbage')
        with pytest.raises(ValueError):
            resp.json()
    assert upstream.received[0].header('Accept-Encoding') is None


@pytest.mark.parametrize('code', ['badtoken', 'ratelimited', 'maxlag',
                                  'readonly', 'assertuserfailed', 'blocked',
                                  'somethingelse'])
@pytest.mark.parametrize('formatversion', [None, '1', '2'])
def test_api_error(proxy: FaultProxy, upstream: Upstream, code: str,
                   formatversion: str | None) -> None:
    """API errors come in MediaWiki's shape and are not forwarded."""
    proxy.add_fault('api_error', action='rollback', api_code=code)
    params = dict(ROLLBACK)
    if formatversion:
        params['formatversion'] = formatversion
    reply = post(proxy, params)
    assert reply.status == 200
    assert reply.header('Content-Type') == 'application/json; charset=utf-8'
    assert reply.header('MediaWiki-API-Error') == code
    data = reply.json()
    assert data['servedby'] == 'faultproxy'
    error = data['error']
    assert error['code'] == code
    assert error['info']
    if formatversion == '2':
        assert 'docref' in error and '*' not in error
    else:
        assert '*' in error and 'docref' not in error
    if code == 'maxlag':
        assert (error['lag'], error['host']) == (5, 'db')
        assert reply.header('Retry-After') == '1'
        assert reply.header('X-Database-Lag') == '5'
        assert error['info'].startswith('Waiting for db: 5 seconds lagged')
    if code == 'readonly':
        assert error['readonlyreason'] == 'test'
    assert upstream.received == []
    assert proxy.requests[0].fault == 'api_error'


GLOBALUSERINFO = {'query': {'globaluserinfo': {
    'home': 'xwa', 'id': 7, 'registration': '2026-01-01T00:00:00Z',
    'name': 'Vandal'}}}


def test_answer(proxy: FaultProxy, upstream: Upstream) -> None:
    """A matching request gets the canned body; others are forwarded."""
    rule = proxy.add_fault(
        'answer', when=lambda r: r.params.get('meta') == 'globaluserinfo',
        body=GLOBALUSERINFO, times=2)
    reply = call(proxy, 'GET', '/api.php?action=query&meta=globaluserinfo'
                 '&guiuser=Vandal&format=json')
    assert reply.status == 200
    assert reply.header('Content-Type') == 'application/json; charset=utf-8'
    assert reply.json() == GLOBALUSERINFO
    assert int(reply.header('Content-Length') or -1) == len(reply.body)
    # in a POST body too, as pywikibot sends it
    reply = post(proxy, {'action': 'query', 'meta': 'globaluserinfo',
                         'format': 'json'})
    assert reply.json() == GLOBALUSERINFO
    assert upstream.received == []

    reply = call(proxy, 'GET', '/api.php?action=query&meta=siteinfo'
                 '&format=json')
    assert reply.json()['path'].endswith('meta=siteinfo&format=json')
    assert len(upstream.received) == 1
    assert rule.hits == 2
    assert [r.fault for r in proxy.requests] == ['answer', 'answer', None]


def test_answer_bytes_as_they_are(proxy: FaultProxy,
                                  upstream: Upstream) -> None:
    """A bytes body is sent unchanged, even if it is no JSON."""
    proxy.add_fault('answer', action='rollback', body=b'{"half": ')
    reply = post(proxy, ROLLBACK)
    assert (reply.status, reply.body) == (200, b'{"half": ')
    assert upstream.writes == 0


# -- held requests ------------------------------------------------------------


class Background:
    """Send one request from a thread; keep its reply or its error."""

    def __init__(self, send: Callable[[], Reply]) -> None:
        """Start sending.

        :param send: makes the request and returns the reply
        """
        self.reply: Reply | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(send,),
                                        daemon=True)
        self._thread.start()

    def _run(self, send: Callable[[], Reply]) -> None:
        try:
            self.reply = send()
        except BaseException as exc:  # noqa: B036 - reported to the test
            self.error = exc

    def join(self, timeout: float = TIMEOUT) -> Background:
        """Wait for the reply or the error.

        :param timeout: seconds to wait at most
        :return: self, for chaining
        """
        self._thread.join(timeout)
        assert not self._thread.is_alive(), 'no reply in time'
        return self

    @property
    def done(self) -> bool:
        """Return whether the client has its reply or error.

        :return: True once the request ended
        """
        return not self._thread.is_alive()


def test_hold_lands_then_keeps_the_answer(proxy: FaultProxy,
                                          upstream: Upstream) -> None:
    """The write lands before wait_held returns; release answers."""
    rule = proxy.add_fault('hold', action='rollback')
    client = Background(lambda: post(proxy, ROLLBACK, timeout=30))
    held = proxy.wait_held(timeout=TIMEOUT)
    assert held is not None and held.fault == 'hold'
    assert held.params['title'] == 'Foo'
    assert upstream.writes == 1
    time.sleep(0.2)
    assert not client.done
    assert proxy.held == [held]
    assert proxy.release() == 1
    reply = client.join().reply
    assert reply is not None and reply.status == 200
    assert reply.json()['writes'] == 1
    assert (rule.hits, proxy.held) == (1, [])
    assert post(proxy, ROLLBACK).status == 200  # the rule is spent
    assert upstream.writes == 2


def test_hold_abandon_never_answers(proxy: FaultProxy,
                                    upstream: Upstream) -> None:
    """abandon() resets the connection: the write landed, no answer."""
    proxy.add_fault('hold', action='rollback')
    client = Background(lambda: post(proxy, ROLLBACK, timeout=30))
    assert proxy.wait_held(timeout=TIMEOUT) is not None
    assert proxy.abandon() == 1
    assert isinstance(client.join().error, ConnectionResetError)
    assert upstream.writes == 1


def test_hold_before_forward(proxy: FaultProxy, upstream: Upstream) -> None:
    """Nothing is written while held; release forwards and answers."""
    proxy.add_fault('hold_before_forward', action='rollback')
    client = Background(lambda: post(proxy, ROLLBACK, timeout=30))
    held = proxy.wait_held(timeout=TIMEOUT)
    assert held is not None and held.fault == 'hold_before_forward'
    time.sleep(0.2)
    assert upstream.writes == 0 and not client.done
    proxy.release()
    reply = client.join().reply
    assert reply is not None and reply.json()['writes'] == 1
    assert upstream.writes == 1


def test_clear_faults_abandons_before_forward(proxy: FaultProxy,
                                              upstream: Upstream) -> None:
    """A request held before forwarding and then cleared never lands."""
    proxy.add_fault('hold_before_forward', action='rollback')
    client = Background(lambda: post(proxy, ROLLBACK, timeout=30))
    assert proxy.wait_held(timeout=TIMEOUT) is not None
    proxy.clear_faults()
    assert isinstance(client.join().error, ConnectionResetError)
    assert proxy.held == [] and proxy.release() == 0
    assert upstream.wait_writes(1, timeout=0.3) == 0


def test_hold_skip_picks_the_second_write(proxy: FaultProxy,
                                          upstream: Upstream) -> None:
    """``skip=1`` lets the first matching request through."""
    rule = proxy.add_fault('hold', action='rollback', skip=1)
    assert post(proxy, {**ROLLBACK, 'title': 'A'}).status == 200
    assert post(proxy, {'action': 'query'}).status == 200
    client = Background(lambda: post(proxy, {**ROLLBACK, 'title': 'B'},
                                     timeout=30))
    held = proxy.wait_held(timeout=TIMEOUT)
    assert held is not None and held.params['title'] == 'B'
    assert (rule.passed, rule.hits) == (1, 1)
    assert [r.fault for r in proxy.requests_for('rollback')] == [None, 'hold']
    proxy.release()
    assert client.join().reply is not None


def test_wait_held_times_out(proxy: FaultProxy, upstream: Upstream) -> None:
    """wait_held() returns None when nothing is held in time."""
    proxy.add_fault('hold', action='rollback')
    start = time.monotonic()
    assert proxy.wait_held(timeout=0.2) is None
    assert 0.2 <= time.monotonic() - start < 2


def test_held_client_goes_away(proxy: FaultProxy, upstream: Upstream,
                               capfd: pytest.CaptureFixture[str],
                               caplog: pytest.LogCaptureFixture) -> None:
    """A client killed while held leaves the proxy working and quiet."""
    proxy.add_fault('hold', action='rollback')
    body = urllib.parse.urlencode(ROLLBACK).encode()
    sock = socket.create_connection(('127.0.0.1', proxy.port),
                                    timeout=TIMEOUT)
    sock.sendall(b'POST /api.php HTTP/1.1\r\nHost: x\r\n'
                 b'Content-Type: application/x-www-form-urlencoded\r\n'
                 b'Content-Length: %d\r\n\r\n%s' % (len(body), body))
    assert proxy.wait_held(timeout=TIMEOUT) is not None
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack('ii', 1, 0))
    sock.close()  # like SIGKILL: a reset, no goodbye
    proxy.release()  # the answer goes nowhere
    time.sleep(0.2)
    assert post(proxy, ROLLBACK).status == 200
    assert upstream.writes == 2
    proxy.stop()
    out, err = capfd.readouterr()
    assert out == '' and err == ''
    assert caplog.records == []


def test_stop_abandons_held(upstream: Upstream) -> None:
    """stop() returns promptly with requests held; none is forwarded."""
    proxy = FaultProxy(upstream.port).start()
    proxy.add_fault('hold_before_forward', action='rollback')
    client = Background(lambda: post(proxy, ROLLBACK, timeout=30))
    assert proxy.wait_held(timeout=TIMEOUT) is not None
    start = time.monotonic()
    proxy.stop()
    assert time.monotonic() - start < 2
    assert client.join().error is not None
    assert upstream.writes == 0


# -- matching -----------------------------------------------------------------


def test_times_exhaustion(proxy: FaultProxy, upstream: Upstream) -> None:
    """A rule fires exactly ``times`` times."""
    rule = proxy.add_fault('status', action='rollback', times=2)
    statuses = [post(proxy, ROLLBACK).status for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert (rule.hits, rule.remaining, rule.spent) == (2, 0, True)
    assert [r.fault for r in proxy.requests] == ['status', 'status', None]
    assert upstream.writes == 1


def test_action_must_match(proxy: FaultProxy, upstream: Upstream) -> None:
    """Other actions pass untouched; the action may be in the query."""
    proxy.add_fault('status', action='undelete')
    assert post(proxy, ROLLBACK).status == 200
    assert call(proxy, 'POST', '/api.php?action=undelete', b'title=Foo', {
        'Content-Type': 'application/x-www-form-urlencoded'}).status == 503
    assert [r.action for r in proxy.requests] == ['rollback', 'undelete']


def test_when_predicate(proxy: FaultProxy, upstream: Upstream) -> None:
    """``when`` narrows a rule; non-matching requests don't spend it."""
    pred: Callable[[Request], bool] = lambda r: r.params['title'] == 'B'
    rule = proxy.add_fault('status', action='rollback', when=pred)
    assert post(proxy, {**ROLLBACK, 'title': 'A'}).status == 200
    assert rule.hits == 0
    assert post(proxy, {**ROLLBACK, 'title': 'B'}).status == 503
    assert post(proxy, {**ROLLBACK, 'title': 'B'}).status == 200
    assert upstream.writes == 2


def test_when_predicate_error_is_no_match(proxy: FaultProxy,
                                          upstream: Upstream,
                                          caplog: pytest.LogCaptureFixture
                                          ) -> None:
    """A failing predicate counts as no match and is reported."""
    proxy.add_fault('status', when=lambda r: 1 / 0 > 0)
    assert post(proxy, ROLLBACK).status == 200
    assert 'predicate' in caplog.text


def test_first_matching_rule_wins(proxy: FaultProxy,
                                  upstream: Upstream) -> None:
    """Rules are tried in order; spent rules are skipped."""
    proxy.add_fault('status', action='rollback', status=502)
    proxy.add_fault('api_error', action='rollback', api_code='badtoken')
    proxy.add_fault('status', status=500)  # any action
    assert post(proxy, ROLLBACK).status == 502
    assert post(proxy, ROLLBACK).json()['error']['code'] == 'badtoken'
    assert post(proxy, ROLLBACK).status == 500
    assert post(proxy, ROLLBACK).status == 200


def test_clear_faults_and_log(proxy: FaultProxy, upstream: Upstream) -> None:
    """clear_faults() removes rules; reset_log() empties the log."""
    proxy.add_fault('status', times=10)
    proxy.clear_faults()
    assert proxy.rules == []
    post(proxy, ROLLBACK)
    post(proxy, {'action': 'query'})
    assert [r.action for r in proxy.requests_for('query')] == ['query']
    assert proxy.requests[0].time <= proxy.requests[1].time
    proxy.reset_log()
    assert proxy.requests == []
    assert proxy.requests_for('rollback') == []


def test_concurrent_times_is_exact(proxy: FaultProxy,
                                   upstream: Upstream) -> None:
    """Concurrent requests never fire a rule more than ``times`` times."""
    proxy.add_fault('status', action='rollback', times=3)
    results: list[int] = []

    def worker() -> None:
        results.append(post(proxy, ROLLBACK).status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert sorted(results) == [200] * 5 + [503] * 3
    assert upstream.writes == 5


# -- multipart ----------------------------------------------------------------


def pywikibot_style_multipart(fields: dict[str, str],
                              files: dict[str, tuple[bytes, str]]
                              ) -> tuple[str, bytes]:
    """Build a multipart body the way pywikibot's API module does.

    pywikibot flattens an :mod:`email` message, which uses LF line
    endings, and sends non-ASCII values as application/octet-stream.

    :param fields: text fields
    :param files: name -> (content, filename)
    :return: Content-Type header and body
    """
    container = MIMEMultipart(_subtype='form-data')
    for key, value in fields.items():
        try:
            value.encode('ascii')
            part = MIMENonMultipart('text', 'plain')
            part.set_payload(value)
        except UnicodeError:
            part = MIMENonMultipart('application', 'octet-stream')
            part['Content-Transfer-Encoding'] = 'binary'
            part.set_payload(value.encode())
        part.add_header('Content-disposition', 'form-data', name=key)
        container.attach(part)
    for key, (content, filename) in files.items():
        part = MIMENonMultipart('image', 'png')
        part.add_header('Content-disposition', 'form-data', name=key,
                        filename=filename)
        part['Content-Transfer-Encoding'] = 'binary'
        part.set_payload(content)
        container.attach(part)
    body = container.as_bytes()
    body = body[body.find(b'\n\n') + 2:]
    return container['Content-Type'].replace('\n', ''), body


def test_multipart_crlf(proxy: FaultProxy, upstream: Upstream) -> None:
    """Text fields of a CRLF multipart body are parsed; files sized."""
    boundary = 'XyZ123'
    content = bytes(range(256)) + b'\r\n--XyZ12 not a boundary\r\n'
    body = (
        f'--{boundary}\r\n'
        'Content-Disposition: form-data; name="action"\r\n\r\n'
        'filerevert\r\n'
        f'--{boundary}\r\n'
        'Content-Disposition: form-data; name="comment"\r\n'
        'Content-Type: text/plain; charset=utf-8\r\n\r\n'
        'Zurück\r\nzwei Zeilen\r\n'
        f'--{boundary}\r\n'
        'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
        'Content-Type: image/png\r\n\r\n'
    ).encode() + content + f'\r\n--{boundary}--\r\n'.encode()
    reply = call(proxy, 'POST', '/api.php', body, {
        'Content-Type': f'multipart/form-data; boundary={boundary}'})
    assert reply.status == 200
    assert upstream.received[0].body == body
    (req,) = proxy.requests
    assert req.action == 'filerevert'
    assert req.form['comment'] == ['Zurück\r\nzwei Zeilen']
    assert req.form['file'] == [f'<file a.png: {len(content)} bytes>']


def test_multipart_pywikibot_style(proxy: FaultProxy,
                                   upstream: Upstream) -> None:
    """LF multipart bodies as built by pywikibot are parsed as well."""
    content_type, body = pywikibot_style_multipart(
        {'action': 'upload', 'filename': 'Bild.png', 'comment': 'Grüße',
         'token': 'abc+\\'},
        {'file': (b'\x89PNG\r\n\x1a\n' + bytes(100), 'Bild.png')})
    proxy.add_fault('status', action='upload')
    reply = call(proxy, 'POST', '/api.php', body,
                 {'Content-Type': content_type})
    assert reply.status == 503
    (req,) = proxy.requests
    assert req.action == 'upload'
    assert req.form['comment'] == ['Grüße']
    assert req.form['token'] == ['abc+\\']
    assert req.form['file'][0].startswith('<file Bild.png: ')


@needs_requests
def test_multipart_requests(proxy: FaultProxy, upstream: Upstream) -> None:
    """Multipart bodies built by requests are parsed."""
    with requests.Session() as session:
        resp = session.post(
            proxy.url + '/api.php',
            data={'action': 'upload', 'comment': 'é'},
            files={'file': ('x.bin', b'\x00\xff' * 50)}, timeout=TIMEOUT)
        assert resp.status_code == 200
    (req,) = proxy.requests
    assert req.form == {'action': ['upload'], 'comment': ['é'],
                        'file': ['<file x.bin: 100 bytes>']}
    assert upstream.received[0].body == req.body


def test_unparsable_body_is_forwarded(proxy: FaultProxy,
                                      upstream: Upstream) -> None:
    """A broken multipart body is still forwarded unchanged."""
    body = b'no boundary here at all'
    reply = call(proxy, 'POST', '/api.php?action=edit', body, {
        'Content-Type': 'multipart/form-data; boundary=nope'})
    assert reply.status == 200
    assert upstream.received[0].body == body
    assert proxy.requests[0].form == {}
    assert proxy.requests[0].action == 'edit'


# -- quietness ----------------------------------------------------------------


def test_prints_nothing(proxy: FaultProxy, upstream: Upstream,
                        capfd: pytest.CaptureFixture[str],
                        caplog: pytest.LogCaptureFixture) -> None:
    """Normal operation and faults print or log nothing.

    Bodies hold passwords and tokens; clients going away (dropped or timed
    out connections) are expected and must not be reported as errors.
    """
    proxy.add_fault('drop_after_forward', action='login')
    proxy.add_fault('delay', action='clientlogin', delay=0.5)
    with pytest.raises(ConnectionResetError):
        post(proxy, {'action': 'login', 'lgpassword': PASSWORD})
    with pytest.raises(TimeoutError):
        post(proxy, {'action': 'clientlogin', 'password': PASSWORD},
             timeout=0.1)
    post(proxy, {'action': 'login', 'lgpassword': PASSWORD})
    time.sleep(0.6)  # the delayed answer hits a closed connection
    proxy.stop()
    out, err = capfd.readouterr()
    assert out == '' and err == ''
    assert caplog.records == []


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_every_fault_is_recorded(proxy: FaultProxy, upstream: Upstream,
                                 fault: str) -> None:
    """Every fault name is accepted and shows up in the log."""
    proxy.add_fault(fault, action='rollback', delay=0.05,
                    api_code='badtoken', body={})
    if fault in HOLD_FAULTS:
        threading.Timer(0.2, proxy.release).start()
    try:
        post(proxy, ROLLBACK)
    except ConnectionResetError:
        assert fault == 'drop_after_forward'
    assert proxy.requests[0].fault == fault
