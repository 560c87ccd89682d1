# Juniper Junos: `show configuration` over an exec channel (no pager there).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=Juniper Junos
mode=exec
timeout=180

[commands]
configuration=show configuration | display omit | no-more

[drop]
last_commit=^## Last commit:
last_changed=^## Last changed:

[mask]
secret=^\s*(?:encrypted-password|secret|authentication-key|simple-password|hello-authentication-key|md5 \d+ key) "([^"]+)"
psk=pre-shared-key (?:ascii-text|hexadecimal) "([^"]+)"
community=^\s*community "?([^"\s;{]+)"? ?[{;]
