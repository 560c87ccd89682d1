# Arista EOS: `show running-config` in an interactive shell.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=Arista EOS
mode=shell
prompt=^[\w.@():/-]+[>#]$
more=^\s*--More--\s*$
enable=enable
enable_prompt=[Pp]assword:$
exit=exit
timeout=120

[setup]
length=terminal length 0
width=terminal width 32767

[commands]
running=show running-config

[drop]
command=^! Command: show running-config
startup=^! Startup-config last modified at
time=^! Time:

[mask]
user_secret=^username \S+ .*?secret (?:sha512 |5 |0 |7 )?(\S+)
enable_secret=^enable (?:secret|password) (?:sha512 |5 |0 |7 )?(\S+)
snmp_community=^snmp-server community (\S+)
aaa_key=^\s*(?:tacacs-server|radius-server) (?:.* )?key (?:\d+ )?(\S+)$
neighbor_password=^\s*neighbor \S+ password (?:\d+ )?(\S+)$
ospf_key=^\s*ip ospf (?:authentication-key|message-digest-key \d+ md5) (?:\d+ )?(\S+)$
key_secret=^\s*key \d+ secret (?:\d+ )?(\S+)$
