#!/bin/bash
# Three netmond processes on one machine: two SNMP pollers sharing one
# target list with netmond.shard "0/2" and "1/2", bridged by the nats plugin
# (JetStream) to a central netmond whose rrd plugin writes through a real
# rrdcached. 100 targets (snmpd on loopback, 100 names): every target is
# polled by exactly one poller and has its RRD file on the central node.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

for tool in nats-server snmpd snmpget rrdcached rrdtool jq ss; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
for so in nats snmp rrd; do
	if [ ! -e "$top_builddir/plugins/$so/$so.la" ]; then
		echo "1..0 # SKIP plugin $so not built"
		exit 0
	fi
done
plan 9

PLUGDIRS="$top_builddir/plugins/nats:$top_builddir/plugins/snmp:$top_builddir/plugins/rrd"
TYPES_DB="$top_srcdir/etc/types.db"
NT=100

NPORT=$(free_port tcp)
RPORT=$(free_port tcp)
AGENT=$(free_port udp)
URL="nats://127.0.0.1:$NPORT"

spawn NATS_PID nats-server -js -a 127.0.0.1 -p "$NPORT" -sd "$TMP/js" -l "$TMP/nats.log"
mkdir -p "$TMP/persist" "$TMP/rrd" "$TMP/journal"
cat >"$TMP/snmpd.conf" <<EOC
agentaddress udp:127.0.0.1:$AGENT
rocommunity public 127.0.0.1
sysName netmon-shard-test
EOC
SNMP_PERSISTENT_DIR="$TMP/persist" spawn SNMPD snmpd -f -Lo -C \
	-c "$TMP/snmpd.conf" -p "$TMP/snmpd.pid" >"$TMP/snmpd.log" 2>&1
spawn RRDC rrdcached -g -F -B -R -b "$TMP/rrd" -j "$TMP/journal" \
	-l "127.0.0.1:$RPORT" -p "$TMP/rrdcached.pid" -w 5 -f 60 2>"$TMP/rrdcached.log"
wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$NPORT '" &&
wait_for 10 snmpget -v2c -c public -t 0.2 -r 0 127.0.0.1:$AGENT 1.3.6.1.2.1.1.3.0 &&
wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$RPORT '"
ok $? "nats-server, snmpd (udp $AGENT) and rrdcached (tcp $RPORT) run"

targets=""
for i in $(seq -w 0 $((NT - 1))); do
	targets="$targets{ name = \"t$i\"; address = \"127.0.0.1:$AGENT\"; },"
done
# conf NAME EXTRA-NETMOND BODY
conf() {
	mkdir -p "$TMP/state-$1"
	cat >"$TMP/$1.conf" <<EOC
netmond = { interval = 3600; hostname = "$1"; plugin_dir = "$PLUGDIRS";
            state_dir = "$TMP/state-$1"; control_socket = "$TMP/$1.sock";
            log_level = "info"; $2 };
$3
EOC
}
SNMP="snmp = { community = \"public\"; version = \"2c\"; interval = 1;
  timeout = 1; retries = 1; collect = [ \"system\" ]; targets = ( ${targets%,} ); };"
conf poller0 'shard = "0/2";' "$SNMP
nats = { url = \"$URL\"; publish = [ \"metric\" ]; };"
conf poller1 'shard = "1/2";' "$SNMP
nats = { url = \"$URL\"; publish = [ \"metric\" ]; };"
conf central '' "nats = { url = \"$URL\"; subscribe = [ \"metric\" ]; durable = \"central\"; };
rrd = { directory = \"nm\"; daemon = \"127.0.0.1:$RPORT\"; types_db = \"$TYPES_DB\";
        flush_interval = 0.2; };"
start() {
	spawn "PID_$1" "$NETMOND" -f -C "$TMP/$1.conf" 2>>"$TMP/log.$1"
	wait_for 10 test -S "$TMP/$1.sock"
}
sof() { "$NETMONCTL" -s "$TMP/$1.sock" stats --json | jq -r "$2"; }
start central && start poller0 && start poller1
ok $? "central and two pollers start" || diag "$(tail -n 5 "$TMP/log.central" "$TMP/log.poller0")"
sleep 6
sof poller0 '.plugins.snmp.details.targets | keys[]' | sort >"$TMP/own0"
sof poller1 '.plugins.snmp.details.targets | keys[]' | sort >"$TMP/own1"
n0=$(wc -l <"$TMP/own0"); n1=$(wc -l <"$TMP/own1")
diag "poller0 polls $n0 targets, poller1 $n1"
[ "$(sort -u "$TMP/own0" "$TMP/own1" | wc -l)" = $NT ] && [ -z "$(comm -12 "$TMP/own0" "$TMP/own1")" ]
ok $? "every one of the $NT targets belongs to exactly one poller"
[ "$n0" -ge 30 ] && [ "$n1" -ge 30 ]
ok $? "the split is roughly even ($n0 / $n1)"
ok0=0
[ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] || ok0=1
for p in poller0 poller1; do
	sof $p '.plugins.snmp.details.targets | to_entries[] | select(.value.last_error != null and .value.last_error != "") | .key' >"$TMP/err.$p"
	[ -s "$TMP/err.$p" ] && { ok0=1; diag "$p errors: $(head -3 "$TMP/err.$p")"; }
done
ok $ok0 "both pollers poll their targets without errors"
wait_for 30 sh -c "[ \$(find '$TMP/rrd/nm' -name 'uptime*.rrd' | wc -l) -ge $NT ]"
ok $? "the central node has an RRD for each of the $NT targets ($(find "$TMP/rrd/nm" -name 'uptime*.rrd' | wc -l))" ||
	diag "$(sof central '.plugins.rrd | del(.details.files)' | head -60)" "$(grep -i rrd "$TMP/log.central" | head -5)" "$(find "$TMP/rrd" | head -5)"
[ "$(find "$TMP/rrd/nm" -name 'uptime*.rrd' | sed "s|$TMP/rrd/nm/||; s|/.*||" | sort -u | wc -l)" = $NT ]
ok $? "one host directory per target"
sleep 4
"$NETMONCTL" -s "$TMP/central.sock" flush >/dev/null 2>&1
missing=0
for i in 00 37 99; do
	f=$(find "$TMP/rrd/nm/t$i" -name 'uptime*.rrd' | head -1)
	v=$(rrdtool fetch "$f" AVERAGE -s -20 -e -2 2>/dev/null | grep -c ': [0-9]')
	[ "${v:-0}" -ge 3 ] || { missing=1; diag "t$i: $v values in the last 20 s"; }
done
ok $missing "RRDs filled every second (samples of t00, t37, t99)"
[ "$(sof central .plugins.nats.counters.decode_errors)" = 0 ] &&
[ "$(sof central .plugins.nats.counters.received)" -gt $((NT * 5)) ]
ok $? "central received $(sof central .plugins.nats.counters.received) metrics, no decode errors"
finish
