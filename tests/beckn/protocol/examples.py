"""The DEG v1 example messages and how we address them to ourselves."""

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "beckn" / "deg-v1-examples"
OUR_BPP = "cpo-bpp.example.com"


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*.json"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def adapt(body: dict[str, Any]) -> dict[str, Any]:
    """A DEG example addressed to us: our domain, and our bpp_id where it names one."""
    out = copy.deepcopy(body)
    out["context"]["domain"] = "deg:ev-charging"
    if "bpp_id" in out["context"]:
        out["context"]["bpp_id"] = OUR_BPP
    return out
