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

  /**
   * Node label that exempts a node from readiness checks when set to {@code "true"}. Under {@code
   * node-restriction.kubernetes.io/}, which the NodeRestriction admission plugin keeps kubelets
   * from setting, so a node's own identity cannot exempt its node: an admin sets it.
   */
  public static final String EXEMPT_LABEL = "node-restriction.kubernetes.io/wgguard-exempt";

  /**
   * The exemption label before it moved under {@code node-restriction.kubernetes.io/}: a node's
   * kubelet may set it on its own Node, so it is no longer honoured, only reported.
   */
  public static final String SELF_ASSERTED_EXEMPT_LABEL = PREFIX + "exempt";

  /** Label prefix the NodeRestriction admission plugin keeps kubelets from setting. */
  public static final String NODE_RESTRICTION_PREFIX = "node-restriction.kubernetes.io/";

  /**
   * Annotation on one of wgguard's ValidatingWebhookConfigurations: while it has a non-blank value
   * (a reason or ticket), the checker does not restore that registration, and reports it.
   */
  public static final String BREAK_GLASS_ANNOTATION = PREFIX + "break-glass";

  /** Taint put on nodes that are not WireGuard-ready; its value is the reason. */
  public static final String NOT_READY_TAINT = PREFIX + "wireguard-not-ready";

  /**
   * Node annotation in which the wgguard node agent publishes what it read of the node's WireGuard
   * devices, as {@code io.wgguard.tunnels.summary.TunnelSummary} JSON.
   */
  public static final String TUNNELS_ANNOTATION = PREFIX + "tunnels";

  /** Node condition kept by the wgguard node agent. */
  public static final String MODULE_READY_CONDITION = "WireGuardModuleReady";

  /**
   * Label on the Lease each node agent renews in wgguard's namespace; the checker watches the
   * Leases that carry it (the taint writer's election Lease does not).
   */
  public static final String AGENT_LEASE_LABEL = PREFIX + "agent-lease";

  /** Name prefix of the node agents' Leases: {@link #agentLeaseName}. */
  public static final String AGENT_LEASE_PREFIX = "wgguard-agent-";

  /** Longest Kubernetes object name (a DNS subdomain, RFC 1123). */
  public static final int MAX_NAME_LENGTH = 253;

  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile(
          "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * The name of the Lease the agent on {@code node} renews: {@code wgguard-agent-<node>}. A node
   * name may be 253 characters long, as a Lease name may; when the prefixed name would be longer,
   * the node name is cut and a hash of the whole of it appended ({@code wgguard-agent-<first 221
   * characters>-<16 hex digits of its SHA-256>}), so that two long names that share their beginning
   * still get two Leases. The result is a DNS subdomain as Kubernetes requires of names: lower-case
   * letters, digits, {@code -} and {@code .}, starting and ending with a letter or digit, at most
   * 253 characters.
   *
   * @throws IllegalArgumentException when {@code node} is not a valid node name
   */
  public static String agentLeaseName(String node) {
    if (node == null
        || node.isEmpty()
        || node.length() > MAX_NAME_LENGTH
        || !DNS_SUBDOMAIN.matcher(node).matches()) {
      throw new IllegalArgumentException(
          "'%s' is not a node name (a DNS subdomain: lower-case letters, digits, '-' and '.', at most %d characters)"
              .formatted(node == null ? "" : node, MAX_NAME_LENGTH));
    }
    String name = AGENT_LEASE_PREFIX + node;
    if (name.length() <= MAX_NAME_LENGTH) {
      return name;
    }
    String hash = sha256Hex(node).substring(0, 16);
    String head = name.substring(0, MAX_NAME_LENGTH - 1 - hash.length());
    // A cut may end on '-' or '.', which a name may not end with, nor have before another '-'.
    head = head.replaceAll("[-.]+$", "");
    return head + "-" + hash;
  }

  private static String sha256Hex(String text) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

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

  /** Counter of admission requests answered 429 because the body budget was spent. */
  public static final String METRIC_ADMISSION_THROTTLED = "wgguard_admission_throttled";

  /** Timer (histogram) of admission handling, tagged {@code webhook}. */
  public static final String METRIC_ADMISSION_DURATION = "wgguard_admission_duration";

  /** Gauge of nodes by readiness state, tagged {@code state}. */
  public static final String METRIC_NODES = "wgguard_nodes";

  /**
   * Gauge of not-ready nodes by the reason they are tainted for, tagged {@code reason} (the taint's
   * value, e.g. {@code no-public-key}).
   */
  public static final String METRIC_NOT_READY_NODES = "wgguard_not_ready_nodes";

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

  /**
   * A node joined (or was first seen) with WireGuard off while {@code default} turns it on: a
   * {@code node.<name>} or selector-scoped object written before the node existed decides it.
   */
  public static final String EVENT_OFF_AT_JOIN = "WireGuardOffAtJoin";

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

  // wgguard's own registrations (ValidatingWebhookConfigurations).

  /** Gauge, 1 while wgguard's registrations are all there, unchanged and not under break-glass. */
  public static final String METRIC_GUARD_IN_PLACE = "wgguard_guard_in_place";

  /** Gauge of differences from the expected registration, tagged {@code registration}. */
  public static final String METRIC_REGISTRATION_DRIFT = "wgguard_registration_drift";

  /** Counter of registrations written back, tagged {@code registration}. */
  public static final String METRIC_REGISTRATION_RESTORES = "wgguard_registration_restores";

  /** Gauge, 1 while a registration is under break-glass, tagged {@code registration}. */
  public static final String METRIC_REGISTRATION_BREAK_GLASS = "wgguard_registration_break_glass";

  /** Event reason: one of wgguard's registrations is gone. */
  public static final String EVENT_REGISTRATION_MISSING = "WebhookRegistrationMissing";

  /** Event reason: one of wgguard's registrations differs from what wgguard ships. */
  public static final String EVENT_REGISTRATION_CHANGED = "WebhookRegistrationChanged";

  /** Event reason: wgguard wrote one of its registrations back. */
  public static final String EVENT_REGISTRATION_RESTORED = "WebhookRegistrationRestored";

  /** Event reason: a registration carries the break-glass annotation; it is not restored. */
  public static final String EVENT_REGISTRATION_BREAK_GLASS = "WebhookRegistrationBreakGlass";

  /**
   * Gauge of exempt nodes by what grants the exemption, tagged {@code granted_by} ({@code label},
   * {@code selector}), and of claims not honoured ({@code refused}).
   */
  public static final String METRIC_EXEMPTIONS = "wgguard_exempt_nodes";

  /**
   * Counter of nodes that left WireGuard through a FelixConfiguration or calico-node change that
   * carries no fresh override ({@code _total} in the exposition).
   */
  public static final String METRIC_OFF_WITHOUT_OVERRIDE = "wgguard_switch_offs_without_override";

  /**
   * Event reason, on a Node: WireGuard went off on it by a change no fresh override explains (a
   * bypass of admission).
   */
  public static final String EVENT_OFF_WITHOUT_OVERRIDE = "WireGuardOffWithoutOverride";

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

  /** Kind of Calico's IPAM block affinities ({@code blockaffinities.crd.projectcalico.org/v1}). */
  public static final String BLOCK_AFFINITY_KIND = "BlockAffinity";
}
