#!/bin/bash
# netflow plugin end to end: netmond with the netflow plugin receives
# v5, v9 and IPFIX (UDP over IPv4 and IPv6, IPFIX over TCP) from
# t/tools/nm-flowgen and its per-exporter totals equal what the generator
# sent; records before templates, changed layouts, two exporters with one
# template ID, options templates with sampling, hostile datagrams, top
# talkers, templates persisted across a restart.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

plan 29

GEN="$top_builddir/t/tools/nm-flowgen"
PORT=$(free_port)   # UDP and TCP (IPFIX over TCP) on one number

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
  listen_tcp = [ "127.0.0.1:$PORT" ];
  interval = 1;
  top_n = 5;
  exporters = ( { address = "127.0.0.3"; name = "rtr3"; } );
};
EOC

"$NETMOND" -t -C "$TMP/nf.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the netflow config" || diag "$(cat "$TMP/t.out")"

cat >"$TMP/bad.conf" <<EOC
netmond = { plugin_dir = "$top_builddir/plugins/netflow"; state_dir = "$TMP/state"; control_socket = "$SOCK"; };
netflow = { listen = [ "127.0.0.1:$PORT" ]; exporters = ( { address = "nope"; name = "x"; } ); };
EOC
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "bad.conf:2: netflow.exporters.\[0\].address: 'nope' is not an IP address" "$TMP/t.out"
ok $? "-t rejects a bad exporter address with file:line" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/nf.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts with the netflow plugin" || diag "$(cat "$TMP/log")"

ex() { stat_of ".plugins.netflow.details.exporters[\"$1\"].$2"; }
# expect EXPORTER "flows F bytes B packets P ...": wait until the totals match
expect() {
	local e=$1 f b p
	f=$(echo "$2" | awk '{print $2}')
	b=$(echo "$2" | awk '{print $4}')
	p=$(echo "$2" | awk '{print $6}')
	wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -c '.plugins.netflow.details.exporters[\"$e\"] | [.records, .bytes, .flow_packets]')\" = '[$f,$b,$p]' ]"
}
show() { diag "sent: $2" "got: $(ctl stats --json | jq -c ".plugins.netflow.details.exporters[\"$1\"]")"; }

out=$("$GEN" -p $PORT -V 5 -n 20 -r 30 -S 127.0.0.2 --rate 2000)
ok $? "generator sends NetFlow v5"
expect 127.0.0.2 "$out"
ok $? "v5 totals equal what was sent ($out)" || show 127.0.0.2 "$out"
out=$("$GEN" -p $PORT -V 5 -n 5 -r 10 -S 127.0.0.12 --sampling 100)
expect 127.0.0.12 "$out"
ok $? "v5 header sampling interval scales bytes and packets" || show 127.0.0.12 "$out"

out=$("$GEN" -p $PORT -V 9 -n 30 -r 25 -S 127.0.0.3 --data-first --rate 2000)
expect rtr3 "$out"
ok $? "v9 with data before the template: all decoded, exporter named rtr3" || show rtr3 "$out"
[ "$(ex rtr3 template_misses)" = 0 ] && [ "$(ex rtr3 pending_sets)" = 0 ]
ok $? "no template miss, nothing left pending"

out=$("$GEN" -p $PORT -V 10 -n 30 -r 25 -S 127.0.0.4 --sampling 10)
expect 127.0.0.4 "$out"
ok $? "IPFIX with an options template announcing sampling 1:10" || show 127.0.0.4 "$out"
[ "$(ex 127.0.0.4 options_records)" -ge 1 ]
ok $? "options data records counted"

out=$("$GEN" -p $PORT -V 10 -n 20 -r 25 -S 127.0.0.5 --tcp)
expect 127.0.0.5 "$out"
ok $? "IPFIX over TCP" || show 127.0.0.5 "$out"

out=$("$GEN" -H ::1 -p $PORT -V 9 -n 10 -r 20 --ipv6)
expect ::1 "$out"
ok $? "v9 over IPv6 with IPv6 flow addresses" || show ::1 "$out"
out6=$("$GEN" -H ::1 -p $PORT -V 10 -n 10 -r 20 --ipv6 --seed 5000)
sum=$(echo "$out $out6" | awk '{print "flows", $2+$10, "bytes", $4+$12, "packets", $6+$14}')
expect ::1 "$sum"
ok $? "IPFIX over IPv6, varlen and enterprise fields" || show ::1 "$sum"

# Same template ID 256 from two exporters with different layouts, and a
# refresh with a changed layout on one of them.
a=$("$GEN" -p $PORT -V 9 -n 10 -r 20 -S 127.0.0.6 --layout 2)
b=$("$GEN" -p $PORT -V 9 -n 10 -r 20 -S 127.0.0.7 --layout 1)
c=$("$GEN" -p $PORT -V 9 -n 10 -r 20 -S 127.0.0.6 --layout 1 --seed 300)
sum=$(echo "$a $c" | awk '{print "flows", $2+$10, "bytes", $4+$12, "packets", $6+$14}')
expect 127.0.0.7 "$b"
ok $? "two exporters with one template ID and different layouts (b)" || show 127.0.0.7 "$b"
expect 127.0.0.6 "$sum"
ok $? "template refreshed with a changed layout (a then c)" || show 127.0.0.6 "$sum"

# Three exporters at once while netmond is stopped: their datagrams
# interleave in the socket queue, so each recvmmsg batch holds records of
# several exporters in turn; each exporter's totals stay its own. (60
# small datagrams: they fit the default receive buffer.)
kill -STOP $PID
for i in 9 10 11; do
	"$GEN" -p $PORT -V 9 -n 20 -r 10 --rate 1000 -S 127.0.0.$i --seed $((i * 1000)) >"$TMP/gen.$i" &
	eval "G$i=\$!"
done
wait $G9 $G10 $G11
kill -CONT $PID
r=0
for i in 9 10 11; do
	expect 127.0.0.$i "$(cat "$TMP/gen.$i")" || { r=1; show 127.0.0.$i "$(cat "$TMP/gen.$i")"; }
done
ok $r "three exporters interleaved in one batch: totals per exporter"

# The generator's fast path as the benchmark drives it: three sending
# threads (each its own source port and observation domain, so its own
# sequence numbers), a pool of 64 pre-encoded datagrams replayed with
# sequence numbers patched in, sendmmsg bursts of 8 (IPFIX: as UDP GSO
# messages). The totals it reports must be what netmond decodes, with no
# sequence gap in any domain.
r=0
for v in 9 10; do
	a=127.0.0.$((4 + v))   # .13 and .14
	gso=""; [ $v = 10 ] && gso=--gso
	out=$("$GEN" -p $PORT -V $v -n 300 -r 10 --rate 5000 -S $a --senders 3 --pool 64 --burst 8 --timing $gso)
	case "$out" in "flows 3000 bytes "*" datagrams 303 seconds "*) ;; *) r=1; diag "v$v generator said: $out";; esac
	expect $a "$out" || { r=1; show $a "$out"; }
	[ "$(ex $a sequence_gaps)" = 0 ] || { r=1; diag "v$v: $(ex $a sequence_gaps) sequence gaps"; }
