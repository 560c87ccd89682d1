#!/usr/bin/python3
"""SNMPv3 agent (pysnmp, Debian python3-pysnmp4) for snmp-v3-forged.sh.

Usage: snmp-v3-forge-agent.py PORT honest|forge

User "forger", authNoPriv, HMAC-SHA-96, pass phrase "authpass123"; serves
pysnmp's own SNMPv2-MIB scalars. With "forge" every outgoing message is
signed with a wrong key (the localized key with every octet XOR 0x55):
engine discovery still works, requests are accepted, but each Response
fails the manager's RFC 3414 §3.2 step 6 digest check, as a reply forged
by someone without the key would.

Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
"""
import sys

from pysnmp.carrier.asyncore.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto.secmod.rfc3414.auth import hmacsha

port = int(sys.argv[1])
if sys.argv[2] == "forge":
    _sign = hmacsha.HmacSha.authenticateOutgoingMsg

    def _forged(self, auth_key, whole_msg):
        wrong = auth_key.clone(bytes(b ^ 0x55 for b in auth_key.asOctets()))
        return _sign(self, wrong, whole_msg)

    hmacsha.HmacSha.authenticateOutgoingMsg = _forged

e = engine.SnmpEngine()
config.addTransport(e, udp.domainName,
                    udp.UdpTransport().openServerMode(("127.0.0.1", port)))
config.addV3User(e, "forger", config.usmHMACSHAAuthProtocol, "authpass123")
config.addVacmUser(e, 3, "forger", "authNoPriv", (1, 3, 6), (1, 3, 6))
ctx = context.SnmpContext(e)
cmdrsp.GetCommandResponder(e, ctx)
cmdrsp.NextCommandResponder(e, ctx)
cmdrsp.BulkCommandResponder(e, ctx)
print("ready", flush=True)
e.transportDispatcher.jobStarted(1)
e.transportDispatcher.runDispatcher()
