"""Validate 2.0 bodies against the vendored 2.0.0 OpenAPI document and attribute packs.

Two steps, both JSON Schema 2020-12 (OpenAPI 3.1.1 schema objects are):

1. the body against its path's schema in `beckn-2.0.0.yaml` (`/select` for a select,
   `/on_select` for its callback, `#/components/schemas/Ack` for an Ack);
2. every JSON-LD attribute bag in it (an object with an `@type` we know) against its pack:
   `ChargingService` (EvChargingService v1), `ChargingOffer` (EvChargingOffer v1),
   `ChargingSession` (EvChargingSession v1), `ChargingPointOperator`, and core v2's
   `beckn:PriceSpecification` (the order value). The packs list their properties with
   `additionalProperties: false` but not the JSON-LD keywords `@context` / `@type` every
   bag must carry (core `Attributes`): those two are checked by step 1 and left out of
   step 2. Step 2 also judges each committed resource's `quantity` against core v2's
   `Quantity` (`unitQuantity` a number, no other keys than its own): the OpenAPI requires
   a commitment's resources to have a `quantity` but gives it no shape (`Resource` defines
   none and stays open), so without this `"unitQuantity": "2"` would pass, and DEG's
   `beckn:quantity`, read into it (beckn.protocol.v2.deg_shape), is that Quantity.

The packs' `$ref`s to core v2 by its raw.githubusercontent.com address resolve to our copy:
nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from beckn.protocol.schema import CHECKED_FORMATS, SchemaIssue
from cpo_portal.web.schema_errors import problems

SCHEMAS = Path(__file__).resolve().parent.parent.parent / "schemas" / "v2"
API_URI = "urn:beckn:2.0.0"
CORE_URI = (
    "https://raw.githubusercontent.com/beckn/protocol-specifications-new/refs/heads/main/"
    "schema/core/v2/attributes.yaml"
)
PACK_FILES = {
    "urn:beckn:pack:EvChargingService": "EvChargingService-v1-attributes.yaml",
    "urn:beckn:pack:EvChargingOffer": "EvChargingOffer-v1-attributes.yaml",
    "urn:beckn:pack:EvChargingSession": "EvChargingSession-v1-attributes.yaml",
    "urn:beckn:pack:EvChargingPointOperator": "EvChargingPointOperator-v1-attributes.yaml",
}
# @type of a bag -> the schema that judges it
PACK_TYPES = {
    "ChargingService": "urn:beckn:pack:EvChargingService#/components/schemas/ChargingService",
    "ChargingOffer": "urn:beckn:pack:EvChargingOffer#/components/schemas/ChargingOffer",
    "ChargingSession": "urn:beckn:pack:EvChargingSession#/components/schemas/ChargingSession",
    "ChargingPointOperator": (
        "urn:beckn:pack:EvChargingPointOperator#/components/schemas/ChargingPointOperator"
    ),
    "beckn:PriceSpecification": f"{CORE_URI}#/components/schemas/PriceSpecification",
}
QUANTITY = f"{CORE_URI}#/components/schemas/Quantity"  # a committed resource's quantity
JSONLD_KEYS = ("@context", "@type")
_COMMITTED = re.compile(r"\.commitments\[\d+\]\.resources\[\d+\]$")  # a committed resource

# The JSON-LD context of each pack, as bags name it (`@context`).
RAW = "https://raw.githubusercontent.com/beckn/protocol-specifications-new/refs/heads/main/schema"
CONTEXTS = {
    "core": f"{RAW}/core/v2/context.jsonld",
    "ChargingService": f"{RAW}/EvChargingService/v1/context.jsonld",
    "ChargingOffer": f"{RAW}/EvChargingOffer/v1/context.jsonld",
    "ChargingSession": f"{RAW}/EvChargingSession/v1/context.jsonld",
    "ChargingPointOperator": f"{RAW}/EvChargingPointOperator/v1/context.jsonld",
    "EnergyTradeOffer": f"{RAW}/EnergyTradeOffer/v0.2/context.jsonld",
}


def _load(name: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SCHEMAS / name).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)


@cache
def documents() -> tuple[tuple[str, Any], ...]:
    """(uri, parsed document) of the OpenAPI document, core v2 and each pack, read once."""
    return (
        (API_URI, _load("beckn-2.0.0.yaml")),
        (CORE_URI, _load("core-v2-attributes.yaml")),
        *((uri, _load(name)) for uri, name in PACK_FILES.items()),
    )


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
        for uri, doc in documents()
    )


@cache
def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": ref},
        registry=registry(),
        format_checker=FormatChecker(formats=CHECKED_FORMATS),
    )


def path_ref(path: str) -> str:
    """The request schema of `path` (`select`, `catalog/publish`: a JSON pointer escapes
    the path's own slashes)."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"{API_URI}#/paths/~1{escaped}/post/requestBody/content/application~1json/schema"


ACK_REF = f"{API_URI}#/components/schemas/Ack"


def _issues(validator: Draft202012Validator, body: Any, prefix: str) -> list[SchemaIssue]:
    """Every error of `body`, in the product's words (cpo_portal.web.schema_errors), each
    at `prefix` and its path in `body`, once."""
    out: dict[tuple[str, str], SchemaIssue] = {}
    for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        for problem in problems(error):
            where = prefix + "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem.path
            )
            out.setdefault((where, problem.text), SchemaIssue(where, problem.text, problem.rule))
    return list(out.values())


def judged(node: Any, where: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(where, the schema that judges it, what it judges) of every part step 2 judges,
    depth first: each attribute bag (its pack, by `@type`; the bag without its JSON-LD
    keys) and each committed resource's `quantity` (core v2's Quantity)."""
    if isinstance(node, Mapping):
        kind = node.get("@type")
        if isinstance(kind, str) and kind in PACK_TYPES:
            plain = {k: v for k, v in node.items() if k not in JSONLD_KEYS}
            yield where, PACK_TYPES[kind], plain
        if "quantity" in node and _COMMITTED.search(where):
            yield f"{where}.quantity", QUANTITY, node["quantity"]
        for key, value in node.items():
            yield from judged(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from judged(value, f"{where}[{index}]")


def issues(path: str, body: Any) -> list[SchemaIssue]:
    """Every way `body` breaks the 2.0.0 schema of `path` (`select`, `on_select`, ...)
    and the schemas of the parts it carries (`judged`); empty when valid. (The
    reference: the ACK path and the outbox ask beckn.services.fastschema.issues_v2,
    compiled, which asks this only of a body it refuses.)"""
    found = _issues(_validator(path_ref(path)), body, "$")
    for where, ref, part in judged(body):
        found.extend(_issues(_validator(ref), part, where))
    return found


def ack_issues(body: Any) -> list[SchemaIssue]:
    return _issues(_validator(ACK_REF), body, "$")
