"""Records upstream's answers to the bad requests of cases.json.

Upstream is FastAPI with pydantic v2. This script rebuilds its models from the
upstream schemas kept in tests/upstream/ (pydantic.create_model, one model per
schema, str Enums for enums, `X | None` for anyOf [X, null], the schema's defaults),
serves the same operations with FastAPI, sends every case of cases.json to it and
writes the status and body it answered back into cases.json as "expected". The
Rust test tests/integration/parity.rs then sends the same cases to our server and
compares.

Not run by CI (it needs fastapi, pydantic and httpx):

    pip install fastapi pydantic httpx && python3 tests/parity/record.py

Two things are set here rather than recorded:
- statuses other than 422 answer upstream's ErrorResponse; only the status and the
  `error` code are compared for them, and cases.json gives the code by hand;
- pydantic-core bundles the Rust `uuid` crate, and its length message depends on
  the crate's version. Upstream's is "invalid length: found 3" (the issue's own
  example, and the wording of the uuid 1.29 crate our validator uses); an older
  local pydantic-core says "invalid length: expected length 32 for simple format,
  found 3" and counts a bad character's index from 1 where the newer crate counts
  from 0, so those two wordings are rewritten to the newer crate's.
"""

import enum
import json
import pathlib
import re
import sys
import uuid
from datetime import datetime
from typing import Any, Optional

from fastapi import FastAPI, Path, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, create_model

HERE = pathlib.Path(__file__).parent
UPSTREAM = HERE.parent / "upstream"


def load_schemas():
    import yaml  # noqa: F401 (PyYAML comes with schemathesis and with FastAPI's extras)

    contract = yaml.safe_load((UPSTREAM / "feather-upstream-1.21.0.openapi.yaml").read_text())
    excerpt = json.loads((UPSTREAM / "feather-1.21.0-excerpt.openapi.json").read_text())
    schemas = dict(excerpt["components"]["schemas"])
    schemas.update(contract["components"]["schemas"])
    return schemas


SCHEMAS = load_schemas()
BUILT = {}


def ref_name(schema):
    return schema["$ref"].rsplit("/", 1)[-1]


def annotation(schema):
    if "$ref" in schema:
        return build(ref_name(schema))
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = len(options) < len(schema["anyOf"])
        inner = annotation(options[0]) if len(options) == 1 else Any
        return Optional[inner] if nullable else inner
    kind = schema.get("type")
    if kind == "string":
        return {"uuid": uuid.UUID, "date-time": datetime}.get(schema.get("format"), str)
    if kind == "integer":
        return int
    if kind == "number":
        return float
    if kind == "boolean":
        return bool
    if kind == "array":
        return list[annotation(schema.get("items", {}))]
    if kind == "object":
        values = schema.get("additionalProperties", True)
        value_type = Any if values is True else annotation(values)
        keys = uuid.UUID if schema.get("propertyNames", {}).get("format") == "uuid" else str
        return dict[keys, value_type]
    return Any


def constraints(schema):
    out = {}
    for key, name in [("maxLength", "max_length"), ("minLength", "min_length"),
                      ("maximum", "le"), ("minimum", "ge")]:
        if key in schema:
            out[name] = schema[key]
    for option in schema.get("anyOf", []):
        out.update(constraints(option))
    return out


def build(name):
    if name in BUILT:
        return BUILT[name]
    schema = SCHEMAS[name]
    if "enum" in schema:
        BUILT[name] = enum.Enum(name, {v: v for v in schema["enum"]}, type=str)
        return BUILT[name]
    fields = {}
    required = set(schema.get("required", []))
    for prop, sub in schema.get("properties", {}).items():
        ann = annotation(sub)
        extra = constraints(sub)
        if prop in required:
            fields[prop] = (ann, Field(..., **extra))
        elif "default" in sub:
            fields[prop] = (ann, Field(sub["default"], **extra))
        elif sub.get("type") in ("array", "object"):
            factory = list if sub["type"] == "array" else dict
            fields[prop] = (ann, Field(default_factory=factory, **extra))
        else:
            fields[prop] = (ann, Field(None, **extra))
    BUILT[name] = create_model(name, **fields)
    return BUILT[name]


DraftRequest = build("ScenarioDraftFromSessionRequest")
SessionAnalysisInput = build("SessionAnalysisInput")
app = FastAPI()


@app.post("/v1/scenarios/draft-from-session")
def draft(body: DraftRequest):
    return {"draft_of": str(body.session_id)}


@app.get("/v1/sessions/{session_id}/analysis-input")
def get_session(session_id: uuid.UUID):
    return {"session_id": str(session_id)}


@app.put("/v1/sessions/{session_id}/analysis-input")
def put_session(
    session_id: uuid.UUID,
    body: SessionAnalysisInput,
    agent_name: Optional[str] = None,
    persona_id: Optional[uuid.UUID] = None,
    persona_name: Optional[str] = None,
):
    return {"session_id": str(session_id), "created": True}


OLD_UUID_LENGTH = re.compile(r"invalid length: expected length 32 for simple format, found (\d+)")
OLD_UUID_CHAR = re.compile(r"(invalid character: found `.` at )(\d+)")


def uuid_counts_from_one():
    """Whether this pydantic-core's uuid crate counts a bad character's index from 1
    (the older crate); pydantic 2.14's already counts from 0 like upstream's."""
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(uuid.UUID).validate_python("x" * 36)
    except ValidationError as err:
        return "at 1" in err.errors()[0]["msg"]
    return False


COUNTS_FROM_ONE = uuid_counts_from_one()


def modernise(value):
    if isinstance(value, str):
        value = OLD_UUID_LENGTH.sub(r"invalid length: found \1", value)
        if not COUNTS_FROM_ONE:
            return value
        return OLD_UUID_CHAR.sub(lambda m: m.group(1) + str(int(m.group(2)) - 1), value)
    if isinstance(value, list):
        return [modernise(v) for v in value]
    if isinstance(value, dict):
        return {k: modernise(v) for k, v in value.items()}
    return value


def request_body(case):
    if "body_json" in case:
        return json.dumps(case["body_json"]).encode()
    if "body_base64" in case:
        import base64

        return base64.b64decode(case["body_base64"])
    return case.get("body", "").encode()


def main():
    path = HERE / "cases.json"
    table = json.loads(path.read_text())
    client = TestClient(app, raise_server_exceptions=False)
    changed = 0
    for case in table["cases"]:
        if case.get("expected", {}).get("status", 422) != 422 and "error" in case["expected"]:
            continue
        headers = {}
        if case.get("content_type") is not None:
            headers["content-type"] = case["content_type"]
        response = client.request(case["method"], case["path"], content=request_body(case), headers=headers)
        expected = {"status": response.status_code}
        try:
            expected["body"] = modernise(response.json())
        except ValueError:
            expected["body_text"] = response.text
        if case.get("expected") != expected:
            changed += 1
            print(f"{case['name']}: {json.dumps(expected)}", file=sys.stderr)
        case["expected"] = expected
    path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(table['cases'])} cases, {changed} recorded anew", file=sys.stderr)


if __name__ == "__main__":
    main()
