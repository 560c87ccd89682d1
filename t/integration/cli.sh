#!/bin/bash
# netmonctl against a running netmond: commands, errors, exit codes.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

plan 12

"$NETMONCTL" -s "$TMP/none.sock" status >"$TMP/o" 2>&1
st=$?
ok $((st == 2 ? 0 : 1)) "unreachable daemon: exit 2"
grep -q "cannot connect to netmond at $TMP/none.sock" "$TMP/o"
ok $? "and a message naming the socket" || diag "$(cat "$TMP/o")"

cat >"$TMP/n.conf" <<EOC
netmond = { state_dir = "$TMP/state"; control_socket = "$SOCK";
            plugin_dir = "$PLUGDIR"; };
consumer = { output = "$TMP/c.out"; };
EOC
spawn PID "$NETMOND" -f -C "$TMP/n.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond started"
[ "$(stat -c %a "$SOCK")" = 660 ]
ok $? "control socket has mode 0660"
ctl status | grep -q "^config: $TMP/n.conf$"
ok $? "status names the config file"
ctl stats --json | jq -e '.subscriptions[0].name == "consumer:metrics" and .subscriptions[0].policy == "block"' >/dev/null
ok $? "stats --json is JSON with each subscription"
ctl stats | grep -q "^consumer:metrics"
ok $? "stats prints a table for people"
ctl frobnicate >"$TMP/o" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "unknown command 'frobnicate'" "$TMP/o"
ok $? "unknown command: exit 1 with a message"
ctl flush 'router1/*' | grep -q "nothing to flush"
ok $? "flush with no caching plugin says so"
ctl help | grep -q "^reload"
ok $? "help lists the commands"
"$NETMONCTL" --version | grep -q "^netmonctl [0-9]"
ok $? "netmonctl --version"
"$NETMONCTL" >/dev/null 2>&1
st=$?
ok $((st == 64 ? 0 : 1)) "no command: usage, exit 64"
finish
