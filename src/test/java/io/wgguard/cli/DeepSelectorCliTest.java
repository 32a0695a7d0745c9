package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 points 10 and 11: a nodeSelector nested deeper than a recursive parser survives is
 * judged by review and audit as Felix reads it (Felix parses any nesting), never a stack trace.
 */
class DeepSelectorCliTest {

  static final String DEEP = "(".repeat(20_000) + "has(pool)" + ")".repeat(20_000);

  static String felix(String name, String selector, boolean on) {
    return """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: %s
          creationTimestamp: "2026-01-01T00:00:00Z"
        spec:
          nodeSelector: "%s"
          wireguardEnabled: %s
        """
        .formatted(name, selector, on);
  }

  @Test
  void reviewJudgesADeepSelector(@TempDir Path dir) throws IOException {
    Path old = Files.writeString(dir.resolve("old.yaml"), felix("pool", DEEP, true));
    Path now = Files.writeString(dir.resolve("new.yaml"), felix("pool", DEEP, false));

    CliRun run = CliRun.run("review", "--old", old.toString(), "--new", now.toString());

    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.exit()).hasValue(Cli.EXIT_NEGATIVE);
    assertThat(run.out()).contains("would switch WireGuard off");
  }

  @Test
  void auditReadsADeepSelector(@TempDir Path dir) throws IOException {
    String dump =
        "apiVersion: v1\nkind: List\nitems:\n"
            + "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: worker1\n    labels:\n"
            + "      pool: a\n"
            + "- "
            + felix("pool", DEEP, true).replace("\n", "\n  ");
    Path file = Files.writeString(dir.resolve("dump.yaml"), dump);

    CliRun run = CliRun.run("audit", file.toString());

    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.exit()).isPresent();
    assertThat(run.exit().getAsInt()).isIn(Cli.EXIT_OK, Cli.EXIT_NEGATIVE);
  }
}
