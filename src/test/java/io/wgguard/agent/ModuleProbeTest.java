package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModuleProbeTest {

  @TempDir Path root;

  interface Tree {
    Path make(Path root) throws Exception;
  }

  static Stream<Arguments> hosts() {
    return Stream.of(
        Arguments.of(
            "a loaded module with Felix's interface is ready",
            (Tree) r -> HostTree.loaded(r, "wireguard.cali"),
            "wireguard.cali",
            true,
            "ModuleLoaded",
            "loaded module (/proc/modules) and interface wireguard.cali present"),
        Arguments.of(
            "a built-in module counts as loaded",
            (Tree) r -> HostTree.builtIn(r, "wireguard.cali"),
            "wireguard.cali",
            true,
            "ModuleLoaded",
            "built-in (/sys/module/wireguard)"),
        Arguments.of(
            "a module without the interface is not ready",
            (Tree) HostTree::noInterface,
            "wireguard.cali",
            false,
            "InterfaceMissing",
            "no interface wireguard.cali in /sys/class/net"),
        Arguments.of(
            "a custom interface name is looked for",
            (Tree) r -> HostTree.loaded(r, "wg0"),
            "wg0",
            true,
            "ModuleLoaded",
            "interface wg0 present"),
        Arguments.of(
            "the interface must be the configured one",
            (Tree) r -> HostTree.loaded(r, "wg0"),
            "wireguard.cali",
            false,
            "InterfaceMissing",
            "no interface wireguard.cali"),
        Arguments.of(
            "no module at all is ModuleMissing",
            (Tree) HostTree::missing,
            "wireguard.cali",
            false,
            "ModuleMissing",
            "apt install wireguard"),
        Arguments.of(
            "an empty host root is ModuleMissing, not an error",
            (Tree) r -> r,
            "wireguard.cali",
            false,
            "ModuleMissing",
            "neither /sys/module/wireguard nor"),
        Arguments.of(
            "a module named like wireguard_foo does not count",
            (Tree)
                r -> {
                  Files.createDirectories(r.resolve("proc"));
                  Files.writeString(r.resolve("proc/modules"), "wireguard_foo 1 0 - Live 0x0\n");
                  return r;
                },
            "wireguard.cali",
            false,
            "ModuleMissing",
            "no WireGuard module"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hosts")
  void probes(
      String sentence, Tree tree, String iface, boolean ready, String reason, String messagePart)
      throws Exception {
    ModuleProbe.Result result = ModuleProbe.probe(tree.make(root), iface);

    assertThat(result.ready()).isEqualTo(ready);
    assertThat(result.reason()).isEqualTo(reason);
    assertThat(result.message()).contains(messagePart);
  }
}
