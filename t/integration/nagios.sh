#!/bin/bash
# nagios plugin end to end with real Monitoring Plugins (check_dummy,
# check_tcp, check_ping from Debian monitoring-plugins-basic) against
# loopback, a check that hangs (killed at its timeout: UNKNOWN), one that
# prints 1 MiB (truncated), one that exits 137 (UNKNOWN), perfdata as METRIC.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
#
# Traffic goes only to 127.0.0.1. Every process is killed at exit.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/nagios"
MP=/usr/lib/nagios/plugins
CHECKS="$top_srcdir/t/data/checks"

plan 16

if [ ! -x "$MP/check_dummy" ] || ! command -v socat >/dev/null; then
	for i in $(seq 1 16); do echo "ok $i # SKIP monitoring-plugins-basic or socat missing"; done
	exit 0
fi

# A TCP listener on loopback for check_tcp.
PORT=$(free_port)
spawn SOCAT socat TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo hello'
wait_for 5 "$MP/check_tcp" -H 127.0.0.1 -p $PORT
CLOSED=$((PORT + 1))

cat >"$TMP/n.conf" <<EOC
netmond = {
  interval = 1;
  workers = 4;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 5;
};
nagios = {
  max_concurrent = 3;
  timeout = 5;
  output_limit = 8192;
  checks = (
    { host = "lo"; service = "dummy-ok"; command = ["$MP/check_dummy", "0", "all good"]; interval = 1; },
    { host = "lo"; service = "dummy-warn"; command = ["$MP/check_dummy", "1", "a bit"]; interval = 1; },
    { host = "lo"; service = "dummy-crit"; command = ["$MP/check_dummy", "2"]; interval = 1; },
    { host = "lo"; service = "tcp-open"; command = ["$MP/check_tcp", "-H", "127.0.0.1", "-p", "$PORT"]; interval = 1; },
    { host = "lo"; service = "tcp-closed"; command = ["$MP/check_tcp", "-H", "127.0.0.1", "-p", "$CLOSED"]; interval = 1; },
    { host = "lo"; service = "ping"; command = ["$MP/check_ping", "-H", "127.0.0.1", "-w", "100,20%", "-c", "200,50%", "-p", "2", "-t", "5"]; interval = 2; },
    { host = "lo"; service = "hang"; command = ["$CHECKS/hang", "$TMP/hang.pid"]; interval = 30; timeout = 1; },
    { host = "lo"; service = "big"; command = ["$CHECKS/bigout"]; interval = 2; },
    { host = "lo"; service = "e137"; command = ["$CHECKS/exit137"]; interval = 1; },
    { host = "lo"; service = "shell"; command = ["echo 'SH OK - via shell' | cat; exit 1"]; shell = true; interval = 1; },
    { host = "lo"; service = "perf"; command = ["$CHECKS/perf"]; interval = 1; }
  );
};
EOC
"$NETMOND" -t -C "$TMP/n.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the nagios config" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/n.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
# d SERVICE FIELD
d() { ctl stats --json | jq -r ".plugins.nagios.details.checks[\"lo/$1\"].$2"; }
# The hang check (interval 30 s) first runs at its phase in the interval:
# up to 30 s after start.
wait_for 40 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '[.plugins.nagios.details.checks[] | select(.state==\"PENDING\")] | length')\" = 0 ]"
ok $? "every check ran" || diag "$(ctl stats --json | jq .plugins.nagios.details)"

[ "$(d dummy-ok state)" = OK ] && [ "$(d dummy-ok output)" = "OK: all good" ]
ok $? "check_dummy 0 is OK with its first line as output"
[ "$(d dummy-warn state)" = WARNING ] && [ "$(d dummy-crit state)" = CRITICAL ]
ok $? "check_dummy 1 is WARNING, 2 is CRITICAL"
[ "$(d tcp-open state)" = OK ]
ok $? "check_tcp to a listening loopback port is OK ($(d tcp-open output))"
[ "$(d tcp-closed state)" = CRITICAL ]
ok $? "check_tcp to a closed port is CRITICAL ($(d tcp-closed output))"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '.plugins.nagios.details.checks[\"lo/ping\"].state')\" = OK ]"
ok $? "check_ping 127.0.0.1 is OK ($(d ping output))"
wait_for 40 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '.plugins.nagios.details.checks[\"lo/hang\"].state')\" = UNKNOWN ]"
ok $? "a hanging check is UNKNOWN after its timeout"
d hang output | grep -q "timed out after 1.0 s"
ok $? "and says it timed out ($(d hang output))"
[ "$(d hang duration_ms | cut -d. -f1)" -lt 3500 ]
ok $? "the hanging check was killed within timeout + grace ($(d hang duration_ms) ms)"
# The check's child (its pid in hang.pid; not another test's "sleep 300").
hang_child=$(cat "$TMP/hang.pid" 2>/dev/null)
[ -n "$hang_child" ] && { ! kill -0 "$hang_child" 2>/dev/null || ps -o stat= -p "$hang_child" | grep -q Z; }
ok $? "no process of the hanging check's group is left"
[ "$(d big state)" = OK ] && [ "$(d big output)" = "OK - big output" ]
ok $? "a check printing 1 MiB is read to its end and OK"
[ "$(stat_of '.plugins.nagios.counters.truncated')" -ge 1 ]
ok $? "and its output was truncated (counter truncated)"
[ "$(d e137 state)" = UNKNOWN ] && d e137 output | grep -q "return code 137 is out of bounds"
ok $? "exit 137 is UNKNOWN ($(d e137 output))"
[ "$(d shell state)" = WARNING ] && [ "$(d shell output)" = "SH OK - via shell" ]
ok $? "shell = true runs through /bin/sh -c"
[ "$(stat_of '.plugins.nagios.counters.metrics')" -gt 3 ]
ok $? "perfdata is published as METRIC ($(stat_of '.plugins.nagios.counters.metrics'))"
kill -TERM "$PID"
wait_exit "$PID" 15
finish
