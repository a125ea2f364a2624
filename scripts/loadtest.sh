#!/usr/bin/env bash
# HTTP load test of the revocation strategies side by side, against benchmarks/UserKeyedJwt.LoadTest on loopback:
#   /me/static    plain JwtBearer under one static key (the ceiling: nothing can be revoked)
#   /me/db        the same plus a security-stamp read through UserManager per request (SecurityStampValidator's style)
#   /me/denylist  the same plus a Redis lookup of the token's jti per request
#   /me           UserKeyedJwt: the key cache, with the Redis invalidation bus on
# Every endpoint runs the same handler (the caller's id from its claims). Each run walks tokens of $USERS distinct users,
# all strategies in the same run in interleaved rounds, on SQLite, then on PostgreSQL if it is installed; then the cost
# growth: $GROWTH_USERS users against a key cache of $GROWTH_CACHE_SIZE. Reports medians over the rounds and ratios to
# /me/static; prints the tables and writes the charts (ScottPlot) to $OUT.
#
# Needs wrk, redis-server, python3; PostgreSQL optional (apt-get install -y wrk redis-server postgresql).
# Usage: scripts/loadtest.sh   (USERS=100000 KEY_CACHE_SIZE=200000 GROWTH_USERS=1000000 GROWTH_CACHE_SIZE=100000 KEY_CACHE_TTL=00:10:00
#        DURATION=10s ROUNDS=3 CONNECTIONS=32 THREADS=1 POSTGRES=auto|0 OUT=docs to change; GROWTH_USERS=0 skips growth;
#        PROFILE=static,keyed adds a dotnet-trace CPU-sampling profile of each named strategy on SQLite, summarised by
#        scripts/profile-report.py, and needs dotnet-trace: dotnet tool install -g dotnet-trace)
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk redis-server python3 curl; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get update && apt-get install -y wrk redis-server python3 curl" >&2; exit 2; }
done
# The cache holds every user in the side-by-side runs (at exactly its size, each sweep to 90% would evict a tenth of them);
# the growth run walks ten times more users than it holds.
USERS=${USERS:-100000} KEY_CACHE_SIZE=${KEY_CACHE_SIZE:-200000} KEY_CACHE_TTL=${KEY_CACHE_TTL:-00:10:00}
GROWTH_USERS=${GROWTH_USERS:-1000000} GROWTH_CACHE_SIZE=${GROWTH_CACHE_SIZE:-100000}
DURATION=${DURATION:-10s} ROUNDS=${ROUNDS:-3} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-1} POSTGRES=${POSTGRES:-auto}
PROFILE=${PROFILE:-}
PORT=${PORT:-5099} OUT=${OUT:-docs}
# The cross-node invalidation delay, measured by tests/UserKeyedJwt.ScaleOut.Tests (docs/scale-out.md), not by this script.
BUS_DELAY=${BUS_DELAY:-"p50 15 ms, p99 84 ms over three nodes (docs/scale-out.md)"}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ $POSTGRES == auto ]] && { [[ -n $PG_BIN && -x $PG_BIN/initdb ]] && id postgres >/dev/null 2>&1 && POSTGRES=1 || POSTGRES=0; }
API=http://127.0.0.1:$PORT
TICK=$(getconf CLK_TCK)
work=$(mktemp -d)
chmod 755 "$work"
server="" redis="" pg_started=""

