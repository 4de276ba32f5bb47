"""Latency probe receiver of the netns data plane.

Binds UDP <ip>:<port> in the receiving namespace, takes the kernel's receive
time of each datagram (SO_TIMESTAMPNS, CLOCK_REALTIME) and the send time the
sender wrote into the probe (magic "nsdp", u32 sequence, u64 ns, host order;
same machine, same clock). Prints "ready" once bound; on SIGTERM prints one
JSON line: count, min/avg/max latency in ns.
"""
import json
import signal
import socket
import struct
import sys

MAGIC = 0x6E736470
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
stop = False


def on_term(_sig, _frame):
    global stop
    stop = True


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, on_term)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((ip, port))
    s.settimeout(0.05)
    print("ready", flush=True)
    n, total, lo, hi = 0, 0, None, None
    while not stop:
        try:
            data, anc, _flags, _addr = s.recvmsg(64, socket.CMSG_SPACE(16))
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(data) < 16:
            continue
        magic, _seq, sent = struct.unpack_from("=IIQ", data, 0)
        if magic != MAGIC:
            continue
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                sec, nsec = struct.unpack_from("=qq", value, 0)
                lat = sec * 1_000_000_000 + nsec - sent
                n += 1
                total += lat
                lo = lat if lo is None else min(lo, lat)
                hi = lat if hi is None else max(hi, lat)
    print(json.dumps({"count": n, "minNs": lo, "avgNs": (total / n) if n else None, "maxNs": hi}), flush=True)


main()
