#!/bin/bash
# alert plugin end to end: a scripted check (nagios plugin) goes soft then
# hard (one "opened" to the exec notifier and to a webhook receiver on
# loopback), a restart mid-problem sends nothing twice, ack and silence,
# recovery, a host down suppresses its services.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/nagios:$top_builddir/plugins/alert"
CHECKS="$top_srcdir/t/data/checks"

plan 12
if [ ! -e "$top_builddir/plugins/nagios/nagios.la" ]; then
	for i in $(seq 1 12); do echo "ok $i # SKIP needs the nagios plugin"; done
	exit 0
fi

if ! command -v python3 >/dev/null; then
	for i in $(seq 1 12); do echo "ok $i # SKIP python3 missing"; done
	exit 0
fi
PORT=$(free_port)
spawn RECV python3 "$CHECKS/webhook-recv.py" $PORT "$TMP/hook.log"
echo 0 >"$TMP/svc"; echo 0 >"$TMP/ping"; echo 0 >"$TMP/svc2"

cat >"$TMP/a.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 5;
};
nagios = {
  checks = (
    { host = "web1"; service = "http"; command = ["$CHECKS/state-file", "$TMP/svc"]; interval = 0.5; },
    { host = "db1"; service = "ping"; command = ["$CHECKS/state-file", "$TMP/ping"]; interval = 0.5; max_attempts = 1; },
    { host = "db1"; service = "mysql"; command = ["$CHECKS/state-file", "$TMP/svc2"]; interval = 0.5; }
  );
};
alert = {
  max_attempts = 3;
  renotify = 0;
  flap_high = 90.0;
  flap_low = 80.0;
  notifiers = (
    { type = "exec"; command = ["$CHECKS/notify-log", "$TMP/notify.log"]; },
    { type = "webhook"; url = "http://127.0.0.1:$PORT/hook"; retries = 5; backoff = 0.2; timeout = 2; }
  );
};
EOC
"$NETMOND" -t -C "$TMP/a.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the alert config" || diag "$(cat "$TMP/t.out")"
spawn PID "$NETMOND" -f -C "$TMP/a.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
sleep 1
echo 2 >"$TMP/svc"
wait_for 10 grep -q "opened web1/http CRITICAL" "$TMP/notify.log"
ok $? "a CRITICAL going hard reaches the exec notifier as opened" || diag "$(cat "$TMP/notify.log" "$TMP/log")"
wait_for 10 grep -q '"kind":"opened".*"host":"web1"' "$TMP/hook.log"
ok $? "and the webhook receiver got the JSON post" || diag "$(cat "$TMP/hook.log")"
ctl alerts | grep -q "web1/http .*CRITICAL HARD 3"
ok $? "netmonctl alerts lists the hard problem"

# restart mid-problem
kill -TERM "$PID"; wait_exit "$PID" 15
spawn PID "$NETMOND" -f -C "$TMP/a.conf" 2>"$TMP/log2"
wait_for 10 test -S "$SOCK"
sleep 3
[ "$(grep -c opened "$TMP/notify.log")" = 1 ] && [ "$(grep -c opened "$TMP/hook.log")" = 1 ]
ok $? "a restart mid-problem sends nothing twice" || diag "$(cat "$TMP/notify.log")"
ctl alerts --json | jq -e '.alerts[] | select(.host=="web1" and .hard_state=="CRITICAL")' >/dev/null
ok $? "the open problem survived the restart (SQLite)"

ctl ack web1/http --comment "on it" --author alice >/dev/null
wait_for 5 grep -q "acknowledged web1/http CRITICAL .*author=alice comment=on it" "$TMP/notify.log"
ok $? "netmonctl ack sends an acknowledgement with author and comment"

ctl silence 'web1' --until +1h --comment maint >/dev/null
ok $? "netmonctl silence accepts a matcher and a time"
echo 0 >"$TMP/svc"
sleep 2
! grep -q "resolved web1/http" "$TMP/notify.log"
ok $? "the recovery is held back while silenced"

# host down suppresses its services
echo 2 >"$TMP/ping"
wait_for 10 grep -q "opened db1/ping CRITICAL" "$TMP/notify.log"
ok $? "a host check down (max_attempts 1) is opened at once"
echo 2 >"$TMP/svc2"
sleep 3
! grep -q "db1/mysql" "$TMP/notify.log"
ok $? "its service's problem is suppressed while the host is down"
[ "$(stat_of '.plugins.alert.counters.suppressed')" -gt 0 ]
ok $? "suppressions are counted"
kill -TERM "$PID"
wait_exit "$PID" 15
finish
