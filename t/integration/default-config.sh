#!/bin/bash
# The shipped default configuration (etc/netmond.conf.in, as the main job
# uses it through contrib/local-config): valid, and netmond running it
# watches this machine — SNMP from a real snmpd, pings, syslog into the
# event store, RRD files and the report pages.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

need="rrd events snmp icmp syslog netflow nagios threshold pattern alert report"
for p in $need; do
	if [ ! -f "$top_builddir/plugins/$p/$p.la" ]; then
		echo "1..0 # SKIP plugin $p not built"
		exit 0
	fi
done
for tool in snmpd logger jq python3; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		echo "1..0 # SKIP $tool not installed"; exit 0; }
done
plan 9

AGENT=$(free_port)
SYSLOG=$(free_port)
FLOW=$(free_port)
STATE="$TMP/state"
SOCK="$STATE/netmond.sock"

cat >"$TMP/snmpd.conf" <<EOC
rocommunity netmon-test 127.0.0.1
EOC
mkdir -p "$TMP/snmp"
SNMP_PERSISTENT_DIR="$TMP/snmp" /usr/sbin/snmpd -f -C -c "$TMP/snmpd.conf" \
	-Lf "$TMP/snmpd.log" "udp:127.0.0.1:$AGENT" &
_pids="$_pids $!"

"$top_srcdir/contrib/local-config" "$top_srcdir" "$top_builddir" "$STATE" \
	"127.0.0.1:$AGENT" netmon-test >"$TMP/netmond.conf"
ok $? "contrib/local-config writes a config from etc/netmond.conf.in"
# Free ports instead of the shipped 5514 and 2055; short intervals.
sed -i -e "s/port = 5514/port = $SYSLOG/g" -e "s/127.0.0.1:2055/127.0.0.1:$FLOW/" \
	-e "s/^  interval = 30;/  interval = 2;/" "$TMP/netmond.conf"
"$NETMOND" -t -C "$TMP/netmond.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the default config" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/netmond.conf" 2>"$TMP/netmond.log"
wait_for 15 test -S "$SOCK"
ok $? "netmond starts with every default plugin" || diag "$(tail -20 "$TMP/netmond.log")"
wait_for 30 sh -c "$NETMONCTL -s $SOCK stats --json | jq -e '.plugins.snmp.details.targets.localhost.successes > 0' >/dev/null"
ok $? "the local SNMP agent is polled" || diag "$(ctl stats --json | jq -c '.plugins.snmp.details')"
wait_for 30 sh -c "$NETMONCTL -s $SOCK stats --json | jq -e '[.plugins.icmp.details.targets[] | select(.received > 0)] | length >= 2' >/dev/null"
ok $? "127.0.0.1 and ::1 answer pings"
logger --server 127.0.0.1 --port "$SYSLOG" --udp --rfc5424 -t netmon-test "default config works" 2>/dev/null
wait_for 20 sh -c "$NETMONCTL -s $SOCK events --grep 'default config works' --json | jq -e 'length >= 1' >/dev/null"
ok $? "a syslog message lands in the event store" || diag "$(ctl events --json 2>&1 | head -5)"
wait_for 60 test -f "$STATE/www/index.html"
ok $? "the report pages are written" || diag "$(grep -i report "$TMP/netmond.log" | tail -5)"
kill -TERM "$PID"
wait_exit "$PID" 30
ok "$EXIT_STATUS" "netmond exits 0"
ls "$STATE"/rrd/localhost/snmp/if_octets-lo.rrd >/dev/null 2>&1
ok $? "interface traffic of the local agent is in RRD (localhost/snmp/if_octets-lo.rrd)" || diag "$(find "$STATE/rrd" -name '*.rrd' | head)"
finish
