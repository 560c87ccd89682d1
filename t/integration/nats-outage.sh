#!/bin/bash
# Faults of a sharded NATS deployment, seen in the RRDs: two SNMP pollers
# (netmond.shard "0/2" and "1/2", 10 targets on a real snmpd) publish
# through a real nats-server -js to a central netmond with the rrd plugin.
# 1. The central node is stopped for 30 s and restarted: the pollers keep
#    polling meanwhile, and every one-second sample of that window reaches
#    the RRDs (rrdtool fetch shows no unknown row for any target).
# 2. A poller is killed (SIGKILL): the other one keeps polling exactly its
#    own shard; the dead poller's targets are not taken over (documented in
#    plugins/nats/README: no automatic takeover).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

for tool in nats-server snmpd snmpget rrdtool jq ss; do
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
plan 12

PLUGDIRS="$top_builddir/plugins/nats:$top_builddir/plugins/snmp:$top_builddir/plugins/rrd"
TYPES_DB="$top_srcdir/etc/types.db"
NT=10
DOWN=30

NPORT=$(free_port)
AGENT=$(free_port)
URL="nats://127.0.0.1:$NPORT"

spawn NATS_PID nats-server -js -a 127.0.0.1 -p "$NPORT" -sd "$TMP/js" -l "$TMP/nats.log"
mkdir -p "$TMP/persist" "$TMP/rrd"
cat >"$TMP/snmpd.conf" <<EOC
agentaddress udp:127.0.0.1:$AGENT
rocommunity public 127.0.0.1
sysName netmon-outage-test
EOC
SNMP_PERSISTENT_DIR="$TMP/persist" spawn SNMPD snmpd -f -Lo -C \
	-c "$TMP/snmpd.conf" -p "$TMP/snmpd.pid" >"$TMP/snmpd.log" 2>&1
wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$NPORT '" &&
wait_for 10 snmpget -v2c -c public -t 0.2 -r 0 127.0.0.1:$AGENT 1.3.6.1.2.1.1.3.0
ok $? "nats-server (tcp $NPORT) and snmpd (udp $AGENT) run"

