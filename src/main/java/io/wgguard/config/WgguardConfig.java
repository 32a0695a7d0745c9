package io.wgguard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.wgguard.evidence.EvidenceSettings;
import io.wgguard.evidence.ModuleSource;
import io.wgguard.evidence.TaintEffect;
import io.wgguard.felix.FelixGroup;
import io.wgguard.taints.TaintSettings;
import io.wgguard.tunnels.TunnelEvidence;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** All of wgguard's configuration, under the prefix {@code wgguard}. */
@ConfigMapping(prefix = "wgguard")
public interface WgguardConfig {

  /** FelixConfiguration admission. */
  Admission admission();

  /** Change-control overrides that allow switching WireGuard off. */
  Override override();

  /** The webhook's serving certificate. */
  Tls tls();

  /** The node readiness checker. */
  Checker checker();

  /** The optional Pod webhook that refuses pods pinned to not-ready nodes. */
  Pods pods();

  /** The node agent ({@code agent} command, run by a DaemonSet). */
  Agent agent();

  /** The calico-node DaemonSet, whose environment outranks every FelixConfiguration. */
  CalicoNode calicoNode();

  /** Benchmark aids; off by default and never needed in production. */
  Bench bench();

  /** wgguard's own webhook registrations: watched, reported and restored by the checker. */
  Registration registration();

  /** Registration settings. */
  interface Registration {

    /**
     * {@code off} (not watched), {@code report} (deletion and drift reported in the health group,
     * {@code /status}, an Event and metrics) or {@code restore} (reported and put back by the taint
     * writer within a pass). The shipped manifests set {@code restore}; off by default here because
     * a jar run by hand has no Service to register.
     */
    @WithDefault("off")
    io.wgguard.guard.RegistrationMode mode();

    /**
     * The registrations watched: {@code felixconfiguration} ({@code wgguard}), {@code calico-node}
     * ({@code wgguard-calico-node}), {@code pods} ({@code wgguard-pods}). Each needs its name in
     * the RBAC rule on validatingwebhookconfigurations.
     */
    @WithDefault("felixconfiguration,calico-node,pods")
    List<io.wgguard.guard.GuardedRegistration> registrations();

    /**
     * A base URL ({@code https://host:port}) the webhooks are registered at, paths appended, for
     * tests and out-of-cluster runs. Unset: the Service below.
     */
    Optional<String> url();

    /** The Service the webhooks call. */
    @WithDefault("wgguard")
    String serviceName();

    /**
     * The Service's namespace. Unset: the {@code POD_NAMESPACE} environment variable (the
     * Deployment sets it), else {@code wgguard-system}.
     */
    Optional<String> serviceNamespace();

    /** The Service's port. */
    @WithDefault("443")
    int servicePort();

    /**
     * The CA certificate (PEM) a wrong caBundle is restored from. Unset: {@code ca.crt} beside
     * {@code wgguard.tls.cert-file}, which cert-manager and {@code certs/generate.sh} both write.
     */
    Optional<String> caFile();
  }

  /** Benchmark settings. */
  interface Bench {

    /**
     * Serve {@code POST /admission/constant} on the webhook port: it answers every body with one
     * constant allowed AdmissionReview without decoding it, the ceiling {@code bench/admission.sh}
     * compares the webhooks with. Off: the path answers 404.
     */
    @WithDefault("false")
    boolean constantEndpoint();
  }

  /** Where calico-node runs and what of its configuration wgguard may read. */
  interface CalicoNode {

    /**
     * Namespaces of the calico-node DaemonSet: {@code calico-system} (Tigera operator installs),
     * {@code kube-system} (manifest installs). Admission judges writes to the DaemonSet there; the
     * checker watches it there and reads its environment as the top layer of Felix's settings.
     */
    @WithDefault("calico-system,kube-system")
    List<String> namespaces();

    /** Name of the calico-node DaemonSet in those namespaces. */
    @WithDefault("calico-node")
    String name();

