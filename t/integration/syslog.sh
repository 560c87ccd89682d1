#!/bin/bash
# syslog + events end to end on loopback: logger (util-linux) over UDP and
# TCP, RFC 3164 and RFC 5424 (LF and octet-counting framing), loggen
# (syslog-ng) over UDP and TCP: counts sent = counts stored. Hostile input:
# oversize frames, lying octet counts, NUL bytes, a stalled half frame,
# 1,000 idle connections; the daemon keeps serving and does not crash.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIRS="\"$top_builddir/plugins/syslog\", \"$top_builddir/plugins/events\""

for tool in logger loggen jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done


plan 38

PORT=$(free_port)
MAX=2048
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = [ $PLUGDIRS ];
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 10;
};
syslog = {
  listen = ( { address = "127.0.0.1"; port = $PORT; protocol = "udp"; },
             { address = "127.0.0.1"; port = $PORT; protocol = "tcp"; },
             { address = "::1"; port = $PORT; protocol = "udp"; },
             { address = "::1"; port = $PORT; protocol = "tcp"; } );
  max_message_size = $MAX;
  max_connections = 2000;
};
events = { };
$2
EOC
}
mkdir -p "$TMP/state"

# --- configuration errors ---
conf "$TMP/bad.conf"
sed -i 's/protocol = "tcp"; },$/protocol = "tls"; },/' "$TMP/bad.conf"
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
grep -q "bad.conf:1[0-9]: syslog.listen.*tls listener needs certificate and key" "$TMP/t.out"
ok $? "-t: a tls listener without certificate is an error with file:line" || diag "$(cat "$TMP/t.out")"
conf "$TMP/bad2.conf"
sed -i 's/address = "::1"; port = '"$PORT"'; protocol = "udp"/address = "localhost6"; port = '"$PORT"'; protocol = "udp"/' "$TMP/bad2.conf"
"$NETMOND" -t -C "$TMP/bad2.conf" >"$TMP/t.out" 2>&1
grep -q "address: 'localhost6' is not an IPv4 or IPv6 address" "$TMP/t.out"
ok $? "-t: a listen address that is not an IP address is an error" || diag "$(cat "$TMP/t.out")"

conf "$TMP/run.conf"
"$NETMOND" -t -C "$TMP/run.conf" >"$TMP/t.out" 2>&1
ok $? "-t accepts the config" || diag "$(cat "$TMP/t.out")"
spawn PID "$NETMOND" -f -C "$TMP/run.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts with syslog and events" || diag "$(cat "$TMP/log")"

stored() { stat_of '.plugins.events.counters.stored'; }
# count_app APP: events stored with that app_name
# (among the newest LIMIT events, default 2000: whole-table dumps are slow)
count_app() { ctl events --limit "${2:-2000}" --json | jq "[.[] | select(.app_name == \"$1\")] | length"; }
# wait_count APP N [LIMIT]
wait_count() { wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK events --limit ${3:-2000} --json | jq '[.[] | select(.app_name == \"$1\")] | length')\" = $2 ]"; }

# --- logger: UDP and TCP, RFC 3164 and RFC 5424 ---
N=300
seq 1 $N | logger --server 127.0.0.1 --port "$PORT" --udp --rfc3164 -t u3164
wait_count u3164 $N
ok $? "logger UDP RFC 3164: $N sent, $N stored ($(count_app u3164))"
seq 1 $N | logger --server 127.0.0.1 --port "$PORT" --udp --rfc5424 -t u5424
wait_count u5424 $N
ok $? "logger UDP RFC 5424: $N sent, $N stored ($(count_app u5424))"
seq 1 $N | logger --server 127.0.0.1 --port "$PORT" --tcp --rfc3164 -t t3164
wait_count t3164 $N
ok $? "logger TCP RFC 3164 (LF framing): $N stored ($(count_app t3164))"
seq 1 $N | logger --server 127.0.0.1 --port "$PORT" --tcp --rfc5424 --octet-count -t t5424
wait_count t5424 $N
ok $? "logger TCP RFC 5424 (octet counting): $N stored ($(count_app t5424))"
seq 1 20 | logger --server ::1 --port "$PORT" --tcp --rfc5424 -t v6tcp
wait_count v6tcp 20
ok $? "logger TCP over IPv6 ::1: 20 stored"
ctl events --host "$(hostname)" --grep 150 --limit 10 --json | jq -e 'map(select(.app_name == "t5424" and .text == "150")) | length == 1' >/dev/null
ok $? "events --host --grep finds one message by its text"
[ "$(ctl events --json --limit 1 | jq -r '.[0].source')" = "::1" ]
ok $? "the sender of an IPv6 message is ::1"
logger --server 127.0.0.1 --port "$PORT" --udp --rfc5424 -t sevtest -p local3.err "an error"
wait_count sevtest 1
[ "$(ctl events --severity err --json | jq '[.[] | select(.app_name=="sevtest" and .facility=="local3" and .severity=="err")] | length')" = 1 ]
ok $? "--severity err returns a local3.err message"
[ "$(ctl events --severity err --json | jq '[.[] | select(.app_name=="u3164")] | length')" = 0 ]
ok $? "--severity err leaves out notice messages"

