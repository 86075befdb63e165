"""Where Debian's Chromium lives and how the browser tests start it (never a downloaded one)."""

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
