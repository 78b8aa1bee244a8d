#!/usr/bin/env bash
# Follows docs/operators.md (and the curl and Python examples of docs/integrators.md) in a fresh
# virtual environment, with the commands as written, except that /opt/ecsta and /etc/ecsta
# are directories under a temporary one and nothing is installed into the system (no user, no
# systemd units: tests/test_sample_configs.py checks those). Needs network access to the
# package index, python3 and curl (tshark, when installed, lists the capture too); uses the ports the documentation names (33333,
# 33335, 8081, 8782), which must be free. Run it from anywhere:
#
#     bash tests/check_operator_docs.sh
#
# It ends with "operator docs: OK" or stops at the first step that does not work as written.
set -euo pipefail
source_tree="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/ecsta-docs-XXXXXX)"
prefix="$work/opt-ecsta"
etc="$work/etc-ecsta"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work" /tmp/try-mux.toml /tmp/try-driver.toml /tmp/ecsta-try
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*"; for log in "$work"/*.log; do echo "--- $log"; tail -n 30 "$log"; done; exit 1; }
wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on port $1"
}
for port in 33333 33335 8081 8782; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is taken"; fi
done

step "1. Install"
cd "$source_tree"
python3 -m venv "$prefix"
"$prefix/bin/pip" install -q . 2>&1 | grep -v "^WARNING: Location" || true
"$prefix/bin/ecsta" --help > /dev/null || fail "pip install ."
"$prefix/bin/ecsta" --help >/dev/null || fail "ecsta --help"

step "2. Try it without a PBX"
cd "$work"
cat > /tmp/try-mux.toml <<'EOF'
[sim.control]
endpoint = "tcp:8081:interface=127.0.0.1"
EOF
"$prefix/bin/twistd" -n --pidfile= ecsta-mux --pbx sim --config /tmp/try-mux.toml > mux.log 2>&1 &
pids+=($!)
wait_port 33333; wait_port 33335; wait_port 8081
for _ in $(seq 1 50); do "$prefix/bin/ecsta" status > status.out 2>&1 && break; sleep 0.2; done
grep -q '^PBX link: up (' status.out || fail "ecsta status: $(cat status.out)"
"$prefix/bin/ecsta" watch 101 > watch.out 2> watch.err &
watch=$!
pids+=($watch)
for _ in $(seq 1 100); do grep -q monitoring watch.err && break; sleep 0.1; done
curl -s -X POST http://127.0.0.1:8081/api/devices/101/offhook > /dev/null
curl -s -X POST http://127.0.0.1:8081/api/devices/101/dial -d '{"digits": "102"}' > /dev/null
curl -s -X POST http://127.0.0.1:8081/api/devices/102/answer > /dev/null
for _ in $(seq 1 50); do grep -q ' established ' watch.out && break; sleep 0.1; done
# A script's background jobs ignore SIGINT, so the script stops the watch as systemd or kill
# would; Ctrl-C at a terminal ends it the same way (tests/test_cli_watch.py sends SIGINT).
kill -TERM "$watch"; wait "$watch" || fail "ecsta watch did not end cleanly"
cat watch.out
grep -q ' serviceInitiated   call 0001 at 101  initiating=101 state=initiated cause=newCall$' \
  watch.out || fail "watch output"
grep -q ' delivered          call 0001 at 102  alerting=102 calling=101 called=102' watch.out \
  || fail "watch output"
cat > /tmp/try-driver.toml <<'EOF'
[admin]
licenceDirectory = "/tmp/ecsta-try"
stateDirectory = "/tmp/ecsta-try/driver"
EOF
"$prefix/bin/twistd" -n --pidfile= ecsta-driver --config /tmp/try-driver.toml > driver.log 2>&1 &
pids+=($!)
wait_port 8782
for _ in $(seq 1 50); do
  "$prefix/bin/ecsta" status --api http://127.0.0.1:8782 > driver-status.out 2>&1 && break
  sleep 0.2
