#!/bin/bash
# netflow receive threads: each UDP listener is read by a thread of its own
# ("nf-rx"); SIGHUP reloads while a generator sends stop and join the old
# threads and start new ones (no thread leaked, the new listeners decode
# exactly what is sent afterwards); SIGTERM while a generator floods the
# socket stops netmond promptly (the reading loop checks for a stop).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

plan 9

GEN="$top_builddir/t/tools/nm-flowgen"
PORT=$(free_port)

cat >"$TMP/nf.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$top_builddir/plugins/netflow";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
};
netflow = {
  listen = [ "127.0.0.1:$PORT", "[::1]:$PORT" ];
  interval = 1;
};
EOC

rx_threads() { grep -lx nf-rx /proc/"$PID"/task/*/comm 2>/dev/null | wc -l; }
ex() { stat_of ".plugins.netflow.details.exporters[\"$1\"].$2"; }
# expect EXPORTER "flows F bytes B packets P ...": wait until the totals match
expect() {
	local e=$1 f b p
	f=$(echo "$2" | awk '{print $2}')
	b=$(echo "$2" | awk '{print $4}')
	p=$(echo "$2" | awk '{print $6}')
	wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -c '.plugins.netflow.details.exporters[\"$e\"] | [.records, .bytes, .flow_packets]')\" = '[$f,$b,$p]' ]"
}

spawn PID "$NETMOND" -f -C "$TMP/nf.conf" 2>"$TMP/log"
wait_for 20 test -S "$SOCK"
ok $? "netmond starts with two UDP listeners" || diag "$(cat "$TMP/log")"
n=$(rx_threads)
[ "$n" = 2 ]
ok $? "one receive thread (nf-rx) per UDP listener ($n)"

# --- reloads while a generator sends (v9, ~60,000 records/s for ~5 s) ---
"$GEN" -p $PORT -V 9 -n 10000 -r 30 -S 127.0.0.2 --rate 2000 >"$TMP/gen1.out" &
GPID=$!
wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.netflow.counters.records')\" -gt 0 ]"
ok $? "records arrive from the generator"
for i in 1 2 3; do
	kill -HUP "$PID"
	wait_for 30 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.reloads')\" = $i ]" || break
done
st=$(stat_of .reloads)
[ "$st" = 3 ]
ok $? "three reloads while records arrive ($st)" || diag "$(tail -5 "$TMP/log")"
wait "$GPID"
n=$(rx_threads)
[ "$n" = 2 ]
ok $? "after the reloads still two receive threads: the old ones were joined ($n)"

out=$("$GEN" -p $PORT -V 10 -n 40 -r 25 -S 127.0.0.3 --rate 2000)
expect 127.0.0.3 "$out"
ok $? "the new listener decodes exactly what is sent after the reloads ($out)" ||
	diag "got: $(ctl stats --json | jq -c '.plugins.netflow.details.exporters["127.0.0.3"]')"
out=$("$GEN" -H ::1 -p $PORT -V 9 -n 10 -r 20 --rate 2000)
expect ::1 "$out"
ok $? "and so does the IPv6 one ($out)"

# --- SIGTERM during a flood: the receive threads stop, netmond exits ---
"$GEN" -p $PORT -V 9 -n 200000 -r 30 -S 127.0.0.4 --rate 1000000 --burst 32 >/dev/null 2>&1 &
GPID=$!
wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.netflow.details.exporters[\"127.0.0.4\"].packets // 0')\" -gt 100 ]"
ok $? "a flood arrives"
kill -TERM "$PID"
wait_exit "$PID" 30
ok "${EXIT_STATUS:-1}" "SIGTERM during the flood stops netmond, exit 0" || diag "$(tail -5 "$TMP/log")"
kill "$GPID" 2>/dev/null
wait "$GPID" 2>/dev/null
finish