    /**
     * ConfigMaps ({@code namespace/name}) the checker may read to resolve {@code FELIX_*} variables
     * calico-node takes from them ({@code valueFrom.configMapKeyRef}, {@code envFrom}). Each needs
     * an RBAC rule {@code get} on that resourceName (see README); unset or not allowed: such
     * variables are reported as unknown.
     */
    Optional<List<String>> configMaps();
  }

  /** Node agent settings. */
  interface Agent {

    /** The node the agent reports on; unset: the {@code NODE_NAME} environment variable. */
    Optional<String> nodeName();

    /** Where the host's /sys and /proc are mounted, e.g. {@code /host}. */
    @WithDefault("/")
    String hostRoot();

    /** How often the host is probed. */
    @WithDefault("10s")
    Duration interval();

    /**
     * The forced report: when nothing changed, the Node (condition and tunnel summary) is written
     * again this long after the last write, plus {@code report-jitter}. Changes are written at
     * once; liveness is the Lease, not this.
     */
    @WithDefault("5m")
    Duration reportInterval();

    /**
     * The forced report comes up to this much later than {@code report-interval}, drawn per node
     * and per write, so that agents started together do not write together; at most {@code
     * report-interval}.
     */
    @WithDefault("1m")
    Duration reportJitter();

    /**
     * A change of the peers alone (a node joined or left the cluster, which changes every node's
     * peers at once) is written within this long, at a time drawn per node, instead of by every
     * node in the same second; at most {@code report-interval}.
     */
    @WithDefault("60s")
    Duration changeSpread();

    /** How often the agent renews its Lease; well under {@code lease-duration}. */
    @WithDefault("40s")
    Duration leaseInterval();

    /**
     * The Lease's {@code leaseDurationSeconds}: the checker takes the agent for gone ({@code
     * agent-silent}) when its Lease has not been renewed for this long.
     */
    @WithDefault("120s")
    Duration leaseDuration();

    /**
     * Namespace of the agent's Lease (wgguard's, where the checker reads them); unset: the
     * namespace of the pod's service account.
     */
    Optional<String> leaseNamespace();

    /**
     * WireGuard interface to look for; unset: {@code spec.wireguardInterfaceName} of the node's or
     * the default FelixConfiguration, else {@code wireguard.cali}.
     */
    Optional<String> interfaceName();

    /**
     * Where the node's WireGuard devices are read for the {@code wgguard.io/tunnels} annotation:
     * {@code device} ({@code wg show <interface> dump}; needs {@code hostNetwork} and {@code
     * NET_ADMIN}), {@code felix-metrics} (Felix's Prometheus endpoint, {@code
     * prometheusMetricsEnabled}) or {@code none} (no annotation).
     */
    @WithDefault("device")
    TunnelSource tunnelSource();

    /**
     * The {@code wg} command, split on spaces; {@code show <interface> dump} is appended. Tests use
     * {@code ip netns exec NS wg} to read a device in another network namespace.
     */
    @WithDefault("wg")
    String wgCommand();

    /**
     * The {@code ip} command (iproute2, JSON output {@code -j}), split on spaces, with which the
     * agent reads how traffic reaches each WireGuard device under tunnel source {@code device}: the
     * device's link state and MTU, the routing rules, the WireGuard routing table and the underlay
     * link's MTU. Tests use {@code ip netns exec NS ip} to read another network namespace.
     */
    @WithDefault("ip")
    String ipCommand();

    /** Felix's Prometheus endpoint, for {@code tunnel-source=felix-metrics}. */
    @WithDefault("http://localhost:9091/metrics")
    String felixMetricsUrl();

    /** Port of the agent's {@code /healthz} (plain HTTP); 0 disables it. */
    @WithDefault("9001")
    int healthPort();
  }

  /** Pod webhook settings. */
  interface Pods {

    /**
     * Namespaces whose pods may always be pinned to any node: system components must run on a node
     * before it can become ready.
     */
    @WithDefault("kube-system,calico-system,tigera-operator,wgguard-system")
    List<String> exemptNamespaces();

    /**
     * Users whose {@code pods/binding} requests are admitted to any node: schedulers, which honour
     * the taint and so bind only pods that tolerate it. A Binding carries no tolerations, so a
     * binding from anyone else to a node wgguard holds not ready is refused.
     */
    @WithDefault("system:kube-scheduler")
    List<String> schedulerUsers();
  }

