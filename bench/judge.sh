#!/usr/bin/env bash
# What judging a FelixConfiguration write by its effect on nodes costs, in process: each write
# judged against a view of N nodes, and by the object alone (the rule admission used before).
#
#   bench/judge.sh                 5,000 nodes
#   bench/judge.sh 100 65000       other sizes (a selector-scoped write at 65,000 nodes takes ~14 ms
#                                  a run: BENCH_RUNS=500 keeps that to a minute)
#
# Results are appended to target/bench/results.md.
source "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000)
bench_conditions "bench/judge.sh ${sizes[*]}"
bench_java -Xmx1g -XX:+UseSerialGC -Druns="${BENCH_RUNS:-5000}" -Dwarmup="${BENCH_RUNS:-5000}" \
  io.wgguard.bench.JudgeBenchmark "${sizes[@]}"
