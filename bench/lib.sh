# Shared by the bench/*.sh scripts: sourced, not run.
# Runs from the repository root; needs `./mvnw -B -q package -DskipTests` first (the packaged jar,
# target/classes and target/test-classes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JAR=target/quarkus-app/quarkus-run.jar
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

# The JVM flags of the wgguard Deployment. manifests/ of this branch has no Deployment, so these
# are the assumed ones: a 512Mi container (emulated with -XX:MaxRAM, which sizes the heap as the
# container limit would), 75 % of it as heap, Serial GC, 512 KiB thread stacks.
WGGUARD_JAVA_OPTS=${WGGUARD_JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -Xss512k}

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
