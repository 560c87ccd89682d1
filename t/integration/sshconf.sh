#!/bin/bash
# sshconf end to end against a real OpenSSH sshd on loopback: a Linux-style
# host (exec + cat) and a Cisco-style forced-command shell (prompt, pager,
# enable). Stored text with secrets masked, no commit for a timestamp-only
# or secret-only change, one commit and one CONFIG diff per real change,
# drift against a baseline, unknown and changed host keys, wrong password,
# a hanging device, passphrase-protected key, netmonctl config; 50 devices
# with a pool of 10.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ ! -x "$SSHD" ] || ! command -v ssh-keygen >/dev/null || ! command -v git >/dev/null; then
	echo "1..0 # SKIP needs sshd (openssh-server), ssh-keygen and git"
	exit 0
fi
plan 38

DATA="$top_srcdir/t/data/sshconf"
PLUGDIRS="$top_builddir/plugins/sshconf:$top_builddir/t/data/sshconf"
REPO="$TMP/state/sshconf/configs.git"
SINK="$TMP/sink.out"
USER_NAME=$(id -un)
# Three free ports: linux, ios, hanging ios.
read -r P1 P2 P3 < <(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])' 2>/dev/null || echo "$((20000 + RANDOM % 20000)) $((40001 + RANDOM % 10000)) $((50002 + RANDOM % 10000))")

