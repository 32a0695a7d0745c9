#!/usr/bin/env bash
# What the agent's cadence costs the cluster (issue 24): kube-apiserver holding 5,000, then 65,000
# synthetic nodes; 100 real NodeAgents (this JVM, one HTTP client each) on a sample of them, tunnel
# source `device` with a stand-in `wg` whose handshake moves on at every reading. Per scale, a
# baseline window without agents, then:
#   now:    the shipped cadence (report 5m + jitter 1m, Lease every 40 s for 120 s), 7 min window
#   former: report 1m, jitter 0, no Lease renewal in the window: the former once-a-minute PATCH
# kube-apiserver's apiserver_request_total by verb and resource, etcd's WAL bytes and puts, and the
# events a watcher of all Nodes receives, per idle node per hour, extrapolated to the cluster.
#
#   bench/cadence.sh                                     5,000 and 65,000 nodes (about 40 min)
#   BENCH_SCALES=500 BENCH_AGENTS=10 BENCH_WINDOW=60s BENCH_SETTLE=20s BENCH_FORMER_WINDOW=60s \
#     BENCH_REPORT=20s BENCH_JITTER=5s BENCH_LEASE=10s BENCH_LEASE_DURATION=30s bench/cadence.sh   (smoke)
#
# Results are appended to target/bench/results.md.
source "$(dirname "$0")/lib.sh"
bench_conditions "bench/cadence.sh ${BENCH_SCALES:-5000,65000} nodes, ${BENCH_AGENTS:-100} agents, window ${BENCH_WINDOW:-420s}"
bench_java -Xmx3g -Dscales="${BENCH_SCALES:-5000,65000}" -Dagents="${BENCH_AGENTS:-100}" \
  -Dvariants="${BENCH_VARIANTS:-now,former}" -Dsettle="${BENCH_SETTLE:-60s}" \
  -DbaselineWindow="${BENCH_BASELINE_WINDOW:-45s}" -Dwindow="${BENCH_WINDOW:-420s}" \
  -DformerWindow="${BENCH_FORMER_WINDOW:-180s}" -DreportInterval="${BENCH_REPORT:-5m}" \
  -DreportJitter="${BENCH_JITTER:-1m}" -DleaseInterval="${BENCH_LEASE:-40s}" \
  -DleaseDuration="${BENCH_LEASE_DURATION:-120s}" io.wgguard.bench.CadenceBenchmark
bench_conditions "bench/cadence.sh done"
