package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code review} judges a write that breaks the path into WireGuard as the webhook does. */
class ReviewPathTest {

  static final String ON =
      "apiVersion: crd.projectcalico.org/v1\nkind: FelixConfiguration\nmetadata:\n"
          + "  name: default\nspec:\n  wireguardEnabled: true\n";
  static final String LATE = ON + "  wireguardRoutingRulePriority: 40000\n";
  static final String NODES =
      "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker1\n---\n"
          + "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker2\n---\n"
          + ON;

  @TempDir Path dir;

  Path file(String name, String text) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, text);
    return path;
  }

  @Test
  void aRulePriorityAfterTheMainTablesIsRefusedOnEveryNode() throws IOException {
    CliRun run =
        CliRun.run(
            "review",
            "--old=" + file("old.yaml", ON),
            "--new=" + file("new.yaml", LATE),
            "--cluster=" + file("cluster.yaml", NODES));

    assertThat(run.code()).isEqualTo(Cli.EXIT_NEGATIVE);
    assertThat(run.out())
        .contains(
            "spec.wireguardRoutingRulePriority (default) is 40000, at or after the main table's"
                + " rule (32766)")
        .contains("on every node (2)");
  }

  @Test
  void withoutADumpTheObjectAloneDecides() throws IOException {
    CliRun run =
        CliRun.run("review", "--old=" + file("old.yaml", ON), "--new=" + file("new.yaml", LATE));

    assertThat(run.code()).isEqualTo(Cli.EXIT_NEGATIVE);
    assertThat(run.out()).contains("spec.wireguardRoutingRulePriority is 40000");
  }
}
