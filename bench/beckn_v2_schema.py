"""Benchmark: what checking a Beckn 2.0 request against the 2.0.0 schema and the attribute
packs costs on the ACK path (compiled, `fastschema.issues_v2`), beside the reference
validator it replaced and 1.1's compiled core-schema check.

    python bench/beckn_v2_schema.py [--rounds 5] [--messages 300]

In process, no server, no database: DEG's 2.0 select and discover examples (read into the
OpenAPI's shape, as intake does) through `fastschema.issues_v2` (jsonschema-rs, compiled)
and `beckn.protocol.v2.schema.issues` (jsonschema, references resolved at each use: the
reference), and DEG's 1.1 select through `fastschema.issues`. Prints the median
per-message time of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")

from beckn.protocol.context import normalise_inbound  # noqa: E402
from beckn.protocol.v2 import context, deg_shape, schema  # noqa: E402
from beckn.services import fastschema  # noqa: E402

EXAMPLES = ROOT / "tests" / "fixtures" / "beckn"


def v2_body(path: str, action: str) -> dict:
    body = json.loads((EXAMPLES / "deg-v2-examples" / path).read_text())
    ctx = context.camel_case(body["context"])
    return {"context": ctx, "message": deg_shape.openapi_shape(action, body["message"])}


def v1_body() -> dict:
    path = EXAMPLES / "deg-v1-examples" / "select" / "select-request.json"
    body = json.loads(path.read_text())
    body["context"]["domain"] = "deg:ev-charging"
    return normalise_inbound(body)


def per_message(check, body: dict, messages: int) -> float:
    check(body)  # warm: schemas loaded and compiled
    started = time.perf_counter()
    for _ in range(messages):
        check(body)
    return (time.perf_counter() - started) / messages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    select = v2_body("03_select/ev-charging-select.json", "select")
    discover = v2_body(
        "01_discover/discovery-within-boundary-with-connection-spec.json", "discover"
    )
    cases = {
        "2.0 select, compiled": (lambda b: fastschema.issues_v2("select", b), select),
        "2.0 select, reference": (lambda b: schema.issues("select", b), select),
        "2.0 discover, compiled": (lambda b: fastschema.issues_v2("discover", b), discover),
        "2.0 discover, reference": (lambda b: schema.issues("discover", b), discover),
        "1.1 select (compiled core schema)": (
            lambda b: fastschema.issues("select", b),
            v1_body(),
        ),
    }
    for name, (check, body) in cases.items():
        times = [per_message(check, body, args.messages) for _ in range(args.rounds)]
        print(f"{name:<36} {statistics.median(times) * 1000:8.3f} ms per message")


if __name__ == "__main__":
    main()
