#!/usr/bin/env bash
# FelixConfiguration admission at 1,000 req/s idle and while wgguard's informers re-list every node
# (issue 24): one packaged wgguard with the Deployment's JVM flags (-XX:MaxRAM=1g above 20,000
# nodes, as README advises) and a real kube-apiserver holding synthetic nodes; kube-apiserver is
# restarted mid-window (BENCH_RESTARTS times, 2 by default: the JVM's first re-list, then a warm
# one), its new watch cache answers the informers' old resourceVersion with 410 Gone and they list
# every node again.
#
#   bench/relist.sh                               65,000 nodes (about 15 min per build)
#   BENCH_BASELINE_JAR=/tmp/old/target/quarkus-app/quarkus-run.jar bench/relist.sh   then another build
#   BENCH_NODES=500 BENCH_RELIST_SECONDS=60 bench/relist.sh                           (smoke)
#   BENCH_VARIANTS='|-XX:+UseZGC' bench/relist.sh     each build as the Deployment runs it, then with ZGC
#
# BENCH_PLACEMENT=limit (the default; root) runs wgguard under the Deployment's CPU limit as a CFS
# quota and kube-apiserver and etcd at the lowest CPU weight, as if on the control plane's
# machines; BENCH_PLACEMENT=shared leaves them all on the same cores at the same weight.
#
# Results are appended to target/bench/results.md; wgguard's log is in target/it-logs/.
source "$(dirname "$0")/lib.sh"
nodes=${BENCH_NODES:-65000}
opts=$WGGUARD_JAVA_OPTS
[ "$nodes" -le 20000 ] || opts=${opts/-XX:MaxRAM=384m/-XX:MaxRAM=1g}
bench_conditions "bench/relist.sh $nodes nodes, ${BENCH_RATE:-1000} req/s, placement ${BENCH_PLACEMENT:-limit}${BENCH_VARIANTS:+, variants $BENCH_VARIANTS}${BENCH_BASELINE_JAR:+, baseline $BENCH_BASELINE_JAR}"
bench_java -Xmx3g -Dnodes="$nodes" -Drate="${BENCH_RATE:-1000}" \
  -DwarmupSeconds="${BENCH_WARMUP_SECONDS:-30}" -DidleSeconds="${BENCH_IDLE_SECONDS:-30}" \
  -DrelistSeconds="${BENCH_RELIST_SECONDS:-180}" -Drestarts="${BENCH_RESTARTS:-2}" \
  -Dconnections="${BENCH_CONNECTIONS:-32}" -Dbench.wgguard-java-opts="$opts" \
  -Dbaseline.jar="${BENCH_BASELINE_JAR:-}" \
  -Dvariants="${BENCH_VARIANTS:-}" -Dplacement="${BENCH_PLACEMENT:-limit}" -DcpuLimit="$WGGUARD_CPU_LIMIT" \
  io.wgguard.bench.RelistBenchmark
bench_conditions "bench/relist.sh done"
