#!/usr/bin/env bash
# The node agent's footprint against a real kube-apiserver.
#
#   bench/agent.sh              idle memory (5 runs) and API requests (50 agents, 180 s window)
#   BENCH_SKIP=requests bench/agent.sh     memory only; BENCH_SKIP=rss: requests only
#   BENCH_RUNS=3 BENCH_AGENTS=100 BENCH_WINDOW=300 bench/agent.sh
#
# (a) rss: the agent started as manifests/base/agent-daemonset.yaml starts it (AgentMain on the
#     application and library jars, its JAVA_OPTS), against one node, reading a device (a real
#     `wg show dump` sample) every 10 s; RSS and anonymous RSS sampled once a second for 15 s after
#     40 s. For comparison, the same agent through Quarkus' launcher (`quarkus-run.jar agent`) with
#     the DaemonSet's former flags (-XX:MaxRAMPercentage=50 under a 256Mi limit).
# (b) requests: N agents (this JVM, one HTTP client each) against N nodes; kube-apiserver's own
#     apiserver_request_total over the window, per agent, extrapolated to 5,000 and 65,000 nodes;
#     before (main's former GET-every-round loop, replayed) and after (watches, write on change).
# Results are appended to target/bench/results.md.
source "$(dirname "$0")/lib.sh"
skip=" ${BENCH_SKIP:-} "
daemonset=manifests/base/agent-daemonset.yaml
agent_opts=$(awk '/name: JAVA_OPTS/{f=1;next} f&&/value: >-/{next} f&&/^ *-[XD]/{printf "%s ", $1; next} f{exit}' "$daemonset")
grep -q 'io.wgguard.agent.AgentMain' "$daemonset" && [ -n "$agent_opts" ] || {
  echo "bench: cannot read the agent's command and JAVA_OPTS from $daemonset" >&2
  exit 1
}
former_opts="-XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager -XX:MaxRAM=256m"
bench_conditions "bench/agent.sh (JAVA_OPTS: $agent_opts)"
if [[ $skip != *" rss "* ]]; then
  bench_java -Xmx1g -Dmode=rss -Druns="${BENCH_RUNS:-5}" -DsettleSeconds="${BENCH_SETTLE:-40}" -DagentJavaOpts="$agent_opts" \
    -DformerJavaOpts="$former_opts" -DagentEnv="${BENCH_AGENT_ENV:-}" -Dnmt="${BENCH_NMT:-false}" -DcandidateOpts="${BENCH_CANDIDATES:-}" -DskipLauncher="${BENCH_SKIP_LAUNCHER:-false}" \
    io.wgguard.bench.AgentBenchmark
fi
if [[ $skip != *" requests "* ]]; then
  bench_java -Xmx2g -Dmode=requests -Dagents="${BENCH_AGENTS:-50}" \
    -DwindowSeconds="${BENCH_WINDOW:-180}" io.wgguard.bench.AgentBenchmark
fi
