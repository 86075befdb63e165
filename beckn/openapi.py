"""The Beckn BPP endpoints in the OpenAPI schema (/api/schema/, Swagger UI).

The protocol views are plain Django views (the lean path), which drf-spectacular cannot
see; this postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds a
`POST /beckn/<action>` operation for each action the BPP answers, with the request body
and the synchronous ACK / NACK answer taken from the vendored core 1.1.0 document
(`beckn.protocol.schema.load_document`, the same one requests are validated against). Its
components are copied under a "Beckn" prefix so they never collide with ours.
"""

from __future__ import annotations

import copy
from typing import Any

from django.urls import reverse

from beckn.protocol import errors
from beckn.protocol.schema import REQUEST_ACTIONS, load_document

PREFIX = "Beckn"
TAG = "Beckn BPP"
_SCHEMAS = "#/components/schemas/"
_ANSWER = "#/paths/~1init/post/responses/default"
ANSWER_SCHEMA = f"{PREFIX}AckResponse"
AUTH = f"{PREFIX}SubscriberAuth"

NACKS = {
    "400": ("The body is not a valid Beckn request (BECKN-005 code 30000 or 10000s).",
            errors.nack(errors.INVALID_REQUEST, "$.context.action: 'search' was expected")),
    "401": ("The signature is missing or does not verify.",
            errors.nack(errors.INVALID_SIGNATURE, "no valid Authorization header")),
    "405": ("Only POST is accepted.", errors.nack(errors.INVALID_REQUEST, "use POST")),
    "413": ("The body is over the size limit.",
            errors.nack(errors.INVALID_REQUEST, "the body is larger than the limit")),
    "429": ("The signing subscriber is over its rate limit.",
            errors.nack(errors.POLICY_ERROR, "rate limit exceeded")),
}  # fmt: skip


def _renamed(node: Any) -> Any:
    """A deep copy with every component reference moved under the prefix."""
    if isinstance(node, list):
        return [_renamed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            if value.startswith(_SCHEMAS):
                value = _SCHEMAS + PREFIX + value.removeprefix(_SCHEMAS)
            elif value == _ANSWER:
                value = _SCHEMAS + ANSWER_SCHEMA
        out[key] = _renamed(value)
    return out


def _answer(description: str, example: dict[str, Any]) -> dict[str, Any]:
    media = {"schema": {"$ref": _SCHEMAS + ANSWER_SCHEMA}, "example": example}
    return {"description": description, "content": {"application/json": media}}


def _operation(action: str, spec: dict[str, Any]) -> dict[str, Any]:
    responses = {
        "200": _answer(
            f"ACK: the request is taken; the answer follows as an on_{action} callback to "
            "the BAP's bap_uri.",
            errors.ack(),
        ),
        **{status: _answer(text, body) for status, (text, body) in NACKS.items()},
    }
    return {
        "operationId": f"beckn_{action}",
        "tags": [TAG],
        "summary": f"Beckn {action}",
        "description": spec.get("description", ""),
        "security": [{AUTH: []}],
        "requestBody": {**_renamed(spec["requestBody"]), "required": True},
        "responses": responses,
    }


def add_beckn_paths(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the Beckn paths and their components."""
    document = load_document()
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in document["components"]["schemas"].items():
        schemas[PREFIX + name] = _renamed(schema)
    answer = document["paths"]["/init"]["post"]["responses"]["default"]
    schemas[ANSWER_SCHEMA] = _renamed(answer["content"]["application/json"]["schema"])
    schemes = components.setdefault("securitySchemes", {})
    schemes[AUTH] = copy.deepcopy(document["components"]["securitySchemes"]["SubscriberAuth"])
    paths = result.setdefault("paths", {})
    for action in REQUEST_ACTIONS:
        spec = document["paths"][f"/{action}"]["post"]
        paths[reverse("beckn:endpoint", kwargs={"action": action})] = {
            "post": _operation(action, spec)
        }
    tags = result.setdefault("tags", [])
    if not any(t.get("name") == TAG for t in tags):
        tags.append({"name": TAG, "description": "The Beckn Provider Platform (core 1.1.0)."})
    return result
