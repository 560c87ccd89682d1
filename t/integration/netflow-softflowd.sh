#!/bin/bash
# A real exporter: softflowd reads a pcap made by the test and exports
# NetFlow v5, v9 and IPFIX to netmon and to nfcapd at once; netmon's
# totals (flows, bytes, packets) equal what nfdump reports.
# Needs Debian packages softflowd, nfdump and python3; skipped without.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

for tool in softflowd softflowctl nfcapd nfdump python3 jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

plan 10

PORT=$(free_port)
NFPORT=$(free_port)
FLOWS=300

cat >"$TMP/nf.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$top_builddir/plugins/netflow";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
};
netflow = { listen = [ "127.0.0.1:$PORT" ]; interval = 1; };
EOC

python3 "$top_srcdir/t/data/netflow/mkpcap.py" "$TMP/t.pcap" $FLOWS
ok $? "pcap of $FLOWS flows written"

spawn PID "$NETMOND" -f -C "$TMP/nf.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts" || diag "$(cat "$TMP/log")"

# netmon's [records, bytes, packets] of exporter 127.0.0.1 so far
totals() {
	ctl stats --json | jq -c '.plugins.netflow.details.exporters["127.0.0.1"] // {} |
		[.records // 0, .bytes // 0, .flow_packets // 0]'
}

# sf DEST VERSION: softflowd exports the pcap's flows to DEST.
sf() {
	spawn SFPID softflowd -r "$TMP/t.pcap" -n "$1" -v "$2" -d \
		-p "$TMP/sf.pid" -c "$TMP/sf.ctl"
	# softflowd keeps running after the file; a shutdown exports every flow.
	wait_for 10 sh -c "softflowctl -c $TMP/sf.ctl statistics 2>/dev/null | grep -q 'Packets processed: [1-9]'"
	softflowctl -c "$TMP/sf.ctl" shutdown >/dev/null 2>&1
	wait_exit "$SFPID" 10
}

for v in 5 9 10; do
	before=$(totals)
	mkdir -p "$TMP/nf$v"
	spawn NFPID nfcapd -p $NFPORT -b 127.0.0.1 -w "$TMP/nf$v"
	sleep 0.5
	# softflowd 1.1 sends to one -n destination only: run it once per
	# collector over the same pcap (its flows are deterministic).
	sf 127.0.0.1:$NFPORT $v
	sf 127.0.0.1:$PORT $v
	sleep 0.5
	kill -TERM "$NFPID"
	wait_exit "$NFPID" 10
	nfd=$(nfdump -R "$TMP/nf$v" -I 2>/dev/null |
		awk '/^Flows:/ {f=$2} /^Packets:/ {p=$2} /^Bytes:/ {b=$2} END {printf "[%d,%d,%d]", f, b, p}')
	want=$(jq -nc --argjson a "$before" --argjson d "$nfd" '[$a[0]+$d[0], $a[1]+$d[1], $a[2]+$d[2]]')
	wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -c '.plugins.netflow.details.exporters[\"127.0.0.1\"] | [.records, .bytes, .flow_packets]')\" = '$want' ]"
	ok $? "v$v: netmon totals equal nfdump's (flows, bytes, packets $nfd)" ||
		diag "before $before nfdump $nfd netmon now $(totals)"
	[ "$(echo "$nfd" | jq '.[0]')" = $FLOWS ]
	ok $? "v$v: nfdump saw all $FLOWS flows"
done
[ "$(ctl stats --json | jq '.plugins.netflow.details.exporters["127.0.0.1"].malformed')" = 0 ]
ok $? "no malformed packet from softflowd"
kill -TERM "$PID"
wait_exit "$PID" 20
ok "${EXIT_STATUS:-1}" "netmond exits 0"
finish
