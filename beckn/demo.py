"""Demo Beckn setup: an active signing key, so `manage.py beckn_bap` can play at once.

Idempotent: a key is made only when none is active. The BAP simulator registers itself.
"""

from __future__ import annotations

from beckn import conf
from beckn.services import keys


def add_arguments(parser) -> None:
    """No options of its own."""


def seed(options: dict, out) -> None:
    try:
        key = keys.active_key()
        made = False
    except keys.NoSigningKey:
        key = keys.generate()
        made = True
    verb = "made" if made else "kept"
    out.write(f"Beckn: {verb} signing key {key.key_id} for {conf.bpp_id()}.\n")
