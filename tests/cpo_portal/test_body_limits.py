"""cpo_portal.web.body_limits: request bodies read whole, under a size limit and a deadline.

The WSGI wrapper is driven directly, with a real socket pair where time matters (the
watchdog cuts a socket read, as under gunicorn). tests/security/test_slow_bodies.py runs
it inside gunicorn.
"""

from __future__ import annotations

import io
import json
import runpy
import socket
import threading
import time
from pathlib import Path

import pytest

from cpo_portal.web import body_limits
from cpo_portal.web.body_limits import BodyLimits

ROOT = Path(__file__).resolve().parents[2]


class Response:
    """A stand-in for gunicorn's response, whose bound start_response the app receives."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: dict[str, str] = {}
        self.closed = False

    def start_response(self, status, headers, exc_info=None):
        self.status = status
        self.headers = dict(headers)

    def force_close(self) -> None:
        self.closed = True


class Echo:
    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, environ, start_response):
        length = int(environ["CONTENT_LENGTH"] or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        self.seen = {"body": body, "length": length}
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


class Unreadable(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the body was read")


def call(app, **environ):
    response = Response()
    body = b"".join(app({"REQUEST_METHOD": "POST", **environ}, response.start_response))
    return response, body


def limits(app=None, max_bytes=1000, timeout=5.0, min_rate=1000) -> BodyLimits:
    return BodyLimits(app or Echo(), max_bytes=max_bytes, timeout=timeout, min_rate=min_rate)


def test_a_body_within_the_limit_reaches_the_app_whole():
    echo = Echo()
    response, _ = call(limits(echo), CONTENT_LENGTH="5", **{"wsgi.input": io.BytesIO(b"hello")})
    assert response.status == "200 OK"
    assert echo.seen == {"body": b"hello", "length": 5}


def test_a_body_over_a_mebibyte_goes_through_a_temporary_file_whole():
    echo = Echo()
    data = bytes(range(256)) * 6000  # 1.5 MB
    app = limits(echo, max_bytes=2_000_000)
    environ = {"CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data)}
    response, _ = call(app, **environ)
    assert response.status == "200 OK"
    assert echo.seen == {"body": data, "length": len(data)}


def test_a_declared_length_over_the_limit_is_refused_unread_and_the_connection_closes():
    response, body = call(limits(), CONTENT_LENGTH="1001", **{"wsgi.input": Unreadable()})
    assert response.status == "413 Content Too Large"
    assert json.loads(body) == {"detail": "the request body is larger than the limit of 1000 bytes"}
    assert response.closed


def test_a_chunked_body_is_cut_when_it_grows_past_the_limit():
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 5000)}
    response, _ = call(limits(), **environ)
    assert response.status.startswith("413")


def test_a_chunked_body_within_the_limit_gets_a_length():
    echo = Echo()
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"abc")}
    response, _ = call(limits(echo), **environ)
    assert response.status == "200 OK"
    assert echo.seen == {"body": b"abc", "length": 3}


@pytest.mark.parametrize(
    ("length", "data", "detail"),
    [
        ("ten", b"", "the Content-Length header is not a number"),
        ("-1", b"", "the Content-Length header is negative"),
        ("10", b"short", "the request body ended early or is malformed"),
    ],
)
def test_a_malformed_or_short_body_is_a_400(length, data, detail):
    response, body = call(limits(), CONTENT_LENGTH=length, **{"wsgi.input": io.BytesIO(data)})
    assert response.status == "400 Bad Request"
    assert json.loads(body)["detail"] == detail


def test_requests_without_a_body_pass_through_untouched():
    echo = Echo()
    stream = Unreadable()
    response, _ = call(limits(echo), CONTENT_LENGTH="", **{"wsgi.input": stream})
    assert response.status == "200 OK"


@pytest.fixture
def connection():
    """(server side, client side) of a TCP connection; the server side as gunicorn's."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    yield server, client
    server.close()
    client.close()


def gunicorn_environ(server: socket.socket, length: int) -> dict:
    return {
        "CONTENT_LENGTH": str(length),
        "wsgi.input": server.makefile("rb"),  # read(n) waits for n bytes, like gunicorn's
        "gunicorn.socket": server,
    }


def test_a_body_that_stops_arriving_is_cut_at_its_deadline_with_a_408(connection):
    server, client = connection
    client.sendall(b"{")
    response, body = call(limits(timeout=0.5), **gunicorn_environ(server, 100))
    assert response.status == "408 Request Timeout"
    assert "did not arrive within 0.5 seconds" in json.loads(body)["detail"]
    assert response.closed


def test_a_trickle_that_beats_every_read_timeout_is_still_cut(connection):
    """One byte every 0.2 s never leaves a recv() waiting long, yet the body is cut."""
    server, client = connection
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.2):
            try:
                client.sendall(b" ")
            except OSError:
                return

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        app = limits(max_bytes=100_000, timeout=0.5, min_rate=1000)
        response, _ = call(app, **gunicorn_environ(server, 10_000))
    finally:
        stop.set()
        sender.join()
    assert response.status.startswith("408")


