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
--attack-key: the attackers present this key (a valid one tests the limits that
hold for clients with a key; the default sends none).
"""

import argparse
import asyncio
import json
import statistics
import time

BODY = 8 * 1024 * 1024
CHUNK = b" " * 65536


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def attacker(host, port, key, stop, counts):
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            counts["connect_errors"] += 1
            await asyncio.sleep(0.05)
            continue
        head = (
            "POST /v1/scenarios/draft-from-session HTTP/1.1\r\nhost: x\r\n"
            "content-type: application/json\r\n"
            f"content-length: {BODY}\r\n"
            + (f"x-api-key: {key}\r\n" if key else "")
            + "\r\n"
        )
        try:
            writer.write(head.encode())
            sent = 0
            while sent < BODY and time.monotonic() < stop:
                writer.write(CHUNK[: min(len(CHUNK), BODY - sent)])
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
    args = parser.parse_args()
    host, port = args.addr.rsplit(":", 1)
    assert host in ("127.0.0.1", "localhost", "::1"), "loopback only"

    idle = rss_mib(args.pid)
    stop = time.monotonic() + args.seconds
    counts = {"connect_errors": 0}
    results, samples = [], []
    await asyncio.gather(
        *(attacker(host, port, args.attack_key, stop, counts) for _ in range(args.connections)),
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

    print(f"attack: {args.connections} connections x 8 MiB bodies, {args.seconds:.0f} s, "
          f"key: {'valid' if args.attack_key else 'none'}")
    print(f"attackers' answers: {counts}")
    print(f"RSS idle before: {idle:.1f} MiB, peak during: {max(samples):.1f} MiB, "
          f"5 s after: {after:.1f} MiB")
    print(f"legitimate drafts: {statuses}; latency ms p50 {pct(0.5):.1f}, "
          f"p99 {pct(0.99):.1f}, max {latencies[-1] if latencies else float('nan'):.1f}, "
          f"mean {statistics.mean(latencies) if latencies else float('nan'):.1f}")


asyncio.run(main())