done
ok $r "nm-flowgen --senders 3 --pool 64: totals exact, no sequence gaps (v9; IPFIX with --gso)"

# --- hostile input from 127.0.0.1 ---
send() { printf "$1" >/dev/udp/127.0.0.1/$PORT; }
send '\x00\x09\x00\x01'                                   # truncated v9 header
send '\x00\x0a\x00\x10\x00'                               # truncated IPFIX header
send '\x00\x05\x00\x1e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'  # v5 count 30, no records
H9='\x00\x09\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
send "$H9"'\x00\x00\x00\x08\x01\x00\x00\x00'              # template with 0 fields
send "$H9"'\x00\x00\x00\x0c\x01\x00\x00\x01\x00\x01\x00\x00'  # zero-length field
send "$H9"'\x00\x00\x00\x0c\x01\x00\xff\xff\x00\x01\x00\x04'  # 65535 fields
send "$H9"'\x01\x00\xff\xf0\x00\x00\x00\x00'              # set length past the end
send '\x00\x0a\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'  # IPFIX length past the end
for i in $(seq 1 200); do head -c $((RANDOM % 1400 + 1)) /dev/urandom >/dev/udp/127.0.0.1/$PORT; done
# (a shell write may be split into more than one datagram: at least 208)
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.netflow.details.exporters[\"127.0.0.1\"].packets')\" -ge 208 ]"
ok $? "208 hostile datagrams received"
m=$(ex 127.0.0.1 malformed)
[ "$m" -ge 8 ]
ok $? "hostile datagrams counted as malformed ($m)"
ctl status >/dev/null
ok $? "daemon unaffected by hostile input"
out=$("$GEN" -p $PORT -V 10 -n 5 -r 10 -S 127.0.0.8)
expect 127.0.0.8 "$out"
ok $? "and still decodes valid traffic afterwards" || show 127.0.0.8 "$out"

# --- top talkers ---
ctl flows top --exporter rtr3 --by src --since 5m --json >"$TMP/top.json"
ok $? "netmonctl flows top --json answers"
[ "$(jq '.exporters | length' "$TMP/top.json")" = 1 ] &&
[ "$(jq '.exporters[0].top | length' "$TMP/top.json")" = 5 ] &&
[ "$(jq -r '.exporters[0].exporter' "$TMP/top.json")" = rtr3 ]
ok $? "top 5 sources of exporter rtr3" || diag "$(cat "$TMP/top.json")"
total=$(ctl flows top --exporter 127.0.0.2 --by app --since 5m --json | jq '[.exporters[0].top[].bytes] | add')
[ "$total" = "$(ex 127.0.0.2 bytes)" ]
ok $? "bytes by application add up to the exporter's bytes ($total)"
ctl flows top --by conv --since 5m | grep -q -- "-> 192.0.2."
ok $? "text output by conversation"
ctl flows top --by nonsense >"$TMP/err.out" 2>&1
[ $? -eq 1 ] && grep -q "src, dst, conv or app" "$TMP/err.out"
ok $? "a bad --by is an error"

# --- metrics published, templates persisted across a restart ---
wait_for 5 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.netflow.counters.published')\" -gt \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.netflow.counters.flow_batches')\" ]"
ok $? "METRIC messages published besides FLOW batches"
kill -TERM "$PID"
wait_exit "$PID" 20
ok "${EXIT_STATUS:-1}" "SIGTERM stops netmond, exit 0"
spawn PID "$NETMOND" -f -C "$TMP/nf.conf" 2>"$TMP/log2"
wait_for 10 test -S "$SOCK"
out=$("$GEN" -p $PORT -V 9 -n 5 -r 10 -S 127.0.0.3 --no-template --seed 7)
expect rtr3 "$out"
ok $? "after a restart, data without templates decodes (templates from state_dir)" || { show rtr3 "$out"; diag "$(cat "$TMP/log2")"; }
kill -TERM "$PID"
wait_exit "$PID" 20
finish
