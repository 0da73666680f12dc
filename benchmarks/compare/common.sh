# Shared by the scripts in benchmarks/compare: starting a server on an
# ephemeral port, and one ingest run against it. Sourced, not run.
# The tools are the build's in build/ (as benchmarks/run builds them), or
# where SWITCHBOARD_BUILD says (the tests' build directory).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SWITCHBOARD_BUILD:-$root/build}
load="$build/benchmarks/switchboard-load"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# start_server <command…>: runs it with its output in $work; sets $pid and $port.
start_server() {
  # Made before the server starts: the loop below may read before the
  # background shell has opened them, and under `set -e` a failed read ends
  # the script (seen once, under a full test run's load).
  : > "$work/out"
  : > "$work/err"
  "$@" > "$work/out" 2> "$work/err" &
  pid=$!
  port=""
  for _ in $(seq 1 400); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/out")
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  echo "server did not start: $*" >&2
  cat "$work/err" >&2
  exit 1
}

stop_server() { kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; }

# ingest <label> <seconds>: one closed-loop run at 64 connections against
# $port, printed as one line: throughput, server CPU and sleeps a request,
# the load tool's, steal.
ingest() {
  "$load" --mode ingest --connections 64 --users 10000 --duration "$2" \
    --url "http://127.0.0.1:$port" --server-pid "$pid" --label "$1" | grep '^{' | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print("%-12s %8.0f req/s  server %5.1f µs a request (user %4.1f, %.3f sleeps)  load tool %5.1f µs (%.3f sleeps)  steal %.2f" % (
        d["label"], d["throughput"], d["server_cpu_us_per_request"], d["server_user_us_per_request"],
        d["server_sleeps_per_request"], d["load_cpu_us_per_request"], d["load_sleeps_per_request"], d["machine_steal_share"]))'
}