# --- the "devices": one sshd, three ports ---
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey" -C host1
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey2" -C host2
ssh-keygen -q -t ed25519 -N 'pass phrase' -f "$TMP/id" -C netmon
cp "$TMP/id.pub" "$TMP/authorized_keys"
cp "$DATA/fake-ios.sh" "$DATA/ios.conf" "$TMP/"
chmod +x "$TMP/fake-ios.sh"
cat >"$TMP/lin.conf" <<'EOF2'
hostname lin1
password = hunter2
option a 1
EOF2
cp "$TMP/lin.conf" "$TMP/golden.conf"
[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd

sshd_conf() { # sshd_conf HOSTKEY
	cat >"$TMP/sshd_config" <<EOC
Port $P1
Port $P2
Port $P3
ListenAddress 127.0.0.1
HostKey $1
PidFile none
AuthorizedKeysFile $TMP/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
MaxStartups 200
MaxSessions 100
LogLevel ERROR
Match LocalPort $P2
	ForceCommand $TMP/fake-ios.sh
Match LocalPort $P3
	ForceCommand $TMP/fake-ios.sh hang
EOC
}
sshd_conf "$TMP/hostkey"
spawn SSHD_PID "$SSHD" -D -e -f "$TMP/sshd_config" 2>"$TMP/sshd.log"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P2"
ok $? "sshd listens on 127.0.0.1:$P1,$P2,$P3" || diag "$(cat "$TMP/sshd.log")"
# known_hosts knows port P1 only; the ios device trusts on first use.
echo "[127.0.0.1]:$P1 $(cut -d' ' -f1,2 "$TMP/hostkey.pub")" >"$TMP/known_hosts"

conf() {
	cat >"$TMP/netmond.conf" <<EOC
netmond = {
  interval = 3600;
  plugin_dir = "$PLUGDIRS";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 10;
};
cfgsink = { output = "$SINK"; };
sshconf = {
  username = "$USER_NAME";
  key_file = "$TMP/id";
  passphrase = "pass phrase";
  known_hosts = "$TMP/known_hosts";
  profile_dir = [ "$top_srcdir/etc/profiles" ];
  connect_timeout = 5;
  command_timeout = 10;
  timeout = 20;
  $1
};
EOC
}

conf 'pool = 4;
  devices = (
    { name = "lin"; address = "127.0.0.1"; port = '"$P1"'; profile = "linux";
      commands = [ "cat '"$TMP"'/lin.conf" ]; baseline = "'"$TMP"'/golden.conf"; },
    { name = "ios"; address = "127.0.0.1"; port = '"$P2"'; profile = "cisco-ios";
      enable_secret = "en4ble"; trust_on_first_use = true; },
    { name = "strict"; address = "localhost"; port = '"$P1"'; profile = "linux"; },
    { name = "badpw"; address = "127.0.0.1"; port = '"$P1"'; profile = "linux";
      key_file = ""; password = "Wr0ng-pw-XYZ"; },
    { name = "hang"; address = "127.0.0.1"; port = '"$P3"'; profile = "cisco-ios";
      enable_secret = "en4ble"; trust_on_first_use = true; timeout = 8; }
  );'
"$NETMOND" -t -C "$TMP/netmond.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the sshconf config" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/netmond.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts" || diag "$(cat "$TMP/log")"

dev() { stat_of ".plugins.sshconf.details.devices.\"$1\".$2"; }
fetched() { [ "$(dev "$1" fetches)" -ge "$2" ] 2>/dev/null; }
all_first() { for d in lin ios strict badpw hang; do fetched $d 1 || return 1; done; }
wait_for 30 all_first
ok $? "every device was fetched once" || diag "$(ctl stats --json | jq .plugins.sshconf)" "$(cat "$TMP/log")"

commits() { git --git-dir="$REPO" log --oneline -- "$1" 2>/dev/null | wc -l; }
[ "$(commits lin)" = 1 ] && [ "$(commits ios)" = 1 ]
ok $? "one commit each for lin and ios" || diag "$(git --git-dir="$REPO" log --stat)"
git --git-dir="$REPO" log -1 --format=%s -- lin | grep -q "^lin: configuration first stored at 20"
ok $? "the commit message names the device and the time"
printf 'hostname lin1\npassword = <removed>\noption a 1\n' | diff - <(git --git-dir="$REPO" show HEAD:lin) >"$TMP/d" 2>&1
ok $? "lin stored with its secret masked" || diag "$(cat "$TMP/d")"
diff "$DATA/ios.expected" <(git --git-dir="$REPO" show HEAD:ios) >"$TMP/d" 2>&1
ok $? "ios stored through shell, enable and pager: timestamp dropped, secrets masked, no prompt or --More--" || diag "$(cat "$TMP/d")"
! grep -q -e hunter2 -e s3cret -e en4ble -e 'pass phrase' -e Wr0ng "$TMP/log" "$SINK" && ! git --git-dir="$REPO" grep -q -e hunter2 -e s3cret HEAD
ok $? "no secret in the log, the messages or the repository"
grep -q "^CONFIG ios [0-9a-f]\{64\} -$" "$SINK"
ok $? "a CONFIG message for the first fetch of ios"
grep -q "trusted on first use" "$TMP/log" && grep -q "^\[127.0.0.1\]:$P2 " "$TMP/known_hosts"
ok $? "ios: host key trusted on first use and added to known_hosts"
[ "$(dev strict status)" = error ] && dev strict error | grep -q "^strict: unknown host key SHA256:.* for localhost port $P1: not in $TMP/known_hosts"
ok $? "unknown host key is a per-device error" || diag "$(dev strict error)"
dev badpw error | grep -q "^badpw: authentication as $USER_NAME failed (tried: password"
ok $? "wrong password is a per-device error" || diag "$(dev badpw error)"
dev hang error | grep -q "^hang: fetch deadline reached during 'show running-config'"
ok $? "a device hanging mid-output hits the deadline" || diag "$(dev hang error)"
[ "$(dev hang last_duration_ms)" -lt 11000 ]
ok $? "and the deadline is hard ($(dev hang last_duration_ms) ms for timeout = 8 s)"
! git --git-dir="$REPO" cat-file -e HEAD:hang 2>/dev/null
ok $? "nothing stored for the hanging device"
grep -q "^STATE strict config-backup CRITICAL strict: unknown host key" "$SINK" && grep -q "^STATE lin config-backup OK" "$SINK"
ok $? "STATE messages carry the result and the reason"
grep -q "^STATE lin config-drift OK" "$SINK"
ok $? "lin matches its baseline: drift OK"
[ "$(stat_of .plugins.sshconf.counters.hostkey_errors)" -ge 1 ] && [ "$(stat_of .plugins.sshconf.counters.auth_errors)" -ge 1 ] && [ "$(stat_of .plugins.sshconf.counters.timeouts)" -ge 1 ]
ok $? "error counters count host key, auth and timeout errors"

# --- repeated fetch: only the timestamp (ios) or a masked secret (lin) changed
sed -i 's/hunter2/hunter3/' "$TMP/lin.conf"
ctl config fetch ios >/dev/null && ctl config fetch lin >/dev/null
ok $? "netmonctl config fetch starts fetches"
wait_for 20 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.sshconf.details.devices.ios.fetches') -ge 2 ] && [ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.sshconf.details.devices.lin.fetches') -ge 2 ]"
[ "$(commits ios)" = 1 ] && [ "$(commits lin)" = 1 ] && [ "$(dev ios status)" = ok ]
ok $? "no commit when only the timestamp or a masked secret changed" || diag "$(git --git-dir="$REPO" log --stat)"

# --- a real change: one commit, one CONFIG with the right diff; drift
sed -i 's/ description uplink/ description uplink to core/' "$TMP/ios.conf"
echo "option b 2" >>"$TMP/lin.conf"
n_cfg=$(grep -c "^CONFIG " "$SINK")
ctl config fetch ios >/dev/null && ctl config fetch lin >/dev/null
wait_for 20 sh -c "[ \$(git --git-dir=$REPO log --oneline | wc -l) -ge 4 ]"
[ "$(commits ios)" = 2 ] && [ "$(commits lin)" = 2 ]
ok $? "a real change makes one commit per device" || diag "$(git --git-dir="$REPO" log --stat)"
wait_for 5 sh -c "[ \$(grep -c '^CONFIG ' $SINK) -ge $((n_cfg + 2)) ]"
[ "$(grep -c '^CONFIG ' "$SINK")" = $((n_cfg + 2)) ]
ok $? "one CONFIG message per change"
cat >"$TMP/want.diff" <<'EOD'
--- a/ios
+++ b/ios
@@ -8,7 +8,7 @@
 username admin privilege 15 secret 9 <removed>
 !
 interface GigabitEthernet0/0
