#!/usr/bin/env bash
# FelixConfiguration admission while GET /status of every node is fetched in a loop: one packaged
# wgguard with the Deployment's JVM flags (-XX:MaxRAM=1g above 20,000 nodes, as README advises) and
# a real kube-apiserver holding synthetic nodes. Each run measures the webhook at a fixed rate (open
# loop) quiet, then with one client fetching the whole /status over and over; the table gives the
# p99 of each run and their median and range.
#
#   bench/status.sh                        65,000 nodes, 1,000 req/s, 3 runs of 20 s (about 15 min)
#   BENCH_NODES=5000 BENCH_RUNS=2 bench/status.sh
#   BENCH_BASELINE_JAR=/tmp/old/quarkus-run.jar bench/status.sh    then another build, same nodes
#
# Results are appended to target/bench/results.md; wgguard's log is in target/it-logs/.
source "$(dirname "$0")/lib.sh"
nodes=${BENCH_NODES:-65000}
opts=$WGGUARD_JAVA_OPTS
[ "$nodes" -le 20000 ] || opts=${opts/-XX:MaxRAM=384m/-XX:MaxRAM=1g}
bench_conditions "bench/status.sh $nodes nodes, ${BENCH_RATE:-1000} req/s, ${BENCH_RUNS:-3} runs"
bench_java -Xmx3g -Dnodes="$nodes" -Drate="${BENCH_RATE:-1000}" -Druns="${BENCH_RUNS:-3}" \
  -DwarmupSeconds="${BENCH_WARMUP_SECONDS:-10}" -DmeasureSeconds="${BENCH_MEASURE_SECONDS:-20}" \
  -Dconnections="${BENCH_CONNECTIONS:-32}" -Dbench.wgguard-java-opts="$opts" \
  -Dbaseline.jar="${BENCH_BASELINE_JAR:-}" \
  io.wgguard.bench.StatusUnderLoadBenchmark