def test_a_large_body_sent_at_a_steady_rate_may_take_longer_than_the_base_timeout(connection):
    """The deadline grows by a second per min_rate bytes received."""
    server, client = connection
    size = 40_000

    def send():
        for _ in range(size // 4000):  # 4000 bytes per 0.1 s: 40 kB/s, four times min_rate
            client.sendall(b"x" * 4000)
            time.sleep(0.1)

    sender = threading.Thread(target=send)
    sender.start()
    echo = Echo()
    app = limits(echo, max_bytes=100_000, timeout=0.3, min_rate=10_000)
    response, _ = call(app, **gunicorn_environ(server, size))
    sender.join()
    assert response.status == "200 OK"
    assert echo.seen["length"] == size


def test_the_default_deadline_fits_gunicorns_worker_timeout(monkeypatch):
    monkeypatch.delenv("REQUEST_BODY_TIMEOUT", raising=False)
    monkeypatch.delenv("REQUEST_HEADER_TIMEOUT", raising=False)
    monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["_deadlines"]["REQUEST_BODY_TIMEOUT"] == body_limits.DEFAULT_TIMEOUT
    assert config["timeout"] / 2 >= body_limits.DEFAULT_TIMEOUT
    assert config["_deadlines"]["REQUEST_HEADER_TIMEOUT"] == body_limits.DEFAULT_HEADER_TIMEOUT
    assert config["timeout"] / 2 >= body_limits.DEFAULT_HEADER_TIMEOUT


def test_gunicorn_conf_refuses_a_deadline_its_timeout_would_overrun(monkeypatch):
    monkeypatch.setenv("REQUEST_BODY_TIMEOUT", "30")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "30")
    with pytest.raises(SystemExit, match="at most half of GUNICORN_TIMEOUT"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


# Each door's clients read their own shape of a refusal (REQUEST_BODY_REFUSALS): through
# the application gunicorn and runserver serve (gunicorn.conf.py's wsgi_app,
# WSGI_APPLICATION), with its limit lowered so a chunked body passes it quickly.
@pytest.fixture
def served(monkeypatch):
    from cpo_portal.wsgi import application

    monkeypatch.setattr(application, "max_bytes", 1000)
    return application


def too_large(app, path: str, chunked: bool) -> tuple[Response, dict]:
    environ = {"PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    if chunked:
        environ |= {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 5000)}
    else:
        environ |= {"CONTENT_LENGTH": "1001", "wsgi.input": Unreadable()}
    response, body = call(app, **environ)
    assert response.status == "413 Content Too Large"
    assert response.headers["Content-Type"] == "application/json"
    assert response.closed
    return response, json.loads(body)


LIMIT = "the request body is larger than the limit of 1000 bytes"


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_body_too_large_for_a_beckn_endpoint_is_a_nack(served, chunked):
    _, body = too_large(served, "/beckn/select", chunked)
    # the NACK and code the endpoint gives a body over its own limit (beckn/views.py)
    assert body == {
        "message": {"ack": {"status": "NACK"}},
        "error": {"code": "30000", "message": LIMIT},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/beckn/v2/select", "/beckn/catalog/on_publish"])
def test_a_body_too_large_for_a_beckn_2_endpoint_is_its_counter_signed_nack(served, path):
    from beckn.protocol.v2.ack import countersigner
    from beckn.services import keys

    keys.generate("bpp-key-1")
    _, body = too_large(served, path, chunked=False)
    assert body["status"] == "NACK"
    assert body["error"] == {"errorCode": "30000", "errorMessage": LIMIT}
    assert countersigner(body)[1] == "bpp-key-1"


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_body_too_large_for_an_ocpi_endpoint_is_the_ocpi_envelope(served, chunked):
    _, body = too_large(served, "/ocpi/2.2.1/cdrs", chunked)
    assert body.pop("timestamp").endswith("Z")
    assert body == {"status_code": 2000, "status_message": LIMIT}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/analytics/x", "/becknish", "/"])
def test_a_body_too_large_elsewhere_is_the_detail(served, path):
    _, body = too_large(served, path, chunked=True)
    assert body == {"detail": LIMIT}


def test_a_slow_or_malformed_body_is_refused_in_the_door_s_shape_too(served):
    response, body = call(served, PATH_INFO="/beckn/select", CONTENT_LENGTH="ten")
    assert response.status == "400 Bad Request"
    assert body and json.loads(body)["error"] == {
        "code": "30000",
        "message": "the Content-Length header is not a number",
    }


def test_the_longest_prefix_decides_and_a_failing_refusal_falls_back_to_the_detail():
    def broken(status, detail, path):
        raise RuntimeError("broken")

    refusals = {
        "/a/": lambda status, detail, path: {"a": status},
        "/a/b/": lambda status, detail, path: {"b": detail},
        "/c/": broken,
    }
    app = BodyLimits(Echo(), max_bytes=10, timeout=5.0, min_rate=1000, refusals=refusals)
    for path, expected in [
        ("/a/x", {"a": 413}),
        ("/a/b/x", {"b": "the request body is larger than the limit of 10 bytes"}),
        ("/c/x", {"detail": "the request body is larger than the limit of 10 bytes"}),
    ]:
        _, body = call(app, PATH_INFO=path, CONTENT_LENGTH="11", **{"wsgi.input": Unreadable()})
        assert json.loads(body) == expected, path
