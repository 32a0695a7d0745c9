#!/usr/bin/env bash
# Checker scale: node-store heap, full-pass time, and end to end against a real kube-apiserver.
#
#   bench/checker.sh [NODES...]        default: 5000 65000
#
# For each node count:
#   (a) retained heap of the NodeFacts map + reduced Node informer cache (separate JVM, Serial GC);
#   (b) one full pass (assess + plan): median / p99 over 100 runs after 30 warm-up runs, in a JVM
#       with the Deployment's flags; then again with every node carrying the agent's tunnel summary
#       (wgguard.io/tunnels), so the pass includes the tunnel cross-check (part "tunnels"); then
#       with the summaries' path and every node's BlockAffinity, so it proves the path too (part
#       "path"), in the same run as "tunnels" for the comparison;
#   (c, d) kube-apiserver + etcd with N synthetic nodes (parallel creates), the packaged jar with
#       the Deployment's flags and wgguard.checker.interval=2s: time to sync, heap/RSS, key loss ->
#       taint seen by a watch, and node PATCHes counted by kube-apiserver while nothing changes;
#   (e) agents heartbeating: N nodes' WireGuardModuleReady renewed once a minute each, against a
#       window with none: wgguard's CPU, pass requests and passes (default 5000 nodes only; set
#       BENCH_HEARTBEAT_NODES to change).
# Skip parts with BENCH_SKIP="heap pass tunnels path e2e heartbeat" (any of them). Results are appended to
# target/bench/results.md; wgguard's logs are in target/it-logs/.
source "$(dirname "$0")/lib.sh"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(5000 65000)
skip=" ${BENCH_SKIP:-} "
bench_conditions "bench/checker.sh ${counts[*]}"

if [[ $skip != *" heap "* ]]; then
  for n in "${counts[@]}"; do
    bench_java -XX:+UseSerialGC -Xmx6g io.wgguard.bench.NodeStoreHeapBenchmark "$n"
  done
fi
# The Deployment's 384Mi limit holds the node store of about 20,000 nodes (some 1.6 KB a node, see
# the heap table); BENCHMARKS.md says to raise it to 1Gi above that, and so do these runs.
opts_for() {
  if [ "$1" -gt 20000 ]; then
    echo "${WGGUARD_JAVA_OPTS/-XX:MaxRAM=384m/-XX:MaxRAM=1g}"
  else
    echo "$WGGUARD_JAVA_OPTS"
  fi
}
if [[ $skip != *" pass "* ]]; then
  for n in "${counts[@]}"; do
    # shellcheck disable=SC2046 # the options are words
    bench_java $(opts_for "$n") -Druns="${BENCH_RUNS:-100}" -Dwarmup="${BENCH_WARMUP:-30}" \
      io.wgguard.bench.FullPassBenchmark "$n"
  done
fi
if [[ $skip != *" tunnels "* ]]; then
  for n in "${counts[@]}"; do
    # shellcheck disable=SC2046 # the options are words
    bench_java $(opts_for "$n") -Dtunnels=true -Druns="${BENCH_RUNS:-100}" \
      -Dwarmup="${BENCH_WARMUP:-30}" io.wgguard.bench.FullPassBenchmark "$n"
  done
fi
if [[ $skip != *" path "* ]]; then
  for n in "${counts[@]}"; do
    # shellcheck disable=SC2046 # the options are words
    bench_java $(opts_for "$n") -Dpath=true -Druns="${BENCH_RUNS:-100}" \
      -Dwarmup="${BENCH_WARMUP:-30}" io.wgguard.bench.FullPassBenchmark "$n"
  done
fi
if [[ $skip != *" e2e "* ]]; then
  for n in "${counts[@]}"; do
    bench_java -Xmx3g -Dreps="${BENCH_REPS:-5}" -Dbench.wgguard-java-opts="$(opts_for "$n")" \
      io.wgguard.bench.CheckerEndToEndBenchmark "$n"
  done
fi
if [[ $skip != *" heartbeat "* ]]; then
  for n in ${BENCH_HEARTBEAT_NODES:-5000}; do
    bench_java -Xmx3g -Dbench.wgguard-java-opts="$(opts_for "$n")" \
      -DwindowSeconds="${BENCH_WINDOW:-60}" io.wgguard.bench.HeartbeatBenchmark "$n"
  done
fi
