package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.BlockAffinities;
import io.wgguard.tunnels.summary.Cidr;
import io.wgguard.tunnels.summary.DevicePath;
import io.wgguard.tunnels.summary.PeerDigest;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes as a kubelet and Felix leave them in a cloud cluster: 12 labels, Calico's key and
 * interface-address annotations (a unique valid key per node), unrelated annotations including one
 * of about 4 KiB, kubelet conditions plus the agent's {@code WireGuardModuleReady}, addresses,
 * capacity, node info and a few images. Deterministic: node {@code i} is always the same.
 */
public final class SyntheticNodes {

  /** Size of the one large unrelated annotation. */
  public static final int LARGE_ANNOTATION_CHARS = 4096;

  public static final String KEY_ANNOTATION = "projectcalico.org/WireguardPublicKey";
  public static final String ADDR_ANNOTATION = "projectcalico.org/IPv4WireguardInterfaceAddr";

  private static final String[] ZONES = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
  private static final String FILLER;

  static {
    StringBuilder filler = new StringBuilder();
    while (filler.length() < LARGE_ANNOTATION_CHARS) {
      filler.append(
          "{\"op\":\"bootstrap\",\"component\":\"node-tuning\",\"sysctl\":\"vm.max_map_count\"},");
    }
    FILLER = filler.substring(0, LARGE_ANNOTATION_CHARS - 40);
  }

  private SyntheticNodes() {}

  /** The name of node {@code i}: {@code bench-node-00042}. */
  public static String name(int i) {
    return String.format("bench-node-%05d", i);
  }

