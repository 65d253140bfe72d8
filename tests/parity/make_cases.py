"""Writes the request side of cases.json (record.py fills in "expected")."""
import base64, copy, json, pathlib

S = "530c7c15-5f40-50b5-ad85-695b8f780877"
O = "5089f4bc-8601-5899-8283-2b9a5d462041"
T = "3ff2c61a-abc5-566e-9580-b30e44b78527"
DRAFT = "/v1/scenarios/draft-from-session"
SESSION = f"/v1/sessions/{S}/analysis-input"
JSON = "application/json"
VALID = {
    "session_id": S, "organization_id": O, "agent_id": None, "channel": "chat",
    "started_at": "2026-11-20T15:00:00Z", "ended_at": None, "completion_reason": None,
    "knowledge_gap_analysis_outcome": "resolved",
    "messages": [{"turn_id": T, "role": "user", "timestamp": "2026-11-20T15:00:00Z", "content": "hi"}],
}
cases = []

def case(name, method, path, body=None, body_json=None, content_type=JSON, body_bytes=None, **extra):
    c = {"name": name, "method": method, "path": path, "content_type": content_type}
    if body_json is not None:
        c["body_json"] = body_json
    elif body_bytes is not None:
        c["body_base64"] = base64.b64encode(body_bytes).decode()
    else:
        c["body"] = body or ""
    c.update(extra)
    cases.append(c)

def draft(name, body=None, **kw):
    case("draft: " + name, "POST", DRAFT, body=body, **kw)

# The issue's examples.
draft("empty object", "{}")
draft("short session_id", '{"session_id":"abc"}')
draft("integer session_id", '{"session_id":42}')
draft("array body", "[]")
draft("truncated JSON", '{"session_id": ')
draft("empty body", "")
# Other JSON types for session_id.
for label, text in [("null", "null"), ("true", "true"), ("float", "1.5"), ("array", "[]"),
                    ("object", "{}"), ("empty string", '""'), ("big integer", "12345678901234567890"),
                    ("negative", "-1")]:
    draft(f"session_id {label}", '{"session_id": %s}' % text)
# Bad UUID spellings.
for label, text in [("bad character", S[:-1] + "g"), ("short group", S[:-1]), ("long", S + "0"),
                    ("too many groups", S + "-1234"), ("urn too short", "urn:uuid:1234"),
                    ("braces unbalanced", "{" + S), ("spaces", " " + S + " "), ("hyphens misplaced", S.replace("-", "")[:31] + "-0")]:
    draft(f"session_id {label}", body_json={"session_id": text})
# Other bodies.
draft("string body", '"530c7c15-5f40-50b5-ad85-695b8f780877"')
draft("number body", "42")
draft("null body", "null")
draft("whitespace body", "   \n")
draft("missing session_id with extras", '{"sessionId": "x", "extra": [1, 2]}')
# JSON syntax errors, as Python's json module reports them.
for label, text in [("trailing comma in object", '{"session_id": "x",}'), ("trailing comma in array", "[1,]"),
                    ("single quotes", "{'session_id': 1}"), ("unquoted key", "{session_id: 1}"),
                    ("missing colon", '{"session_id" "x"}'), ("missing comma", '{"a": 1 "b": 2}'),
                    ("extra data", '{"session_id": "x"} {}'), ("unterminated string", '{"session_id": "abc'),
                    ("control character", '{"session_id": "a\tb"}'), ("bad escape", r'{"session_id": "\x"}'),
                    ("bad unicode escape", r'{"session_id": "\u12"}'), ("leading zero", '{"session_id": 01}'),
                    ("plus sign", '{"session_id": +1}'), ("comment", '// c\n{}'), ("non-ASCII before error", '{"é": "ü", "x": }'),
                    ("nested missing value", '{"a": [1, {"b": }]}'), ("lone minus", "-"), ("true misspelled", "[tru]"),
                    ("python literal", "[True]"), ("unclosed array", "[1, 2"), ("unclosed object", '{"a": 1')]:
    draft("JSON " + label, text)
