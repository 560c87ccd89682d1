#!/bin/bash
# alert plugin notifiers and grouping end to end: three services of one
# host going hard within group_wait reach a webhook receiver on loopback
# as ONE post listing them, an email through a sendmail-compatible program
# (a script recording its arguments and stdin) and one RFC 5424 message to
# a UDP syslog listener (socat); a recurring maintenance window covering
# now silences its host and is listed by netmonctl alerts; a parent that
# is down suppresses its child; a flapping check sends flapping_start.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/nagios:$top_builddir/plugins/alert"
CHECKS="$top_srcdir/t/data/checks"
N=14
plan $N
if [ ! -e "$top_builddir/plugins/alert/alert.la" ] || [ ! -e "$top_builddir/plugins/nagios/nagios.la" ]; then
	for i in $(seq 1 $N); do echo "ok $i # SKIP needs the alert and nagios plugins"; done
	exit 0
fi
for tool in python3 socat jq; do
	if ! command -v $tool >/dev/null; then
		for i in $(seq 1 $N); do echo "ok $i # SKIP $tool missing"; done
		exit 0
	fi
done
HPORT=$(free_port)
spawn RECV python3 "$CHECKS/webhook-recv.py" "$HPORT" "$TMP/hook.log"
SPORT=$(free_port)
spawn SYSLOGD socat -u UDP4-RECV:"$SPORT",bind=127.0.0.1 OPEN:"$TMP/syslog.log",creat,append
cat >"$TMP/sendmail" <<EOS
#!/bin/sh
{ echo "ARGS: \$*"; cat; echo "--END--"; } >>"$TMP/mail.log"
EOS
chmod +x "$TMP/sendmail"
for f in s1 s2 s3 m core sw; do echo 0 >"$TMP/$f"; done
# a maintenance window from an hour ago to an hour from now (UTC)
now=$(( $(date -u +%s) / 60 % 1440 ))
hm() { printf '%02d:%02d' $(( ($1 + 1440) % 1440 / 60 )) $(( ($1 + 1440) % 60 )); }
WSTART=$(hm $((now - 60))); WEND=$(hm $((now + 60)))
LATER=$(hm $((now + 120))); LATER2=$(hm $((now + 180)))
chk() { # chk HOST SERVICE FILE [MAX_ATTEMPTS]
	echo "{ host = \"$1\"; service = \"$2\"; command = [\"$CHECKS/state-file\", \"$TMP/$3\"]; interval = 0.5; max_attempts = ${4:-2}; },"
}
cat >"$TMP/a.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 10;
};
nagios = {
  checks = (
    $(chk web1 http s1) $(chk web1 https s2) $(chk web1 ssh s3)
    $(chk maint1 disk m) $(chk core1 ping core 1) $(chk sw1 ping sw 1)
    { host = "flap1"; service = "x"; shell = true; interval = 0.3; max_attempts = 1;
      command = ["n=\$(cat $TMP/flap 2>/dev/null || echo 0); echo \$((1 - n)) >$TMP/flap; echo FLIP \$n; exit \$((n * 2))"]; }
  );
};
alert = {
  max_attempts = 2;
  group_by = "{host}";
  group_wait = 6;
  parents = ( { host = "sw1"; parent = "core1"; } );
  maintenance = ( { match = "maint1"; days = "*"; start = "$WSTART"; end = "$WEND"; utc = true; comment = "patching"; },
                  { match = "later/*"; start = "$LATER"; end = "$LATER2"; utc = true; } );
  notifiers = (
    { type = "webhook"; url = "http://127.0.0.1:$HPORT/hook"; retries = 5; backoff = 0.2; timeout = 2; },
    { type = "email"; sendmail = "$TMP/sendmail"; to = ["ops@example.org", "noc@example.org"]; from = "netmon@example.org"; },
    { type = "syslog"; server = "127.0.0.1"; port = $SPORT; facility = "local3"; }
  );
};
EOC
sed 's/facility = "local3"/facility = "local9"/' "$TMP/a.conf" >"$TMP/bad.conf"
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
[ $? -eq 1 ] && grep -q "bad.conf:[0-9]*: .*unknown syslog facility 'local9'" "$TMP/t.out"
ok $? "netmond -t refuses an unknown syslog facility with file:line" || diag "$(cat "$TMP/t.out")"
sed 's/start = "'"$WSTART"'"; end = "'"$WEND"'"/start = "25:00"; end = "'"$WEND"'"/' "$TMP/a.conf" >"$TMP/bad2.conf"
"$NETMOND" -t -C "$TMP/bad2.conf" >"$TMP/t.out" 2>&1
[ $? -eq 1 ] && grep -q "bad2.conf:[0-9]*: alert.maintenance.*start: '25:00' is not a time of day" "$TMP/t.out"
ok $? "netmond -t refuses a bad maintenance window time with file:line" || diag "$(cat "$TMP/t.out")"
"$NETMOND" -t -C "$TMP/a.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the config" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/a.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
sleep 1
echo 2 >"$TMP/s1"; echo 2 >"$TMP/s2"; echo 1 >"$TMP/s3"; echo 2 >"$TMP/m"
wait_for 20 grep -q '"group":"web1"' "$TMP/hook.log"
ok $? "the web1 group reached the webhook receiver" || diag "$(cat "$TMP/hook.log"; tail -20 "$TMP/log")"
sleep 7   # anything that would come after the group wait
hook1=$(grep '"group":"web1"' "$TMP/hook.log")
[ "$(grep -c '"group":"web1"' "$TMP/hook.log")" = 1 ] &&
	[ "$(echo "$hook1" | jq -r '.count')" = 3 ] &&
	[ "$(echo "$hook1" | jq -r '[.alerts[] | select(.kind == "opened") | .service] | sort | join(",")')" = "http,https,ssh" ]
