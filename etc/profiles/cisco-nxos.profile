# Cisco NX-OS: `show running-config` in an interactive shell.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=Cisco NX-OS
mode=shell
prompt=^[\w.@():/-]+[>#]$
more=^\s*--More--\s*$
exit=exit
timeout=180

[setup]
length=terminal length 0
width=terminal width 511

[commands]
running=show running-config

[drop]
command=^!Command: show running-config
last_done=^!Running configuration last done at:
time=^!Time:

[mask]
user_password=^username \S+ password \d+ (\S+)
snmp_user=^snmp-server user \S+ \S+ auth \S+ (\S+)(?: priv (?:\S+ )*?(\S+))?(?: localizedkey)?
snmp_community=^snmp-server community (\S+)
aaa_key=^\s*(?:tacacs-server|radius-server) (?:.* )?key (?:\d+ )?"?([^"\s]+)"?
key_string=^\s*key-string (?:\d+ )?(\S+)$
ospf_key=^\s*ip ospf (?:authentication-key|message-digest-key \d+ md5) (?:\d+ )?(\S+)$
bgp_password=^\s*password (?:\d+ )?(\S+)$
