package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nothing the build, the tests, the demo or the benchmarks run reads beside the repository: no
 * script, test, benchmark, CI file, manifest or the pom names the workspace's shared folder or a
 * relative path whose {@code ..} segments climb above the repository root. A path is resolved as
 * what reads it would: in a kustomization (YAML under {@code manifests/}) against the file's
 * folder; after {@code $(dirname "$0")} or {@code ${project.basedir}} against the file's folder;
 * anywhere else against the repository root, where every script starts ({@code cd "$(dirname
 * "$0")/.."}) and Maven runs.
 */
class RepositoryBoundsTest {

  /** What is scanned: everything that runs, and the documentation for the shared folder. */
  static final List<String> SCANNED =
      List.of("scripts", "bench", ".ci", "src", "manifests", "certs", "examples", ".mvn");

  static final List<String> FILES = List.of("pom.xml", "mvnw", ".dockerignore");

  /** The workspace folder beside the checkout, spelled so this file does not name it. */
  static final String SHARED = "../" + "shared";

  static final Path SELF = Path.of("src/test/java/io/wgguard/RepositoryBoundsTest.java");

  private static final Pattern PATH_WITH_PARENT =
      Pattern.compile(
          "([)}]?)(?<![A-Za-z0-9_.~/-])((?:[A-Za-z0-9_.~-]*/)*\\.\\.(?:/[A-Za-z0-9_.~-]*)*)"
              + "(?![A-Za-z0-9_.~-])");

  /** One place a file leaves the repository. */
  record Escape(Path file, int line, String text) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + text;
    }
  }

  @Test
  void noFileOfTheRepositoryReadsBesideIt() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    List<Escape> escapes = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String dir : SCANNED) {
      try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
    }
    FILES.forEach(f -> files.add(root.resolve(f)));
    files.add(root.resolve("README.md"));
    files.add(root.resolve("BENCHMARKS.md"));
    for (Path file : files) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (MalformedInputException binary) {
        continue;
      }
      Path relative = root.relativize(file);
      if (relative.equals(SELF)) {
        continue; // its table holds the escapes it checks the scan against
      }
      boolean documentation = relative.toString().endsWith(".md");
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.contains(SHARED) || line.contains("/work/" + "shared")) {
          escapes.add(new Escape(relative, i + 1, line.strip()));
        } else if (!documentation && !escapes(relative, line).isEmpty()) {
          escapes.add(new Escape(relative, i + 1, line.strip()));
        }
      }
    }

    assertThat(files).hasSizeGreaterThan(100);
    assertThat(escapes).isEmpty();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a kustomization's base two levels up     | manifests/overlays/self-signed/kustomization.yaml | '  - ../../base'                                  | false
          a kustomization climbing above the root  | manifests/overlays/self-signed/kustomization.yaml | '  - ../../../../other/base'                      | true
          a script's own folder's parent           | .ci/run                                           | 'cd "$(dirname "$0")/.."'                         | false
          a script's sibling folder                | certs/generate.sh                                 | 'out="$(dirname "$0")/../manifests/overlays"'     | false
          a script climbing above its folder twice | scripts/demo.sh                                   | 'crds="$(dirname "$0")/../../fixtures/calico"'    | true
          a script run from the root reading above | scripts/demo.sh                                   | 'kubectl apply -f ../fixtures/calico/crd.yaml'    | true
          a test reading above the root            | src/test/java/io/wgguard/it/KubeCluster.java      | 'Path.of("../fixtures/calico")'                   | true
          the pom reading beside the base dir      | pom.xml                                           | '<argument>${project.basedir}/../tools</argument>' | true
          the pom inside its base dir              | pom.xml                                           | '<argument>${project.basedir}/scripts/x.sh</argument>' | false
          a version range, not a path              | pom.xml                                           | '<version>[1.0,2.0)</version>'                    | false
          an ellipsis in prose                     | scripts/demo.sh                                   | 'echo "waiting..."'                               | false
          """)
  void aRelativePathLeavesTheRepositoryOnlyIfItsParentsClimbAboveTheRoot(
      String what, String file, String line, boolean escapes) {
    assertThat(escapes(Path.of(file), line).isEmpty()).as(what).isEqualTo(!escapes);
  }

  /** The paths in {@code line} of {@code file} (relative to the root) that climb above the root. */
  static List<String> escapes(Path file, String line) {
    List<String> found = new ArrayList<>();
    Matcher m = PATH_WITH_PARENT.matcher(line);
    while (m.find()) {
      String path = m.group(2);
      if (!Pattern.compile("(^|/)\\.\\.(/|$)").matcher(path).find()) {
        continue; // "waiting..." and the like: no ".." segment
      }
      boolean afterExpansion = !m.group(1).isEmpty();
      Path folder = file.getParent() == null ? Path.of("") : file.getParent();
      boolean kustomization = file.startsWith("manifests") && file.toString().endsWith(".yaml");
      Path base = afterExpansion || kustomization ? folder : Path.of("");
      String relative = path.startsWith("/") ? path.substring(1) : path;
      if (climbs(base, relative)) {
        found.add(path);
      }
    }
    return found;
  }

  /** True if {@code path} resolved against {@code base} (both relative to the root) leaves it. */
  static boolean climbs(Path base, String path) {
    int depth = base.getNameCount();
    if (base.toString().isEmpty()) {
      depth = 0;
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        depth--;
        if (depth < 0) {
          return true;
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        depth++;
      }
    }
    return false;
  }
}
