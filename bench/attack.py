#!/usr/bin/env python3
"""The hostile-client run of the hardening issue, against a running `feather serve`.

N connections (100 by default) each send a request head declaring an 8 MiB body and
then send that body as fast as the server takes it, reconnecting whenever the
server closes, for a bounded time. Meanwhile a legitimate client with a valid key
drafts a session once every 100 ms. The server's RSS is sampled from /proc every
250 ms. Prints the RSS at idle, its peak during the attack, the RSS 5 s after the
attack ended, and the legitimate requests' statuses and latencies (p50, p99, max).

Loopback only; every loop ends by itself.

Usage: bench/attack.py --pid PID --addr 127.0.0.1:8000 --key KEY --session-id UUID
                       [--connections 100] [--seconds 20] [--attack-key KEY]
                       [--attack-body spaces|session]
--attack-key: the attackers present this key (a valid one tests the limits that
hold for clients with a key; the default sends none).
--attack-body: what the 8 MiB bodies are. `spaces` (the default) posts 8 MiB of
blanks to the draft endpoint, which the server refuses as soon as it parses them;
`session` puts a valid session of just under 8 MiB (about 9,000 messages) under one
session id, so each body is parsed, validated, drafted and stored: the most a body
can cost the server.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid

BODY = 8 * 1024 * 1024
CHUNK = b" " * 65536
# The session the `session` attack body puts: a fixed id, so the database keeps one.
ATTACK_SESSION = "0f5e2c1a-7b3d-4e8f-9a6b-2c4d6e8f0a1b"
ATTACK_ORG = "5089f4bc-8601-5899-8283-2b9a5d462041"


def session_body(limit=BODY - 64 * 1024):
    """A valid session whose JSON is just under `limit` bytes."""
    words = ("refund order blender jar cracked account invoice charge card delivery "
             "address week return label store credit manager policy receipt").split()
    messages = []
    size = 0
    turn = 0
    while True:
        role = "user" if turn % 2 == 0 else "assistant"
        content = " ".join(words[(turn * 7 + i) % len(words)] for i in range(110))
        message = {
            "turn_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"attack-{turn}")),
            "role": role,
            "timestamp": f"2026-11-20T{10 + turn // 3600 % 10:02d}:{turn // 60 % 60:02d}:{turn % 60:02d}Z",
            "content": content,
        }
        encoded = len(json.dumps(message)) + 2
        if size + encoded > limit - 2048:
            break
        messages.append(message)
        size += encoded
        turn += 1
    session = {
        "analyzer_input_schema_version": 2,
        "session_id": ATTACK_SESSION,
        "organization_id": ATTACK_ORG,
        "agent_id": "06ccdffe-1ed4-5642-b2ae-bb7966ca835d",
        "channel": "chat",
        "started_at": "2026-11-20T10:00:00Z",
        "ended_at": "2026-11-20T20:00:00Z",
        "completion_reason": "customer_ended_call",
        "knowledge_gap_analysis_outcome": "resolved",
        "messages": messages,
    }
    body = json.dumps(session).encode()
    assert len(body) <= limit, len(body)
    return body


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def attacker(host, port, key, body, stop, counts):
    if body is None:
        path, length = "/v1/scenarios/draft-from-session", BODY
    else:
        path, length = f"/v1/sessions/{ATTACK_SESSION}/analysis-input", len(body)
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            counts["connect_errors"] += 1
            await asyncio.sleep(0.05)
            continue
        head = (
            f"{'POST' if body is None else 'PUT'} {path} HTTP/1.1\r\nhost: x\r\n"
            "content-type: application/json\r\n"
            f"content-length: {length}\r\n"
            + (f"x-api-key: {key}\r\n" if key else "")
            + "\r\n"
        )
        try:
            writer.write(head.encode())
            sent = 0
            while sent < length and time.monotonic() < stop:
                if body is None:
                    writer.write(CHUNK[: min(len(CHUNK), length - sent)])
                else:
                    writer.write(body[sent : sent + len(CHUNK)])
                await writer.drain()
                sent += len(CHUNK)
            line = await asyncio.wait_for(reader.readline(), timeout=max(0.1, stop - time.monotonic()))
            status = line.split(b" ")[1].decode() if line.startswith(b"HTTP/") else "closed"
            counts[status] = counts.get(status, 0) + 1
        except (OSError, asyncio.TimeoutError, IndexError):
            counts["reset"] = counts.get("reset", 0) + 1
        finally:
            writer.close()


async def legitimate(host, port, key, session_id, stop, results):
    body = json.dumps({"session_id": session_id}).encode()
    request = (
        "POST /v1/scenarios/draft-from-session HTTP/1.1\r\nhost: x\r\n"
        f"x-api-key: {key}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout=30)
            await reader.read()
            writer.close()
            status = line.split(b" ")[1].decode()
        except (OSError, asyncio.TimeoutError, IndexError) as err:
            status = type(err).__name__
        results.append((status, (time.monotonic() - started) * 1000))
        await asyncio.sleep(0.1)


async def sample(pid, stop, samples):
    while time.monotonic() < stop:
        samples.append(rss_mib(pid))
        await asyncio.sleep(0.25)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--addr", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--session-id", required=True)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attack-key", default=None)
    parser.add_argument("--attack-body", choices=("spaces", "session"), default="spaces")
    args = parser.parse_args()
    body = session_body() if args.attack_body == "session" else None
    host, port = args.addr.rsplit(":", 1)
    assert host in ("127.0.0.1", "localhost", "::1"), "loopback only"

    idle = rss_mib(args.pid)
    stop = time.monotonic() + args.seconds
    counts = {"connect_errors": 0}
    results, samples = [], []
    await asyncio.gather(
        *(attacker(host, port, args.attack_key, body, stop, counts) for _ in range(args.connections)),
        legitimate(host, port, args.key, args.session_id, stop, results),
        sample(args.pid, stop, samples),
    )
    await asyncio.sleep(5)
    after = rss_mib(args.pid)
    latencies = sorted(ms for status, ms in results if status == "200")
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    size = BODY if body is None else len(body)
    print(f"attack: {args.connections} connections x {size / 2**20:.2f} MiB bodies "
          f"({args.attack_body}), {args.seconds:.0f} s, "
          f"key: {'valid' if args.attack_key else 'none'}")
    print(f"attackers' answers: {counts}")
    print(f"RSS idle before: {idle:.1f} MiB, peak during: {max(samples):.1f} MiB, "
          f"5 s after: {after:.1f} MiB")
    print(f"legitimate drafts: {statuses}; latency ms p50 {pct(0.5):.1f}, "
          f"p99 {pct(0.99):.1f}, max {latencies[-1] if latencies else float('nan'):.1f}, "
          f"mean {statistics.mean(latencies) if latencies else float('nan'):.1f}")


asyncio.run(main())
