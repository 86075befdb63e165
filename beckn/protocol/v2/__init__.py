"""Beckn 2.0.0, the transport rules that differ from 1.1: the context (camelCase keys,
version "2.0.0", one path per action), the Ack with its counter-signature, the error
shape, and validation against the vendored 2.0.0 OpenAPI document and attribute packs.

Signing a request or a callback is BECKN-006 in both versions (beckn.protocol.signing);
only the Ack's counter-signature is new (beckn.protocol.v2.countersign)."""

VERSION = "2.0.0"
