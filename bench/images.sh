#!/usr/bin/env bash
# The images: their sizes (scripts/images.sh builds them and prints them) and the service
# container's launch to ready, run as the Deployment runs it, against a real kube-apiserver with the
# seed's nodes, beside the packaged jar with the Deployment's JVM flags.
#
#   bench/images.sh                 7 runs of each
#   BENCH_RUNS=11 bench/images.sh
#
# Needs root and podman (scripts/test-deps.sh). Results are appended to target/bench/results.md.
source "$(dirname "$0")/lib.sh"
bench_conditions "bench/images.sh ${BENCH_RUNS:-7} runs"
sizes=$(bash scripts/images.sh | awk '/^\[images\] .* MiB$/ {print "| " $2 " | " $3 " " $4 " |"}')
[ -n "$sizes" ] || { echo "bench: scripts/images.sh printed no sizes" >&2; exit 1; }
{
  printf '\n### Image sizes (podman, uncompressed, base included)\n\n| image | size |\n|---|---|\n'
  echo "$sizes"
} | tee -a target/bench/results.md
bench_java -Xmx512m -Druns="${BENCH_RUNS:-7}" -Dwgguard.basedir="$PWD" io.wgguard.bench.ImageStartBenchmark
