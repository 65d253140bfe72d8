"""Records what CPython's json.loads does with each case, for pyjson.rs's tests.

Run from this folder: python3 python_json.py > python_json.json
Each entry holds the text and, under "python", either the decoded value, the
JSONDecodeError's message and character offset, or a marker for values JSON
cannot carry (NaN, infinities, lone surrogates).
"""

import json
import math
import sys

CASES = [
    "", " ", "{}", "[]", "{", "[", "}", "]", "{\"a\"", "{\"a\":", "{\"a\": ", "{\"a\" 1}",
    "{\"a\":1,}", "[1,]", "[1,,2]", "[,1]", "{,}", "{\"a\":1 \"b\":2}", "[1 2]",
    "{\"a\":1}x", "[1] [2]", "{\"a\":1}  ", "  {\"a\":1}", "\t\n\r[1]\r\n",
    "{'a': 1}", "{a: 1}", "[True]", "[true, false, null]", "[tru]", "[nul]", "[fals]",
    "nul", "n", "t", "f", "-", "-a", "--1", "+1", "01", "00", "-01", "1.", "1.e5",
    ".5", "1e", "1e+", "1e-", "1E5", "1e+5", "-0", "-0.0", "0.5e-3", "1.5E+10",
    "[1e]", "[1e+]", "[1.]", "1ee5", "123abc", "12345678901234567890",
    "-9223372036854775808", "9223372036854775807", "3.141592653589793",
    "\"abc", "\"", "\"a\\", "\"a\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12", "\"\\u123\"",
    "\"\\u1234", "\"\\u1234\"", "\"\\uzzzz\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
    "\"\\ud83d\\uzzzz\"", "\"\\ud83d\\u0041\"", "\"\\ud83d\"x", "\"a\tb\"", "\"a\nb\"",
    "\"a\x00b\"", "\"a\x1fb\"", "\"a\x7fb\"", "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
    "{\"é\": \"ü\", \"x\": }", "[\"日本\", ,]", "[\"😀\" 1]", "{\"a\": [1, 2, {\"b\": }]}",
    "{\"a\":1,\"a\":2}", "{\"a\" : 1 , \"b\" : [ ] }", "[NaN]", "[Infinity]",
    "[-Infinity]", "[1e999]", "[-Inf]", "[Na]", "[\"\\ud800\"]", "[\"\\udc00\"]",
    "{\"session_id\": ", "{\"session_id\": \"abc\"", "{\"session_id\": \"abc\",",
    "{\"session_id\": 42,}", "\u00a0{}", "{}\u00a0", "[1,\n2,\n]", "{\"a\":\n\n  x}",
    "[\"a\" , \"b\" ,]", "{\"\":0}", "[[[[]]]]", "[[[[", "]]]]", "{\"a\":{\"b\":{\"c\":",
    "[1, 2", "[1, 2,", "[\"unterminated", "{\"k\": \"v\\", "\"\\u00", "[-]", "[-1.5e-3]",
    "[0x10]", "[1_000]", "[.]", "[\"a\"\"b\"]", "{\"a\"::1}", "{\"a\":1,,}",
    "{\"a\":1}}", "[1]]", "\ufeff{}", "//c\n{}", "/*c*/{}",
]


def record(text):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return {"error": err.msg, "pos": err.pos}
    if has_non_finite(value):
        return {"non_finite": True}
    try:
        json.dumps(value).encode("utf-8")
        dumped = json.dumps(value, ensure_ascii=False)
        dumped.encode("utf-8")
    except UnicodeEncodeError:
        return {"lone_surrogate": True}
    return {"value": value}


def has_non_finite(value):
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(has_non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(has_non_finite(v) for v in value.values())
    return False


if __name__ == "__main__":
    out = [{"text": text, "python": record(text)} for text in CASES]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
