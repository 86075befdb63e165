"""Where Debian's Chromium lives and how the browser tests start it (never a downloaded one).

`page.wait_for_function` is given an arrow function (`"() => ..."`): given an expression,
Playwright evaluates it in the page at each poll after the first, which the pages' CSP
(`script-src 'self'`, no `unsafe-eval`) refuses, so a wait that must poll fails."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Screenshots of the pages the browser tests visit: BROWSER_SCREENSHOTS, or var/screenshots
# (ignored by git); `make test` names the folder at the end (tests/conftest.py).
SCREENSHOTS_ENV = "BROWSER_SCREENSHOTS"


def screenshots_dir() -> Path:
    import os

    from django.conf import settings

    return Path(os.environ.get(SCREENSHOTS_ENV) or Path(settings.VAR_DIR) / "screenshots")


def pick(page, select_id: str, text: str) -> None:
    """Choose `text` in one of the admin's searchable pickers (select2, fed by the admin's
    autocomplete view): open it, type, take the first match."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    search = ".select2-container--open .select2-search__field"
    page.fill(search, text)
    option = page.locator(".select2-results__option:not(.loading-results)", has_text=text)
    option.first.click()
    page.wait_for_function(
        f"() => document.getElementById('{select_id}').selectedOptions.length > 0"
    )
