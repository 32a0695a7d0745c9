package io.wgguard;

/**
 * Every name wgguard shows to Kubernetes or to Prometheus. These are API: users write them into
 * manifests, alerts and runbooks, so they change only with a release note.
 */
public final class Names {

  private Names() {}

  /** Label and annotation prefix of wgguard. */
  public static final String PREFIX = "wgguard.io/";

  /** Label whose value is the change ticket that authorises switching WireGuard off. */
  public static final String OVERRIDE_LABEL = PREFIX + "override";

  /** Optional annotation (RFC 3339) after which an override label is no longer honoured. */
  public static final String OVERRIDE_EXPIRES_ANNOTATION = PREFIX + "override-expires";

  /** Node label that exempts a node from readiness checks when set to {@code "true"}. */
  public static final String EXEMPT_LABEL = PREFIX + "exempt";

  /** Taint put on nodes that are not WireGuard-ready; its value is the reason. */
  public static final String NOT_READY_TAINT = PREFIX + "wireguard-not-ready";

  /**
   * Node annotation in which the wgguard node agent publishes what it read of the node's WireGuard
   * devices, as {@code io.wgguard.tunnels.summary.TunnelSummary} JSON.
   */
  public static final String TUNNELS_ANNOTATION = PREFIX + "tunnels";

  /** Node condition kept by the wgguard node agent. */
  public static final String MODULE_READY_CONDITION = "WireGuardModuleReady";

  // Calico names wgguard reads.

  /** Storage API group of Calico's CRDs. */
  public static final String CALICO_CRD_GROUP = "crd.projectcalico.org";

  /** API group served by calico-apiserver, or by CRDs in Calico's v3 CRD mode. */
  public static final String CALICO_V3_GROUP = "projectcalico.org";

  /** Kind of the guarded resource. */
  public static final String FELIX_KIND = "FelixConfiguration";

  /** Plural of the guarded resource. */
  public static final String FELIX_PLURAL = "felixconfigurations";

  /** Name of the global FelixConfiguration. */
  public static final String FELIX_DEFAULT = "default";

  /** Name prefix of per-node FelixConfigurations ({@code node.<nodeName>}). */
  public static final String FELIX_NODE_PREFIX = "node.";

  /** Prefix of annotations that override a Felix parameter, e.g. {@code ...WireguardEnabled}. */
  public static final String FELIX_CONFIG_ANNOTATION_PREFIX = "config.projectcalico.org/";

  /** Annotation in which calico-apiserver keeps the v3 metadata of a v1 object, as JSON. */
  public static final String CALICO_METADATA_ANNOTATION = "projectcalico.org/metadata";

  /** Node annotation with the IPv4 WireGuard public key, written by Felix. */
  public static final String PUBLIC_KEY_V4 = "projectcalico.org/WireguardPublicKey";

  /** Node annotation with the IPv6 WireGuard public key, written by Felix. */
  public static final String PUBLIC_KEY_V6 = "projectcalico.org/WireguardPublicKeyV6";

  /** Node annotation with the IPv4 address of the WireGuard interface. */
  public static final String INTERFACE_ADDR_V4 = "projectcalico.org/IPv4WireguardInterfaceAddr";

  /** Node annotation with the IPv6 address of the WireGuard interface. */
  public static final String INTERFACE_ADDR_V6 = "projectcalico.org/IPv6WireguardInterfaceAddr";

  // Metrics.

  /** Counter of admission requests, tagged {@code webhook}, {@code operation}, {@code decision}. */
  public static final String METRIC_ADMISSION_REQUESTS = "wgguard_admission_requests";

  /**
   * Gauge of IP families a calico-node DaemonSet forces off by environment; the alert {@code
   * WgguardWireGuardForcedOffByEnvironment} watches it.
   */
  public static final String METRIC_FORCED_OFF_BY_ENVIRONMENT =
      "wgguard_wireguard_forced_off_by_environment";

  /** Timer (histogram) of admission handling, tagged {@code webhook}. */
  public static final String METRIC_ADMISSION_DURATION = "wgguard_admission_duration";

  /** Gauge of nodes by readiness state, tagged {@code state}. */
  public static final String METRIC_NODES = "wgguard_nodes";

  /** Gauge, 1 for the cluster's posture and 0 for the others, tagged {@code posture}. */
  public static final String METRIC_POSTURE = "wgguard_posture";

