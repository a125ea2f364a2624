#!/usr/bin/env python3
"""Summarise a speedscope profile converted from dotnet-trace, within one operation: the frames with the most self time,
and the share of that operation's samples under chosen frames (inclusive).
Usage: speedscope-top.py FILE TOP OPERATION-FRAME [FRAME-SUBSTRING ...]   (substrings match frame names)"""
import collections
import json
import sys

data = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
watch = sys.argv[3:]
frames = [f["name"] for f in data["shared"]["frames"]]
self_time, inclusive, total = collections.Counter(), collections.Counter(), 0.0
PSEUDO = {"CPU_TIME", "UNMANAGED_CODE_TIME"}


def walk_sampled(profile):
    for stack, weight in zip(profile["samples"], profile["weights"]):
        yield stack, weight


def walk_evented(profile):
    # Evented profiles: open/close events; attribute time between events to the current stack.
    stack, last = [], profile["startValue"]
    for event in profile["events"]:
        if stack:
            yield list(stack), event["at"] - last
        last = event["at"]
        if event["type"] == "O":
            stack.append(event["frame"])
        elif stack:
            stack.pop()


for profile in data["profiles"]:
    walker = walk_sampled if profile["type"] == "sampled" else walk_evented
    for stack, weight in walker(profile):
        if not stack or weight <= 0:
            continue
        names = [frames[i] for i in stack if frames[i] not in PSEUDO]
        # Only samples inside the first watched frame (the operation under study) count; the rest is set-up and idle threads.
        if not names or (watch and not any(watch[0] in n for n in names)):
            continue
        total += weight
        self_time[names[-1]] += weight
        for w in watch:
            if any(w in n for n in names):
                inclusive[w] += weight

print(f"{'self %':>7}  frame")
for name, weight in self_time.most_common(top):
    print(f"{100 * weight / total:7.2f}  {name[:140]}")
for w in watch:
    print(f"inclusive {100 * inclusive[w] / total:6.2f}%  {w}")
