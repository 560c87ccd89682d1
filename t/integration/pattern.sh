#!/bin/bash
# pattern plugin end to end: RFC 5424 syslog datagrams sent by socat
# over UDP to netmon's syslog receiver become EVENTs; pattern rules turn
# matches into STATE, the alert plugin makes them hard problems (netmonctl
# alerts); no further match for `expire` s brings OK back; a clear
# expression ends a problem at once; severity below the rule's is ignored;
# a bad regular expression is refused by netmond -t with file:line.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/syslog:$top_builddir/plugins/pattern:$top_builddir/plugins/alert"
N=9
plan $N
if [ ! -e "$top_builddir/plugins/alert/alert.la" ] || [ ! -e "$top_builddir/plugins/syslog/syslog.la" ] ||
   ! command -v socat >/dev/null || ! command -v jq >/dev/null; then
	for i in $(seq 1 $N); do echo "ok $i # SKIP needs the syslog and alert plugins, socat and jq"; done
	exit 0
fi
PORT=$(free_port)
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 5;
};
syslog = { listen = ( { address = "127.0.0.1"; port = $PORT; protocol = "udp"; } ); };
pattern = {
  rules = (
    { name = "link"; service = "link {1}"; app = "^ifmgr\$"; severity = "warning";
      text = "Interface (\\\\S+), changed state to down";
      clear = "Interface (\\\\S+), changed state to up"; expire = 600; },
    { name = "disk"; text = "I/O error"; state = "WARNING"; expire = 3; }
    $2
  );
};
alert = { max_attempts = 3; };
EOC
}
mkdir -p "$TMP/state"
conf "$TMP/bad.conf" ', { name = "bad"; text = "([a-"; }'
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
[ $? -eq 1 ] && grep -q "bad.conf:[0-9]*: pattern.rules.\[2\].*text: bad regular expression" "$TMP/t.out"
ok $? "netmond -t refuses a bad regular expression with file:line" || diag "$(cat "$TMP/t.out")"
conf "$TMP/p.conf" ""
"$NETMOND" -t -C "$TMP/p.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the rules" || diag "$(cat "$TMP/t.out")"
spawn PID "$NETMOND" -f -C "$TMP/p.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"

send() { # send APP SEVERITY(0..7) TEXT: one RFC 5424 datagram, facility local0, HOSTNAME sw1
	printf '<%d>1 %s sw1 %s - - - %s' $((16 * 8 + $2)) "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$3" |
		socat -u - UDP4-SENDTO:127.0.0.1:"$PORT"
}
alert_state() { ctl alerts --json | jq -r ".alerts[] | select(.host == \"sw1\" and .service == \"$1\") | .hard_state"; }

send ifmgr 5 "Interface Gi0/2, changed state to down"
send ifmgr 3 "Interface Gi0/1, changed state to down"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK alerts --json | jq -r '.alerts[] | select(.service == \"link Gi0/1\") | .hard_state')\" = CRITICAL ]"
ok $? "an err message matching the rule is a hard CRITICAL for sw1/link Gi0/1 at once" || diag "$(ctl alerts; cat "$TMP/log")"
[ "$(stat_of '.plugins.pattern.counters.matches')" = 1 ] && [ -z "$(alert_state 'link Gi0/2')" ]
ok $? "a notice (below severity warning) does not match" || diag "$(ctl alerts; ctl stats --json | jq .plugins.pattern)"
send sshd 3 "Interface Gi0/3, changed state to down"
send ifmgr 3 "Interface Gi0/1, changed state to up"
wait_for 10 sh -c "[ -z \"\$($NETMONCTL -s $SOCK alerts --json | jq -r '.alerts[] | select(.service == \"link Gi0/1\") | .hard_state')\" ]"
ok $? "the clear expression ends the problem at once" || diag "$(ctl alerts)"
[ "$(stat_of '.plugins.pattern.counters.clears')" = 1 ] && [ -z "$(alert_state 'link Gi0/3')" ]
ok $? "another app does not match (app regex), one clear counted"

send kernel 6 "sd 0:0:0:0: I/O error, dev sda, sector 1234"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK alerts --json | jq -r '.alerts[] | select(.service == \"disk\") | .hard_state')\" = WARNING ]"
ok $? "a rule with state WARNING and no severity limit raises WARNING" || diag "$(ctl alerts)"
[ "$(stat_of '.plugins.pattern.details.open["sw1/disk"].state')" = WARNING ]
ok $? "the open entry is listed in stats"
wait_for 15 sh -c "[ -z \"\$($NETMONCTL -s $SOCK alerts --json | jq -r '.alerts[] | select(.service == \"disk\") | .hard_state')\" ] && [ \"\$($NETMONCTL -s $SOCK stats --json | jq -r .plugins.pattern.counters.expired)\" = 1 ]"
ok $? "without a further match it expires back to OK (expired = 1)" || diag "$(ctl alerts; ctl stats --json | jq .plugins.pattern)"
kill -TERM "$PID"
wait_exit "$PID" 15
finish
