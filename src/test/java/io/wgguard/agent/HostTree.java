package io.wgguard.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fixture host file systems for the agent: what /sys and /proc show in each state. */
public final class HostTree {

  private HostTree() {}

  /** The WireGuard module loaded as a module, with Felix's interface. */
  public static Path loaded(Path root, String iface) throws IOException {
    procModules(root, "wireguard 81920 0 - Live 0x0000000000000000\n");
    Files.createDirectories(root.resolve("sys/module/wireguard"));
    Files.writeString(root.resolve("sys/module/wireguard/version"), "1.0.0\n");
    Files.createDirectories(root.resolve("sys/class/net").resolve(iface));
    return root;
  }

  /** WireGuard built into the kernel: only /sys/module, not /proc/modules. */
  public static Path builtIn(Path root, String iface) throws IOException {
    procModules(root, "");
    Files.createDirectories(root.resolve("sys/module/wireguard"));
    Files.createDirectories(root.resolve("sys/class/net").resolve(iface));
    return root;
  }

  /** The module loaded but no interface yet. */
  public static Path noInterface(Path root) throws IOException {
    procModules(root, "wireguard 81920 0 - Live 0x0000000000000000\n");
    Files.createDirectories(root.resolve("sys/module/wireguard"));
    Files.createDirectories(root.resolve("sys/class/net/eth0"));
    return root;
  }

  /** No WireGuard at all (the seed's nodes before `apt install wireguard`). */
  public static Path missing(Path root) throws IOException {
    procModules(root, "");
    Files.createDirectories(root.resolve("sys/module/ip6_udp_tunnel"));
    Files.createDirectories(root.resolve("sys/class/net/eth0"));
    return root;
  }

  private static void procModules(Path root, String wireguard) throws IOException {
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(
        root.resolve("proc/modules"),
        wireguard
            + "curve25519_x86_64 49152 1 wireguard, Live 0x0000000000000000\n"
            + "udp_tunnel 20480 1 wireguard, Live 0x0000000000000000\n");
  }
}
