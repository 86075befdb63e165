"""A small eMSP on loopback for the tests: its OCPI versions and credentials endpoints, and
receivers for the Tariffs and Locations a CPO pushes. Real HTTP, its own thread."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

TIMESTAMP = "2025-01-01T00:00:00Z"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}


@dataclass
class Received:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class Emsp:
    """`accepted` are the tokens the eMSP accepts; `cpo_token` the one it uses to call us."""

    party_id: str = "EMS"
    country_code: str = "NL"
    accepted: set[str] = field(default_factory=lambda: {"emsp-token-a"})
    cpo_token: str = ""
    received: list[Received] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses for the next pushes
    check_back: bool = True  # on our POST, call the CPO's versions with the token it sent
    url: str = ""

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def versions_url(self) -> str:
        return f"{self.url}/ocpi/versions"

    def credentials(self, token: str) -> dict[str, Any]:
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": "EMSP",
                    "party_id": self.party_id,
                    "country_code": self.country_code,
                    "business_details": {"name": "Test eMSP"},
                }
            ],
        }

    def pushes(self, module: str) -> list[Received]:
        return [r for r in self.received if r.path.startswith(f"/ocpi/2.2.1/{module}/")]

    # -- the eMSP as a client of the CPO --------------------------------------------------
    def get(self, url: str, token: str | None = None, **params) -> requests.Response:
        return requests.get(url, headers=auth(token or self.cpo_token), params=params, timeout=10)

    def send(self, method: str, url: str, body: Any, token: str) -> requests.Response:
        return requests.request(method, url, json=body, headers=auth(token), timeout=10)

    def pull_all(self, url: str, **params) -> tuple[list[dict], list[requests.Response]]:
        """Every page, following the Link headers."""
        items, responses = [], []
        next_url: str | None = url
        while next_url:
            response = self.get(next_url, **params)
            params = {}  # the Link carries them from now on
            responses.append(response)
            assert response.status_code == 200, response.text
            items.extend(response.json()["data"])
            link = response.headers.get("Link", "")
            next_url = link[1 : link.index(">")] if link else None
        return items, responses


def _handler(emsp: Emsp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _reply(self, status: int, data: Any = None, code: int = 1000) -> None:
            body = json.dumps({"data": data, "status_code": code, "timestamp": TIMESTAMP})
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _token(self) -> str:
            value = self.headers.get("Authorization", "")
            _scheme, _, encoded = value.partition(" ")
            try:
                return base64.b64decode(encoded, validate=True).decode()
            except ValueError:
                return ""

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            if self._token() not in emsp.accepted:
                return self._reply(401, code=2000)
            path = self.path
            emsp.received.append(Received(self.command, path, body, dict(self.headers)))
            base = f"{emsp.url}/ocpi/2.2.1"
            if path == "/ocpi/versions":
                return self._reply(200, [{"version": "2.2.1", "url": base}])
            if path == "/ocpi/2.2.1":
                endpoints = [
                    {"identifier": "credentials", "role": "RECEIVER", "url": f"{base}/credentials"},
                    {"identifier": "tariffs", "role": "RECEIVER", "url": f"{base}/tariffs"},
                    {"identifier": "locations", "role": "RECEIVER", "url": f"{base}/locations"},
                ]
                return self._reply(200, {"version": "2.2.1", "endpoints": endpoints})
            if path == "/ocpi/2.2.1/credentials" and self.command in ("POST", "PUT"):
                if emsp.check_back:  # the spec: the receiver uses token B at once
                    answer = requests.get(body["url"], headers=auth(body["token"]), timeout=10)
                    if answer.status_code != 200:
                        return self._reply(200, code=3001)
                emsp.cpo_token = body["token"]
                ours = f"emsp-token-c-{len(emsp.received)}"
                emsp.accepted = {ours}
                return self._reply(200, emsp.credentials(ours))
            if path == "/ocpi/2.2.1/credentials" and self.command == "DELETE":
                emsp.accepted = set()
                return self._reply(200)
            if emsp.fail_next:
                return self._reply(emsp.fail_next.pop(0), code=3000)
            return self._reply(200)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler
