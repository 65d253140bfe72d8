"""schemathesis hooks for .ci/contract-checks.

The contract's integers carry no format (as upstream's), so schemathesis draws
integers of any size. Upstream stores Python ints; our session model holds 64-bit
integers and refuses a larger one with a 422 (docs/api.md, "Known differences from upstream"). Bodies
with such integers are left out of generation rather than reported each run.

`kb_snapshot.kb_versions` maps KB ids (UUIDs) to versions. Upstream says so with
`propertyNames`, which OpenAPI 3.0 cannot carry, so openapi.json leaves it out and
schemathesis draws any string as a key; upstream and we answer such a key 422
`uuid_parsing` at `[key, "[key]"]` (tests/parity records it). Generated keys are
turned into UUIDs (the same string always gives the same UUID), so the session
around them is still tested.
"""

import uuid

import schemathesis

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


def fits(value):
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return I64_MIN <= value <= I64_MAX
    if isinstance(value, list):
        return all(fits(v) for v in value)
    if isinstance(value, dict):
        return all(fits(v) for v in value.values())
    return True


@schemathesis.hook
def filter_body(context, body):
    return fits(body)


def uuid_keys(body):
    if isinstance(body, dict):
        snapshot = body.get("kb_snapshot")
        if isinstance(snapshot, dict) and isinstance(snapshot.get("kb_versions"), dict):
            snapshot["kb_versions"] = {
                key if is_uuid(key) else str(uuid.uuid5(uuid.NAMESPACE_URL, key)): value
                for key, value in snapshot["kb_versions"].items()
            }
    return body


def is_uuid(text):
    try:
        uuid.UUID(text)
        return True
    except ValueError:
        return False


@schemathesis.hook
def map_body(context, body):
    return uuid_keys(body)
