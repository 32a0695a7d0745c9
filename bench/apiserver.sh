#!/usr/bin/env bash
# What the webhooks add through a real kube-apiserver: sequential FelixConfiguration patches and
# nodeName-pinned pod creates, without and with both webhooks of manifests/base registered, in
# rounds that alternate the two so that drift in the API server falls on both alike.
#
#   bench/apiserver.sh                      1,000 requests per cell in 5 rounds, 100 warm-up
#   BENCH_REQUESTS=5000 BENCH_ROUNDS=10 bench/apiserver.sh
#
# Results are appended to target/bench/results.md; wgguard's log is in target/it-logs/.
source "$(dirname "$0")/lib.sh"
bench_conditions "bench/apiserver.sh ${BENCH_REQUESTS:-1000} requests, ${BENCH_ROUNDS:-5} rounds"
bench_java -Xmx1g -Drequests="${BENCH_REQUESTS:-1000}" -Drounds="${BENCH_ROUNDS:-5}" \
  -Dwarmup="${BENCH_WARMUP:-100}" io.wgguard.bench.ApiServerBenchmark
