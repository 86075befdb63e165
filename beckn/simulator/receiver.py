"""A BAP's callback endpoint: a threaded http.server that checks the BPP's signature on
every on_<action> it receives and keeps the bodies for whoever waits for them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from beckn.protocol.signing import SignatureError, verify_request

ACK = {"message": {"ack": {"status": "ACK"}}}
KeyLookup = Callable[[str, str], str | None]


@dataclass
class Received:
    action: str
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    signer: str | None  # "subscriber|key" when the signature verified
    error: str = ""


@dataclass
class CallbackReceiver:
    """`lookup` finds the BPP's public key; None accepts unsigned callbacks (tests)."""

    lookup: KeyLookup | None = None
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)  # canned answers, in order
    _server: ThreadingHTTPServer | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> CallbackReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, 10_000_000))
                status, answer = receiver._take(self.path, raw, dict(self.headers.items()))
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _take(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        action = path.rstrip("/").rsplit("/", 1)[-1]
        signer, error = self._verify(raw, headers)
        try:
            body = json.loads(raw)
        except ValueError:
            body, error = {}, error or "body is not JSON"
        with self._changed:
            self.received.append(Received(action, body, raw, headers, signer, error))
            self._changed.notify_all()
            if self.script:
                return self.script.pop(0)
        if error:
            nack = {
                "message": {"ack": {"status": "NACK"}},
                "error": {"code": "30016", "message": error},
            }
            return 401, nack
        if isinstance(body, dict) and body.get("context", {}).get("version") == "2.0.0":
            return 200, {"status": "ACK"}  # 2.0's Ack (this simulator has no key to counter-sign)
        return 200, ACK

    def _verify(self, raw: bytes, headers: dict[str, str]) -> tuple[str | None, str]:
        if self.lookup is None:
            return None, ""
        try:
            verified = verify_request(
                raw, headers.get("Authorization", ""), lookup=self.lookup, now=int(time.time())
            )
        except SignatureError as exc:
            return None, f"bad signature: {exc}"
        return f"{verified.subscriber_id}|{verified.key_id}", ""

    def wait_for(
        self, action: str, message_id: str | None = None, timeout: float = 10.0
    ) -> Received:
        return self.wait_for_all(action, message_id, 1, timeout)[0]

    def wait_for_all(
        self, action: str, message_id: str | None, count: int, timeout: float = 10.0
    ) -> list[Received]:
        """The first `count` such callbacks (an on_search sent in parts has several)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = []
                for item in self.received:
                    ctx = item.body.get("context", {}) if isinstance(item.body, dict) else {}
                    ids = (None, ctx.get("message_id"), ctx.get("messageId"))
                    if item.action == action and message_id in ids:
                        found.append(item)
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(found)} of {count} {action} callbacks for {message_id} in {timeout}s"
                    )
                self._changed.wait(left)
