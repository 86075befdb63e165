"""Local HTTP/1.1 servers for the outbound transport's tests: `Server` answers 200 ACK
(over TLS with a certificate), after a delay, and records what reached it; `servers` starts
one per host on a shared port (a fixture: `pytest.fixture(servers, name="serve")`); `post`
sends a callback-like POST with the Beckn defaults."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

from cpo_portal.outbound import transport


def post(url: str, body: bytes, headers: dict[str, str], **options: Any) -> transport.Response:
    """A callback-like POST: the Beckn defaults (2 s connect, 5 s read, 7 s in all, 64 KiB)."""
    settings = {
        "allow_private": False,
        "deadline": 7.0,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_bytes": 64 * 1024,
        **options,
    }
    return transport.request("POST", url, body=body, headers=headers, **settings)


class Server:
    """A local HTTP/1.1 server (TLS with `cert`) that answers 200 ACK, after `delay`
    seconds, and records what reached it."""

    def __init__(self, host: str, port: int, cert: trustme.LeafCert | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.sni: list[str | None] = []
        self.delay = 0.0
        self.hang_up = False  # close each connection after its answer, saying nothing
        server = self
        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: a pooled connection is reused

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append(
                    {
                        "host": self.headers["Host"],
                        "path": self.path,
                        "body": body,
                        "client": self.client_address[:2],
                    }
                )
                time.sleep(server.delay)
                answer = b'{"message": {"ack": {"status": "ACK"}}}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                self.close_connection = server.hang_up  # as an idle timeout would, unsaid

            def log_message(self, *args: Any) -> None:
                pass

        class HTTPServer(ThreadingHTTPServer):
            address_family = family
            daemon_threads = True

            def server_bind(self) -> None:  # no reverse lookup of the address
                self.socket.bind(self.server_address)
                self.server_address = self.socket.getsockname()

        self.httpd = HTTPServer((host, port), Handler)
        if cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(context)
            context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def servers() -> Iterator[Any]:
    """serve(*hosts, cert=None): one server per host, all on the same port."""
    started: list[Server] = []

    def start(*hosts: str, cert: trustme.LeafCert | None = None) -> list[Server]:
        for _ in range(20):
            first = Server(hosts[0], 0, cert)
            group = [first]
            try:
                group += [Server(host, first.port, cert) for host in hosts[1:]]
            except OSError:  # the port is taken on another address: another port
                for server in group:
                    server.stop()
                continue
            started.extend(group)
            return group
        raise RuntimeError("no port free on every address")

    yield start
    for server in started:
        server.stop()