cleanup() {
  stop_host
  [[ -n $redis ]] && kill "$redis" 2>/dev/null && wait "$redis" 2>/dev/null
  [[ -n $pg_started ]] && runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$work/pg/data" -m immediate -w >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

stop_host() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

dotnet build -c Release benchmarks/UserKeyedJwt.LoadTest -v q -nologo >/dev/null
dotnet build -c Release benchmarks/UserKeyedJwt.LoadTest.Chart -v q -nologo >/dev/null

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis=$!

start_host() { # extra environment assignments...
  (
    cd benchmarks/UserKeyedJwt.LoadTest/bin/Release/net10.0
    exec env ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
      UserKeyedJwt__KeyCacheSize="$CACHE_SIZE" UserKeyedJwt__KeyCacheTtl="$KEY_CACHE_TTL" "$@" dotnet UserKeyedJwt.LoadTest.dll --urls "$API"
  ) >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$API/me" || true) == 401 ]] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "the load-test host did not start:" >&2; tail -20 "$work/server.log" >&2; exit 1
}

create_users() { # count tokens(comma list) -> $work/<kind>.txt, one token a line
  curl -sf -X POST "$API/bench/users?count=$1&tokens=$2" >"$work/users.tsv"
  local i=2
  for kind in ${2//,/ }; do cut -f$i "$work/users.tsv" >"$work/$kind.txt"; i=$((i + 1)); done
  rm "$work/users.tsv"
}

declare -A PATH_OF=([static]=/me/static [db]=/me/db [denylist]=/me/denylist [keyed]=/me)
declare -A TOKENS_OF=([static]=static [db]=stamped [denylist]=static [keyed]=keyed)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

cache_stats() { # -> "hits misses store_lookups" so far
  curl -sf "$API/bench/stats" | python3 -c "import json,sys; m=json.load(sys.stdin)['meters']; print(*(int(m.get('userkeyedjwt.' + n, {'total': 0})['total']) for n in ('key_cache.hits', 'key_cache.misses', 'store.lookups')))"
}

memory() { # -> "managed_heap_after_gc working_set" in bytes
  curl -sf "$API/bench/stats?gc=true" | python3 -c "import json,sys; s=json.load(sys.stdin); print(s['managedHeapBytes'], s['workingSetBytes'])"
}

run() { # strategy duration -> "rps p50_ms p99_ms requests non2xx cpu_us_per_request"
  local before after
  before=$(cpu_ticks)
  TOKENS="$work/${TOKENS_OF[$1]}.txt" wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$2" -s scripts/loadtest.lua "$API${PATH_OF[$1]}" >"$work/wrk.out"
  after=$(cpu_ticks)
  python3 - "$work/wrk.out" "$before" "$after" "$TICK" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
cpu_us = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4]) * 1e6 / max(requests, 1)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {requests} {bad.group(1) if bad else 0} {cpu_us:.1f}")
PY
}

check() { # strategy: its first token must be accepted before anything is measured
  local token code
  token=$(head -1 "$work/${TOKENS_OF[$1]}.txt")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$API${PATH_OF[$1]}")
  [[ $code == 200 ]] || { echo "${PATH_OF[$1]} answered $code to a fresh token" >&2; exit 1; }
}

measure() { # label strategies... -> appends "label strategy round rps p50 p99 requests non2xx cpu hits misses lookups" to $work/results
  local label=$1; shift
  local strategies=("$@") n=$# round i s
  for s in "${strategies[@]}"; do check "$s"; done
  # Warm-up: JIT, connection pools, and for the user-keyed scheme the key cache over every user of the run.
  for s in "${strategies[@]}"; do run "$s" "$WARMUP" >/dev/null; done
  # The key cache is warm once 99% of the run's users have missed it once, each walk starting at a random user (given up
  # after 3 minutes).
  if [[ $WARM_CACHE == 1 && " ${strategies[*]} " == *" keyed "* ]]; then
    local users hits misses lookups
    users=$(wc -l <"$work/keyed.txt")
    for _ in $(seq 1 36); do
      read -r hits misses lookups < <(cache_stats)
      (( misses * 100 >= users * 99 )) && break
      run keyed 5s >/dev/null
    done
  fi
  for round in $(seq 1 "$ROUNDS"); do
    for i in $(seq 0 $((n - 1))); do
      s=${strategies[$(((i + round - 1) % n))]}   # the order rotates each round
      local h0 m0 l0 h1 m1 l1
      read -r h0 m0 l0 < <(cache_stats)
      read -r rps p50 p99 requests bad cpu < <(run "$s" "$DURATION")
      read -r h1 m1 l1 < <(cache_stats)
      printf '%-9s %-9s round %s  %7s req/s  p50 %6s ms  p99 %6s ms  cpu %6s us/req  non-2xx %s\n' "$label" "$s" "$round" "$rps" "$p50" "$p99" "$cpu" "$bad"
      echo "$label $s $round $rps $p50 $p99 $requests $bad $cpu $(python3 -c "print($h1-$h0, $m1-$m0, $l1-$l0)")" >>"$work/results"
    done
  done
}

