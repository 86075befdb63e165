"""What bench/pricing_brief.py counts: every user action of the brief goes through
`Actions`, and each step keeps its actions, seconds and notes (`Step`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass
class Actions:
    """The one counting wrapper: every user action in the brief goes through it."""

    page: Page
    base: str
    count: int = 0

    def _one(self, n: int = 1) -> None:
        self.count += n

    def go(self, path: str) -> None:
        """A navigation the user types (or a link they click: one action either way)."""
        self._one()
        self.page.goto(f"{self.base}{path}")

    def click(self, selector: str) -> None:
        self._one()
        self.page.click(selector)

    def fill(self, selector: str, value: str) -> None:
        self._one()
        self.page.fill(selector, value)

    def select(self, selector: str, value: str | None = None, index: int | None = None) -> None:
        self._one()
        if index is None:
            self.page.select_option(selector, value)
        else:
            self.page.select_option(selector, index=index)

    def check(self, selector: str, on: bool = True) -> None:
        self._one()
        self.page.set_checked(selector, on)

    def upload(self, selector: str, path: Path) -> None:
        self._one()
        self.page.set_input_files(selector, str(path))

    def pick(self, select_id: str, text: str) -> None:
        """A searchable picker: open it, type, choose the match (three actions)."""
        from tests.browser import pick

        self._one(3)
        pick(self.page, select_id, text)

    def download(self, selector: str, into: Path) -> Path:
        self._one()
        with self.page.expect_download() as info:
            self.page.click(selector)
        target = into / info.value.suggested_filename
        info.value.save_as(str(target))
        return target

    def edit_file(self, path: Path, change: Callable[[str], str]) -> None:
        """The user changes one value in a text editor: one action."""
        self._one()
        path.write_text(change(path.read_text()))


@dataclass
class Step:
    name: str
    actions: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: str = ""
