#!/usr/bin/env python3
"""Summarises a dotnet-trace sampled-thread-time profile (speedscope JSON) of the load-test host.

Only samples inside Kestrel's request loop count (idle workers, the socket event loop and timers are dropped), so shares
are of the time the host spends on requests. Given the requests served while the trace ran, it also gives that time per
request. Prints the inclusive share of each component and of the frames that matter for the token check, then the
managed frames that were on top of the stack (own time, native code they called included).
Usage: scripts/profile-report.py profile.speedscope.json [requests] [top]
"""
import json
import re
import sys
from collections import defaultdict

REQUEST = re.compile(r"Kestrel\.Core\.Internal\.Http\.HttpProtocol\+<ProcessRequests>")
PSEUDO = ("CPU_TIME", "UNMANAGED_CODE_TIME")
COMPONENTS = [
    ("UserKeyedJwt (library)", re.compile(r"^UserKeyedJwt(?!\.LoadTest)")),
    ("IdentityModel", re.compile(r"^(Microsoft\.IdentityModel|System\.IdentityModel)")),
    ("JwtBearer / authentication", re.compile(r"^Microsoft\.AspNetCore\.Authentication")),
    ("Authorization", re.compile(r"^Microsoft\.AspNetCore\.Authorization")),
    ("Cryptography (HMAC, HKDF)", re.compile(r"^(System\.Security\.Cryptography|Interop\+Crypto)")),
    ("JSON", re.compile(r"^System\.Text\.Json")),
    ("Kestrel", re.compile(r"^Microsoft\.AspNetCore\.Server\.Kestrel")),
    ("Redis client", re.compile(r"^StackExchange\.Redis")),
    ("EF Core / SQLite / Npgsql", re.compile(r"^(Microsoft\.EntityFrameworkCore|Microsoft\.Data\.Sqlite|SQLitePCL|Npgsql)")),
    ("GC", re.compile(r"GarbageCollect|gc_heap|WKS::|SVR::")),
]


def short(frame):
    """The method of a frame without its module and parameters."""
    return frame.split("!", 1)[-1].split("(", 1)[0]


def intervals(profile):
    stack, last = [], None
    for event in profile["events"]:
        if last is not None and stack and event["at"] > last:
            yield tuple(stack), event["at"] - last
        last = event["at"]
        if event["type"] == "O":
            stack.append(event["frame"])
        elif stack:
            stack.pop()


def main():
    data = json.load(open(sys.argv[1]))
    requests = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    names = [f["name"] for f in data["shared"]["frames"]]
    busy = 0.0
    inclusive, exclusive, component = defaultdict(float), defaultdict(float), defaultdict(float)
    callers = defaultdict(lambda: defaultdict(float))
    for profile in data["profiles"]:
        for stack, dt in intervals(profile):
            frames = [names[i] for i in stack]
            if not any(REQUEST.search(f) for f in frames):
                continue
            busy += dt
            for f in set(frames):
                inclusive[f] += dt
            managed = [f for f in frames if f not in PSEUDO]
            leaf = managed[-1] if managed else frames[-1]
            exclusive[leaf] += dt
            callers[leaf][" < ".join(short(f) for f in reversed(managed[-4:-1]))] += dt
            for label, pattern in COMPONENTS:
                if any(pattern.search(f) for f in frames):
                    component[label] += dt
    if busy == 0:
        sys.exit("no request samples in the profile")
    per_request = f", {busy * 1000 / requests:.0f} µs a request over {requests:,.0f} requests" if requests else ""
    print(f"request thread time sampled: {busy / 1000:.1f} s{per_request}")
    print("component (inclusive, a sample counts in every component on its stack):")
    for label, _ in COMPONENTS:
        print(f"  {component[label] / busy:6.1%}  {label}")
    print("token-check frames (inclusive):")
    interesting = [f for f in inclusive if COMPONENTS[0][1].search(f) or COMPONENTS[1][1].search(f)
                   or f.startswith("Microsoft.AspNetCore.Authentication.JwtBearer")]
    for f in sorted(interesting, key=inclusive.get, reverse=True)[:top]:
        micros = f"  {inclusive[f] * 1000 / requests:5.1f} µs" if requests else ""
        print(f"  {inclusive[f] / busy:6.1%}{micros}  {f[:150]}")
    print("top frames (own time, with the native code they call):")
    for f in sorted(exclusive, key=exclusive.get, reverse=True)[:top]:
        print(f"  {exclusive[f] / busy:6.1%}  {f[:150]}")
        chain = max(callers[f], key=callers[f].get)
        print(f"          mostly from {chain[:200]}")


main()
