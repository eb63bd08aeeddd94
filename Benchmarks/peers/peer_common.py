"""What every Python peer client shares: the command line, the recorder and the result line.

Same contract as the Swift bench-service (Benchmarks/Sources/bench-service/Options.swift):
prints `RESULT {json}` once --expect new events were handled (or none came for --idle-timeout s),
then waits for SIGTERM/SIGINT, stops, prints `STOPPED`.
"""
import argparse
import json
import sys
import threading
import time

CHANNEL = "/topic/BenchEvents"


def parse_args(client):
    p = argparse.ArgumentParser(prog=client)
    p.add_argument("--login-url", required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--max-workers", type=int, default=10)
    p.add_argument("--replay", default="none", help="none | redis=URI")
    p.add_argument("--after-replay-id", type=int, default=0)
    p.add_argument("--idle-timeout", type=float, default=10.0)
    p.add_argument("--username", default="demo@example.com")
    p.add_argument("--password", default="demo-password")
    p.add_argument("--security-token", default="demo-token")
    args = p.parse_args()
    args.redis_uri = args.replay[len("redis="):] if args.replay.startswith("redis=") else None
    if args.replay != "none" and not args.redis_uri:
        p.error("--replay: none or redis=URI")
    return args


class Recorder:
    """Counts new, duplicated and stale events and publish-to-handler latencies."""

    def __init__(self, after_replay_id):
        self.after = after_replay_id
        self.lock = threading.Lock()
        self.seen = bytearray()  # one bit per replay ID above `after` (dense IDs)
        self.unique = self.duplicates = self.stale = 0
        self.first_at = self.last_at = 0
        self.latencies = []

    def record(self, replay_id, name):
        now = time.time_ns()
        with self.lock:
            if not self.first_at:
                self.first_at = now
            self.last_at = now
            if isinstance(name, str) and name.isdigit():
                self.latencies.append(now - int(name))
            if replay_id is None:
                self.unique += 1
            elif replay_id <= self.after:
                self.stale += 1
            else:
                bit = replay_id - self.after - 1
                byte, mask = bit >> 3, 1 << (bit & 7)
                if byte >= len(self.seen):
                    self.seen.extend(bytes(max(byte + 1 - len(self.seen), len(self.seen))))
                if self.seen[byte] & mask:
                    self.duplicates += 1
                else:
                    self.seen[byte] |= mask
                    self.unique += 1

    def done(self, expected, started_at, idle_timeout):
        """True once every expected event came, or none came for the idle timeout."""
        if self.unique >= expected:
            return True
        last = self.last_at or started_at
        limit = idle_timeout * (1 if self.last_at else 6)
        return time.time_ns() - last > limit * 1e9

    def result(self, client, expected):
        lat = sorted(self.latencies)

        def pct(p):
            if not lat:
                return None
            i = min(len(lat) - 1, max(0, -(-int(len(lat) * p * 1000) // 1000) - 1))
            return lat[i] / 1000.0
        return {"client": client, "expected": expected, "unique": self.unique,
                "duplicates": self.duplicates, "stale": self.stale,
                "lost": max(0, expected - self.unique), "first_at_ns": self.first_at,
                "last_at_ns": self.last_at, "latency_count": len(lat),
                "latency_p50_us": pct(0.5), "latency_p99_us": pct(0.99)}


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
