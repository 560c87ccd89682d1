#!/bin/bash
# SNMPv3 replies that fail authentication are never data (RFC 3414 §3.2
# step 6). net-snmp 5.9.3 hands such a PDU to the application anyway: its
# own snmpget prints "Authentication failed" AND the forged value, and the
# trap receiver had to check net-snmp's usmStats (see snmp.sh). Here a v3
# agent signs its Responses with a wrong key
# (t/integration/snmp-v3-forge-agent.py, pysnmp): netmond must publish
# nothing from it and report the target as failing. The same agent
# signing correctly is polled fine (so the setup itself works).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

DUMP="$top_builddir/t/unit/test-snmp-dump"
SNMPPLUG="$top_builddir/plugins/snmp"
AGENT="$top_srcdir/t/integration/snmp-v3-forge-agent.py"

PY=
for p in python3 /usr/bin/python3; do
	if command -v $p >/dev/null 2>&1 && $p -c 'import pysnmp' 2>/dev/null; then
		PY=$p
		break
	fi
done
for tool in snmpget jq; do
	command -v $tool >/dev/null 2>&1 || PY=
done
if [ -z "$PY" ]; then
	echo "1..0 # SKIP needs python3 with pysnmp (Debian python3-pysnmp4, via snmpsim), snmpget, jq"
	exit 0
fi
if [ ! -x "$DUMP" ] || [ ! -f "$SNMPPLUG/snmp.la" ]; then
	echo "1..0 # SKIP snmp plugin not built"
	exit 0
fi

plan 4

netmon_conf() {
	cat >"$1" <<EOC
netmond = { interval = 1; plugin_dir = "$SNMPPLUG"; state_dir = "$TMP";
            control_socket = "$SOCK"; log_level = "info"; };
snmp = { interval = 1; timeout = 0.7; retries = 0; collect = ["system"];
  targets = ( { name = "v3"; address = "127.0.0.1:$2"; version = "3";
    user = "forger"; auth_password = "authpass123"; } ); };
EOC
}
stat() { grep '^STATS ' "$OUT" | sed 's/^STATS //' | jq -r ".targets.v3.$1"; }
v3get() { snmpget -v3 -u forger -l authNoPriv -a SHA -A authpass123 -t 0.5 -r 0 \
	-Oqv 127.0.0.1:$1 1.3.6.1.2.1.1.3.0; }

# --- the agent signing correctly
P1=$(free_port)
spawn HONEST "$PY" "$AGENT" "$P1" honest >"$TMP/honest.log" 2>&1
wait_for 20 v3get "$P1"
ok $? "pysnmp v3 agent answers snmpget" || diag "$(cat "$TMP/honest.log")"
netmon_conf "$TMP/honest.conf" "$P1"
OUT="$TMP/honest.out"
MIBS= "$DUMP" "$TMP/honest.conf" 3.5 >"$OUT" 2>"$TMP/honest.err"
[ "$(stat successes)" -ge 2 ] && grep -q '^METRIC v3/snmp/uptime ' "$OUT"
ok $? "v3 authNoPriv target polled from it (sysUpTime published)" ||
	diag "$(grep STATS "$OUT") $(cat "$TMP/honest.err")"

# --- the same agent signing with a wrong key
P2=$(free_port)
spawn FORGER "$PY" "$AGENT" "$P2" forge >"$TMP/forge.log" 2>&1
wait_for 20 sh -c "snmpget -v3 -u forger -l authNoPriv -a SHA -A authpass123 -t 0.5 -r 0 127.0.0.1:$P2 1.3.6.1.2.1.1.3.0 2>&1 | grep -q 'Authentication failed'"
diag "plain snmpget against the forging agent: $(MIBS= v3get "$P2" 2>&1 | tr '\n' ' ')"
netmon_conf "$TMP/forge.conf" "$P2"
OUT="$TMP/forge.out"
MIBS= "$DUMP" "$TMP/forge.conf" 3.5 >"$OUT" 2>"$TMP/forge.err"
! grep -q '^METRIC v3/' "$OUT"
ok $? "replies with a wrong HMAC: nothing published" || diag "$(grep METRIC "$OUT" | head -3)"
[ "$(stat successes)" = 0 ] && [ "$(stat failures)" -ge 2 ] &&
	stat last_error | grep -q "^no authentic answer from udp:127.0.0.1:$P2: [0-9]* replies dropped (SNMPv3 authentication"
ok $? "and the target fails every poll with a clear error: $(stat last_error)" || diag "$(grep STATS "$OUT")"
finish
