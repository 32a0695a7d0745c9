package io.wgguard.config;

/** Where the node agent reads the node's WireGuard devices from. */
public enum TunnelSource {
  /**
   * {@code wg show <interface> dump} on the node: needs the host network namespace ({@code
   * hostNetwork: true}) and {@code CAP_NET_ADMIN} (WireGuard's netlink interface refuses to show a
   * device without it).
   */
  DEVICE,
  /**
   * Felix's Prometheus endpoint on the node ({@code prometheusMetricsEnabled: true} in
   * FelixConfiguration): needs only to reach it, from the host network namespace for the default
   * {@code localhost} URL.
   */
  FELIX_METRICS,
  /** Read no devices and publish no {@code wgguard.io/tunnels} annotation. */
  NONE;

  /**
   * The spelling in settings and in the annotation's {@code source}, e.g. {@code felix-metrics}.
   */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