done
grep -q '^PBX link: up$' driver-status.out || fail "driver status: $(cat driver-status.out)"
grep -q '^ecsta-driver ' driver-status.out || fail "driver status has no version"
"$prefix/bin/ecsta" dial 103 104 | tee dial.out
grep -Eq '^call [0-9]+ on line 103 to 104: LINECALLSTATE_RINGBACK$' dial.out || fail "ecsta dial"
"$prefix/bin/ecsta" status --api http://127.0.0.1:8782
curl -sf http://127.0.0.1:33335/console/ > /dev/null || fail "the mux's console"
# Into files first: grep -q stops reading early, and pipefail would count curl's broken pipe.
curl -sf http://127.0.0.1:8782/metrics > driver-metrics.txt || fail "driver metrics"
grep -q '^ecsta_driver_pbx_link_up 1.0$' driver-metrics.txt || fail "driver metrics"
grep -q '^ecsta_build_info{program="ecsta-driver",version=' driver-metrics.txt \
  || fail "driver build info"
curl -sf http://127.0.0.1:33335/metrics > mux-metrics.txt || fail "mux metrics"
grep -q '^ecsta_mux_pbx_link_up 1.0$' mux-metrics.txt || fail "mux metrics"

step "docs/integrators.md: a call from start to end, with curl"
# The phones of the steps above hang up first.
for phone in 101 103; do curl -s -X POST http://127.0.0.1:8081/api/devices/$phone/onhook > /dev/null; done
sleep 0.5
API=http://127.0.0.1:8782/api/v1
curl -sf $API/lines > /dev/null
made=$(curl -sf -X POST $API/lines/103/makecall -d '{"to": "104"}')
echo "$made"
call=$(echo "$made" | "$prefix/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["call"])')
curl -sf $API/calls/$call | grep -q LINECALLSTATE_ || fail "GET /calls/$call"
offering=""
for _ in $(seq 1 50); do
  offering=$(curl -sf $API/calls | "$prefix/bin/python" -c '
import json, sys
calls = json.load(sys.stdin)["calls"]
print(next((c["id"] for c in calls if c["line"] == "104" and c["address"] == 0
            and c["state"] == "LINECALLSTATE_OFFERING"), ""))')
  [ -n "$offering" ] && break; sleep 0.1
done
[ -n "$offering" ] || fail "no offering call on 104"
curl -sf -X POST $API/calls/$offering/answer > /dev/null || fail "answer"
curl -sf -X POST $API/calls/$offering/hold > /dev/null || fail "hold"
curl -sf -X POST $API/calls/$offering/unhold > /dev/null || fail "unhold"
curl -sf -X POST $API/calls/$call/blindtransfer -d '{"to": "105"}' > /dev/null || fail "blindtransfer"
for _ in $(seq 1 50); do
  transferred=$(curl -sf $API/calls | "$prefix/bin/python" -c '
import json, sys
print(next((c["id"] for c in json.load(sys.stdin)["calls"]
            if c["line"] == "104" and c["state"] == "LINECALLSTATE_CONNECTED"), ""))')
  [ -n "$transferred" ] && break; sleep 0.1
done
curl -sf -X POST $API/calls/$transferred/drop > /dev/null || fail "drop"
curl -sf -X POST $API/lines/101/forward -d \
  '{"address": 0, "forwards": [{"mode": "LINEFORWARDMODE_BUSY", "to": "103"}]}' > /dev/null \
  || fail "forward"
curl -sf $API/lines/101/addresses/0/status | grep -q LINEFORWARDMODE_BUSY || fail "forward status"
curl -sf -X POST $API/lines/101/forward -d '{"forwards": []}' > /dev/null || fail "cancel forward"
curl -sf $API/settings > /dev/null || fail "settings"
curl -sf -X PUT $API/settings -d '{"advanced": {"snapshotInterval": 30}}' > /dev/null || fail "PUT settings"
curl -sf -X POST $API/numberformat/check -d '{"category": "incoming", "number": "030123456"}' || fail "check"
curl -sf -X POST $API/sipfilter/check -d '{"name": "Door", "number": "190"}' || fail "sip check"
curl -sf $API/license > /dev/null || fail "license"
curl -sf $API/lines/export > lines.txt || fail "export"
curl -sf -X POST $API/lines/import --data-binary @lines.txt > /dev/null || fail "import"

step "docs/integrators.md: the Python examples"
"$prefix/bin/python" - <<'EOF' || fail "the REST example"
import json
import os
import urllib.request

API = "http://127.0.0.1:8782/api/v1"
TOKEN = os.environ.get("ECSTA_API_TOKEN")


def call_api(method, path, body=None):
    request = urllib.request.Request(
        API + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"authorization": f"Bearer {TOKEN}"} if TOKEN else {},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


made = call_api("POST", "/lines/101/makecall", {"to": "102"})
print("call", made["call"], call_api("GET", f"/calls/{made['call']}")["state"])
EOF
sed -n '/^```python$/,/^```$/p' "$source_tree/docs/integrators.md" \
  | awk '/^```python$/{n++; next} /^```$/{next} n==2' > events.py
grep -q WebSocketClientEndpoint events.py || fail "the events example was not found"
timeout 5 "$prefix/bin/python" events.py > events.out 2>&1 &
events=$!
sleep 2
curl -sf -X POST $API/lines/106/makecall -d '{"to": "107"}' > /dev/null
wait "$events" || true
cat events.out
grep -q '^connected$' events.out || fail "the events example did not connect"
grep -q '^LINE_CALLSTATE 106 ' events.out || fail "the events example saw no LINE_CALLSTATE"

step "3. Configure (samples into $etc, checked as section 3 checks them)"
mkdir -p "$etc"
cp "$source_tree/etc/mux.toml" "$source_tree/etc/driver.toml" "$etc/"
"$prefix/bin/ecsta" check "$etc/mux.toml" "$etc/driver.toml" || fail "ecsta check of the samples"

step "5. Checking and reloading (on the mux of section 2)"
printf '[pbx]\nendpoint = "tcp:host=pbx"\n' > "$work/broken-mux.toml"
if "$prefix/bin/ecsta" check "$work/broken-mux.toml" > check.out; then fail "ecsta check passed a broken file"; fi
cat check.out
grep -q "pbx.endpoint: 'tcp:host=pbx' has no port" check.out || fail "ecsta check's message"
printf '[users]\n' >> /tmp/try-mux.toml
printf 'a long password\n' | "$prefix/bin/ecsta" hash-password --user crm >> /tmp/try-mux.toml
"$prefix/bin/ecsta" reload | tee reload.out
grep -q '^reloaded users: added crm$' reload.out || fail "ecsta reload"
"$prefix/bin/ecsta" reload --api http://127.0.0.1:8782 | tee reload-driver.out
grep -q '^reloaded, nothing changed$' reload-driver.out || fail "ecsta reload --api"
# The simulator of section 2 is the mux's own: it says to reload the mux instead.
if "$prefix/bin/ecsta" reload --sim http://127.0.0.1:8081 2> reload-sim.err; then
  fail "ecsta reload --sim of the mux's simulator"
fi
grep -q 'inside a mux or driver: reload that instead' reload-sim.err || fail "$(cat reload-sim.err)"
kill -HUP "${pids[0]}"
for _ in $(seq 1 50); do grep -q 'ecsta-mux: reloaded' mux.log && break; sleep 0.1; done
kill -0 "${pids[0]}" || fail "SIGHUP ended the mux"
"$prefix/bin/ecsta" status > /dev/null || fail "the mux after SIGHUP"

step "6. Users"
printf 'a password\n' | "$prefix/bin/ecsta" hash-password --user crm | tee -a "$etc/mux.toml"
"$prefix/bin/python" - "$etc/mux.toml" <<'EOF'
import sys
from ecsta.mux.config import load
assert load(sys.argv[1]).user_table().verify("crm", "a password"), "the user cannot log in"
EOF

step "10. Capture"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
"$prefix/bin/twistd" -n --pidfile= ecsta-mux --pbx sim --capture "$work/mux-pbx.pcap" > mux2.log 2>&1 &
pids+=($!)
wait_port 33333
"$prefix/bin/ecsta" watch 101 --seconds 1 2>/dev/null || fail "watch for the capture"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()
"$prefix/bin/ecsta" decode --file "$work/mux-pbx.pcap" > decoded.txt || fail "ecsta decode"
if command -v tshark > /dev/null; then tshark -r "$work/mux-pbx.pcap" | head -n 5; fi
grep -q '^aarq  context 1.3.12.0.218' decoded.txt || fail "no AARQ in the capture"
grep -q 'operation monitorStart (71)' decoded.txt || fail "no monitorStart in the capture"

step "11. Upgrading"
cd "$source_tree"
"$prefix/bin/pip" install -q --upgrade . 2>&1 | grep -v "^WARNING: Location" || true
"$prefix/bin/ecsta" check "$etc/mux.toml" "$etc/driver.toml" || fail "ecsta check after the upgrade"

echo
echo "operator docs: OK"
