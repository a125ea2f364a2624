#!/usr/bin/env bash
# HTTP load test, both endpoints in the same run against the load-test host (benchmarks/UserKeyedJwt.LoadTest) on loopback:
#   GET /me/static  plain JwtBearer with one static key (the baseline)
#   GET /me         UserKeyedJwt over SQLite, tokens of $USERS distinct users, round-robin
# Both endpoints run the same handler (the caller's id from its claims); only the token check differs.
#
# Needs wrk (Debian package): apt-get update && apt-get install -y wrk
# Usage: scripts/loadtest.sh            (USERS=1000 DURATION=15s CONNECTIONS=32 ROUNDS=3 PORT=5099 to change)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "wrk is missing: apt-get update && apt-get install -y wrk" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed to read the JSON answers" >&2; exit 2; }
USERS=${USERS:-1000} DURATION=${DURATION:-15s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-1} ROUNDS=${ROUNDS:-3} PORT=${PORT:-5099}
API=http://127.0.0.1:$PORT
work=$(mktemp -d)

dotnet build -c Release benchmarks/UserKeyedJwt.LoadTest -v q -nologo >/dev/null
(
  cd benchmarks/UserKeyedJwt.LoadTest/bin/Release/net10.0
  ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__LoadTest="Data Source=$work/load.db" \
  Logging__LogLevel__Default=Warning exec dotnet UserKeyedJwt.LoadTest.dll --urls "$API"
) >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$API/me" || true) == 401 ]] && break
  sleep 0.5
done

curl -sf -X POST "$API/bench/users" -H 'Content-Type: application/json' -d "{\"count\":$USERS}" >"$work/users.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
users = json.load(open(f"{work}/users.json"))
open(f"{work}/keyed.txt", "w").write("\n".join(u["accessToken"] for u in users) + "\n")
open(f"{work}/static.txt", "w").write("\n".join(u["staticToken"] for u in users) + "\n")
PY

# Every token must be accepted by its own endpoint before anything is measured.
for kind in keyed static; do
  path=/me; [[ $kind == static ]] && path=/me/static
  token=$(head -1 "$work/$kind.txt")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$API$path")
  [[ $code == 200 ]] || { echo "$path answered $code to a fresh token" >&2; exit 1; }
done

run() { # kind path duration -> "rps p50_ms p99_ms non2xx"
  TOKENS="$work/$1.txt" wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$3" -s scripts/loadtest.lua "$API$2" >"$work/wrk.out"
  python3 - "$work/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {bad.group(1) if bad else 0}")
PY
}

run static /me/static 5s >/dev/null   # warm-up: JIT, connection pools, the key cache
run keyed /me 5s >/dev/null
echo "round endpoint      rps     p50_ms  p99_ms  non2xx"
: >"$work/results"
for round in $(seq 1 "$ROUNDS"); do
  for kind in static keyed; do
    path=/me; [[ $kind == static ]] && path=/me/static
    read -r rps p50 p99 bad < <(run "$kind" "$path" "$DURATION")
    printf '%-5s %-12s %-7s %-7s %-7s %s\n' "$round" "$path" "$rps" "$p50" "$p99" "$bad"
    echo "$kind $rps $p50 $p99 $bad" >>"$work/results"
  done
done

python3 - "$work/results" "$USERS" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def col(kind, i): return [float(r[i]) for r in rows if r[0] == kind]
s_rps, k_rps = statistics.median(col("static", 1)), statistics.median(col("keyed", 1))
s_p99, k_p99 = statistics.median(col("static", 3)), statistics.median(col("keyed", 3))
s_p50, k_p50 = statistics.median(col("static", 2)), statistics.median(col("keyed", 2))
bad = sum(col("static", 4)) + sum(col("keyed", 4))
print()
print(f"medians over rounds, {sys.argv[2]} users")
print(f"/me/static  {s_rps:.0f} req/s  p50 {s_p50:.2f} ms  p99 {s_p99:.2f} ms")
print(f"/me         {k_rps:.0f} req/s  p50 {k_p50:.2f} ms  p99 {k_p99:.2f} ms")
print(f"throughput ratio {k_rps / s_rps:.3f} (target >= 0.9); p99 ratio {k_p99 / s_p99:.3f} (target <= 1.2); non-2xx {bad:.0f}")
sys.exit(1 if bad else 0)
PY