# --- loggen: UDP and TCP (both framings) ---
loggen_run() { # NAME COUNT-PER-CONNECTION CONNECTIONS loggen-args...
	local name=$1 n=$(($2 * $3)) before after
	before=$(stored)
	loggen "${@:4}" --active-connections="$3" -n "$2" 127.0.0.1 "$PORT" >"$TMP/loggen.$name" 2>&1
	wait_for 30 sh -c "[ \$(( \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.events.counters.stored') - $before )) -ge $n ]"
	after=$(stored)
	[ $((after - before)) -eq "$n" ]
	ok $? "loggen $name: $n sent, $((after - before)) stored" || diag "$(tail -3 "$TMP/loggen.$name")"
}
loggen_run udp 5000 1 --inet --dgram -r 20000
loggen_run tcp 20000 1 --inet --stream -r 100000
loggen_run tcp-rfc5424-octet 20000 1 --inet --stream -P -r 100000
loggen_run tcp-3-connections 2000 3 --inet --stream -r 100000
[ "$(stat_of '.plugins.syslog.counters.dropped')" = 0 ] && [ "$(stat_of '.plugins.events.counters.write_errors')" = 0 ]
ok $? "no drop and no write error counted"

# --- hostile input ---
tr0=$(stat_of '.plugins.syslog.counters.truncated')
big=$(head -c 5000 /dev/zero | tr '\0' x)
printf '<13>Mar 15 11:00:00 h bigudp: %s' "$big" >/dev/udp/127.0.0.1/$PORT
wait_count bigudp 1 20
len=$(ctl events --json --limit 5 | jq '[.[] | select(.app_name=="bigudp")][0].text | length')
[ "$len" -eq $((MAX - 30)) ]
ok $? "an oversize datagram is stored truncated to max_message_size ($len chars of text)"
printf '<13>Mar 15 11:00:00 h biglf: %s\n<13>Mar 15 11:00:00 h afterbig: next\n' "$big" >/dev/tcp/127.0.0.1/$PORT
wait_count afterbig 1 20
ok $? "after an oversize LF frame the next frame on the connection is read"
body="<13>Mar 15 11:00:00 h bigoct: $big"
printf '%d %s13 <13>aftoct: x' "${#body}" "$body" >/dev/tcp/127.0.0.1/$PORT
wait_count aftoct 1 20
ok $? "after an oversize octet-counted frame the next frame is read"
[ "$(stat_of '.plugins.syslog.counters.truncated')" -ge $((tr0 + 3)) ]
ok $? "truncations are counted"
[ "$(stat_of '.plugins.syslog.details.senders["127.0.0.1"].truncated')" -ge 3 ]
ok $? "and counted for the sender"

fe0=$(stat_of '.plugins.syslog.counters.framing_errors')
printf '10 <13>ok1: x-5 <13>x' >/dev/tcp/127.0.0.1/$PORT
printf '10 <13>ok2: x12a <13>x' >/dev/tcp/127.0.0.1/$PORT
printf '10 <13>ok3: x9999999999 <13>x' >/dev/tcp/127.0.0.1/$PORT
printf '10 <13>ok4: x0 ' >/dev/tcp/127.0.0.1/$PORT
wait_for 10 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.counters.framing_errors') -ge $((fe0 + 4)) ]"
ok $? "negative, non-digit, 10-digit and zero octet counts are framing errors"
[ "$(ctl events --json --limit 50 | jq '[.[] | select(.app_name | test("^ok[1-4]$"))] | length')" = 4 ]
ok $? "the good frames before them are stored"
printf -- '-5 <13>x\n' >/dev/tcp/127.0.0.1/$PORT
wait_for 10 sh -c "$NETMONCTL -s $SOCK events --limit 5 --json | jq -e 'map(select(.text == \"-5 <13>x\")) | length == 1'"
ok $? "a connection starting with '-5' is LF-framed and kept raw as an event"

