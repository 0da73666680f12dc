#!/usr/bin/env bash
# switchboard-load --list-readers against a server whose admin password is
# not the one given: the tool says the login failed, and exits 1.
#   list_readers_login.sh SWITCHBOARD_BINARY SWITCHBOARD_LOAD_BINARY
set -uo pipefail
server=$1 load=$2
coproc SERVER { exec "$server" --port 0 --data :memory: --log-level warn --admin-password the-right-password; }
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
read -r first <&"${SERVER[0]}"  # "listening on 127.0.0.1:PORT", printed once it listens
port=${first##*:}
out=$("$load" --mode ingest --url "http://127.0.0.1:$port" --admin-password a-wrong-password --list-readers 1 \
  --requests 10 --connections 1 2>&1)
rc=$?
echo "$out"
test "$rc" -eq 1 && grep -q 'admin login failed' <<<"$out"
