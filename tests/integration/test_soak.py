"""`make run` under load: its own Procfile (honcho: runserver for the pages, another for the
Beckn endpoints, a Celery worker, beat) on the embedded defaults, several BAPs sending
signed Beckn requests at once (bench/soak.py).

No process may stop, every request is ACKed (each BAP keeps fewer answers waiting than its
backlog limit) and every ACKed message gets its callback. The suite sends SOAK_REQUESTS
(150: each of the four BAPs still keeps its window of 50 unanswered requests full, so the
worker and the web server are loaded at once) without the demo data, so that searches find
no station and the run stays short, and its database starts as the run's migrated SQLite
file (tests/db_template.py); `make soak` migrates from scratch and sends 2,000 after
`seed_demo`, as `make run` does.
"""

from __future__ import annotations

import os

import pytest

from tests.support import soak

REQUESTS = int(os.environ.get("SOAK_REQUESTS") or 150)


@pytest.mark.integration
def test_make_runs_processes_answer_every_acked_message_and_none_stops(tmp_path, migrated_sqlite):
    figures = soak.run(
        REQUESTS, baps=4, window=50, workdir=tmp_path, seed=False, migrated=migrated_sqlite
    )
    report = "\n".join(figures.lines())
    log = (tmp_path / "honcho.log").read_text(errors="replace")[-3000:]
    assert figures.exits == [], f"{report}\n{log}"
    assert figures.fatal_lines == [], f"{report}\n{log}"
    assert figures.acks == REQUESTS, f"{report}\n{figures.nacks[:3]}"
    assert figures.unanswered == [], f"{report}\n{log}"
    assert figures.answered == REQUESTS
