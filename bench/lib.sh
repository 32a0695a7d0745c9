# Shared by the bench/*.sh scripts: sourced, not run.
# Runs from the repository root; needs `./mvnw -B -q package -DskipTests` first (the packaged jar,
# target/classes and target/test-classes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# BENCH_JAR measures another build (e.g. a baseline commit's jar) with this checkout's benchmarks.
JAR=${BENCH_JAR:-target/quarkus-app/quarkus-run.jar}
[ -f "$JAR" ] && [ -d target/test-classes/io/wgguard/bench ] || {
  echo "bench: build first: ./mvnw -B -q package -DskipTests" >&2
  exit 1
}
mkdir -p target/bench

# The test classpath, resolved once per pom.xml change.
CP_FILE=target/bench/classpath.txt
if [ ! -s "$CP_FILE" ] || [ pom.xml -nt "$CP_FILE" ]; then
  ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$CP_FILE" >&2
fi
CP="target/test-classes:target/classes:$(cat "$CP_FILE")"

# The JVM flags of the wgguard Deployment, read from manifests/base/deployment.yaml (JAVA_OPTS),
# with its memory limit emulated by -XX:MaxRAM (which sizes the heap as the container limit would)
# and its CPU limit by -XX:ActiveProcessorCount (the JVM then picks the GC it would pick there).
deployment=manifests/base/deployment.yaml
deployment_opts=$(awk '/name: JAVA_OPTS/{f=1;next} f&&/value: >-/{next} f&&/^ *-[XD]/{printf "%s ", $1; next} f{exit}' "$deployment")
memory_limit=$(awk '/limits:/{f=1} f&&/memory:/{print $2; exit}' "$deployment")
cpu_limit=$(awk '/limits:/{f=1} f&&/cpu:/{gsub(/"/,"",$2); print $2; exit}' "$deployment")
[ -n "$deployment_opts" ] && [ -n "$memory_limit" ] && [ -n "$cpu_limit" ] || {
  echo "bench: cannot read JAVA_OPTS and limits from $deployment" >&2
  exit 1
}
case $memory_limit in
  *Mi) max_ram=${memory_limit%Mi}m ;;
  *Gi) max_ram=${memory_limit%Gi}g ;;
  *) echo "bench: memory limit $memory_limit: only Mi and Gi are understood" >&2; exit 1 ;;
esac
case $cpu_limit in
  *m) cpus=$(( (${cpu_limit%m} + 999) / 1000 )); WGGUARD_CPU_LIMIT=$(awk "BEGIN { print ${cpu_limit%m} / 1000 }") ;;
  *) cpus=$cpu_limit; WGGUARD_CPU_LIMIT=$cpu_limit ;;
esac
WGGUARD_JAVA_OPTS=${WGGUARD_JAVA_OPTS:-$deployment_opts-XX:MaxRAM=$max_ram -XX:ActiveProcessorCount=$cpus}

# bench_java [JVM options...] CLASS [args...]: a benchmark main on the test classpath.
bench_java() {
  java -cp "$CP" -Dwgguard.jar="$JAR" -Dbench.wgguard-java-opts="$WGGUARD_JAVA_OPTS" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager "$@"
}

# Conditions of the run, printed before the figures.
bench_conditions() {
  echo "## $1: $(date -u +%FT%TZ) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)," \
    "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo '+changes')" \
    | tee -a target/bench/results.md
}
