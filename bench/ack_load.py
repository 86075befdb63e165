"""The load rig of bench/beckn_ack.py: gunicorn started with the deployment config,
wrk driving it from pre-signed requests, and the server's CPU read from /proc."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


LUA = """
local lines, i, step = {}, 0, 1
function setup(thread)
  thread:set("tid", counter or 0)
  counter = (counter or 0) + 1
  thread:set("nthreads", THREADS)
end
function init(args)
  local path = args[1]
  local n = 0
  if path ~= nil then
    for line in io.lines(path) do
      if n % nthreads == tid then
        local tab = line:find("\\t")
        lines[#lines + 1] = {line:sub(1, tab - 1), line:sub(tab + 1)}
      end
      n = n + 1
    end
  end
end
function request()
  i = i + 1
  local entry = lines[((i - 1) % math.max(#lines, 1)) + 1]
  local headers = {["Content-Type"] = "application/json"}
  if entry == nil then
    return wrk.format("POST", nil, headers, BODY)
  end
  headers["Authorization"] = entry[1]
  return wrk.format("POST", nil, headers, entry[2])
end
function done(summary, latency, requests)
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"mean":%.1f}',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean)
  io.write("RESULT " .. out .. "\\n")
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    env: dict[str, str], port: int, args: argparse.Namespace, root: Path = ROOT
) -> subprocess.Popen:
    """gunicorn with the deployment config (gunicorn.conf.py), sized by its variables."""
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.gthreads),
        "GUNICORN_WORKER_CLASS": args.worker_class,
        # the deployment's access log (none for the protocol pool) where it is on: no file
        **({} if args.worker_class == "gevent" else {"GUNICORN_ACCESS_LOG": "/dev/null"}),
        "GUNICORN_MAX_REQUESTS": "0",
        # wrk opens all its connections at once; with one shared socket they can all land
        # on one worker (seen: 16 of 16), which halves a round at random.
        "GUNICORN_REUSE_PORT": "0" if args.shared_socket else "1",
    }
    env["PYTHONPATH"] = str(root)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(root / "gunicorn.conf.py")],
        cwd=root, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def server_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's workers (user + system, from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(url: str, script: Path, args, seconds: float, data: Path | None, master: int) -> dict:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
               f"{int(seconds)}s", "--timeout", "10s", "-s", str(script), url]  # fmt: skip
    if data is not None:
        command += ["--", str(data)]
    before = server_cpu(master)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    used = server_cpu(master) - before
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms"] = used * 1000 / result["requests"] if result["requests"] else 0.0
    errors = f"{result['status_errors']} non-2xx, {result['socket_errors']} socket errors"
    print(
        f"  {url.rsplit('/', 1)[-1]:>6}: {result['rps']:.0f} req/s, "
        f"{result['cpu_ms']:.2f} ms server CPU per request, {errors}"
    )
    return result
