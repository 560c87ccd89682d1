#!/usr/bin/env python3
# A misbehaving SNMPv2c agent for t/integration/snmp-hardening.sh: answers
# GET requests (sysUpTime.0 -> TimeTicks, anything else -> "mock") in one of
# the ways no real agent does, to show the snmp plugin drops such replies.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
#
# Usage: snmp-mock-agent.py PORT MODE [OTHER-ADDR]
#   wrongsrc  first a reply with sysUpTime 666 from OTHER-ADDR:PORT+1 (or
#             127.0.0.2:PORT), then the right one (12345) from 127.0.0.1:PORT
#   wrongid   first a reply (666) with request-id + 1000, then the right one
#   onlybad   only the wrong-source and wrong-id replies, never a right one
#   slow:S    the right reply, S seconds late (any number of requesters)
#   blackhole read requests, never answer
# Writes one line per request to stdout ("req <id>"). BER per X.690, the
# message layout per RFC 3416/1901.
import heapq
import select
import socket
import sys
import time


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def parse(buf, pos):
    """One TLV at pos: (tag, value bytes, next position)."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    return tag, buf[pos:pos + n], pos + n


def integer(v):
    return tlv(0x02, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True))


def children(body):
    out, pos = [], 0
    while pos < len(body):
        tag, val, pos = parse(body, pos)
        out.append((tag, val))
    return out


def response(req, reqid_delta, uptime):
    _, msg, _ = parse(req, 0)
    (_, ver), (_, comm), (ptag, pdu) = children(msg)
    if ptag != 0xA0:                 # GET only
        return None, None
    (_, rid), _, _, (_, vbl) = children(pdu)
    reqid = int.from_bytes(rid, "big", signed=True)
    vbs = b""
    for _, vb in children(vbl):
        (_, name), _ = children(vb)
        if name == bytes([0x2B, 6, 1, 2, 1, 1, 3, 0]):
            val = tlv(0x43, uptime.to_bytes(4, "big"))
        else:
            val = tlv(0x04, b"mock")
        vbs += tlv(0x30, tlv(0x06, name) + val)
    body = (integer(reqid + reqid_delta) + integer(0) + integer(0) +
            tlv(0x30, vbs))
    return reqid, tlv(0x30, tlv(0x02, ver) + tlv(0x04, comm) + tlv(0xA2, body))


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    good = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    good.bind(("127.0.0.1", port))
    other = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.2"
    bad_src = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bad_src.bind((other, port if other != "127.0.0.1" else port + 1))
    delay = float(mode.split(":", 1)[1]) if mode.startswith("slow:") else 0
    later = []   # (due, seq, reply, peer)
    seq = 0
    while True:
        wait = max(0.0, later[0][0] - time.monotonic()) if later else None
        ready, _, _ = select.select([good], [], [], wait)
        now = time.monotonic()
        while later and later[0][0] <= now:
            _, _, msg, to = heapq.heappop(later)
            good.sendto(msg, to)
        if not ready:
            continue
        req, peer = good.recvfrom(65535)
        if mode == "blackhole":
            continue
        try:
            reqid, bad = response(req, 0, 666)
            _, wrong_id = response(req, 1000, 666)
            _, right = response(req, 0, 12345)
        except (ValueError, IndexError):
            continue
        if reqid is None:
            continue
        print("req", reqid, flush=True)
        if delay > 0:
            seq += 1
            heapq.heappush(later, (now + delay, seq, right, peer))
            continue
        if mode in ("wrongsrc", "onlybad"):
            bad_src.sendto(bad, peer)
        if mode in ("wrongid", "onlybad"):
            good.sendto(wrong_id, peer)
        if mode != "onlybad":
            good.sendto(right, peer)

if __name__ == "__main__":
    main()