targets=""
for i in $(seq -w 0 $((NT - 1))); do
	targets="$targets{ name = \"o$i\"; address = \"127.0.0.1:$AGENT\"; },"
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
  timeout = 0.5; retries = 1; collect = [ \"system\" ]; targets = ( ${targets%,} ); };"
for i in 0 1; do
	conf poller$i "shard = \"$i/2\";" "$SNMP
nats = { url = \"$URL\"; publish = [ \"metric\" ]; };"
done
# heartbeat 3 steps: a sample delayed by a busy machine is not a gap; a
# lost sample (or 30 s of them) still is.
conf central '' "nats = { url = \"$URL\"; subscribe = [ \"metric\" ]; durable = \"central\"; };
rrd = { directory = \"$TMP/rrd\"; types_db = \"$TYPES_DB\"; heartbeat_factor = 3.0;
        cache_timeout = 0.5; flush_interval = 0.2; };"
start() {
	rm -f "$TMP/$1.sock"
	spawn "PID_$1" "$NETMOND" -f -C "$TMP/$1.conf" 2>>"$TMP/log.$1"
	wait_for 15 test -S "$TMP/$1.sock"
}
sof() { "$NETMONCTL" -s "$TMP/$1.sock" stats --json | jq -r "$2"; }
rrd_of() { find "$TMP/rrd/$1" -name 'uptime*.rrd' 2>/dev/null | head -1; }
# last_of TARGET: time of the RRD's last update (0 if none)
last_of() {
	local f
	f=$(rrd_of "$1")
	[ -n "$f" ] && rrdtool last "$f" 2>/dev/null || echo 0
}
# all_past T: every target's RRD was updated at or after T
all_past() {
	"$NETMONCTL" -s "$TMP/central.sock" flush >/dev/null 2>&1
	for i in $(seq -w 0 $((NT - 1))); do
		[ "$(last_of o$i)" -ge "$1" ] || return 1
	done
}

start central && start poller0 && start poller1
ok $? "central and two pollers start" || diag "$(tail -n 5 "$TMP/log.central" "$TMP/log.poller0")"
sof poller0 '.plugins.snmp.details.targets | keys[]' | sort >"$TMP/own0"
sof poller1 '.plugins.snmp.details.targets | keys[]' | sort >"$TMP/own1"
[ "$(sort -u "$TMP/own0" "$TMP/own1" | wc -l)" = $NT ] && [ -z "$(comm -12 "$TMP/own0" "$TMP/own1")" ] &&
	[ -s "$TMP/own0" ] && [ -s "$TMP/own1" ]
ok $? "the $NT targets are split between the pollers ($(wc -l <"$TMP/own0") / $(wc -l <"$TMP/own1"))"
wait_for 30 all_past $(($(date +%s) + 2))
ok $? "the central node writes an RRD per target"

# ---- 1. central node down for $DOWN s
req0=$(sof poller0 .plugins.snmp.counters.requests)
req1=$(sof poller1 .plugins.snmp.counters.requests)
T_STOP=$(date +%s)
kill -TERM "$PID_central"
wait_exit "$PID_central" 30
ok $? "central stops on SIGTERM (status $EXIT_STATUS)"
sleep $DOWN
d0=$(($(sof poller0 .plugins.snmp.counters.requests) - req0))
d1=$(($(sof poller1 .plugins.snmp.counters.requests) - req1))
n0=$(wc -l <"$TMP/own0"); n1=$(wc -l <"$TMP/own1")
# one GET per target and second; at least 2/3 of that on a busy machine
[ $d0 -ge $((n0 * DOWN * 2 / 3)) ] && [ $d1 -ge $((n1 * DOWN * 2 / 3)) ]
ok $? "the pollers kept polling while the central node was down ($d0 and $d1 requests in $DOWN s)"
T_START=$(date +%s)
start central
ok $? "central restarts"
wait_for 60 all_past $((T_START + 3))
ok $? "the RRDs catch up past the restart" ||
	diag "$(sof central '.plugins.nats' | head -40)"
gaps=0
for i in $(seq -w 0 $((NT - 1))); do
	f=$(rrd_of o$i)
	rrdtool fetch "$f" AVERAGE -r 1 -s $((T_STOP - 3)) -e $((T_START + 2)) >"$TMP/fetch.$i" 2>&1
	rows=$(grep -c '^[0-9]*:' "$TMP/fetch.$i")
	bad=$(grep '^[0-9]*:' "$TMP/fetch.$i" | grep -ci 'nan')
	if [ "$bad" != 0 ] || [ "$rows" -lt $((DOWN + 3)) ]; then
		gaps=$((gaps + 1))
		diag "o$i: $bad unknown of $rows rows" "$(grep -i nan "$TMP/fetch.$i" | head -3)"
	fi
done
ok $gaps "no gap in any RRD over the $((T_START - T_STOP + 5)) s around the outage (rrdtool fetch, 1 s rows)"
[ "$(sof central .plugins.nats.counters.decode_errors)" = 0 ]
ok $? "no decode errors on the central node"

# ---- 2. a poller killed: no takeover, the other keeps its own shard
kill -KILL "$PID_poller1"
wait_exit "$PID_poller1" 10
T_KILL=$(date +%s)
sleep 6
"$NETMONCTL" -s "$TMP/central.sock" flush >/dev/null 2>&1
sleep 1
sof poller0 '.plugins.snmp.details.targets | keys[]' | sort >"$TMP/own0.after"
all_past_of_shard0() {
	"$NETMONCTL" -s "$TMP/central.sock" flush >/dev/null 2>&1
	for t in $(cat "$TMP/own0"); do
		[ "$(last_of "$t")" -ge $((T_KILL + 4)) ] || return 1
	done
}
cmp -s "$TMP/own0" "$TMP/own0.after" && wait_for 20 all_past_of_shard0
ok $? "poller0 keeps polling exactly its own $(wc -l <"$TMP/own0") targets, all updated after the kill"
stale=0
for t in $(cat "$TMP/own1"); do
	[ "$(last_of "$t")" -le $((T_KILL + 1)) ] || { stale=1; diag "$t updated at $(last_of "$t") after the kill at $T_KILL"; }
done
ok $stale "poller1's targets are not taken over (no update after the kill)"
finish
