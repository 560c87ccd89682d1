#!/bin/bash
# TCP syslog flood (issue 12): 10,000 idle connections plus one 1 GiB stream
# without a newline. The per-connection buffer is capped (the stream yields
# one truncated message of max_message_size and is discarded up to the LF
# that never comes), other senders are served meanwhile, and netmond's peak
# RSS stays bounded (printed). The test raises its own open-files limit;
# netmond raises its soft limit to max_connections + 1024 by itself.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIRS="\"$top_builddir/plugins/syslog\", \"$top_builddir/plugins/events\""
IDLE=${IDLE:-10000}
FLOOD_MB=${FLOOD_MB:-1024}
RSS_CAP_MB=256 # over the baseline; an uncapped buffer would take 1 GiB

for tool in logger jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
# the client subshell holds IDLE sockets; netmond gets this limit as its
# hard limit and raises its soft limit within it
ulimit -n $((IDLE + 1500)) 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" -lt $((IDLE + 200)) ]; then
	echo "1..0 # SKIP ulimit -n is $(ulimit -n), $IDLE idle connections need more"
	exit 0
fi

plan 10

PORT=$(free_port)
cat >"$TMP/run.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = [ $PLUGDIRS ];
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 20;
};
syslog = {
  listen = ( { address = "127.0.0.1"; port = $PORT; protocol = "tcp"; } );
  max_connections = $((IDLE + 100));
};
events = { };
EOC
mkdir -p "$TMP/state"
# start netmond with a soft limit below what it needs: it must raise it
spawn PID bash -c "ulimit -Sn 1024; exec \"$NETMOND\" -f -C \"$TMP/run.conf\"" 2>"$TMP/log"
wait_for 20 test -S "$SOCK"
ok $? "netmond starts" || diag "$(cat "$TMP/log")"
nofile=$(awk '/Max open files/ {print $4}' "/proc/$PID/limits")
[ "$nofile" -ge $((IDLE + 100)) ]
ok $? "netmond raised its open-files limit from 1024 to $nofile" || diag "$(grep -i 'open files' "$TMP/log")"

rss_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$PID/status"; }
conns() { stat_of '.plugins.syslog.details.connections'; }
count_app() { ctl events --limit 1000 --json | jq "[.[] | select(.app_name == \"$1\")] | length"; }
base=$(rss_mb)

# IDLE idle connections, held by a subshell until it is killed
(
	for _ in $(seq "$IDLE"); do
		exec {fd}<>/dev/tcp/127.0.0.1/$PORT || exit 1
	done
	sleep 600
) 2>"$TMP/idle.err" &
idle_pid=$!
_pids="$_pids $idle_pid"
wait_for 120 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.details.connections') -ge $IDLE ]"
ok $? "$IDLE idle connections are open ($(conns))" || diag "$(tail -3 "$TMP/idle.err")" "$(tail -3 "$TMP/log")"

# one stream of FLOOD_MB MiB without a newline, in the background
t0=$(date +%s.%N)
(head -c $((FLOOD_MB * 1048576)) /dev/zero | tr '\0' 'x' >"/dev/tcp/127.0.0.1/$PORT") 2>"$TMP/flood.err" &
flood_pid=$!
_pids="$_pids $flood_pid"
wait_for 60 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.counters.truncated') -ge 1 ]"
ok $? "the stream without a newline yields a truncated message at max_message_size"

# another sender is served while the stream and the idle connections last
seq 1 200 | logger --server 127.0.0.1 --port "$PORT" --tcp --rfc3164 -t duringflood
wait_for 60 sh -c "[ \$($NETMONCTL -s $SOCK events --limit 1000 --json | jq '[.[] | select(.app_name == \"duringflood\")] | length') -ge 200 ]"
ok $? "another TCP sender's 200 messages arrive during the flood ($(count_app duringflood))"
if kill -0 "$flood_pid" 2>/dev/null; then
	diag "(the 1 GiB stream was still being sent when they had arrived)"
fi

wait "$flood_pid"
frc=$?
t1=$(date +%s.%N)
ok $frc "the whole ${FLOOD_MB} MiB stream was accepted by netmond ($(echo "$t1 - $t0" | bc) s)" || diag "$(cat "$TMP/flood.err")"
# the stream's connection is closed at its end; only the idle ones remain
wait_for 30 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.details.connections') -eq $IDLE ]"
n_trunc=$(stat_of '.plugins.syslog.counters.truncated')
long=$(ctl events --limit 1000 --json | jq '[.[] | select((.text | length) >= 65000)] | length')
[ "$n_trunc" = 1 ] && [ "$long" = 1 ]
ok $? "the stream is one truncated message of 64 KiB, the rest discarded (truncated $n_trunc, stored $long)"

peak=$(rss_mb)
diag "netmond peak RSS ${peak} MB (baseline ${base} MB) with $IDLE idle connections and a ${FLOOD_MB} MiB stream"
[ $((peak - base)) -lt $RSS_CAP_MB ]
ok $? "peak RSS grew by $((peak - base)) MB, under $RSS_CAP_MB MB"

kill "$idle_pid"
wait "$idle_pid" 2>/dev/null
wait_for 60 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.details.connections') -eq 0 ]"
ok $? "closed connections are released"
kill -TERM "$PID"
wait_exit "$PID" 30
ok "$EXIT_STATUS" "netmond exits 0" || diag "$(tail -20 "$TMP/log")"
finish