: >"$work/results"
date -u +"start %Y-%m-%dT%H:%M:%SZ; $(uptime)" | tee "$work/load"

# 1. SQLite, $USERS users, every strategy.
WARMUP=10s WARM_CACHE=1 CACHE_SIZE=$KEY_CACHE_SIZE
start_host ConnectionStrings__LoadTest="Data Source=$work/load.db"
create_users "$USERS" keyed,static,stamped
measure sqlite static db denylist keyed
echo "sqlite $(memory)" >>"$work/memory"
for s in ${PROFILE//,/ }; do
  # The trace starts after the measured rounds, so it sees the same warm host; wrk runs a little longer than the trace.
  trace=$(command -v dotnet-trace || echo "$HOME/.dotnet/tools/dotnet-trace")
  (sleep 2; "$trace" collect -p "$server" --profile dotnet-sampled-thread-time --format Speedscope --duration 00:00:00:10 \
    -o "$work/profile-$s.nettrace" >"$work/trace-$s.log" 2>&1) &
  tracer=$!
  read -r rps _ < <(run "$s" 14s)
  wait "$tracer" || { echo "dotnet-trace failed:" >&2; cat "$work/trace-$s.log" >&2; exit 1; }
  echo "profile of ${PATH_OF[$s]}:"
  python3 scripts/profile-report.py "$work/profile-$s.speedscope.json" "$((rps * 10))"
done
stop_host

# 2. PostgreSQL, the same.
if [[ $POSTGRES == 1 ]]; then
  PG_PORT=$(free_port)
  mkdir -p "$work/pg" && chown postgres "$work/pg"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" start -D "$work/pg/data" -l "$work/pg/server.log" -w -t 30 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$work/pg' -c fsync=off -c synchronous_commit=off -c max_connections=200" >/dev/null
  pg_started=1
  start_host ConnectionStrings__Users="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=loadtest"
  create_users "$USERS" keyed,static,stamped
  measure postgres static db denylist keyed
  stop_host
fi

# 3. Cost growth: $GROWTH_USERS distinct users walked round-robin against a key cache of $GROWTH_CACHE_SIZE.
if (( GROWTH_USERS > 0 )); then
  WARMUP=60s WARM_CACHE=0 CACHE_SIZE=$GROWTH_CACHE_SIZE
  start_host ConnectionStrings__LoadTest="Data Source=$work/growth.db"
  create_users "$GROWTH_USERS" keyed,static
  measure growth static keyed
  echo "growth $(memory)" >>"$work/memory"
  stop_host
fi
date -u +"end %Y-%m-%dT%H:%M:%SZ; $(uptime)" | tee -a "$work/load"

mkdir -p "$OUT"
python3 - "$work" "$OUT" "$USERS" "$GROWTH_USERS" "$KEY_CACHE_SIZE/$GROWTH_CACHE_SIZE" "$KEY_CACHE_TTL" "$DURATION" "$ROUNDS" "$CONNECTIONS" "$BUS_DELAY" <<'PY'
import sys, statistics
work, out, users, growth_users, cache, ttl, duration, rounds, connections, bus = sys.argv[1:]
rows = [l.split() for l in open(f"{work}/results")]
memory = {l.split()[0]: l.split()[1:] for l in open(f"{work}/memory")}
names = {"static": "Static-key JwtBearer", "db": "JwtBearer + stamp read", "denylist": "JwtBearer + Redis denylist", "keyed": "UserKeyedJwt"}
revocation = {"static": "never (expiry)", "db": "next request", "denylist": "next request",
              "keyed": f"next request on the node that revokes; other nodes: the bus delay, {bus}"}
def med(label, s, i): return statistics.median(float(r[i]) for r in rows if r[0] == label and r[1] == s)
def total(label, s, i): return sum(float(r[i]) for r in rows if r[0] == label and r[1] == s)
lines, bad = [], 0
lines.append(f"{users} users ({growth_users} for growth), {rounds} rounds of {duration}, {connections} connections; key cache {cache} entries, TTL {ttl}.")
lines.append("")
for label in ["sqlite", "postgres"]:
    strategies = [s for s in names if any(r[0] == label and r[1] == s for r in rows)]
    if not strategies: continue
    base = {i: med(label, "static", i) for i in (3, 4, 5, 8)}
    lines.append(f"**{'SQLite' if label == 'sqlite' else 'PostgreSQL'} user store, {users} users**")
    lines.append("")
    lines.append("| Strategy | req/s | × static | p50 ms | p99 ms | × static | CPU µs/req | × static | Store reads/req | Revocation takes effect |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with open(f"{work}/chart-{label}.tsv", "w") as chart:
        for s in strategies:
            rps, p50, p99, cpu = (med(label, s, i) for i in (3, 4, 5, 8))
            reads = {"static": "0", "db": "1", "denylist": "0 (1 Redis)", "keyed": f"{total(label, s, 11) / max(total(label, s, 6), 1):.4f}"}[s]
            bad += total(label, s, 7)
            lines.append(f"| {names[s]} | {rps:,.0f} | {rps / base[3]:.2f} | {p50:.2f} | {p99:.2f} | {p99 / base[5]:.2f} | {cpu:.0f} | {cpu / base[8]:.2f} | {reads} | {revocation[s]} |")
            chart.write(f"{names[s].replace('JwtBearer + ', '+ ')}\t{rps:.0f}\t{p99:.2f}\n")
    k, d, r = med(label, "keyed", 3), med(label, "db", 3), med(label, "denylist", 3)
    lines.append("")
    lines.append(f"UserKeyedJwt: {k / base[3]:.2f}× static throughput (target ≥ 0.95), {med(label, 'keyed', 5) / base[5]:.2f}× its p99 (≤ 1.15), "
                 f"{k / d:.2f}× the stamp read (≥ 3), {k / r:.2f}× the denylist (≥ 1.5).")
    lines.append("")
if any(r[0] == "growth" for r in rows):
    lines.append(f"**Cost growth: {growth_users} users walked round-robin against a key cache of {cache.split('/')[1]} entries, beside the {users}-user run (SQLite)**")
    lines.append("")
    lines.append("| Strategy | Users | req/s | × static | p99 ms | Key-cache hit ratio | Store reads/req | Managed heap after GC |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, n in [("sqlite", users), ("growth", growth_users)]:
        if not any(r[0] == label for r in rows): continue
        base = med(label, "static", 3)
        for s in ["static", "db", "keyed"]:
            if not any(r[0] == label and r[1] == s for r in rows): continue
            requests, misses = total(label, s, 6), total(label, s, 10)
            ratio = f"{max(0.0, 1 - misses / requests):.3f}" if s == "keyed" and requests else "–"
            reads = {"static": "0", "db": "1"}.get(s) or f"{total(label, s, 11) / max(total(label, s, 6), 1):.3f}"
            heap = f"{int(memory[label][0]) / 2**20:.0f} MiB" if s == "keyed" and label in memory else ""
            lines.append(f"| {names[s]} | {int(n):,} | {med(label, s, 3):,.0f} | {med(label, s, 3) / base:.2f} | {med(label, s, 5):.2f} | {ratio} | {reads} | {heap} |")
    lines.append("")
lines.append("Machine load: " + " / ".join(l.strip() for l in open(f"{work}/load")))
print("\n".join(lines))
if bad: print(f"non-2xx responses: {bad:.0f}", file=sys.stderr); sys.exit(1)
PY
for label in sqlite postgres; do
  [[ -f $work/chart-$label.tsv ]] || continue
  title="Throughput, $USERS users, $([[ $label == sqlite ]] && echo SQLite || echo PostgreSQL) user store"
  dotnet benchmarks/UserKeyedJwt.LoadTest.Chart/bin/Release/net10.0/UserKeyedJwt.LoadTest.Chart.dll "$work/chart-$label.tsv" "$OUT/performance-$label.png" "$title"
done
