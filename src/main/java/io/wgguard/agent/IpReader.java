package io.wgguard.agent;

import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.DevicePath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads how traffic is steered into a WireGuard device with {@code ip -j} (iproute2's JSON output),
 * through {@code wgguard.agent.ip-command}: the device's link, the family's rules, the routes of
 * the table the steering rule looks up, and the link the endpoint traffic leaves by. The edge
 * around {@link IpJson} and {@link PathPlanner}.
 */
final class IpReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HostCommand ip;

  IpReader(String ipCommand) {
    this.ip = new HostCommand(ipCommand, TIMEOUT);
  }

  /**
   * The device's path.
   *
   * @throws IllegalStateException when {@code ip} cannot be run or fails, saying why
   * @throws IllegalArgumentException when its output cannot be read, saying why
   */
  DevicePath path(IpFamily family, WgDevice device) {
    String flag = family == IpFamily.V4 ? "-4" : "-6";
    IpJson.Link link = IpJson.link(run(false, "-j", "link", "show", "dev", device.iface()));
    List<IpJson.Rule> rules = IpJson.rules(run(false, flag, "-j", "rule", "show"));
    Optional<IpJson.Rule> rule = PathPlanner.steeringRule(rules, device.fwmark());
    List<IpJson.Route> table = List.of();
    if (rule.isPresent()) {
      // An empty table does not exist for the kernel: ip says so and exits 2.
      table =
          IpJson.routes(
              run(true, flag, "-j", "route", "show", "table", rule.get().table()), family);
    }
    int underlayMtu = 0;
    Optional<String> probe = PathPlanner.underlayProbe(device);
    if (probe.isPresent()) {
      List<String> get = new ArrayList<>(List.of("-j", "route", "get", probe.get()));
      if (device.fwmark() != 0) {
        // Marked like the device's own UDP, so the steering rule does not send it back in.
        get.addAll(List.of("mark", "0x" + Long.toHexString(device.fwmark())));
      }
      String dev = IpJson.routeDevice(run(true, get.toArray(String[]::new)));
      if (!dev.isEmpty()) {
        underlayMtu = IpJson.link(run(false, "-j", "link", "show", "dev", dev)).mtu();
      }
    }
    return PathPlanner.path(device, link, rules, table, underlayMtu);
  }

  /** Runs {@code ip} with these arguments; {@code missingOk}: a failure prints nothing. */
  private String run(boolean missingOk, String... args) {
    HostCommand.Result result = ip.run(args);
    if (result.exit() != 0) {
      if (missingOk) {
        return "[]";
      }
      throw new IllegalStateException(
          "%s failed (exit %d): %s"
              .formatted(ip.shown(args), result.exit(), result.firstErrorLine()));
    }
    return result.text();
  }
}