  /** Node readiness checker settings. */
  interface Checker {

    /** Run the checker (watches, status, taints). Off: wgguard only serves admission. */
    @WithDefault("true")
    boolean enabled();

    /** Interval of the full pass over all nodes, besides the watch-driven passes. */
    @WithDefault("30s")
    Duration interval();

    /** Plan and report taint changes without writing them. */
    @WithDefault("false")
    boolean dryRun();

    /** Effect of the {@code wgguard.io/wireguard-not-ready} taint: NoSchedule or NoExecute. */
    @WithDefault(TaintSettings.DEFAULT_EFFECT_SETTING)
    @WithConverter(TaintEffect.Converter.class)
    TaintEffect taintEffect();

    /**
     * Safety brake: when more than this fraction of non-exempt nodes would be tainted, no new taint
     * is added and the cluster is reported degraded. 1 switches the brake off.
     */
    @WithDefault(TaintSettings.DEFAULT_BRAKE_FRACTION_SETTING)
    double brakeFraction();

    /**
     * A pass that would take the taint off more than the brake fraction of the tainted nodes at
     * once writes those removals only when a second pass this much later still plans them, so one
     * bad read (a FelixConfiguration briefly missing, say) cannot untaint the cluster.
     */
    @WithDefault(TaintSettings.DEFAULT_REMOVAL_CONFIRM_DELAY_SETTING)
    Duration removalConfirmDelay();

    /**
     * Nodes matching this equality selector are exempt (besides label {@code
     * node-restriction.kubernetes.io/wgguard-exempt=true}). Every key must be under {@code
     * node-restriction.kubernetes.io/}, which the NodeRestriction admission plugin keeps kubelets
     * from setting: a selector on a label a node sets itself (kubernetes.io/os=windows) would let a
     * keyless node exempt itself, and stops start-up. Unset: none.
     */
    Optional<String> exemptSelector();

    /**
     * Require the WireGuard interface address annotation ({@code
     * projectcalico.org/IPv4WireguardInterfaceAddr}, {@code ...IPv6...}) as evidence. Felix
     * publishes it only when Calico manages IPAM; turn this off where another IPAM is used (EKS,
     * AKS with their own CNI IPAM), or every node stays not ready.
     */
    @WithDefault("true")
    boolean requireInterfaceAddress();

    /**
     * Evidence that the WireGuard module is ready; all listed must hold: {@code key} (Felix
     * published a key), {@code condition} (node condition {@code WireGuardModuleReady=True} with a
     * fresh heartbeat), {@code label} (the module label below).
     */
    @WithDefault(EvidenceSettings.DEFAULT_MODULE_SOURCES_SETTING)
    List<@WithConverter(ModuleSource.Converter.class) ModuleSource> moduleSources();

    /** Node label that proves the module for the {@code label} source, e.g. from NFD. */
    Optional<String> moduleLabel();

    /** Value the module label must have; unset: any value. */
    Optional<String> moduleLabelValue();

    /**
     * Oldest acceptable heartbeat of the {@code WireGuardModuleReady} condition, and oldest
     * acceptable tunnel summary ({@code wgguard.io/tunnels}) of the node agent. The agent writes
     * them on change and at least every {@code wgguard.agent.report-interval} plus {@code
     * report-jitter} (6 minutes by default): this bounds an agent that is alive (its Lease renewed)
     * but cannot report, two missed reports and some. Whether the agent is alive is its Lease
     * ({@code agent-silent}), not this age.
     */
    @WithDefault(EvidenceSettings.DEFAULT_CONDITION_MAX_AGE_SETTING)
    Duration conditionMaxAge();

    /**
     * The readiness source {@code tunnels}: the node agent's tunnel summaries cross-checked against
     * the keys every node publishes (device key, peers, handshakes). {@code report} shows the
     * findings in {@code /status}, the health group, metrics and audit; {@code enforce} also makes
     * such nodes not ready, so they are tainted.
     */
    @WithDefault("report")
    TunnelEvidence tunnelEvidence();

