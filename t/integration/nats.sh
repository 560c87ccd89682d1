#!/bin/bash
# The nats plugin end to end with a real nats-server (JetStream) on
# loopback: an edge netmond publishing N messages of each of the six types
# through the bridge, a central netmond receiving them into its bus (every
# field checked by the natsfeed plugin); then the central node stopped for
# ~10 s while the edge goes on publishing, and restarted: nothing lost.
# Also core NATS (no JetStream) and a node running both modes without loops.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

for tool in nats-server jq ss; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
plan 22

PLUGDIRS="$top_builddir/plugins/nats:$top_builddir/t/data/nats"
TYPES="metric event flow config state notification"
ALL='[ "metric", "event", "flow", "config", "state", "notification" ]'

PORT=$(free_port)
URL="nats://127.0.0.1:$PORT"

start_nats() {
	spawn NATS_PID nats-server -js -a 127.0.0.1 -p "$PORT" -sd "$TMP/js" \
		-l "$TMP/nats-server.log"
	wait_for 30 sh -c "ss -ltn | grep -q '127.0.0.1:$PORT '"
}

# conf FILE NAME BODY: a netmond config for node NAME (socket $TMP/NAME.sock)
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 3600;
  hostname = "$2";
  plugin_dir = "$PLUGDIRS";
  state_dir = "$TMP/state-$2";
  control_socket = "$TMP/$2.sock";
  log_level = "info";
};
$3
EOC
	mkdir -p "$TMP/state-$2"
}

# start NAME: netmond with $TMP/NAME.conf, pid in PID_NAME
start() {
	rm -f "$TMP/$1.sock"
	spawn "PID_$1" "$NETMOND" -f -C "$TMP/$1.conf" 2>>"$TMP/log.$1"
	wait_for 10 test -S "$TMP/$1.sock"
}
stop() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid"
	wait_exit "$pid" 30
}
sof() { "$NETMONCTL" -s "$TMP/$1.sock" stats --json | jq -r "$2"; }

# all_received NAME N: every type's counter reached N
all_received() {
	local t
	for t in $TYPES; do
		[ "$("$NETMONCTL" -s "$TMP/$1.sock" stats --json | jq ".plugins.natsfeed.counters.${t}_received")" = "$2" ] || return 1
	done
}
# clean NAME: no bad, out-of-order or duplicate message of any type
clean() {
	"$NETMONCTL" -s "$TMP/$1.sock" stats --json |
		jq -e '[.plugins.natsfeed.counters | to_entries[] |
			select(.key | test("_(bad|out_of_order|duplicate)$")) | .value] | add == 0' >/dev/null
}

start_nats
ok $? "nats-server -js starts on port $PORT" || diag "$(cat "$TMP/nats-server.log")"

# --- JetStream: edge -> central, every type, exact counts ---
N=2000
conf "$TMP/central.conf" central "nats = { url = \"$URL\"; subscribe = $ALL; durable = \"central\"; };
natsfeed = { check = true; };"
conf "$TMP/edge.conf" edge "nats = { url = \"$URL\"; publish = $ALL; };
natsfeed = { send = $N; per_tick = 200; interval = 0.01; };"
"$NETMOND" -t -C "$TMP/central.conf" >"$TMP/t.out" 2>&1 &&
"$NETMOND" -t -C "$TMP/edge.conf" >>"$TMP/t.out" 2>&1
ok $? "netmond -t accepts edge and central nats groups" || diag "$(cat "$TMP/t.out")"
start central
ok $? "central netmond starts"
start edge
ok $? "edge netmond starts"
wait_for 60 all_received central $N
ok $? "central received $N messages of each of the 6 types" ||
	diag "$(sof central .plugins.natsfeed.counters)" "$(sof edge .plugins.nats)" "$(sof central .plugins.nats)"
clean central
ok $? "every field as sent, in order, no duplicates" || diag "$(sof central .plugins.natsfeed.counters)"
[ "$(sof edge .plugins.nats.counters.sent)" = $((6 * N)) ] &&
[ "$(sof edge .plugins.nats.details.stream_ready)" = true ] &&
[ "$(sof edge .plugins.nats.counters.publish_errors)" = 0 ]
ok $? "edge stats: $((6 * N)) published into the stream, no errors" || diag "$(sof edge .plugins.nats)"
[ "$(sof central .plugins.nats.counters.acked)" = $((6 * N)) ] &&
[ "$(sof central .plugins.nats.counters.decode_errors)" = 0 ] &&
[ "$(sof central .plugins.nats.details.connected)" = true ]
ok $? "central stats: $((6 * N)) acknowledged, no decode errors" || diag "$(sof central .plugins.nats)"
stop edge
ok "$EXIT_STATUS" "edge exits 0" || diag "$(tail -n 40 "$TMP/log.edge")"

