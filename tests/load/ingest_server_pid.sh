#!/usr/bin/env bash
# switchboard-load --server-pid against a server started here, as
# benchmarks/run does: the JSON line must carry the tool's own CPU time and
# sleeps per request and the server's CPU time, page faults and sleeps per
# request, all above zero (over 5,000 requests on 4 connections each side
# waits for the other many times).
#   ingest_server_pid.sh SWITCHBOARD_BINARY SWITCHBOARD_LOAD_BINARY
set -euo pipefail
server=$1 load=$2
coproc SERVER { exec "$server" --port 0 --data :memory: --log-level warn --admin-password load-test-admin-password; }
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
read -r first <&"${SERVER[0]}"  # "listening on 127.0.0.1:PORT", printed once it listens
port=${first##*:}
out=$("$load" --mode ingest --url "http://127.0.0.1:$port" --server-pid "$SERVER_PID" --users 100 \
  --requests 5000 --connections 4 --label server-pid)
echo "$out"
positive='(0\.0*)?[1-9][^,]*'
grep -Eq "\"errors\":0,.*\"load_cpu_us_per_request\":$positive,\"load_sleeps_per_request\":$positive,\"server_cpu_us_per_request\":$positive,.*\"server_page_faults_per_request\":$positive,\"server_sleeps_per_request\":$positive" <<<"$out"
