"""A threaded http.server on loopback that answers POSTs: the ground both of the
simulator's servers stand on (a BAP's callback receiver, the stand-in CDS)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class Reply:
    """An answer to one POST: JSON (or raw bytes), extra headers, and what to do once it
    is sent (a callback that must follow the answer, as a CDS's results do)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    then: Callable[[], None] | None = None


@dataclass(kw_only=True)
class LoopbackServer:
    """Subclasses answer each POST in `answer`; `changed` is notified by whoever keeps
    what arrived, for those who wait on it."""

    host: str = "127.0.0.1"
    port: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    http: ThreadingHTTPServer | None = None
    max_body: ClassVar[int] = 10_000_000

    @property
    def url(self) -> str:
        assert self.http is not None, "start() first"
        host, port = self.http.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
        raise NotImplementedError

    def start(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, server.max_body))
                reply = server.answer(self.path, raw, dict(self.headers.items()))
                body = reply.body
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if reply.then is not None:
                    threading.Thread(target=reply.then, daemon=True).start()

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer((self.host, self.port), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def serve_forever(self) -> None:
        """Block while the started server answers (until the process is stopped)."""
        assert self.http is not None, "start() first"
        threading.Event().wait()

    def stop(self) -> None:
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()
            self.http = None
