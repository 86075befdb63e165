"""The shell blocks of README.md and docs/ run as written, from a copy of the checkout.

A block fenced as `sh` must exit 0; `sh server` is started in the background and must serve
/healthz before the document's next blocks run, and is stopped after them; `sh suite` is the
test suite itself (`make test`), which CI runs, so it is not run from inside it. Blocks that
show syntax or settings rather than commands to run are fenced as `text`. Every other
shell-like fence (bash, shell, console, ...) is refused, so no command escapes the check.

The copy is the checkout's files without var/, build output or virtualenvs; its `.venv` is
made of links to the running one (nothing is installed), and the environment is a new
shell's: no DEBUG, SECRET_KEY or DATABASE_URL. Two liberties are taken: the server listens
on a free port (PORT, and BECKN_SUBSCRIBER_URI to match, as README says to move it), since
another checkout's server may hold port 8000; and the copy's var/db.sqlite3 starts as the
run's migrated SQLite file (tests/db_template.py: the same `manage.py migrate` on an empty
file, run once for the whole suite), so `make run`'s migrate finds nothing left to apply.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.security.helpers import PASSED_THROUGH, ROOT
from tests.support.procs import PROCFILE_LINES, free_port

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
SHELL_LIKE = {"sh", "bash", "shell", "console", "zsh", "shell-session"}
KINDS = {"sh": "run", "sh server": "server", "sh suite": "suite"}
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv*", "var", "staticfiles", "__pycache__", "*.pyc", ".*_cache", ".hypothesis"
)
SERVER_START_SECONDS = 900  # the first `make run` migrates and seeds on a busy machine
BLOCK_SECONDS = 300


def blocks(document: Path) -> list[tuple[str, str]]:
    """(kind, commands) of every shell-like fence, in order; kind is None for unknown ones."""
    found = []
    for match in FENCE.finditer(document.read_text()):
        info = " ".join(match["info"].split())
        if info.split(" ")[0] in SHELL_LIKE:
            body = "\n".join(
                line.removeprefix(match["indent"]) for line in match["body"].split("\n")
            )
            found.append((KINDS.get(info), body))
    return found


def runnable(document: Path) -> bool:
    return any(kind in ("run", "server") for kind, _ in blocks(document))


def test_every_shell_block_is_marked_run_server_or_suite():
    unmarked = [
        f"{document.relative_to(ROOT)}: {body.splitlines()[0] if body else ''}"
        for document in DOCUMENTS
        for kind, body in blocks(document)
        if kind is None
    ]
    assert not unmarked, "fence these as sh, sh server, sh suite or text:\n" + "\n".join(unmarked)
    assert runnable(ROOT / "README.md")  # the quick start is checked, not only parsed


def test_the_fence_reader_finds_indented_blocks_and_their_kinds(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "1. Step\n   ```sh server\n   make run\n   ```\n```text\nx\n```\n```bash\nls\n```\n"
    )
    assert blocks(doc) == [("server", "make run\n"), (None, "ls\n")]


def checkout_copy(where: Path) -> Path:
    """The checkout's files, and a .venv of links to the running virtualenv's parts."""
    copy = where / "checkout"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=True)
    venv = Path(sys.prefix)
    if not (venv / "pyvenv.cfg").exists():
        pytest.skip(f"the tests do not run in a virtualenv ({venv})")
    (copy / ".venv").mkdir()
    for part in venv.iterdir():
        if not part.name.startswith("."):
            (copy / ".venv" / part.name).symlink_to(part)
    installed = copy / ".venv" / ".installed"
    installed.touch()  # `make` sees an installed virtualenv, newer than pyproject.toml
    os.utime(copy / "pyproject.toml", (0, 0))
    return copy


def new_shell_env(port: int) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {**env, "PORT": str(port), "BECKN_SUBSCRIBER_URI": f"http://127.0.0.1:{port}/beckn"}


def serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C to the server's process group (honcho stops its children), then a kill."""
    for sig, grace in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.mark.integration
@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if runnable(d)],
    ids=lambda d: str(d.relative_to(ROOT)),
)
def test_shell_blocks_run_as_written(document, tmp_path, migrated_sqlite):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    copy = checkout_copy(tmp_path)
    (copy / "var").mkdir()
    shutil.copyfile(migrated_sqlite, copy / "var" / "db.sqlite3")
    port = free_port(lines=PROCFILE_LINES)  # a block may run `make run`
    env = new_shell_env(port)
    servers: list[tuple[subprocess.Popen, Path]] = []
    try:
        for i, (kind, body) in enumerate(blocks(document)):
            if kind == "server":
                log = tmp_path / f"server-{i}.log"
                with log.open("w") as out:
                    process = subprocess.Popen(
                        ["bash", "-euo", "pipefail", "-c", body], cwd=copy, env=env,
                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    )  # fmt: skip
                servers.append((process, log))
                deadline = time.monotonic() + SERVER_START_SECONDS
                while not serves(f"http://127.0.0.1:{port}/healthz"):
                    assert process.poll() is None, f"{body} stopped:\n{log.read_text()[-4000:]}"
                    assert time.monotonic() < deadline, (
                        f"{body} serves nothing:\n{log.read_text()[-4000:]}"
                    )
                    time.sleep(1)
            elif kind == "run":
                done = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", body], cwd=copy, env=env,
                    capture_output=True, text=True, timeout=BLOCK_SECONDS, check=False,
                )  # fmt: skip
                logs = "".join(log.read_text()[-3000:] for _, log in servers)
                assert done.returncode == 0, f"{body}\n{done.stdout}\n{done.stderr}\n{logs}"
    finally:
        for process, _ in servers:
            stop(process)