ok $? "three services going hard within group_wait: one post listing http, https, ssh" || diag "$(cat "$TMP/hook.log")"
[ "$(stat_of '.plugins.alert.counters.grouped')" -ge 3 ]
ok $? "grouped notices are counted"
wait_for 10 grep -q -- "--END--" "$TMP/mail.log"
grep -q "^ARGS: -oi -t$" "$TMP/mail.log" && grep -q "^To: ops@example.org, noc@example.org$" "$TMP/mail.log" &&
	grep -q "^Subject: \[netmon\] 3 notifications: web1$" "$TMP/mail.log" &&
	grep -q "^opened: web1/https is CRITICAL$" "$TMP/mail.log" &&
	[ "$(grep -c '^Subject: .*web1' "$TMP/mail.log")" = 1 ]
ok $? "one email through the sendmail program (-oi -t) listing the group" || diag "$(cat "$TMP/mail.log")"
wait_for 10 grep -q "netmon - alert - 3 notifications \[web1\]" "$TMP/syslog.log"
# local3 (19) * 8 + crit (2) = 154
grep -q "<154>1 [0-9T:-]*Z [^ ]* netmon - alert - 3 notifications \[web1\]: opened web1/" "$TMP/syslog.log"
ok $? "one RFC 5424 message to the UDP syslog listener, PRI local3.crit" || diag "$(cat "$TMP/syslog.log")"

! grep -q maint1 "$TMP/hook.log" && ! grep -q maint1 "$TMP/mail.log"
ok $? "maint1 going hard inside its maintenance window is not notified"
ctl alerts | grep -q "^maintenance maint1/\* \* $WSTART-$WEND UTC \[active\] patching"
ok $? "netmonctl alerts lists the window as active" || diag "$(ctl alerts)"
ctl alerts --json | jq -e '.alerts[] | select(.host == "maint1" and .hard_state == "CRITICAL" and .silenced == true)' >/dev/null &&
	ctl alerts --json | jq -e '.maintenance[] | select(.matcher == "later/*" and .active == false)' >/dev/null
ok $? "the hard problem shows as silenced; a window later today is listed inactive" || diag "$(ctl alerts --json)"

# parent down suppresses its child
echo 2 >"$TMP/core"
wait_for 15 grep -q '"group":"core1"' "$TMP/hook.log"
ok $? "the parent core1 going down is notified" || diag "$(cat "$TMP/hook.log")"
echo 2 >"$TMP/sw"
sleep 5
! grep -q '"host":"sw1"' "$TMP/hook.log" && ctl alerts --json | jq -e '.alerts[] | select(.host == "sw1" and .hard_state == "CRITICAL")' >/dev/null
ok $? "the child sw1 is hard down but not notified while its parent is down" || diag "$(ctl alerts)"

wait_for 20 grep -q '"kind":"flapping_start","alert_id":[0-9]*,"host":"flap1"' "$TMP/hook.log"
ok $? "a check alternating OK/CRITICAL sends flapping_start" || diag "$(ctl alerts; grep flap1 "$TMP/hook.log")"
kill -TERM "$PID"
wait_exit "$PID" 20
finish