    /**
     * Which FelixConfiguration API group Felix reads: {@code auto} (crd.projectcalico.org when
     * served, else projectcalico.org), {@code crd.projectcalico.org} or {@code projectcalico.org}.
     */
    @WithDefault("auto")
    @WithConverter(FelixGroup.Converter.class)
    FelixGroup felixGroup();

    /** Name of the Lease that elects the one replica writing taints. */
    @WithDefault("wgguard-leader")
    String leaseName();

    /** Namespace of the Lease; unset: the namespace wgguard runs in. */
    Optional<String> leaseNamespace();
  }

  /** Serving certificate settings. */
  interface Tls {

    /** PEM certificate (chain) served on the webhook port. */
    @WithDefault("/etc/wgguard/tls/tls.crt")
    String certFile();

    /** PEM private key (PKCS#8, PKCS#1 or SEC1) of the certificate. */
    @WithDefault("/etc/wgguard/tls/tls.key")
    String keyFile();

    /**
     * How often the files are checked for a new pair. A changed pair is served from the next TLS
     * handshake on; a pair that does not load or match is ignored and the current one kept.
     */
    @WithDefault("10s")
    Duration reloadPeriod();
  }

  /** FelixConfiguration admission settings. */
  interface Admission {

    /**
     * {@code enforce} refuses writes that would switch WireGuard off without a valid override;
     * {@code warn} allows them with a warning and audit annotations (for a first rollout).
     */
    @WithDefault("enforce")
    EnforcementMode mode();

    /**
     * Also guard {@code wireguardHostEncryptionEnabled} (host-to-host traffic), not only {@code
     * wireguardEnabled} and {@code wireguardEnabledV6}.
     */
    @WithDefault("false")
    boolean guardHostEncryption();

    /**
     * Largest AdmissionReview body accepted, in bytes. Larger bodies get HTTP 413 before any
     * parsing. Kubernetes objects are at most about 1.5 MiB and a review holds two of them.
     */
    @WithDefault("4194304")
    int maxBodyBytes();

    /**
     * Bytes of request bodies that may be in flight at once on the webhook port (each request
     * reserves its Content-Length before its body is read); beyond it, 429 with Retry-After, which
     * the API server retries. 8 MiB: two bodies of the largest size, or hundreds of the few-KiB
     * reviews the API server sends, well inside the Deployment's 192 MiB heap (parsing costs a few
     * times the body again). At least {@code max-body-bytes}.
     */
    @WithDefault("8388608")
    long bodyBudgetBytes();
  }

  /** Override settings. */
  interface Override {

    /** Regular expression a change ticket in the {@code wgguard.io/override} label must match. */
    @WithDefault("^[A-Z][A-Z0-9]*-[0-9]+$")
    String ticketPattern();

    /** Refuse overrides that have no {@code wgguard.io/override-expires} annotation. */
    @WithDefault("false")
    boolean requireExpiry();

    /**
     * Longest time ahead an {@code wgguard.io/override-expires} may lie; an expiry further ahead is
     * refused. 72 hours by default: a change window from a Friday evening to a Monday evening, the
     * longest maintenance an override should cover; a switch-off meant to last longer is a standing
     * configuration (a node-scoped FelixConfiguration, an exemption), not an exception. Empty: any
     * future time (not recommended).
     */
    @WithDefault("72h")
    Optional<Duration> maxWindow();

    /**
     * Users allowed to use an override (exact {@code userInfo.username}). When neither users nor
     * groups are set, anyone who can write the object may use a valid override.
     */
    Optional<List<String>> users();

    /** Groups allowed to use an override (any of {@code userInfo.groups}). */
    Optional<List<String>> groups();

    /**
     * Users that relay writes already judged at the {@code projectcalico.org/v3} API, such as
     * calico-apiserver's service account writing the {@code crd.projectcalico.org/v1} object. For
     * them the ticket and expiry are still checked but not the requester, which only the v3 request
     * carries.
     */
    @WithDefault("system:serviceaccount:calico-apiserver:calico-apiserver")
    List<String> relayUsers();
  }
}
