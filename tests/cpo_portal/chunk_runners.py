"""Runners for tests of cpo_portal.background.chunked, importable by a real worker process."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any


class Slow:
    """Each chunk takes params["steps"] steps of params["pause"] seconds and returns the
    square of its index."""

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint) -> Any:
        for step in range(params["steps"]):
            time.sleep(params["pause"])
            checkpoint(step + 1)
        return index * index

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        assert list(results) == [i * i for i in range(len(results))]

    def stopped(self, params: dict, status: str, error: str) -> None:
        pass


SLOW = Slow()


class FailsToFinish:
    """Every chunk returns its index; putting them together raises. Notes what it heard."""

    heard: list[tuple[str, str]] = []

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint) -> Any:
        checkpoint(1)
        return index

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        raise ValueError("the results do not add up")

    def stopped(self, params: dict, status: str, error: str) -> None:
        self.heard.append((status, error))


FAILS_TO_FINISH = FailsToFinish()