  /** Counter of taint writes, tagged {@code action}. */
  public static final String METRIC_TAINT_CHANGES = "wgguard_taint_changes";

  /** Gauge of FelixConfigurations whose override label is in force. */
  public static final String METRIC_ACTIVE_OVERRIDES = "wgguard_active_overrides";

  /** Gauge of FelixConfigurations whose override label is stale (WireGuard back on, expired). */
  public static final String METRIC_STALE_OVERRIDES = "wgguard_stale_overrides";

  /** Gauge, 1 while the safety brake holds new taints back. */
  public static final String METRIC_SAFETY_BRAKE = "wgguard_safety_brake_engaged";

  /** Counter of nodes that left WireGuard, tagged {@code cause} ({@code labels}, ...). */
  public static final String METRIC_NODES_LEFT_WIREGUARD = "wgguard_nodes_left_wireguard";

  /** Counter: checker passes asked for, before folding ({@code _total} in the exposition). */
  public static final String METRIC_PASS_REQUESTS = "wgguard_checker_pass_requests";

  /** Counter: checker passes run ({@code _total} in the exposition). */
  public static final String METRIC_PASSES = "wgguard_checker_passes";

  // Event reasons, on Node objects.

  /** The checker tainted a node. */
  public static final String EVENT_NOT_READY = "WireGuardNotReady";

  /** The checker removed its taint from a node. */
  public static final String EVENT_READY = "WireGuardReady";

  /** WireGuard went off on a node because its labels changed (no FelixConfiguration write). */
  public static final String EVENT_OFF_BY_LABELS = "WireGuardOffByNodeLabels";

  /** WireGuard went off on a node because the FelixConfigurations changed. */
  public static final String EVENT_OFF_BY_FELIX = "WireGuardOffByFelixConfiguration";

  /** The component (source) and default reporting instance of wgguard's Events. */
  public static final String EVENT_COMPONENT = "wgguard";

  // Audit annotations on admission responses; the API server prefixes them with the webhook name.

  /** What the webhook decided when it did not simply allow: {@code denied} or {@code warn}. */
  public static final String AUDIT_DECISION = "decision";

  /** The override ticket a switch-off was allowed under. */
  public static final String AUDIT_OVERRIDE_TICKET = "override-ticket";

  /** Who used the override. */
  public static final String AUDIT_OVERRIDE_REQUESTER = "override-requester";

  /** When the override expires, {@code none} without an expiry. */
  public static final String AUDIT_OVERRIDE_EXPIRES = "override-expires";

  /** The object's scope, e.g. {@code cluster}, {@code node:worker1}. */
  public static final String AUDIT_SCOPE = "scope";

  /** The object judged. */
  public static final String AUDIT_OBJECT = "object";

  /** Which rule judged the write: the effect on known nodes or the object alone. */
  public static final String AUDIT_JUDGED_BY = "judged-by";

  /** The guarded fields the write switches off. */
  public static final String AUDIT_DISABLED_FIELDS = "disabled-fields";

  /** Present ({@code true}) when the request was a server-side dry run. */
  public static final String AUDIT_DRY_RUN = "dry-run";

  /** The node a pinned pod is refused (or tolerated) on. */
  public static final String AUDIT_NODE = "node";

  /** Why that node is not WireGuard-ready: its taint's value. */
  public static final String AUDIT_REASON = "reason";

  /** Present ({@code true}) when the pod tolerates wgguard's taint. */
  public static final String AUDIT_TOLERATED = "tolerated";

  /** Gauge: healthy tunnel pairs over expected pairs, as of the last checker pass. */
  public static final String METRIC_MESH_COVERAGE = "wgguard_mesh_coverage";

  /** Gauge of directed node pairs that should have a tunnel, tagged {@code state}. */
  public static final String METRIC_MESH_PAIRS = "wgguard_mesh_pairs";

  /** Gauge of nodes with a tunnel finding, tagged {@code reason}. */
  public static final String METRIC_TUNNEL_FINDINGS = "wgguard_tunnel_findings";

  /**
   * An enum constant as wgguard spells it outside Java: in metric tags, {@code /status}, the health
   * group and audit JSON ({@code NOT_READY} is {@code not-ready}).
   */
  public static String label(Enum<?> constant) {
    return constant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
