#!/usr/bin/env bash
# The ITs, run again and again with both cores kept busy: a test that passes only on a quiet
# machine is a broken test. Each run starts `stress-ng --cpu 2` beside `failsafe:integration-test`
# and records its outcome, its time and the failing tests in target/bench/its-under-load.md.
#
#   bench/its-under-load.sh                       every IT, 5 runs
#   BENCH_RUNS=3 BENCH_ITS='JoinIT,AgentCadenceIT' bench/its-under-load.sh
#
# Needs what `./mvnw verify` needs first (the packaged jar, scripts/test-deps.sh,
# scripts/images.sh, scripts/kube-binaries.sh); run it from a checkout nothing else compiles in.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || {
  echo "bench: build first: ./mvnw -B -ntp package -DskipTests" >&2
  exit 1
}
command -v stress-ng >/dev/null || { echo "bench: stress-ng missing (scripts/test-deps.sh installs it)" >&2; exit 1; }
mkdir -p target/bench
out=target/bench/its-under-load.md
its=${BENCH_ITS:-}
echo "## ITs under stress-ng --cpu 2: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), ${its:-every IT}" | tee -a "$out"
for i in $(seq 1 "${BENCH_RUNS:-5}"); do
  stress-ng --cpu 2 --timeout 7200s >/dev/null 2>&1 &
  stress=$!
  start=$(date +%s) load=$(cut -d' ' -f1-3 /proc/loadavg)
  log=target/bench/its-under-load-$i.log
  rc=0
  ./mvnw -B -ntp failsafe:integration-test failsafe:verify ${its:+-Dit.test="$its"} >"$log" 2>&1 || rc=$?
  kill "$stress" 2>/dev/null || true
  wait "$stress" 2>/dev/null || true
  summary=$(grep -E 'Tests run: [0-9]+, F' "$log" | grep -v ' in io' | tail -1 | sed 's/^\[[A-Z]*\] *//')
  echo "- run $i: exit $rc, $(( $(date +%s) - start )) s, load at start $load: ${summary:-no summary, see $log}" | tee -a "$out"
  grep -E '^\[ERROR\]   [A-Za-z]+IT\.' "$log" | sed 's/^\[ERROR\] */  - /' | tee -a "$out" || true
done