# Media types.
draft("text/plain body", '{"session_id": "%s"}' % S, content_type="text/plain")
draft("form body", "session_id=" + S, content_type="application/x-www-form-urlencoded")
draft("json with charset", "{}", content_type="application/json; charset=utf-8")
draft("vendor +json type", "{}", content_type="application/vnd.feather+json")
draft("UTF-16 JSON", body_bytes='{"x": 1}'.encode("utf-16-le"))
draft("UTF-8 BOM", body_bytes=b"\xef\xbb\xbf{}")

# Path parameters.
for label, text in [("short", "abc"), ("bad character", S[:-1] + "z"), ("too long", S + "00")]:
    case(f"get: path session_id {label}", "GET", f"/v1/sessions/{text}/analysis-input")

# Captures: nested SessionAnalysisInput errors, several at once.
def put(name, body, path=SESSION, **kw):
    case("put: " + name, "PUT", path, body_json=body, **kw)

def mutate(fn):
    body = copy.deepcopy(VALID)
    fn(body)
    return body

put("empty object", {})
put("wrong types everywhere", mutate(lambda b: b.update(channel=7, agent_id="x", started_at="yesterday", ended_at=5.5, completion_reason=[], knowledge_gap_analysis_outcome="lost")))
put("message errors", mutate(lambda b: b.update(messages=[{"turn_id": "x"}, {"turn_id": T, "role": "user", "timestamp": "2026-13-01T00:00:00Z", "content": 1, "latency_ms": "12a", "truncated": "maybe", "original_char_count": 1.5}])))
put("messages not a list", mutate(lambda b: b.update(messages={"0": {}})))
put("message not an object", mutate(lambda b: b.update(messages=["hello"])))
put("tool call errors", mutate(lambda b: b.update(tool_calls=[{"tool_call_id": 1, "assistant_turn_id": T.upper(), "name": "lookup", "arguments": {}, "latency_ms": True}])))
put("nested tool results", mutate(lambda b: b["messages"][0].update(tool_calls=[{"id": "c1", "function": {"name": "f"}}], tool_results={"tool_call_id": "c1"})))
put("enum list", mutate(lambda b: b.update(missing_evidence_reasons=["no_csat", "bogus", 3])))
put("csat and feedback", mutate(lambda b: b.update(csat={"timestamp": "2026-11-20", "score": "five"}, user_feedback={"timestamp": 0, "rating": "3.5"}, reopen="yes")))
put("customer_metadata not an object", mutate(lambda b: b.update(customer_metadata=[1])))
put("rag traces", mutate(lambda b: b.update(rag_traces=[{"rag_query_id": T, "assistant_turn_id": T, "kb_ids": ["nope"], "retrieved": [{"chunk_id": "c"}], "top_score": "high", "hit": 2}])))
put("datetime spellings", mutate(lambda b: b.update(started_at="2026-11-20T25:00:00Z", ended_at="2026-02-30T00:00:00Z")))
put("more datetime spellings", mutate(lambda b: b.update(started_at="2026-11-20 10:00", ended_at="1e3", messages=[{"turn_id": T, "role": "user", "timestamp": "2026-11-20T10:00:00+25:00", "content": "x"}, {"turn_id": T, "role": "user", "timestamp": 1795186800, "content": "y"}])))
# Numeric timestamps as pydantic 2 reads them: fractions kept, milliseconds beyond
# 2e10, and its reason for one beyond year 9999. The invalid channel makes each a 422
# that lists exactly what pydantic refused.
put("numeric timestamps accepted", mutate(lambda b: b.update(channel=7, started_at=1700000000.5, ended_at=1700000000123, messages=[{"turn_id": T, "role": "user", "timestamp": 1700000000.123456, "content": "x"}, {"turn_id": T, "role": "user", "timestamp": 20000000001, "content": "y"}, {"turn_id": T, "role": "user", "timestamp": -1.5, "content": "z"}])))
put("numeric timestamps beyond year 9999", mutate(lambda b: b.update(started_at=1e20, ended_at=253402300800000)))
# Typed dictionary keys: kb_versions maps KB ids (UUIDs) to counts. The keys are in
# sorted order here, as our error list follows key order (see the README).
put("dictionary keys", mutate(lambda b: b.update(kb_snapshot={"captured_at": "2026-11-20T15:00:00Z", "kb_versions": {"3FF2C61AABC5566E9580B30E44B78527": 1, "5089f4bc-8601-5899-8283-2b9a5d462041": "three", "nope": 2, "urn:uuid:1234": 3}})))
put("bad path and bad body", {"session_id": 1}, path="/v1/sessions/nope/analysis-input")
put("bad path, query and body", {}, path="/v1/sessions/nope/analysis-input?persona_id=abc")
put("bad query only", VALID, path=SESSION + "?persona_id=abc&agent_name=a&agent_name=b")
put("bad path only", VALID, path="/v1/sessions/abc/analysis-input")