printf '<13>Mar 15 11:00:00 h nul: a\0b\n' >/dev/tcp/127.0.0.1/$PORT
wait_count nul 1 20
[ "$(ctl events --json --limit 5 | jq -r '[.[] | select(.app_name=="nul")][0].text')" = 'a\x00b' ]
ok $? "a NUL byte is stored escaped as \\x00"
printf '<13>Mar 15 11:00:00 h utf: caf\xe9\n' >/dev/udp/127.0.0.1/$PORT
wait_count utf 1 20
[ "$(ctl events --json --limit 5 | jq -r '[.[] | select(.app_name=="utf")][0].text')" = 'caf\xe9' ]
ok $? "invalid UTF-8 is stored escaped"
pf0=$(stat_of '.plugins.syslog.counters.parse_failures')
printf 'no pri at all' >/dev/udp/127.0.0.1/$PORT
wait_for 10 sh -c "$NETMONCTL -s $SOCK events --limit 5 --json | jq -e 'map(select(.text == \"no pri at all\" and .host == \"127.0.0.1\")) | length == 1'"
ok $? "unparseable input is stored raw with the sender as host"
[ "$(stat_of '.plugins.syslog.counters.parse_failures')" -gt "$pf0" ]
ok $? "and counted as a parse failure"

# half a frame, then silence: others are still served
exec 7<>/dev/tcp/127.0.0.1/$PORT
printf '500 <13>Mar 15 11:00:00 h stall: only part' >&7
logger --server 127.0.0.1 --port "$PORT" --tcp --rfc3164 -t whilestalled "served"
wait_count whilestalled 1 20
ok $? "a stalled half frame does not hold up other connections"
exec 7>&-

# 1,000 idle connections
if [ "$(ulimit -n)" -lt 1100 ]; then
	ulimit -n 1100 2>/dev/null
fi
if [ "$(ulimit -n)" -ge 1100 ]; then
	(
		for _ in $(seq 1000); do
			exec {fd}<>/dev/tcp/127.0.0.1/$PORT || exit 1
		done
		sleep 60
	) &
	idle_pid=$!
	_pids="$_pids $idle_pid"
	wait_for 20 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.details.connections') -ge 1000 ]"
	ok $? "1,000 idle connections are accepted ($(stat_of '.plugins.syslog.details.connections'))"
	seq 1 100 | logger --server 127.0.0.1 --port "$PORT" --tcp --rfc3164 -t withidle
	seq 1 100 | logger --server 127.0.0.1 --port "$PORT" --udp --rfc3164 -t withidleu
	wait_count withidle 100 300 && wait_count withidleu 100 300
	ok $? "with them open, TCP and UDP senders are served"
	kill "$idle_pid"
	wait "$idle_pid" 2>/dev/null
	wait_for 20 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.details.connections') -eq 0 ]"
	ok $? "and closed connections are released"
else
	ok 0 "# SKIP ulimit -n is below 1100"
	ok 0 "# SKIP ulimit -n is below 1100"
	ok 0 "# SKIP ulimit -n is below 1100"
fi

kill -0 "$PID"
ok $? "netmond is still running"
[ "$(stat_of '.plugins.syslog.details.senders["127.0.0.1"].messages')" -gt 50000 ]
ok $? "per-sender message counter"
kill -TERM "$PID"
wait_exit "$PID" 20
ok "$EXIT_STATUS" "netmond exits 0" || diag "$(tail -20 "$TMP/log")"
! grep -Eiq "critical|runtime error|AddressSanitizer" "$TMP/log"
ok $? "no GLib critical or sanitizer report in the log" || diag "$(grep -Ei "critical|runtime error|AddressSanitizer" "$TMP/log" | head)"
finish
