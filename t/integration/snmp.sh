#!/bin/bash
# The snmp plugin against real agents on loopback: net-snmp snmpd (v1, v2c,
# v3 authNoPriv/authPriv, wrong community, wrong password), dead targets,
# snmpsim recordings (32-bit fallback, walk ending in endOfMibView, 64-bit
# wrap, agent restart), traps and an inform sent with snmptrap/snmpinform,
# and netmond itself (-t errors, stats --json details).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

DUMP="$top_builddir/t/unit/test-snmp-dump"
SNMPPLUG="$top_builddir/plugins/snmp"
DATA="$top_srcdir/t/data/snmp"

for tool in snmpd snmpget snmptrap snmpinform snmpset jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed (Debian: snmpd snmp jq)"
		exit 0
	fi
done
if [ ! -x "$DUMP" ] || [ ! -f "$SNMPPLUG/snmp.la" ]; then
	echo "1..0 # SKIP snmp plugin not built"
	exit 0
fi

plan 69

# netmon_conf FILE SNMP-GROUP-BODY
netmon_conf() {
	cat >"$1" <<EOC
netmond = { interval = 1; plugin_dir = "$SNMPPLUG"; state_dir = "$TMP";
            control_socket = "$SOCK"; log_level = "info"; };
snmp = { $2 };
EOC
}

# stat T FIELD: a per-target figure from the STATS line of $OUT.
stat() { grep '^STATS ' "$OUT" | sed 's/^STATS //' | jq -r ".targets[\"$1\"].$2"; }

# metric ID: the value fields of the last METRIC line with that identity.
metric() { grep "^METRIC $1 " "$OUT" | tail -1 | cut -d' ' -f3-; }

# ---------------------------------------------------------------- snmpd
AGENT=$(free_port)
mkdir -p "$TMP/persist"
cat >"$TMP/snmpd.conf" <<EOC
agentaddress udp:127.0.0.1:$AGENT
rocommunity public 127.0.0.1
createUser authsha SHA "authpass123"
createUser privsha SHA "authpass123" AES "privpass123"
createUser sha256 SHA-256 "authpass256" AES "privpass256"
createUser badpw SHA "rightpass123"
rouser authsha auth
rouser privsha priv
rouser sha256 priv
rouser badpw auth
sysName netmon-test
sysServices 72
EOC
SNMP_PERSISTENT_DIR="$TMP/persist" spawn SNMPD snmpd -f -Lo -C \
	-c "$TMP/snmpd.conf" -p "$TMP/snmpd.pid" >"$TMP/snmpd.log" 2>&1
wait_for 10 snmpget -v2c -c public -t 0.2 -r 0 127.0.0.1:$AGENT 1.3.6.1.2.1.1.3.0
ok $? "snmpd answers on udp 127.0.0.1:$AGENT" || diag "$(cat "$TMP/snmpd.log")"

