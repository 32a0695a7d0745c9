package io.wgguard.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Looks at a host's file system for the WireGuard module and interface. The host root is
 * configurable (the DaemonSet mounts the host's /sys and /proc under /host), so tests use fixture
 * trees.
 */
public final class ModuleProbe {

  /** Condition reason: module loaded and interface present. */
  public static final String MODULE_LOADED = "ModuleLoaded";

  /** Condition reason: no WireGuard module in the kernel. */
  public static final String MODULE_MISSING = "ModuleMissing";

  /** Condition reason: module loaded, but Felix's interface is absent. */
  public static final String INTERFACE_MISSING = "InterfaceMissing";

  /**
   * What the host shows.
   *
   * @param ready whether the condition should be True
   * @param reason one of the reasons above
   * @param message a sentence naming the files looked at
   */
  public record Result(boolean ready, String reason, String message) {}

  private ModuleProbe() {}

  /** Probes {@code hostRoot} for the module and {@code iface}. */
  public static Result probe(Path hostRoot, String iface) {
    return probe(hostRoot, java.util.List.of(iface));
  }

  /**
   * Probes {@code hostRoot} for the module and every one of {@code ifaces} (one per IP family
   * WireGuard is on for); the first missing interface is named.
   */
  public static Result probe(Path hostRoot, java.util.List<String> ifaces) {
    Path sysModule = hostRoot.resolve("sys/module/wireguard");
    Path procModules = hostRoot.resolve("proc/modules");
    boolean inSys = Files.isDirectory(sysModule);
    boolean inProc = listedInProcModules(procModules);
    if (!inSys && !inProc) {
      return new Result(
          false,
          MODULE_MISSING,
          "no WireGuard module: neither /sys/module/wireguard nor a 'wireguard' line in"
              + " /proc/modules (install it, e.g. apt install wireguard)");
    }
    String how = inProc ? "loaded module (/proc/modules)" : "built-in (/sys/module/wireguard)";
    for (String iface : ifaces) {
      if (!Files.exists(hostRoot.resolve("sys/class/net").resolve(iface))) {
        return new Result(
            false,
            INTERFACE_MISSING,
            "WireGuard "
                + how
                + ", but no interface "
                + iface
                + " in /sys/class/net: Felix has not"
                + " created it (is WireGuard enabled for this node?)");
      }
    }
    return new Result(
        true,
        MODULE_LOADED,
        "WireGuard "
            + how
            + " and interface"
            + (ifaces.size() > 1 ? "s " : " ")
            + String.join(", ", ifaces)
            + " present");
  }

  private static boolean listedInProcModules(Path procModules) {
    if (!Files.isReadable(procModules)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(procModules)) {
      return lines.anyMatch(line -> line.startsWith("wireguard "));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }
}