- description uplink
+ description uplink to core
  ip address 192.0.2.1 255.255.255.0
 !
 interface GigabitEthernet0/1
EOD
awk '/^CONFIG ios /{n++} n==2 && !/^CONFIG/ && !/^END$/{print} /^END$/ && n==2{exit}' "$SINK" >"$TMP/got.diff"
diff "$TMP/want.diff" "$TMP/got.diff" >"$TMP/d"
ok $? "the CONFIG message carries the unified diff" || diag "$(cat "$TMP/d")"
git --git-dir="$REPO" log -1 --format=%s -- ios | grep -q "^ios: configuration changed at 20"
ok $? "the change's commit message names device and time"
grep -q "^STATE lin config-drift WARNING lin: configuration differs from baseline $TMP/golden.conf (1 lines)" "$SINK" && grep -q "^+option b 2$" "$SINK"
ok $? "drift from the baseline is a WARNING carrying the diff"
ctl config diff ios | grep -q "^+ description uplink to core$"
ok $? "netmonctl config diff shows the last change"
ctl config show ios --rev 1 | grep -q "^ description uplink$"
ok $? "netmonctl config show --rev 1 shows the previous version"
ctl config status | grep -q "^hang error"
ok $? "netmonctl config status lists the devices"

# --- changed host key: an error naming the device and both fingerprints
old_fp=$(ssh-keygen -lf "$TMP/hostkey.pub" | cut -d' ' -f2)
new_fp=$(ssh-keygen -lf "$TMP/hostkey2.pub" | cut -d' ' -f2)
kill "$SSHD_PID"; wait "$SSHD_PID" 2>/dev/null
sshd_conf "$TMP/hostkey2"
spawn SSHD_PID "$SSHD" -D -e -f "$TMP/sshd_config" 2>>"$TMP/sshd.log"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P1"
echo "option c 3" >>"$TMP/lin.conf"
ctl config fetch lin >/dev/null
wait_for 20 sh -c "[ \$($NETMONCTL -s $SOCK stats --json | jq '.plugins.sshconf.details.devices.lin.fetches') -ge 4 ]"
dev lin error | grep -q "^lin: HOST KEY CHANGED for 127.0.0.1 port $P1: $TMP/known_hosts has $old_fp, the device offers $new_fp"
ok $? "a changed host key is an error naming device and both fingerprints" || diag "$(dev lin error)"
[ "$(commits lin)" = 2 ]
ok $? "and the stored configuration stays"

kill -TERM "$PID"
wait_exit "$PID" 20
ok $? "netmond stops on SIGTERM with fetches configured"
ok "$EXIT_STATUS" "and exits 0"

# --- 50 devices, pool 10
rm -rf "$TMP/state" "$SINK"
kill "$SSHD_PID"; wait "$SSHD_PID" 2>/dev/null
sshd_conf "$TMP/hostkey"
spawn SSHD_PID "$SSHD" -D -e -f "$TMP/sshd_config" 2>>"$TMP/sshd.log"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P1"
devs=""
for i in $(seq 1 50); do
	devs="$devs{ name = \"d$i\"; address = \"127.0.0.1\"; port = $P1; profile = \"linux\"; commands = [ \"sleep 0.3; cat $TMP/lin.conf\" ]; },"
done
conf "pool = 10; devices = ( ${devs%,} );"
spawn PID "$NETMOND" -f -C "$TMP/netmond.conf" 2>"$TMP/log50"
wait_for 10 test -S "$SOCK"
wait_for 60 sh -c "[ \$(git --git-dir=$REPO log --oneline 2>/dev/null | wc -l) -eq 50 ]"
ok $? "50 devices fetched and committed" || diag "$(ctl config status | grep -v ' changed ' | head)"
peak=$(stat_of .plugins.sshconf.details.sessions_peak)
[ "$peak" -le 10 ] && [ "$peak" -ge 2 ]
ok $? "no more than 10 sessions open at once (peak $peak)"
kill -TERM "$PID"
wait_exit "$PID" 20
ok $? "netmond stops"
ok "$EXIT_STATUS" "and exits 0"
! grep -q -e "Sanitizer" -e "runtime error" "$TMP/log" "$TMP/log50"
ok $? "no sanitizer report in netmond's logs" || diag "$(grep -A20 Sanitizer "$TMP/log" "$TMP/log50" | head -40)"
finish