A="127.0.0.1:$AGENT"
# an IPv6 agent where ::1 exists (the reply's source is checked against
# the agent's address from net-snmp's IPv6 transport data)
SIX="" AGENT6=""
if [ -r /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
	AGENT6=$(free_port)
	mkdir -p "$TMP/persist6"
	printf 'agentaddress udp6:[::1]:%s\nrocommunity6 public ::1/128\n' \
		"$AGENT6" >"$TMP/snmpd6.conf"
	SNMP_PERSISTENT_DIR="$TMP/persist6" spawn SNMPD6 snmpd -f -Lo -C \
		-c "$TMP/snmpd6.conf" -p "$TMP/snmpd6.pid" >"$TMP/snmpd6.log" 2>&1
	if wait_for 10 snmpget -v2c -c public -t 0.2 -r 0 "udp6:[::1]:$AGENT6" \
		1.3.6.1.2.1.1.3.0; then
		SIX=",
  { name = \"six\"; address = \"udp6:[::1]:$AGENT6\"; collect = [\"system\", \"if\"]; }"
	fi
fi
netmon_conf "$TMP/poll.conf" "interval = 1; timeout = 0.5; retries = 0;
 max_repetitions = 10;
 sets = ( { name = \"mine\";
   scalars = ( { oid = \"1.3.6.1.2.1.1.7.0\"; type = \"gauge\";
                 type_instance = \"services\"; } );
   tables = ( { instance = \"1.3.6.1.2.1.2.2.1.2\";
     values = ( { oids = [\"1.3.6.1.2.1.2.2.1.10\", \"1.3.6.1.2.1.2.2.1.16\"];
                  type = \"if_octets\"; kind = \"DERIVE\";
                  type_instance = \"mine\"; } ); } ); },
   { name = \"named\";
     scalars = ( { oid = \"NETMON-TEST-MIB::nmtSysServices.0\"; type = \"gauge\";
                   type_instance = \"services_named\"; } );
     tables = ( { instance = \"nmtIfDescr\";
       values = ( { oids = [\"nmtIfInOctets\", \"NETMON-TEST-MIB::nmtIfOutOctets\"];
                    type = \"if_octets\"; kind = \"DERIVE\";
                    type_instance = \"named\"; } ); } ); } );
 mib_dirs = [\"$DATA/mibs\"]; mibs = [\"NETMON-TEST-MIB\"];
 targets = (
  { name = \"v2\"; address = \"$A\"; collect = [\"system\", \"if\", \"host-resources\", \"mine\", \"named\"]; },
  { name = \"v1\"; address = \"$A\"; version = \"1\"; collect = [\"system\", \"if\"]; },
  { name = \"v3auth\"; address = \"$A\"; version = \"3\"; user = \"authsha\";
    auth_password = \"authpass123\"; collect = [\"system\"]; },
  { name = \"v3priv\"; address = \"$A\"; version = \"3\"; user = \"privsha\";
    auth_password = \"authpass123\"; priv_password = \"privpass123\"; collect = [\"system\", \"if\"]; },
  { name = \"v3sha256\"; address = \"$A\"; version = \"3\"; user = \"sha256\";
    auth_protocol = \"SHA-256\"; auth_password = \"authpass256\";
    priv_protocol = \"AES-128\"; priv_password = \"privpass256\"; collect = [\"system\"]; },
  { name = \"badcomm\"; address = \"$A\"; community = \"n0t-the-community\"; collect = [\"system\"]; },
  { name = \"badpass\"; address = \"$A\"; version = \"3\"; user = \"badpw\";
    auth_password = \"wrongpass123\"; collect = [\"system\"]; },
  { name = \"byname\"; address = \"localhost:$AGENT\"; collect = [\"system\"]; },
  { name = \"nxdomain\"; address = \"no-such-host.invalid:$AGENT\";
    collect = [\"system\"]; }$SIX );"
OUT="$TMP/poll.out"
"$DUMP" "$TMP/poll.conf" 3.5 >"$OUT" 2>"$TMP/poll.err"
ok $? "in-process core with the snmp plugin runs" || diag "$(cat "$TMP/poll.err")"

[ "$(stat v2 last_error)" = null ] && [ "$(stat v2 successes)" -ge 2 ]
ok $? "v2c target polls without error" || diag "$(grep STATS "$OUT")"
[ "$(stat byname last_error)" = null ] && [ "$(stat byname successes)" -ge 2 ] &&
	[ "$(stat byname resolved)" = "udp:127.0.0.1:$AGENT" ] &&
	[ "$(stat byname sys_name)" = netmon-test ]
ok $? "target address as a DNS name (localhost): resolved without blocking, polled" ||
	diag "$(grep STATS "$OUT" | sed 's/^STATS //' | jq -c .targets.byname)"
if [ -n "$SIX" ]; then
	[ "$(stat six last_error)" = null ] && [ "$(stat six successes)" -ge 2 ] &&
		[ "$(stat six wrong_source)" = 0 ] &&
		grep -q "^METRIC six/snmp/if_octets-lo " "$OUT"
	ok $? "v2c over IPv6 (udp6:[::1]): replies accepted as the agent's, if_octets-lo polled" ||
		diag "$(grep STATS "$OUT" | sed 's/^STATS //' | jq -c .targets.six)"
else
	ok 0 "# SKIP no IPv6 loopback (::1) or snmpd cannot listen on it"
fi
stat nxdomain last_error | grep -q "^cannot resolve 'no-such-host.invalid': " &&
	[ "$(stat nxdomain successes)" = 0 ] && [ "$(stat nxdomain failures)" -ge 2 ] &&
	[ "$(stat nxdomain resolved)" = null ]
ok $? "a name under .invalid is that target's error alone (and retried each poll)" ||
	diag "$(grep STATS "$OUT" | sed 's/^STATS //' | jq -c .targets.nxdomain)"
metric v2/snmp/uptime | grep -q '^GAUGE:[0-9.]*$'
ok $? "v2c: sysUpTime as uptime GAUGE in seconds"
[ "$(stat v2 sys_name)" = netmon-test ]
ok $? "v2c: sysName shown in stats"
metric v2/snmp/if_octets-lo | grep -q '^DERIVE:[0-9]* DERIVE:[0-9]*$'
ok $? "v2c: if_octets-lo (GETBULK walk of ifXTable) with rx, tx DERIVE"
for t in if_packets if_errors if_dropped if_multicast operational_state bitrate; do
	grep -q "^METRIC v2/snmp/$t-lo " "$OUT" || break
done
ok $? "v2c: if_packets, if_errors, if_dropped, if_multicast, operational_state, bitrate for lo"
[ "$(metric v2/snmp/operational_state-lo)" = "GAUGE:1" ]
ok $? "v2c: lo is up (ifOperStatus 1)"
jq -e '.host == "v2" and (.sysName | length > 0) and
       ([.interfaces[] | select(.name == "lo" and .oper_status == "up")] | length == 1)' \
	"$TMP/inventory/v2.json" >/dev/null
ok $? "v2c: inventory for the report pages (sysName, lo up) in state_dir/inventory" || diag "$(cat "$TMP/inventory/v2.json" 2>&1)"
grep -q '^METRIC v2/snmp/storage-' "$OUT"
ok $? "v2c: host-resources storage (used, size) from hrStorageTable"
metric v2/snmp/gauge-services | grep -q '^GAUGE:[0-9]'
ok $? "user set: scalar by numeric OID"
metric v2/snmp/if_octets-lo-mine | grep -q '^DERIVE:[0-9]* DERIVE:[0-9]*$'
ok $? "user set: table with instance column and two value columns"
[ "$(metric v2/snmp/gauge-services_named)" = "$(metric v2/snmp/gauge-services)" ] &&
	metric v2/snmp/gauge-services_named | grep -q '^GAUGE:[0-9]' &&
	metric v2/snmp/if_octets-lo-named | grep -q '^DERIVE:[0-9]* DERIVE:[0-9]*$'
ok $? "user set by OID names (MODULE::name.0, bare column names) from a MIB file" ||
	diag "$(grep -e services -e named "$OUT" | tail -4)"
lo_rows=$(grep -c '^METRIC v2/snmp/if_octets-lo ' "$OUT")
[ "$lo_rows" -ge 2 ] && [ "$lo_rows" -le 4 ]
ok $? "v2c: one sample per interval ($lo_rows in 3.5 s at 1 s)"

[ "$(stat v1 last_error)" = null ] && metric v1/snmp/if_octets-lo | grep -q DERIVE
ok $? "v1 target: GETNEXT walks give if_octets-lo" || diag "$(stat v1 last_error)"
[ "$(stat v3auth last_error)" = null ] && grep -q '^METRIC v3auth/snmp/uptime ' "$OUT"
ok $? "v3 authNoPriv SHA-1 works" || diag "$(stat v3auth last_error)"
[ "$(stat v3priv last_error)" = null ] && grep -q '^METRIC v3priv/snmp/if_octets-lo ' "$OUT"
ok $? "v3 authPriv SHA-1/AES-128 works, tables too" || diag "$(stat v3priv last_error)"
[ "$(stat v3sha256 last_error)" = null ] && grep -q '^METRIC v3sha256/snmp/uptime ' "$OUT"
ok $? "v3 authPriv SHA-256/AES-128 works" || diag "$(stat v3sha256 last_error)"
stat badcomm last_error | grep -q "^timeout: no answer from udp:$A .*wrong community"
ok $? "wrong community: a timeout error naming the target's address" || diag "$(stat badcomm last_error)"
[ "$(stat badcomm timeouts)" -ge 2 ]
ok $? "wrong community: counted as timeouts"
stat badpass last_error | grep -q "SNMPv3 error from udp:$A: Authentication failure"
ok $? "wrong v3 password: authentication failure reported" || diag "$(stat badpass last_error)"
grep -q "warning: snmp: badpass: SNMPv3 error" "$TMP/poll.err"
ok $? "the error is logged with the target's name"
[ "$(grep -c 'badpass: SNMPv3' "$TMP/poll.err")" -eq 1 ]
ok $? "a repeated error is logged once, not every interval"
! grep -q -e n0t-the-community -e authpass -e privpass -e wrongpass -e rightpass "$TMP/poll.err" "$OUT"
ok $? "no community or password in logs or output"
grep -q '^METRIC badcomm/' "$OUT"
ok $((! $?)) "no metrics from a target that does not answer"

# ---------------------------------------------------------------- dead targets
# 40 live targets and 10 on ports where nothing answers: every live one
# completes within its interval. Three tries of 1 s each, so a datagram
# lost on a loopback shared with other tests' floods (CI runs two tests at
# a time; a live poll once took 2.09 s there) costs a live target one retry,
# not a failure, while a dead target still costs 3 s.
targets=""
for i in $(seq 1 40); do
	targets="$targets{ name = \"live$i\"; address = \"$A\"; },"
done
for i in $(seq 1 10); do
	targets="$targets{ name = \"dead$i\"; address = \"127.0.0.1:$(free_port)\"; },"
done
netmon_conf "$TMP/dead.conf" "interval = 5; timeout = 1; retries = 2;
 collect = [\"system\", \"if\"];
 targets = ( ${targets%,} );"
OUT="$TMP/dead.out"
"$DUMP" "$TMP/dead.conf" 11 >"$OUT" 2>"$TMP/dead.err"
ok $? "50 targets run" || diag "$(cat "$TMP/dead.err")"
j() { grep '^STATS ' "$OUT" | sed 's/^STATS //' | jq -r "$1"; }
live='.targets | to_entries[] | select(.key | startswith("live"))'
[ "$(j "[$live | select(.value.successes >= 2 and .value.failures == 0)] | length")" = 40 ]
ok $? "all 40 live targets polled every 5 s interval, no failure" ||
	diag "$(j "[$live | select(.value.successes < 2 or .value.failures > 0)]")"
maxdur=$(j "[$live | .value.poll_duration_max] | max")
awk "BEGIN { exit !($maxdur < 3.0) }"
ok $? "slowest live poll ${maxdur} s: less than one dead target's 3 s of timeouts (1 s x 3 tries), so never waited for one"
[ "$(j '[.targets | to_entries[] | select(.key | startswith("dead")) | select(.value.timeouts >= 1 and (.value.last_error | startswith("timeout")))] | length')" = 10 ]
ok $? "each of the 10 dead targets reports a timeout" || diag "$(j '.targets.dead1')"
[ "$(j '[.targets | to_entries[] | .value.skipped] | add')" = 0 ]
ok $? "no poll of any target was skipped for overlapping" || diag "$(j '[.targets | to_entries[] | select(.value.skipped > 0) | .key]')"

# max_in_flight: 4 dead targets each hold a request slot for 1 s; with 2
# slots the others wait in the queue, yet every live target is polled.
targets=""
for i in $(seq 1 5); do
	targets="$targets{ name = \"live$i\"; address = \"$A\"; },"
done
for i in $(seq 1 4); do
	targets="$targets{ name = \"dead$i\"; address = \"127.0.0.1:$(free_port)\"; },"
done
netmon_conf "$TMP/queue.conf" "interval = 2; timeout = 0.5; retries = 1;
 max_in_flight = 2; collect = [\"system\"];
 targets = ( ${targets%,} );"
OUT="$TMP/queue.out"
"$DUMP" "$TMP/queue.conf" 5 >"$OUT" 2>"$TMP/queue.err"
[ "$(j .queued_max)" -gt 0 ] && [ "$(j .in_flight)" -le 2 ]
ok $? "max_in_flight = 2 holds requests back (queued up to $(j .queued_max))"
[ "$(j "[$live | select(.value.failures == 0 and .value.successes >= 1)] | length")" = 5 ]
ok $? "queued live targets are still polled, without failure" || diag "$(j .targets)"

# ---------------------------------------------------------------- snmpsim
if command -v snmpsimd >/dev/null 2>&1; then
	SIM=$(free_port)
	chmod 711 "$TMP"
	mkdir -p "$TMP/sim" "$TMP/simcache"
	cp -r "$DATA"/. "$TMP/sim/"
	chmod -R a+rX "$TMP/sim"
	chmod 777 "$TMP/simcache"
	simuser=()
	[ "$(id -u)" = 0 ] && simuser=(--process-user=nobody --process-group=nogroup)
	spawn SIMD snmpsimd --data-dir="$TMP/sim" --cache-dir="$TMP/simcache" \
		--agent-udpv4-endpoint=127.0.0.1:$SIM "${simuser[@]}" \
		>"$TMP/sim.log" 2>&1
	wait_for 30 snmpget -v2c -c hcmissing -t 0.3 -r 0 127.0.0.1:$SIM 1.3.6.1.2.1.1.3.0
	ok $? "snmpsimd answers" || diag "$(tail -5 "$TMP/sim.log")"
	# snmpsim numbers the snapshots in directory order: find which is which
	# by their sysUpTime (0: 100000, 1: 100200, 2: 50).
	declare -A snap
	for n in 0 1 2; do
		snmpset -v2c -c wrap -t 3 -r 1 127.0.0.1:$SIM 1.3.6.1.2.1.999.0 i $n >/dev/null
		up=$(snmpget -v2c -c wrap -t 3 -r 1 -Oqvt 127.0.0.1:$SIM 1.3.6.1.2.1.1.3.0)
		case "$up" in
		100000) snap[0]=$n ;; 100200) snap[1]=$n ;; 50) snap[2]=$n ;;
		esac
	done
	snmpset -v2c -c wrap -t 3 -r 1 127.0.0.1:$SIM 1.3.6.1.2.1.999.0 i "${snap[0]:-0}" >/dev/null
	[ -n "${snap[0]}" ] && [ -n "${snap[1]}" ] && [ -n "${snap[2]}" ]
	ok $? "wrap recording: three snapshots found, set to the first"

	# Warm snmpsim up (it indexes each recording on first use; slow under
	# load), then poll with generous timeouts.
	for c in hcmissing truncated; do
		snmpbulkwalk -v2c -c $c -t 5 -r 1 127.0.0.1:$SIM 1.3.6.1.2.1 >/dev/null 2>&1
	done
	S="127.0.0.1:$SIM"
	netmon_conf "$TMP/sim.conf" "interval = 1; timeout = 3; retries = 1;
	 targets = (
	  { name = \"old\"; address = \"$S\"; community = \"hcmissing\"; collect = [\"if\"]; },
	  { name = \"trunc\"; address = \"$S\"; community = \"truncated\"; collect = [\"if\"]; },
	  { name = \"wrap\"; address = \"$S\"; community = \"wrap\"; collect = [\"if\"]; } );"
	OUT="$TMP/sim.out"
	SNMP_DUMP_STOP_FILE="$TMP/sim.stop" "$DUMP" "$TMP/sim.conf" 60 \
		>"$OUT" 2>"$TMP/sim.err" &
	dpid=$!
	# switch snapshots once two polls have seen the current one
	wrap_polls() { grep -c '^METRIC wrap/snmp/if_octets-ge-0_0_0 ' "$OUT"; }
	wait_for 20 sh -c "[ \$(grep -c '^METRIC wrap/snmp/if_octets-ge-0_0_0 ' $OUT) -ge 2 ]"
	snmpset -v2c -c wrap -t 3 -r 1 127.0.0.1:$SIM 1.3.6.1.2.1.999.0 i "${snap[1]}" >/dev/null
	n=$(wrap_polls)
	wait_for 20 sh -c "[ \$(grep -c '^METRIC wrap/snmp/if_octets-ge-0_0_0 ' $OUT) -ge $((n + 2)) ]"
	snmpset -v2c -c wrap -t 3 -r 1 127.0.0.1:$SIM 1.3.6.1.2.1.999.0 i "${snap[2]}" >/dev/null
	n=$(wrap_polls)
	wait_for 20 sh -c "[ \$(grep -c '^METRIC wrap/snmp/if_octets-ge-0_0_0 ' $OUT) -ge $((n + 2)) ]"
	touch "$TMP/sim.stop"
	wait $dpid
	ok $? "polling the recordings" || diag "$(cat "$TMP/sim.err")"

	metric old/snmp/if_octets-Port_1_0 | grep -q '^DERIVE:[0-9]* DERIVE:[0-9]*$'
	ok $? "HC counters missing: 32-bit ifInOctets/ifOutOctets used instead" || diag "$(grep METRIC.old "$OUT" | head -3)"
	grep -q '^METRIC old/snmp/if_octets-Port_2_0 ' "$OUT"
	ok $? "instance from ifDescr 'Port 2/0' sanitised to Port_2_0"
	[ "$(metric old/snmp/bitrate-Port_1_0)" = "GAUGE:100000000" ] && [ "$(metric old/snmp/bitrate-Port_2_0)" = "GAUGE:10000000" ]
	ok $? "ifHighSpeed missing: bitrate from ifSpeed in bit/s (100 Mbit/s, 10 Mbit/s)" || diag "$(grep METRIC.old/snmp/bitrate "$OUT")"
	[ "$(stat old last_error)" = null ] && [ "$(stat old successes)" -ge 1 ]
	ok $? "the old agent polls without error"
	[ "$(stat trunc last_error)" = null ] && [ "$(stat trunc walk_errors)" = 0 ]
	ok $? "walk ending in endOfMibView: no error, no loop" || diag "$(stat trunc last_error)"
	grep -q '^METRIC trunc/snmp/if_octets-ge-0_0_1 ' "$OUT"
	ok $? "rows before the end are published (ge-0_0_1)"
	[ "$(stat trunc successes)" -ge 2 ] && [ "$(stat trunc failures)" = 0 ]
	ok $? "each truncated walk finishes"

	rx=$(grep '^METRIC wrap/snmp/if_octets-ge-0_0_0 ' "$OUT" | sed 's/.*DERIVE:\([0-9]*\) DERIVE.*/\1/')
	diag "wrap rx sequence: $(echo $rx)"
	echo "$rx" | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { exit bad }'
	ok $? "published counter never goes down (64-bit wrap, agent restart)"
	echo "$rx" | awk 'NR > 1 && $1 - prev > 2000 { bad = 1 } { prev = $1 } END { exit bad }'
	ok $? "and never jumps: no spike from the wrap or the restart"
	echo "$rx" | tr '\n' ' ' | grep -q -w 1500
	ok $? "the 64-bit wrap counts 1500 octets"
	[ "$(stat wrap agent_restarts)" = 1 ]
	ok $? "sysUpTime going back counted as one agent restart"
	grep -q "notice: snmp: wrap: agent restarted" "$TMP/sim.err"
	ok $? "and logged"
else
	for i in $(seq 1 17); do
		ok 0 "# SKIP snmpsim not installed (Debian package snmpsim)"
	done
fi

# ---------------------------------------------------------------- traps
# v1/v2c traps and informs, and SNMPv3 (RFC 3414 USM): an authNoPriv SHA
# user accepted from any sender engine (its engine ID learned from the
# trap), an authPriv SHA-256/AES-128 user bound to one engine ID, and an
# authPriv SHA/AES inform user (our engine ID, discovered by snmpinform).
# Wrong keys, a wrong engine and a too low level are rejected, counted and
# logged once per source, never with a key.
TRAP=$(free_port)
netmon_conf "$TMP/trap.conf" "trap_listen = \"udp:127.0.0.1:$TRAP\";
  trap_users = (
    { user = \"trapsha\"; auth_password = \"trapauth123\"; },
    { user = \"trappriv\"; auth_protocol = \"SHA-256\";
      auth_password = \"trapauth256\"; priv_password = \"trappriv256\";
      engine_ids = [ \"0x8000000001020304\" ]; },
    { user = \"informer\"; auth_password = \"informauth1\";
      priv_password = \"informpriv1\"; } );"
OUT="$TMP/trap.out"
SNMP_DUMP_STOP_FILE="$TMP/trap.stop" "$DUMP" "$TMP/trap.conf" 60 \
	>"$OUT" 2>"$TMP/trap.err" &
dpid=$!
wait_for 20 grep -q "traps on udp:127.0.0.1:$TRAP" "$TMP/trap.err" ||
	diag "trap receiver did not start: $(cat "$TMP/trap.err")"
export SNMP_PERSISTENT_DIR="$TMP/trap-persist" SNMPCONFPATH="$TMP/none"
snmptrap -v1 -c public 127.0.0.1:$TRAP 1.3.6.1.4.1.8072.2.3 127.0.0.1 6 17 '' \
	1.3.6.1.2.1.1.5.0 s "v1 hello"
snmptrap -v2c -c public 127.0.0.1:$TRAP '' 1.3.6.1.6.3.1.1.5.3 \
	1.3.6.1.2.1.2.2.1.1.2 i 2
snmpinform -v2c -c public -t 3 -r 1 127.0.0.1:$TRAP '' 1.3.6.1.4.1.8072.2.3.0.1 \
	1.3.6.1.2.1.1.5.0 s "inform me"
ok $? "the inform is acknowledged (snmpinform exits 0)"
snmptrap -v3 -u trapsha -l authNoPriv -a SHA -A trapauth123 \
	-e 0x8000000001aabbcc 127.0.0.1:$TRAP '' 1.3.6.1.6.3.1.1.5.1 \
	1.3.6.1.2.1.1.5.0 s "v3 authNoPriv"
snmptrap -v3 -u trappriv -l authPriv -a SHA-256 -A trapauth256 -x AES \
	-X trappriv256 -e 0x8000000001020304 127.0.0.1:$TRAP '' \
	1.3.6.1.6.3.1.1.5.2 1.3.6.1.2.1.1.5.0 s "v3 authPriv"
snmpinform -v3 -u informer -l authPriv -a SHA -A informauth1 -x AES \
	-X informpriv1 -t 3 -r 1 127.0.0.1:$TRAP '' 1.3.6.1.4.1.8072.2.3.0.2 \
	1.3.6.1.2.1.1.5.0 s "v3 inform"
ok $? "v3 authPriv inform is acknowledged (snmpinform -v 3 exits 0)"
# rejected: wrong auth key from a new engine and from the learned one, the
# engine-bound user from another engine, a known user without auth
snmptrap -v3 -u trapsha -l authNoPriv -a SHA -A wrongkey999 \
	-e 0x8000000001aabbdd 127.0.0.1:$TRAP '' 1.3.6.1.6.3.1.1.5.1 \
	1.3.6.1.2.1.1.5.0 s "v3 wrong key"
snmptrap -v3 -u trapsha -l authNoPriv -a SHA -A wrongkey999 \
	-e 0x8000000001aabbcc 127.0.0.1:$TRAP '' 1.3.6.1.6.3.1.1.5.1 \
	1.3.6.1.2.1.1.5.0 s "v3 wrong key"
snmptrap -v3 -u trappriv -l authPriv -a SHA-256 -A trapauth256 -x AES \
	-X trappriv256 -e 0x8000000009090909 127.0.0.1:$TRAP '' \
	1.3.6.1.6.3.1.1.5.2 1.3.6.1.2.1.1.5.0 s "v3 wrong engine"
snmptrap -v3 -u trapsha -l noAuthNoPriv -e 0x8000000001aabbcc \
	127.0.0.1:$TRAP '' 1.3.6.1.6.3.1.1.5.1 1.3.6.1.2.1.1.5.0 s "v3 noauth"
unset SNMP_PERSISTENT_DIR SNMPCONFPATH
wait_for 20 sh -c "[ \$(grep -c '^EVENT ' '$OUT') -ge 6 ]"
sleep 1
touch "$TMP/trap.stop"
wait $dpid
ok $? "trap receiver runs" || diag "$(cat "$TMP/trap.err")"
grep -q '^EVENT source=127.0.0.1 .*msgid=1.3.6.1.4.1.8072.2.3.0.17 .*version="1" type="trap".*text=1.3.6.1.2.1.1.5.0 = "v1 hello"' "$OUT"
ok $? "v1 trap: EVENT with RFC 3584 trap OID and varbinds" || diag "$(cat "$OUT")"
grep -q '^EVENT source=127.0.0.1 .*msgid=1.3.6.1.6.3.1.1.5.3 .*version="2c" type="trap".*text=1.3.6.1.2.1.2.2.1.1.2 = 2' "$OUT"
ok $? "v2c trap (linkDown): EVENT"
grep -q '^EVENT .*msgid=1.3.6.1.4.1.8072.2.3.0.1 .*type="inform".*inform me' "$OUT"
ok $? "inform: EVENT"
grep -q '^EVENT source=127.0.0.1 .*msgid=1.3.6.1.6.3.1.1.5.1 .*version="3" type="trap" user="trapsha" level="authNoPriv".*"v3 authNoPriv"' "$OUT"
ok $? "v3 authNoPriv SHA trap from a learned engine: EVENT" || diag "$(grep EVENT "$OUT")"
grep -q '^EVENT .*msgid=1.3.6.1.6.3.1.1.5.2 .*version="3" type="trap" user="trappriv" level="authPriv".*"v3 authPriv"' "$OUT"
ok $? "v3 authPriv SHA-256/AES-128 trap from its configured engine: EVENT"
grep -q '^EVENT .*msgid=1.3.6.1.4.1.8072.2.3.0.2 .*version="3" type="inform" user="informer" level="authPriv".*"v3 inform"' "$OUT"
ok $? "v3 authPriv SHA/AES inform: EVENT"
[ "$(grep -c '^EVENT ' "$OUT")" = 6 ]
ok $? "exactly six events (none from a wrong key, engine or level)" ||
	diag "$(grep EVENT "$OUT")"
tstat() { grep '^STATS ' "$OUT" | sed 's/^STATS //' | jq -r ".traps.$1"; }
[ "$(tstat rejected)" = 4 ] && [ "$(tstat v3_rejected.wrong_digest)" = 2 ] &&
	[ "$(tstat v3_rejected.security_level)" = 1 ] &&
	[ "$(tstat v3_engines_learned)" = 1 ]
ok $? "4 v3 notifications rejected (2 wrong digests, 1 wrong engine, 1 level), one engine learned" ||
	diag "$(grep '^STATS' "$OUT" | sed 's/^STATS //' | jq -c .traps)"
[ "$(grep -c 'SNMPv3 notification from 127.0.0.1 (user .trapsha.) rejected: wrong authentication digest' "$TMP/trap.err")" = 1 ] &&
	[ "$(grep -c 'SNMPv3 notification from' "$TMP/trap.err")" = 1 ]
ok $? "a rejection is logged once per source, naming the user" ||
	diag "$(grep -i 'notification' "$TMP/trap.err")"
! grep -q -e wrongkey999 -e trapauth -e trappriv256 -e informauth1 -e informpriv1 "$TMP/trap.err" "$OUT"
ok $? "no v3 key or pass phrase in logs or events"

# ---------------------------------------------------------------- netmond
netmon_conf "$TMP/badname.conf" "mib_dirs = [\"$DATA/mibs\"];
 sets = ( { name = \"x\";
   scalars = ( { oid = \"NETMON-TEST-MIB::nmtNoSuchObject.0\";
                 type = \"gauge\"; } ); } );
 targets = ( { name = \"x\"; address = \"127.0.0.1\"; collect = [\"x\"]; } );"
"$NETMOND" -t -C "$TMP/badname.conf" >"$TMP/t.out" 2>&1
st=$?
[ $st = 1 ] && grep -q "badname.conf:5: snmp.sets.\[0\].scalars.\[0\].oid: 'NETMON-TEST-MIB::nmtNoSuchObject.0' is not an OID: no MIB module loaded from $DATA/mibs defines that name" "$TMP/t.out"
ok $? "netmond -t: an OID name no MIB defines is an error naming file and line" || diag "$(cat "$TMP/t.out")"
if MIBS=SNMPv2-MIB:IF-MIB snmptranslate -On IF-MIB::ifHCInOctets >/dev/null 2>&1; then
	netmon_conf "$TMP/ietf.conf" "sets = ( { name = \"x\";
   scalars = ( { oid = \"SNMPv2-MIB::sysUpTime.0\"; type = \"gauge\"; } );
   tables = ( { instance = \"IF-MIB::ifName\";
     values = ( { oids = [ \"ifHCInOctets\", \"ifHCOutOctets\" ];
                  type = \"if_octets\"; } ); } ); } );
 targets = ( { name = \"x\"; address = \"127.0.0.1\"; collect = [\"x\"]; } );"
	"$NETMOND" -t -C "$TMP/ietf.conf" >"$TMP/t.out" 2>&1
	ok $? "netmond -t: SNMPv2-MIB and IF-MIB names from the installed MIBs" ||
		diag "$(cat "$TMP/t.out")"
else
	ok 0 "# SKIP no IETF MIB files installed (SNMPv2-MIB, IF-MIB: Debian's non-free snmp-mibs-downloader)"
fi
netmon_conf "$TMP/bad.conf" "targets = ( { name = \"x\"; address = \"h\";
  version = \"3\"; user = \"u\"; auth_password = \"12345678\";
  auth_protocol = \"MD5\"; } );"
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
st=$?
[ $st = 1 ] && grep -q "bad.conf:5: snmp.targets.\[0\].auth_protocol: MD5 is refused unless snmp.allow_legacy_crypto = true" "$TMP/t.out"
ok $? "netmond -t: MD5 refused with file:line and setting" || diag "$(cat "$TMP/t.out")"

netmon_conf "$TMP/run.conf" "timeout = 0.5; targets = ( { name = \"v2\"; address = \"$A\"; } );"
spawn NPID "$NETMOND" -f -C "$TMP/run.conf" 2>"$TMP/netmond.log"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.snmp.details.targets.v2.successes')\" -ge 1 ]"
ok $? "netmond: stats --json shows per-target details" || diag "$(cat "$TMP/netmond.log")"
[ "$(stat_of '.plugins.snmp.details.targets.v2.last_success | type')" = number ]
ok $? "netmond: last_success is a time"
kill -TERM "$NPID"
wait_exit "$NPID" 20
ok "$EXIT_STATUS" "netmond stops cleanly"

finish