  /** The WireGuard public key of node {@code i}: 32 bytes of SHA-256, unique and never zero. */
  public static String key(int i) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(("wgguard-bench-" + i).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The WireGuard interface address of node {@code i}, from a /10 pod range. */
  public static String address(int i) {
    return "100." + (64 + (i >> 16)) + "." + ((i >> 8) & 255) + "." + (i & 255);
  }

  /** Node {@code i} as an object. */
  public static Node node(int i, Instant heartbeat) {
    String name = name(i);
    String zone = ZONES[i % ZONES.length];
    String hostIp = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/instance-type", "m5.2xlarge");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("failure-domain.beta.kubernetes.io/region", "eu-west-1");
    labels.put("failure-domain.beta.kubernetes.io/zone", zone);
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("node.kubernetes.io/instance-type", "m5.2xlarge");
    labels.put("topology.kubernetes.io/region", "eu-west-1");
    labels.put("topology.kubernetes.io/zone", zone);
    labels.put("node-role.kubernetes.io/worker", "");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(KEY_ANNOTATION, key(i));
    annotations.put(ADDR_ANNOTATION, address(i));
    annotations.put("projectcalico.org/IPv4Address", hostIp + "/16");
    annotations.put("node.alpha.kubernetes.io/ttl", "0");
    annotations.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
    annotations.put(
        "csi.volume.kubernetes.io/nodeid",
        "{\"ebs.csi.aws.com\":\"i-0" + String.format("%016x", (long) i * 2654435761L) + "\"}");
    annotations.put(
        "bench.wgguard.io/bootstrap-plan", "{\"node\":\"" + name + "\",\"steps\":[" + FILLER);
    String ts = heartbeat.toString();
    List<NodeCondition> conditions = new ArrayList<>();
    for (String[] c :
        new String[][] {
          {"NetworkUnavailable", "False", "CalicoIsUp", "Calico is running on this node"},
          {
            "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory"
          },
          {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
          {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID"},
          {"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
          {"WireGuardModuleReady", "True", "ModuleLoaded", "wireguard module and interface present"}
        }) {
      conditions.add(
          new NodeConditionBuilder()
              .withType(c[0])
              .withStatus(c[1])
              .withReason(c[2])
              .withMessage(c[3])
              .withLastHeartbeatTime(ts)
              .withLastTransitionTime("2026-11-01T09:00:00Z")
              .build());
    }
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity("8"));
    capacity.put("ephemeral-storage", new Quantity("104845292Ki"));
    capacity.put("hugepages-1Gi", new Quantity("0"));
    capacity.put("hugepages-2Mi", new Quantity("0"));
    capacity.put("memory", new Quantity("32386544Ki"));
    capacity.put("pods", new Quantity("110"));
    Map<String, Quantity> allocatable = new LinkedHashMap<>(capacity);
    allocatable.put("cpu", new Quantity("7910m"));
    allocatable.put("memory", new Quantity("31369712Ki"));
    allocatable.put("ephemeral-storage", new Quantity("95551679124"));
    NodeBuilder builder =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR("10.244." + (i & 255) + ".0/24")
            .withProviderID("aws:///" + zone + "/i-0" + String.format("%016x", (long) i * 40503L))
            .endSpec()
            .withNewStatus()
            .withConditions(conditions)
            .addNewAddress("InternalIP", hostIp)
            .addNewAddress("Hostname", name)
            .addNewAddress("InternalDNS", name + ".eu-west-1.compute.internal")
            .withCapacity(capacity)
            .withAllocatable(allocatable)
            .withNewDaemonEndpoints()
            .withNewKubeletEndpoint(10250)
            .endDaemonEndpoints()
            .withNewNodeInfo()
            .withArchitecture("amd64")
            .withBootID(String.format("%08x-0000-4000-8000-%012x", i, (long) i * 7919))
            .withContainerRuntimeVersion("containerd://1.7.13")
            .withKernelVersion("6.1.0-18-cloud-amd64")
            .withKubeProxyVersion("v1.29.3")
            .withKubeletVersion("v1.29.3")
            .withMachineID(String.format("ec2%029x", i))
            .withOperatingSystem("linux")
            .withOsImage("Debian GNU/Linux 12 (bookworm)")
            .withSystemUUID(String.format("ec2%05x-0000-4000-8000-000000000000", i))
            .endNodeInfo()
            .endStatus();
    for (String[] image :
        new String[][] {
          {"docker.io/calico/node:v3.29.1", "152348291"},
          {"docker.io/calico/cni:v3.29.1", "94512337"},
          {"registry.k8s.io/kube-proxy:v1.29.3", "28354210"},
          {"registry.k8s.io/pause:3.9", "321520"},
          {"public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.28.0", "31231453"}
        }) {
      builder
          .editStatus()
          .addNewImage()
          .withNames(image[0])
          .withSizeBytes(Long.parseLong(image[1]))
          .endImage()
          .endStatus();
    }
    return builder.build();
  }

  /**
   * The tunnel summary node {@code i}'s agent publishes when every tunnel is proven: its device
   * holds its key and has the {@code n - 1} other nodes as peers ({@code peerDigest}: the digest of
   * all keys minus its own), none stale.
   */
  public static String tunnels(int i, int n, PeerDigest all, Instant at) {
    String key = key(i);
    return new TunnelSummary(
            at,
            "device",
            Map.of(
                IpFamily.V4,
                new TunnelSummary.Device(
                    "wireguard.cali",
                    true,
                    key,
                    51820,
                    n - 1,
                    all.minus(PeerDigest.of(key)).hex(),
                    0,
                    List.of())))
        .toJson();
  }

  /** The IPAM block affine to node {@code i}: one /26 per node, in 10.0.0.0/8. */
  public static String block(int i) {
    return "10." + (i >> 10) + "." + ((i >> 2) & 255) + "." + ((i & 3) * 64) + "/26";
  }

  /**
   * The path digests of a cluster of {@code n} nodes as the checker computes them: per node its
   * block and its tunnel address (outside every block), summed over all nodes.
   *
   * @param routes sum of the route terms
   * @param allowed sum of the allowed-ips terms
   */
  public record PathSums(PeerDigest routes, PeerDigest allowed) {}

  /** The path sums over nodes 0 to {@code n - 1}. */
  public static PathSums allPaths(int n) {
    PeerDigest routes = PeerDigest.EMPTY;
    PeerDigest allowed = PeerDigest.EMPTY;
    for (int i = 0; i < n; i++) {
      for (Cidr cidr : cidrs(i)) {
        routes = routes.plus(DevicePath.routeTerm(cidr));
        allowed = allowed.plus(DevicePath.allowedTerm(key(i), cidr));
      }
    }
    return new PathSums(routes, allowed);
  }

  static List<Cidr> cidrs(int i) {
    return List.of(Cidr.parse(block(i)), Cidr.parse(address(i)));
  }

  /**
   * Node {@code i}'s tunnel summary with its path programmed as Felix programs it: the steering
   * rule, every other node's block and tunnel address routed and allowed, its own block thrown.
   */
  public static String tunnelsWithPath(int i, int n, PeerDigest all, PathSums paths, Instant at) {
    String key = key(i);
    PeerDigest ownRoutes = PeerDigest.EMPTY;
    PeerDigest ownAllowed = PeerDigest.EMPTY;
    for (Cidr cidr : cidrs(i)) {
      ownRoutes = ownRoutes.plus(DevicePath.routeTerm(cidr));
      ownAllowed = ownAllowed.plus(DevicePath.allowedTerm(key, cidr));
    }
    int entries = 2 * (n - 1);
    DevicePath path =
        new DevicePath(
            true,
            1440,
            1500,
            0x100000,
            99,
            1,
            32766,
            entries,
            paths.routes().minus(ownRoutes).hex(),
            1,
            List.of(Cidr.parse(block(i)).toString()),
            entries,
            paths.allowed().minus(ownAllowed).hex(),
            0);
    return new TunnelSummary(
            at,
            "device",
            Map.of(
                IpFamily.V4,
                new TunnelSummary.Device(
                    "wireguard.cali",
                    true,
                    key,
                    51820,
                    n - 1,
                    all.minus(PeerDigest.of(key)).hex(),
                    0,
                    List.of(),
                    path)))
        .toJson();
  }

  /** The confirmed affinity of every node's block, created well before {@code at}. */
  public static BlockAffinities affinities(int n, Instant at) {
    List<BlockAffinities.Affinity> list = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(
          new BlockAffinities.Affinity(
              name(i),
              new BlockAffinities.Block(Cidr.parse(block(i)), at.minus(Duration.ofDays(1)))));
    }
    return BlockAffinities.of(list);
  }

  /** The digest of the keys of nodes 0 to {@code n - 1}. */
  public static PeerDigest allKeys(int n) {
    PeerDigest sum = PeerDigest.EMPTY;
    for (int i = 0; i < n; i++) {
      sum = sum.plus(PeerDigest.of(key(i)));
    }
    return sum;
  }

  /** Node {@code i} as the JSON an informer receives. */
  public static String json(KubernetesSerialization serialization, int i, Instant heartbeat) {
    return serialization.asJson(node(i, heartbeat));
  }
}
