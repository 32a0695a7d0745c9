package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering ARCHITECTURE.md draws, read from the imports of {@code src/main}: no arrow
 * runs back up, the pure core uses no client, CDI, logger or clock, and the agent shares only the
 * wire format with the checker's stages.
 */
class ArchitectureTest {

  static final Path MAIN = Path.of("src/main/java");
  static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+);", Pattern.MULTILINE);

  static final Set<String> PURE =
      Set.of("felix", "policy", "evidence", "tunnels", "tunnels.summary", "taints", "pass");
  static final List<String> IO_PREFIXES =
      List.of("io.fabric8", "jakarta.", "io.quarkus", "io.vertx", "org.jboss.logging");

  /** Package (below io.wgguard; "" for the root) to the packages of io.wgguard it imports. */
  static final Map<String, Set<String>> GRAPH = new TreeMap<>();

  /** Package to every import it makes, of any library. */
  static final Map<String, Set<String>> IMPORTS = new TreeMap<>();

  /** Package to its source text, for calls an import does not show. */
  static final Map<String, StringBuilder> SOURCES = new TreeMap<>();

  @BeforeAll
  static void read() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher pkg = PACKAGE.matcher(source);
        assertThat(pkg.find()).as(file + " has a package").isTrue();
        String from = local(pkg.group(1));
        GRAPH.computeIfAbsent(from, k -> new TreeSet<>());
        IMPORTS.computeIfAbsent(from, k -> new TreeSet<>());
        SOURCES.computeIfAbsent(from, k -> new StringBuilder()).append(source);
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
          String imported = imports.group(1);
          IMPORTS.get(from).add(imported);
          if (imported.startsWith("io.wgguard.")) {
            String to = local(packageOf(imported));
            if (!to.equals(from)) {
              GRAPH.get(from).add(to);
            }
          }
        }
      }
    }
  }

  /** {@code io.wgguard.tunnels.summary} to {@code tunnels.summary}; the root to "". */
  static String local(String pkg) {
    return pkg.equals("io.wgguard") ? "" : pkg.substring("io.wgguard.".length());
  }

  /** The package of an imported name: the parts before the first capitalised one. */
  static String packageOf(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.")) {
      if (Character.isUpperCase(part.charAt(0))) {
        break;
      }
      parts.add(part);
    }
    return String.join(".", parts);
  }

  @Test
  void noPackageDependsOnAPackageThatDependsOnIt() {
    List<String> cycles = new ArrayList<>();
    for (String start : GRAPH.keySet()) {
      Set<String> reached = new HashSet<>();
      List<String> todo = new ArrayList<>(GRAPH.get(start));
      while (!todo.isEmpty()) {
        String next = todo.remove(todo.size() - 1);
        if (reached.add(next)) {
          todo.addAll(GRAPH.getOrDefault(next, Set.of()));
        }
      }
      if (reached.contains(start)) {
        cycles.add(start);
      }
    }
    assertThat(cycles).as("packages on a cycle, in %s", GRAPH).isEmpty();
  }

  @Test
  void theStagesRunOneWay() {
    List<String> order =
        List.of("tunnels.summary", "evidence", "tunnels", "taints", "pass", "status");
    for (int i = 0; i < order.size(); i++) {
      for (int j = i + 1; j < order.size(); j++) {
        assertThat(GRAPH.get(order.get(i)))
            .as("%s must not depend on the later stage %s", order.get(i), order.get(j))
            .doesNotContain(order.get(j));
      }
    }
    assertThat(GRAPH.get("felix")).as("Felix's semantics depend on no stage").isSubsetOf("");
    assertThat(GRAPH.get("policy")).isSubsetOf("", "felix");
  }

  @Test
  void thePureCoreUsesNoClientCdiLoggerOrClock() {
    for (String pkg : PURE) {
      assertThat(IMPORTS.get(pkg))
          .as("imports of %s", pkg)
          .noneMatch(i -> IO_PREFIXES.stream().anyMatch(i::startsWith))
          .doesNotContain("java.time.Clock");
      assertThat(SOURCES.get(pkg).toString())
          .as("%s reads no clock: the time is a parameter", pkg)
          .doesNotContain("Instant.now()")
          .doesNotContain("System.currentTimeMillis()");
    }
  }

  @Test
  void theAgentSharesOnlyTheWireFormatWithTheCheckerStages() {
    assertThat(GRAPH.get("agent"))
        .doesNotContain("evidence", "tunnels", "taints", "pass", "status", "checker", "policy")
        .contains("tunnels.summary");
  }
}
