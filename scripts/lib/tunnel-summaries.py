#!/usr/bin/env python3
"""Publishes each demo node's wgguard.io/tunnels summary from its real WireGuard device.

The demo's stand-in for the node agent's `device` tunnel source: every 2 s, for each
NODE=NAMESPACE=INTERFACE argument, reads `ip netns exec NAMESPACE wg show INTERFACE dump` and
writes the summary (io.wgguard.readiness.TunnelSummary, version 1) with `kubectl annotate`. A peer
is stale when its transmitted bytes grew in the last 30 s and its latest handshake is absent or
older than 180 s. Runs until killed.
"""
import hashlib, json, subprocess, sys, time
from datetime import datetime, timezone

kubectl = sys.argv[1]
nodes = [a.split("=") for a in sys.argv[2:]]
grew = {}

def digest(keys):
    total = 0
    for key in set(keys):
        total += int.from_bytes(hashlib.sha256(key.encode()).digest()[:16], "big")
    return "%032x" % (total % (1 << 128))

def summary(node, ns, iface, now):
    dump = subprocess.run(["ip", "netns", "exec", ns, "wg", "show", iface, "dump"],
                          capture_output=True, text=True, timeout=10)
    if dump.returncode != 0:
        device = {"interface": iface, "present": False, "publicKey": "", "listenPort": 0,
                  "peers": 0, "peerDigest": digest([]), "handshakeStale": 0, "stalePeers": []}
    else:
        lines = dump.stdout.strip().split("\n")
        me = lines[0].split("\t")
        peers, stale = [], []
        for line in lines[1:]:
            f = line.split("\t")
            key, handshake, tx = f[0], int(f[4]), int(f[6])
            peers.append(key)
            last_tx, last_grew = grew.get((node, key), (0, None))
            if tx > last_tx:
                last_tx, last_grew = tx, now
            grew[(node, key)] = (last_tx, last_grew)
            sent = last_grew is not None and now - last_grew < 30
            if sent and (handshake == 0 or now - handshake > 180):
                stale.append(key[:8])
        device = {"interface": iface, "present": True, "publicKey": me[1], "listenPort": int(me[2]),
                  "peers": len(peers), "peerDigest": digest(peers), "handshakeStale": len(stale),
                  "stalePeers": stale[:3]}
    at = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"v": 1, "at": at, "source": "device", "families": {"IPv4": device}},
                      separators=(",", ":"))

while True:
    now = time.time()
    for node, ns, iface in nodes:
        try:
            subprocess.run([kubectl, "annotate", "--overwrite", "node", node,
                            "wgguard.io/tunnels=" + summary(node, ns, iface, now)],
                           capture_output=True, timeout=20)
        except Exception:  # the next round retries
            pass
    time.sleep(2)
