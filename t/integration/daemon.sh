#!/bin/bash
# netmond end to end with the test plugins: exact delivery, reload keeps
# queued messages, invalid reload keeps the old config, SIGTERM drains,
# background mode with pid file, self-metrics.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

plan 28

# conf FILE EXTRA: write a config with the netmond group and EXTRA groups.
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  pid_file = "$TMP/netmond.pid";
  log_level = "info";
  shutdown_timeout = 30;
};
$2
EOC
}

# --- options and -t ---
"$NETMOND" --version | grep -q "^netmond [0-9]"
ok $? "--version prints the version"
"$NETMOND" --help | grep -q -- "--test"
ok $? "--help lists the options"

conf "$TMP/good.conf" 'consumer = { output = "'"$TMP"'/c.out"; };'
"$NETMOND" -t -C "$TMP/good.conf" >"$TMP/t.out" 2>&1
ok $? "-t accepts a valid config"

conf "$TMP/bad.conf" 'consumer = { output = "x"; delay = 99; };
nosuch = { };'
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
st=$?
ok $((st == 1 ? 0 : 1)) "-t exits 1 on an invalid config"
grep -q "^$TMP/bad.conf:10: consumer.delay: 99 is out of range 0..10$" "$TMP/t.out"
ok $? "-t names file:line and setting of a bad value"
grep -q "^$TMP/bad.conf:11: unknown plugin 'nosuch': no nosuch.la or nosuch.so in $PLUGDIR" "$TMP/t.out"
ok $? "-t names an unknown plugin and the folders searched" || diag "$(cat "$TMP/t.out")"

# --- exact delivery ---
N=20000
conf "$TMP/run.conf" "producer = { count = $N; per_tick = 2000; interval = 0.01; };
consumer = { output = \"$TMP/c1.out\"; };"
spawn PID "$NETMOND" -f -C "$TMP/run.conf" 2>"$TMP/log1"
wait_for 10 test -S "$SOCK"
ok $? "netmond -f starts and opens its control socket"
wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.consumer.counters.received')\" = $N ]"
ok $? "consumer received all $N messages"
[ "$(stat_of '.plugins.consumer.counters.out_of_order')" = 0 ]
ok $? "in publish order"
[ "$(stat_of '.subscriptions[] | select(.name=="consumer:metrics") | .dropped')" = 0 ]
ok $? "with no drop counted"
ctl plugins | grep -q "^producer"
ok $? "netmonctl plugins lists the producer"
wait_for 5 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.core.counters.published')\" -gt 0 ]"
ok $? "netmon publishes its own metrics every interval"
kill -TERM "$PID"
wait_exit "$PID" 20
ok $? "SIGTERM stops netmond"
ok "$EXIT_STATUS" "and it exits 0"
grep -q "received $N out_of_order 0 last $((N - 1))" "$TMP/c1.out"
ok $? "consumer's shutdown saw exactly $N" || diag "$(cat "$TMP/c1.out")"

# --- reload keeps queued messages; invalid reload keeps the old config ---
N=5000
conf "$TMP/reload.conf" "producer = { count = $N; per_tick = $N; };
consumer = { output = \"$TMP/c2.out\"; delay = 0.05; };"
spawn PID "$NETMOND" -f -C "$TMP/reload.conf" 2>"$TMP/log2"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.producer.counters.sequence_published')\" = $N ]"
depth=$(stat_of '.subscriptions[] | select(.name=="consumer:metrics") | .depth')
[ "${depth:-0}" -gt 1000 ]
ok $? "messages are queued before the reload (depth $depth)"
cp "$TMP/reload.conf" "$TMP/keep.conf"
conf "$TMP/reload.conf" "consumer = { output = \"$TMP/c2.out\"; delay = 0.05; colour = 1; };"
ctl reload >"$TMP/r.out" 2>&1
st=$?
ok $((st == 1 ? 0 : 1)) "netmonctl reload refuses an invalid config"
grep -q "reload.conf:10: consumer: unknown setting 'colour'" "$TMP/r.out"
ok $? "and says why with file:line" || diag "$(cat "$TMP/r.out")"
ctl plugins | grep -q "^producer"
ok $? "the old configuration keeps running"
conf "$TMP/reload.conf" "consumer = { output = \"$TMP/c2.out\"; delay = 0; };"
kill -HUP "$PID"
wait_for 10 sh -c "! $NETMONCTL -s $SOCK plugins | grep -q ^producer"
ok $? "SIGHUP reloads a valid config (producer removed)"
kill -TERM "$PID"
wait_exit "$PID" 30
ok "$EXIT_STATUS" "netmond exits 0 after the reload"
total=$(awk '{s += $2; o += $4} END {print s, o}' "$TMP/c2.out")
[ "$total" = "$N 0" ]
ok $? "no message lost or reordered across the reload ($total)" || diag "$(cat "$TMP/c2.out")"

# --- SIGTERM drains a deep queue ---
N=3000
conf "$TMP/drain.conf" "producer = { count = $N; per_tick = $N; };
consumer = { output = \"$TMP/c3.out\"; delay = 0.02; };"
spawn PID "$NETMOND" -f -C "$TMP/drain.conf" 2>"$TMP/log3"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.producer.counters.sequence_published')\" = $N ]"
kill -TERM "$PID"
wait_exit "$PID" 30
grep -q "received $N out_of_order 0" "$TMP/c3.out"
ok $? "SIGTERM drains every queued message before exit" || diag "$(cat "$TMP/c3.out")"

# --- background mode ---
"$NETMOND" -C "$TMP/good.conf"
st=$?
pid=$(cat "$TMP/netmond.pid" 2>/dev/null)
[ $st -eq 0 ] && [ -n "$pid" ] && kill -0 "$pid"
ok $? "netmond -C detaches, writes its pid file and keeps running"
[ -n "$pid" ] && _pids="$_pids $pid"
ctl status | grep -q "^netmond .* running, pid $pid"
ok $? "netmonctl status answers from the background daemon"
kill -TERM "$pid" 2>/dev/null
wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"

# --- root without netmond.user is refused unless told ---
if [ "$(id -u)" -ne 0 ]; then
	for i in 1 2 3; do echo "ok $((_n + i)) # SKIP not root"; done
	_n=$((_n + 3))
else
	env -u NETMOND_ALLOW_ROOT "$NETMOND" -f -C "$TMP/good.conf" >"$TMP/root.out" 2>&1
	st=$?
	ok $((st == 1 ? 0 : 1)) "as root with no netmond.user, netmond refuses to start"
	grep -q "^netmond: $TMP/good.conf: refusing to run plugins as root: set netmond.user .* netmond.allow_root = true" "$TMP/root.out"
	ok $? "and says why, naming the file and both ways out" || diag "$(cat "$TMP/root.out")"
	conf "$TMP/root.conf" 'consumer = { output = "'"$TMP"'/root.c.out"; };'
	sed -i 's/^  interval = 1;/  interval = 1; allow_root = true;/' "$TMP/root.conf"
	rm -f "$SOCK"
	spawn PID env -u NETMOND_ALLOW_ROOT "$NETMOND" -f -C "$TMP/root.conf" 2>"$TMP/log-root"
	wait_for 10 test -S "$SOCK"
	ok $? "netmond.allow_root = true lets it run as root" || diag "$(tail -5 "$TMP/log-root")"
	kill -TERM "$PID"
	wait_exit "$PID" 30
fi
finish
