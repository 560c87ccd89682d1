#!/bin/bash
# icmp plugin end to end: 1,000 loopback addresses and ::1 all answer;
# a namespace pair with a share of echo replies dropped reports that loss;
# an address nobody owns goes down; a .invalid name is that target's error
# only; datagram, raw and auto sockets.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
#
# Traffic goes only to loopback and to network namespaces made here; the
# namespaces and every process are removed at exit.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/icmp"
NSA="nm-icmp-a-$$"
NSB="nm-icmp-b-$$"
_ns=""

icmp_cleanup() {
	cleanup
	for ns in $_ns; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap icmp_cleanup EXIT

plan 23

# conf FILE SOCKET ICMP-BODY
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$2";
  log_level = "notice";
  shutdown_timeout = 5;
};
icmp = {
$3
};
EOC
}

# jq over one daemon's icmp details: q SOCK EXPR
q() { "$NETMONCTL" -s "$1" stats --json | jq -r ".plugins.icmp.details | $2"; }

# ---------------------------------------------------------------- loopback
# 1,000 addresses of 127.0.0.0/8 and ::1, in the host's namespace.
{
	# Generous timeout: under ASan on 2 busy cores a reply can wait for
	# the main loop; loss must still be 0.
	echo 'pings = 2; interval = 4; timeout = 1.5; size = 32;'
	echo 'targets = ('
	for a in 0 1 2 3; do
		for b in $(seq 1 250); do
			echo "{ address = \"127.0.$a.$b\"; },"
		done
	done
	echo '{ address = "::1"; name = "localhost6"; } );'
} >"$TMP/lo.body"
conf "$TMP/lo.conf" "$SOCK" "socket = \"auto\"; $(cat "$TMP/lo.body")"
"$NETMOND" -t -C "$TMP/lo.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts 1,001 targets" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/lo.conf" 2>"$TMP/lo.log"
if wait_for 10 test -S "$SOCK" && [ "$(q "$SOCK" '.sockets.ipv4')" != none ]; then
	ok 0 "netmond starts with 1,001 icmp targets ($(q "$SOCK" '.sockets.ipv4') socket)"
	# Poll the cheap counters (--brief), not 1,001 targets' details, so the
	# test itself does not starve netmond's main loop.
	wait_for 30 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json --brief | jq '.plugins.icmp.counters.rounds')\" -ge 2002 ]"
	[ "$(q "$SOCK" '[.targets[] | select(.rounds < 1)] | length')" = 0 ]
	ok $? "every target finished a round"
	n=$(q "$SOCK" '[.targets[] | select(.loss == 0 and .last_rtt_ms > 0 and .received >= 2)] | length')
	[ "$n" = 1001 ]
	ok $? "all 1,001 report loss 0 and an RTT ($n)" ||
		diag "$(q "$SOCK" '[.targets | to_entries[] | select(.value.loss != 0)][0:3]')"
	rtt=$(q "$SOCK" '.targets.localhost6.last_rtt_ms')
	awk -v r="$rtt" 'BEGIN { exit !(r > 0 && r < 100) }'
	ok $? "::1 answers (RTT $rtt ms)"
	# Addresses as stats print them (one-, two- and three-digit octets):
	# each IPv4 target's name is its configured address.
	n=$(q "$SOCK" '[.targets | to_entries[] | select(.key != "localhost6" and .key != .value.address)] | length')
	[ "$n" = 0 ]
	ok $? "stats print each IPv4 address as configured ($n differ)" ||
		diag "$(q "$SOCK" '[.targets | to_entries[] | select(.key != .value.address)][0:3]')"
	# A raw socket also sees replies to other programs' pings (other tests
	# run in parallel): those are counted as foreign, never as ours.
	[ "$(stat_of '.plugins.icmp.counters.replies')" -le "$(stat_of '.plugins.icmp.counters.probes_sent')" ]
	ok $? "no reply counted that was not ours ($(stat_of '.plugins.icmp.counters.replies_foreign') foreign)"
	kill -TERM "$PID"
	wait_exit "$PID" 20 && [ "$EXIT_STATUS" = 0 ]
	ok $? "netmond stops cleanly"
