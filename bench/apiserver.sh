#!/usr/bin/env bash
# What the webhooks add through a real kube-apiserver: sequential FelixConfiguration patches and
# nodeName-pinned pod creates, without and then with both webhooks of manifests/base registered.
#
#   bench/apiserver.sh                      500 requests per row after 100 warm-up
#   BENCH_REQUESTS=2000 bench/apiserver.sh
#
# Results are appended to target/bench/results.md; wgguard's log is in target/it-logs/.
source "$(dirname "$0")/lib.sh"
bench_conditions "bench/apiserver.sh ${BENCH_REQUESTS:-500} requests"
bench_java -Xmx1g -Drequests="${BENCH_REQUESTS:-500}" -Dwarmup="${BENCH_WARMUP:-100}" \
  io.wgguard.bench.ApiServerBenchmark