stop central
ok "$EXIT_STATUS" "central exits 0" || diag "$(tail -n 40 "$TMP/log.central")"

# --- central down ~10 s while the edge publishes: nothing lost ---
# A fresh subject prefix and stream, so the sequence numbers start afresh.
N2=3000
conf "$TMP/central.conf" central "nats = { url = \"$URL\"; subscribe = $ALL; durable = \"central\";
  subject_prefix = \"nm2\"; stream = \"NM2\"; };
natsfeed = { check = true; state = \"$TMP/seen\"; };"
conf "$TMP/edge.conf" edge "nats = { url = \"$URL\"; publish = $ALL; subject_prefix = \"nm2\"; stream = \"NM2\"; };
natsfeed = { send = $N2; per_tick = 25; interval = 0.1; };"
start central
start edge
ok $? "edge restarted, publishing $N2 x 6 over ~12 s"
sleep 1.5
stop central
ok "$EXIT_STATUS" "central stopped while the edge publishes" || diag "$(tail -n 40 "$TMP/log.central")"
diag "first central: $(grep -o 'natsfeed: last .*' "$TMP/log.central" | tail -1)"
sleep 10
[ "$(sof edge .plugins.nats.details.connected)" = true ] &&
[ "$(sof edge .plugins.nats.counters.publish_errors)" = 0 ]
ok $? "the edge kept publishing while the central node was down ($(sof edge .plugins.nats.counters.sent) so far)"
start central
ok $? "central restarted after ~10 s"
distinct_all() {
	local t
	for t in $TYPES; do
		[ "$("$NETMONCTL" -s "$TMP/central.sock" stats --json | jq ".plugins.natsfeed.details.$t")" = "$1" ] || return 1
	done
}
wait_for 60 distinct_all $N2
ok $? "no message lost across the outage: all $N2 of every type arrived" ||
	diag "$(sof central .plugins.natsfeed)" "$(sof central .plugins.nats)"
[ "$(sof central '[.plugins.natsfeed.counters | to_entries[] | select(.key | test("_bad$")) | .value] | add')" = 0 ] &&
[ "$(sof central .plugins.nats.counters.decode_errors)" = 0 ]
ok $? "every field as sent, no decode errors"
diag "redelivered duplicates (at-least-once): $(sof central '[.plugins.natsfeed.counters | to_entries[] | select(.key | test("_duplicate$")) | .value] | add')"
stop edge
ok "$EXIT_STATUS" "edge exits 0" || diag "$(tail -n 40 "$TMP/log.edge")"
stop central
ok "$EXIT_STATUS" "central exits 0" || diag "$(tail -n 40 "$TMP/log.central")"

# --- core NATS (no JetStream), and one node in both modes: no loops ---
conf "$TMP/both.conf" both "nats = { url = \"$URL\"; jetstream = false; publish = $ALL; subscribe = $ALL; };
natsfeed = { check = true; };"
conf "$TMP/edge2.conf" edge2 "nats = { url = \"$URL\"; jetstream = false; publish = $ALL; };
natsfeed = { send = 500; per_tick = 100; interval = 0.05; };"
start both && sleep 1 && start edge2
ok $? "core NATS: a node in both modes and an edge start"
wait_for 30 all_received both 500
ok $? "core NATS: 500 of each type delivered" || diag "$(sof both .plugins.natsfeed.counters)" "$(sof both .plugins.nats)"
sleep 1
clean both && [ "$(sof both .plugins.nats.counters.sent)" = 0 ] && [ "$(sof both .plugins.nats.counters.skipped_loop)" = 3000 ] &&
[ "$(sof both .plugins.nats.counters.received)" = 3000 ]
ok $? "the node in both modes sent nothing back (no loop)" || diag "$(sof both .plugins.nats)"
stop edge2
stop both

# --- credentials in the URL never reach logs or stats ---
conf "$TMP/cred.conf" cred "nats = { url = \"nats://netmon:s3cr3tpw@127.0.0.1:$PORT\"; publish = [ \"metric\" ]; jetstream = false; };"
start cred
wait_for 15 sh -c "[ \"\$('$NETMONCTL' -s '$TMP/cred.sock' stats --json | jq -r .plugins.nats.details.connected)\" = true ]"
connected=$?
"$NETMONCTL" -s "$TMP/cred.sock" stats --json >"$TMP/cred.stats"
[ $connected = 0 ] && grep -q "127.0.0.1:$PORT" "$TMP/cred.stats" &&
	! grep -q s3cr3tpw "$TMP/log.cred" "$TMP/cred.stats"
ok $? "a URL with user:password@ connects; stats name the server without the password ($(jq -c .plugins.nats.details.url "$TMP/cred.stats")), logs never show it"
stop cred
finish