else
	diag "$(tail -5 "$TMP/lo.log")"
	for i in 1 2 3 4 5 6 7; do
		_n=$((_n + 1))
		echo "ok $_n # SKIP no ICMP socket here (needs root or ping_group_range)"
	done
fi

# --------------------------------------------------------------- namespaces
skip_ns() {
	while [ "$_n" -lt 22 ]; do
		_n=$((_n + 1))
		echo "ok $_n # SKIP $1"
	done
	finish
}

ip netns add "$NSA" 2>"$TMP/ns.err" || skip_ns "cannot create a network namespace: $(head -1 "$TMP/ns.err")"
_ns="$NSA"
ip netns add "$NSB" || skip_ns "cannot create a second network namespace"
_ns="$NSA $NSB"
inA() { ip netns exec "$NSA" "$@"; }
inB() { ip netns exec "$NSB" "$@"; }
# 198.18.0.0/15 is reserved for benchmarking (RFC 2544): never routed out.
ip link add nmA$$ netns "$NSA" type veth peer name nmB$$ netns "$NSB" &&
	inA ip link set lo up && inB ip link set lo up &&
	inA ip addr add 198.18.0.1/24 dev nmA$$ &&
	inB ip addr add 198.18.0.2/24 dev nmB$$ &&
	inB ip addr add 198.18.0.3/24 dev nmB$$ &&
	inA ip link set nmA$$ up && inB ip link set nmB$$ up &&
	inA sh -c 'echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range' ||
	skip_ns "cannot set up the veth pair"

# Drop 30% of the echo replies B sends: exactly 3 in every 10 with
# nftables' numgen (one counter per source address, so the two daemons
# below each see exactly 30%), else random with tc netem.
DROP=0.3
TOL=0.1
if command -v nft >/dev/null &&
	inB nft -f - <<'EON' 2>"$TMP/nft.err"
table inet nmtest {
  chain out {
    type filter hook output priority 0;
    ip saddr 198.18.0.2 icmp type echo-reply numgen inc mod 10 < 3 drop
    ip saddr 198.18.0.3 icmp type echo-reply numgen inc mod 10 < 3 drop
  }
}
EON
then
	how="nftables numgen: 3 of every 10 replies"
elif inB tc qdisc add dev nmB$$ root netem loss 30%; then
	how="tc netem loss 30%"
	TOL=0.15
else
	skip_ns "neither nftables nor tc netem can drop replies"
fi
ok 0 "namespaces $NSA and $NSB with a veth pair; $how dropped"

SOCKA="$TMP/a.sock"
conf "$TMP/a.conf" "$SOCKA" 'socket = "datagram"; pings = 20; interval = 1;
timeout = 0.3; down_after = 2;
targets = (
  { address = "198.18.0.2"; name = "lossy"; },
  { address = "198.18.0.99"; name = "ghost"; pings = 2; },
  { address = "no-such-host.invalid"; name = "bad"; },
  { address = "127.0.0.1"; name = "self"; },
  { address = "::1"; name = "self6"; } );'
sed "s|$SOCKA|$TMP/r.sock|; s|socket = \"datagram\"|socket = \"raw\"|; s|$TMP/state|$TMP/state-r|; s|198.18.0.2|198.18.0.3|" \
	"$TMP/a.conf" >"$TMP/r.conf"
spawn PIDA ip netns exec "$NSA" "$NETMOND" -f -C "$TMP/a.conf" 2>"$TMP/a.log"
spawn PIDR ip netns exec "$NSA" "$NETMOND" -f -C "$TMP/r.conf" 2>"$TMP/r.log"
wait_for 10 test -S "$SOCKA" && wait_for 10 test -S "$TMP/r.sock"
ok $? "two netmonds start in $NSA" || diag "$(tail -3 "$TMP/a.log" "$TMP/r.log")"
[ "$(q "$SOCKA" '.sockets.ipv4 + "/" + .sockets.ipv6')" = datagram/datagram ]
ok $? "socket = \"datagram\" uses datagram sockets (ping_group_range open)"
[ "$(q "$TMP/r.sock" '.sockets.ipv4 + "/" + .sockets.ipv6')" = raw/raw ]
ok $? "socket = \"raw\" uses raw sockets"

wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCKA stats --json | jq '.plugins.icmp.details.targets.lossy.sent >= 100 and .plugins.icmp.details.targets.ghost.state == \"down\"')\" = true ]"
ok $? "100 probes sent to the lossy target; the unowned address is down"

# loss SOCK: overall loss of "lossy" over the rounds finished.
loss() { q "$1" '.targets.lossy | if .sent > 0 then 1 - .received / .sent else -1 end'; }
for s in "$SOCKA" "$TMP/r.sock"; do
	l=$(loss "$s")
	awk -v l="$l" -v d="$DROP" -v t="$TOL" 'BEGIN { exit !(l >= d - t && l <= d + t) }'
	ok $? "$(basename "$s" .sock): loss $l is within $TOL of the dropped $DROP"
done
awk -v l="$(q "$SOCKA" '.targets.lossy.loss')" -v d="$DROP" -v t="$TOL" \
	'BEGIN { exit !(l >= d - t && l <= d + t) }'
ok $? "the last round's loss ratio is reported too"
[ "$(q "$SOCKA" '.targets.ghost.loss')" = 1 ]
ok $? "the unowned address reports loss 1"
q "$SOCKA" '.targets.bad.error' | grep -q "^cannot resolve 'no-such-host.invalid'"
ok $? "the .invalid name reports its resolution error" || diag "$(q "$SOCKA" '.targets.bad')"
[ "$(q "$SOCKA" '[.targets.self, .targets.self6, .targets.lossy] | map(select(.error == null and .received > 0)) | length')" = 3 ]
ok $? "and the other targets do not" || diag "$(q "$SOCKA" '.targets')"
[ "$(q "$SOCKA" '.targets.self.loss')" = 0 ] && [ "$(q "$SOCKA" '.targets.self6.loss')" = 0 ]
ok $? "loopback in the namespace still loses nothing"

# socket = "auto" where ping_group_range forbids datagram sockets: raw.
conf "$TMP/b.conf" "$TMP/b.sock" 'socket = "auto"; pings = 2; interval = 1;
timeout = 0.3; targets = ( { address = "198.18.0.1"; } );'
sed -i "s|$TMP/state|$TMP/state-b|" "$TMP/b.conf"
inB sh -c 'echo "1 0" >/proc/sys/net/ipv4/ping_group_range'
spawn PIDB ip netns exec "$NSB" "$NETMOND" -f -C "$TMP/b.conf" 2>"$TMP/b.log"
wait_for 10 test -S "$TMP/b.sock"
[ "$(q "$TMP/b.sock" '.sockets.ipv4')" = raw ]
ok $? "socket = \"auto\" falls back to raw when ping_group_range is '1 0'"
conf "$TMP/d.conf" "$TMP/d.sock" 'socket = "datagram";
targets = ( { address = "198.18.0.1"; } );'
inB "$NETMOND" -t -C "$TMP/d.conf" >/dev/null 2>&1 &&
	inB "$NETMOND" -f -C "$TMP/d.conf" >"$TMP/d.out" 2>&1
[ $? -ne 0 ] && grep -q 'cannot open an IPv4 ICMP socket (icmp.socket = "datagram").*ping_group_range' "$TMP/d.out"
ok $? "socket = \"datagram\" there fails naming the setting and ping_group_range" || diag "$(cat "$TMP/d.out")"

st=0
for p in $PIDA $PIDR $PIDB; do
	kill -TERM "$p"
	if ! wait_exit "$p" 20 || [ "$EXIT_STATUS" != 0 ]; then
		st=1
		diag "netmond $p: exit ${EXIT_STATUS:-none}"
	fi
done
ok $st "the netmonds in the namespaces stop and exit 0" ||
	diag "$(tail -n 20 "$TMP/a.log" "$TMP/r.log" "$TMP/b.log")"
finish