# Everything else is an ErrorResponse; upstream's status and our stable code.
def error_case(name, method, path, status, code, body="{}", api_key=True, **kw):
    case(name, method, path, body=body, api_key=api_key, expected={"status": status, "error": code}, **kw)

error_case("auth: no key, bad body", "POST", DRAFT, 401, "unauthorized", body="{", api_key=None)
error_case("auth: wrong key, empty body", "POST", DRAFT, 401, "unauthorized", body="", api_key="wrong")
error_case("auth: no key, bad path", "GET", "/v1/sessions/abc/analysis-input", 401, "unauthorized", api_key=None)
error_case("auth: wrong key, capture", "PUT", SESSION, 401, "unauthorized", body="[]", api_key="wrong")
error_case("draft: unknown session", "POST", DRAFT, 404, "not_found", body=json.dumps({"session_id": S}))
for label, spelling in [("upper case", S.upper()), ("no hyphens", S.replace("-", "")), ("braces", "{%s}" % S), ("urn", "urn:uuid:" + S)]:
    error_case(f"draft: {label} UUID is accepted (unknown session)", "POST", DRAFT, 404, "not_found", body=json.dumps({"session_id": spelling, "extra": True}))
error_case("get: unknown session", "GET", SESSION, 404, "not_found", body="")
error_case("put: session_id differs from the path", "PUT", f"/v1/sessions/{T}/analysis-input", 400, "session_id_mismatch", body=json.dumps(VALID))
error_case("draft: not UTF-8", "POST", DRAFT, 400, "invalid_body", body="", body_bytes=b'{"session_id": "\xff"}')
error_case("draft: NaN", "POST", DRAFT, 400, "non_finite_number", body='{"session_id": NaN}')
error_case("draft: lone surrogate", "POST", DRAFT, 400, "invalid_body", body='{"session_id": "\\ud800"}')
error_case("draft: nesting too deep", "POST", DRAFT, 400, "json_too_deep", body="[" * 100 + "]" * 100)
error_case("method: GET on the draft path", "GET", DRAFT, 405, "method_not_allowed", body="")
error_case("method: DELETE on the session path", "DELETE", SESSION, 405, "method_not_allowed", body="")
error_case("method: POST on the session path", "POST", SESSION, 405, "method_not_allowed")

path = pathlib.Path(__file__).parent / "cases.json"
old = {c["name"]: c for c in json.loads(path.read_text())["cases"]} if path.exists() else {}
for c in cases:
    if "expected" not in c and c["name"] in old:
        c["expected"] = old[c["name"]]["expected"]
# body_bytes for error cases overrides body
for c in cases:
    if "body_base64" in c:
        c.pop("body", None)
doc = {"about": "Bad requests and upstream's answers; see record.py (writes 'expected' of 422 cases) and make_cases.py (writes the requests).", "cases": cases}
path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(len(cases), "cases")
