#!/bin/bash
# syslog over TLS (RFC 5425) end to end: loggen --use-ssl counts sent =
# counts stored; a listener that requires a client certificate accepts one
# signed by its CA and refuses none or a foreign one; bad certificate
# settings are errors that name the file; a client that connects and never
# handshakes is dropped after tls_handshake_timeout while others are served.
# Needs openssl (test certificates), loggen (syslog-ng-core), and
# glib-networking at run time.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIRS="\"$top_builddir/plugins/syslog\", \"$top_builddir/plugins/events\""

for tool in openssl loggen jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done


plan 14

# --- test PKI: a CA, a server and a client certificate, and a stranger ---
C="$TMP/pki"
mkdir -p "$C"
{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=netmon test CA" \
		-keyout "$C/ca.key" -out "$C/ca.pem" &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$C/server.key" -out "$C/server.csr" &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$C/server.ext" &&
	openssl x509 -req -in "$C/server.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -extfile "$C/server.ext" -out "$C/server.pem" &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=client1" \
		-keyout "$C/client.key" -out "$C/client.csr" &&
	printf 'extendedKeyUsage=clientAuth\n' >"$C/client.ext" &&
	openssl x509 -req -in "$C/client.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -extfile "$C/client.ext" -out "$C/client.pem" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=stranger" \
		-keyout "$C/stranger.key" -out "$C/stranger.pem"
} >"$TMP/pki.log" 2>&1
ok $? "test certificates made with openssl" || diag "$(tail -5 "$TMP/pki.log")"

P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = [ $PLUGDIRS ];
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 10;
};
syslog = {
  listen = ( { address = "127.0.0.1"; port = $P1; protocol = "tls";
               certificate = "$C/server.pem"; key = "${2:-$C/server.key}"; },
             { address = "127.0.0.1"; port = $P2; protocol = "tls";
               certificate = "$C/server.pem"; key = "$C/server.key";
               ca = "$C/ca.pem"; client_certificate = "require"; },
             { address = "127.0.0.1"; port = $P3; protocol = "tls";
               certificate = "$C/server.pem"; key = "$C/server.key";
               tls_handshake_timeout = 3; } );
  # generous for the others: under ASan on a loaded machine a handshake
  # can take seconds
  tls_handshake_timeout = 120;
};
events = { };
EOC
}
mkdir -p "$TMP/state"

conf "$TMP/bad.conf" "$TMP/nonexistent.key"
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
grep -q "bad.conf:1[0-9]: syslog.listen.*key: cannot read '$TMP/nonexistent.key'" "$TMP/t.out"
ok $? "-t: an unreadable key file is an error naming the file" || diag "$(cat "$TMP/t.out")"
conf "$TMP/bad2.conf" "$C/server.ext"
timeout 20 "$NETMOND" -f -C "$TMP/bad2.conf" >"$TMP/t2.out" 2>&1
grep -q "listen tls 127.0.0.1:$P1: certificate .* key .*server.ext" "$TMP/t2.out"
ok $? "a key file that is not a PEM key stops the start, naming the listener" || diag "$(cat "$TMP/t2.out")"

conf "$TMP/run.conf"
spawn PID "$NETMOND" -f -C "$TMP/run.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts with three TLS listeners" || diag "$(cat "$TMP/log")"

stored() { stat_of '.plugins.events.counters.stored'; }

# a client that connects and never starts the handshake (counted as
# accepted: the connection itself may be gone again by the time we look)
a0=$(stat_of '.plugins.syslog.counters.connections_accepted')
exec 7<>"/dev/tcp/127.0.0.1/$P3"
wait_for 30 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.counters.connections_accepted') -ge $((a0 + 1)) ]"
ok $? "a silent client's TCP connection is accepted"

N=5000
before=$(stored)
loggen --use-ssl -r 50000 -n $N 127.0.0.1 "$P1" >"$TMP/loggen.out" 2>&1
wait_for 30 sh -c "[ \$(( \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.events.counters.stored') - $before )) -ge $N ]"
ok $? "loggen over TLS: $N sent, $(( $(stored) - before )) stored" || diag "$(tail -3 "$TMP/loggen.out")" "$(tail -5 "$TMP/log")"
before=$(stored)
loggen --use-ssl -P -r 50000 -n $N 127.0.0.1 "$P1" >"$TMP/loggen.out" 2>&1
wait_for 30 sh -c "[ \$(( \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.events.counters.stored') - $before )) -ge $N ]"
ok $? "loggen over TLS, RFC 5424 octet counting: $N stored" || diag "$(tail -3 "$TMP/loggen.out")"

# the silent client, by now well past its 3 s, has been dropped: a timeout
# counted, the connection released and closed (EOF on our side)
wait_for 30 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.counters.tls_handshake_timeouts') -ge 1 ]"
ok $? "a client that never handshakes is dropped after tls_handshake_timeout" || diag "$(tail -5 "$TMP/log")"
timeout 10 cat <&7 >/dev/null
rc=$?
exec 7<&-
[ $rc = 0 ] && [ "$(stat_of '.plugins.syslog.details.connections')" = 0 ] &&
	grep -q "listen tls 127.0.0.1:$P3: 127.0.0.1: TLS handshake not done in 3.0 s, closing" "$TMP/log"
ok $? "its socket is closed (EOF), no connection is left and the log says why" || diag "cat rc $rc" "$(tail -5 "$TMP/log")"

# send_tls PORT APP [openssl options]: one message through s_client
send_tls() {
	local port=$1 app=$2
	shift 2
	# stdin stays open 1 s after the message: at EOF s_client closes at
	# once, and on a loaded machine that could come before netmond had
	# read the client's certificate (the refusal then logged as a broken
	# pipe instead of its reason)
	{ printf '<13>Mar 15 11:00:00 h %s: over tls\n' "$app"; sleep 1; } |
		timeout 30 openssl s_client -connect "127.0.0.1:$port" -CAfile "$C/ca.pem" \
			-no_ign_eof -quiet "$@" >/dev/null 2>&1
}
count_app() { ctl events --limit 100 --json | jq "[.[] | select(.app_name == \"$1\")] | length"; }

send_tls "$P2" withcert -cert "$C/client.pem" -key "$C/client.key"
wait_for 10 sh -c "$NETMONCTL -s $SOCK events --limit 10 --json | jq -e 'map(select(.app_name == \"withcert\")) | length == 1'"
ok $? "client_certificate = require: a client certificate signed by the CA is accepted"
e0=$(stat_of '.plugins.syslog.counters.tls_errors')
send_tls "$P2" nocert
send_tls "$P2" stranger -cert "$C/stranger.pem" -key "$C/stranger.key"
wait_for 10 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.syslog.counters.tls_errors') -ge $((e0 + 2)) ]"
ok $? "no certificate and a foreign certificate are TLS errors"
sleep 0.5
[ "$(count_app nocert)" = 0 ] && [ "$(count_app stranger)" = 0 ]
ok $? "and their messages are not stored"
grep -q "listen tls 127.0.0.1:$P2: 127.0.0.1: client certificate refused: not signed by the ca" "$TMP/log"
ok $? "the log names the listener, the sender and the reason of a refused certificate" || diag "$(tail -5 "$TMP/log")"

kill -TERM "$PID"
wait_exit "$PID" 20
ok "$EXIT_STATUS" "netmond exits 0" || diag "$(tail -20 "$TMP/log")"
finish
