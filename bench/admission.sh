#!/usr/bin/env bash
# Admission latency and throughput, and wgguard's footprint, against one packaged wgguard with the
# Deployment's JVM flags and a real kube-apiserver holding synthetic nodes:
#   - fixed rates, open loop over HTTPS keep-alive (a Java client that does not coordinate-omit):
#     the constant-response ceiling, /admission/felixconfiguration, /admission/pod;
#   - saturation with wrk (closed loop), each webhook as a fraction of the ceiling;
#   - launch to ready, RSS idle, peak RSS under load.
#
#   bench/admission.sh                      rates 200, 1000, 3000 req/s; 5,000 nodes
#   BENCH_RATES=500,2000 BENCH_NODES=100 bench/admission.sh
#   BENCH_FOOTPRINT_ONLY=true BENCH_FOOTPRINT_RUNS=5 bench/admission.sh   launch to ready and idle RSS, 3 nodes
#
# wrk comes from Debian (apt-get install wrk); without it the saturation table says so.
# Results are appended to target/bench/results.md; wgguard's log is in target/it-logs/.
source "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || echo "bench: wrk not found (apt-get install wrk): saturation is skipped" >&2
bench_conditions "bench/admission.sh rates ${BENCH_RATES:-200,1000,3000}, ${BENCH_NODES:-5000} nodes"
bench_java -Xmx1g -Drates="${BENCH_RATES:-200,1000,3000}" -Dnodes="${BENCH_NODES:-5000}" \
  -DwarmupSeconds="${BENCH_WARMUP_SECONDS:-10}" -DmeasureSeconds="${BENCH_MEASURE_SECONDS:-20}" \
  -Dconnections="${BENCH_CONNECTIONS:-32}" -DfootprintRuns="${BENCH_FOOTPRINT_RUNS:-3}" \
  -DfootprintOnly="${BENCH_FOOTPRINT_ONLY:-false}" \
  io.wgguard.bench.AdmissionBenchmark
