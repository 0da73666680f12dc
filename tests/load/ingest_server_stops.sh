#!/usr/bin/env bash
# switchboard-load against a server that stops in the middle of the run: the
# tool carries on, counts the webhooks it could not get answered, and still
# prints its figures (exit 1, for the errors), instead of dying with the
# first broken connection and printing nothing.
#   ingest_server_stops.sh SWITCHBOARD_BINARY SWITCHBOARD_LOAD_BINARY
set -euo pipefail
server=$1 load=$2
coproc SERVER { exec "$server" --port 0 --data :memory: --log-level warn --admin-password load-test-admin-password; }
server_pid=$SERVER_PID  # bash unsets SERVER_PID once the coprocess has exited
read -r first <&"${SERVER[0]}"  # "listening on 127.0.0.1:PORT", printed once it listens
port=${first##*:}
out_file=$(mktemp)
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$out_file"' EXIT
# Closed loop, bounded by count: after the server has gone each webhook fails at once.
"$load" --mode ingest --url "http://127.0.0.1:$port" --users 100 --requests 100000 --connections 4 \
  --label server-stops >"$out_file" 2>&1 &
load_pid=$!
# Stop the server once it has taken 1,000 webhooks.
for _ in $(seq 1 600); do
  received=$(curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^switchboard_messages_received_total //p')
  [[ ${received:-0} -ge 1000 ]] && break
  kill -0 "$load_pid" 2>/dev/null || break
  read -r -t 0.05 <&"${SERVER[0]}" || true  # a bounded pause between looks, on the server's own output
done
kill -TERM "$server_pid"
status=0
wait "$load_pid" || status=$?
cat "$out_file"
[[ $status -eq 1 ]]
grep -q 'unanswered (connection broken or refused)' "$out_file"
grep -Eq '"requests":[1-9][0-9]{2,},"errors":[1-9][0-9]*,"unanswered":[1-9][0-9]*,' "$out_file"
