package io.wgguard.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real WireGuard tunnels between network namespaces, one namespace per "node": each node has a veth
 * into a bridge namespace (the underlay, 10.213.0.0/24) and a userspace WireGuard device
 * (wireguard-go, 10.213.1.0/24) configured with {@code wg set}, as Felix configures wireguard.cali.
 * Every address lives inside namespaces this class creates, so no traffic leaves them.
 *
 * <p>Namespaces are named {@code wgguard-it-<pid>-<run>-...} so parallel runs do not collide, and
 * {@link #create} first removes what a crashed earlier run (a pid that no longer runs) left behind.
 * {@link #close} kills the processes inside the namespaces it made and deletes them; every command
 * it runs is bounded by a timeout. Needs root and the tools {@code scripts/test-deps.sh} installs.
 */
public final class NamespaceMesh implements AutoCloseable {

  /** WireGuard's UDP port on every node, Calico's default. */
  public static final int PORT = 51820;

  static final String PREFIX = "wgguard-it-";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static int runs;

  /** One node of the mesh. */
  public record Member(
      String node,
      String namespace,
      String iface,
      String bridgePort,
      String underlay,
      String tunnel,
      Path privateKey,
      String publicKey) {}

  /** Output of a command. */
  public record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }
  }

  private final String bridge;
  private final Path keys;
  private final Map<String, Member> members = new LinkedHashMap<>();

  private NamespaceMesh(String bridge, Path keys) {
    this.bridge = bridge;
    this.keys = keys;
  }

  /**
   * Creates one namespace node per name, each with a WireGuard device; no peer is configured yet
   * (see {@link #peerAll}). Fails with what is missing when not root or a tool is absent.
   */
  public static NamespaceMesh create(List<String> nodes) throws IOException {
    requirements();
    removeLeftovers();
    long pid = ProcessHandle.current().pid();
    int run;
    synchronized (NamespaceMesh.class) {
      run = ++runs;
    }
    String base = PREFIX + pid + "-" + run + "-";
    NamespaceMesh mesh = new NamespaceMesh(base + "br", Files.createTempDirectory("wgguard-keys-"));
    try {
      mesh.must("ip", "netns", "add", mesh.bridge);
      mesh.inNs(mesh.bridge, "ip", "link", "add", "br0", "type", "bridge");
      mesh.inNs(mesh.bridge, "ip", "link", "set", "br0", "up");
      int i = 0;
      for (String node : nodes) {
        i++;
        mesh.add(node, base + "n" + i, "wg" + pid + "n" + i, "p" + i, i);
      }
      return mesh;
    } catch (RuntimeException | IOException e) {
      mesh.close();
      throw e;
    }
  }

  private void add(String node, String ns, String iface, String port, int i) throws IOException {
    must("ip", "netns", "add", ns);
    // Without IPv6 the underlay carries no router solicitations: what tcpdump sees is WireGuard.
    inNs(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
    inNs(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
    inNs(bridge, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
    inNs(bridge, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
    must(
        "ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns",
        bridge);
    inNs(bridge, "ip", "link", "set", port, "master", "br0", "up");
    String underlay = "10.213.0." + i;
    String tunnel = "10.213.1." + i;
    inNs(ns, "ip", "addr", "add", underlay + "/24", "dev", "eth0");
    inNs(ns, "ip", "link", "set", "eth0", "up");
    inNs(ns, "ip", "link", "set", "lo", "up");
    startDevice(ns, iface);
    Path key = keys.resolve(node + ".key");
    writeKey(key);
    inNs(
        ns, "wg", "set", iface, "private-key", key.toString(), "listen-port", String.valueOf(PORT));
    inNs(ns, "ip", "addr", "add", tunnel + "/24", "dev", iface);
    inNs(ns, "ip", "link", "set", iface, "up");
    String publicKey = inNs(ns, "wg", "show", iface, "public-key").out().strip();
    members.put(node, new Member(node, ns, iface, port, underlay, tunnel, key, publicKey));
  }

  private void startDevice(String ns, String iface) {
    // wireguard-go forks into the background and exits once the device is ready.
    run(
        List.of("ip", "netns", "exec", ns, "wireguard-go", iface),
        Map.of("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1"),
        true);
  }

  /** Configures every member as a peer of every other, by endpoint and tunnel address. */
  public void peerAll() {
    for (Member member : members.values()) {
      for (Member peer : members.values()) {
        if (peer != member) {
          peer(member, peer);
        }
      }
    }
  }

  /** Configures {@code peer} on {@code member}'s device. */
  public void peer(Member member, Member peer) {
    inNs(
        member.namespace(),
        "wg",
        "set",
        member.iface(),
        "peer",
        peer.publicKey(),
        "endpoint",
        peer.underlay() + ":" + PORT,
        "allowed-ips",
        peer.tunnel() + "/32");
  }

  /** The firewall mark Felix gives the device (its first free mark bit on a stock host). */
  public static final String FWMARK = "0x100000";

  /** The WireGuard route table, Felix's first index (tables are per namespace). */
  public static final String TABLE = "1";

  /** The device MTU Felix sets on a 1500-byte underlay: 1500 minus WireGuard's 60 bytes. */
  public static final int MTU = 1440;

  private final Map<String, List<String>> blocks = new LinkedHashMap<>();

  /** The member's IPAM blocks, the first one its pod block {@code 10.214.<i>.0/26}. */
  public List<String> blocks(Member member) {
    return blocks.computeIfAbsent(
        member.node(), n -> new ArrayList<>(List.of(podBlock(members().indexOf(member) + 1))));
  }

  static String podBlock(int i) {
    return "10.214." + i + ".0/26";
  }

  /** The first pod address of the member's first block: on one end of a veth, as a pod's is. */
  public String pod(Member member) {
    return firstAddress(blocks(member).get(0));
  }

  static String firstAddress(String block) {
    String network = block.substring(0, block.indexOf('/'));
    int dot = network.lastIndexOf('.');
    return network.substring(0, dot + 1) + (Integer.parseInt(network.substring(dot + 1)) + 1);
  }

  /**
   * Programs every member as Felix programs a node ({@code felix/wireguard/wireguard.go}): a pod
   * block on one end of a veth pair (this kernel has no dummy links), the device's fwmark and MTU,
   * per peer allowed-ips of its blocks and tunnel address, the WireGuard table with a route per
   * peer block and tunnel address via the device and a throw for the node's own blocks, the rule
   * {@code not fwmark M/M lookup 1} at priority 99, and in the main table the underlay routes to
   * the other nodes' blocks (what traffic takes when the rule does not send it to the tunnel: clear
   * text). The underlay drops IP fragments, as many cloud networks do, so a packet too large for it
   * is lost rather than fragmented.
   */
  public void programAsFelix() {
    for (Member member : members.values()) {
      String ns = member.namespace();
      inNs(ns, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0");
      inNs(ns, "ip", "link", "add", "pod0", "type", "veth", "peer", "name", "pod1");
      inNs(ns, "ip", "link", "set", "pod0", "up");
      inNs(ns, "ip", "link", "set", "pod1", "up");
      inNs(ns, "ip", "addr", "add", pod(member) + "/26", "dev", "pod0");
      inNs(ns, "nft", "add", "table", "ip", "wgguardfrag");
      // At prerouting, before any reassembly (the input hook sees packets already reassembled).
      inNs(
          ns,
          "nft",
          "add chain ip wgguardfrag pre { type filter hook prerouting priority -450 ; policy accept ; }");
      inNs(ns, "nft", "add rule ip wgguardfrag pre iifname eth0 ip frag-off & 0x3fff != 0 drop");
      program(member);
    }
  }

  /** (Re)programs one member as Felix does: idempotent, so it restores what a test broke. */
  public void program(Member member) {
    String ns = member.namespace();
    String dev = member.iface();
    inNs(ns, "wg", "set", dev, "fwmark", FWMARK);
    inNs(ns, "ip", "link", "set", dev, "mtu", String.valueOf(MTU), "up");
    for (Member peer : members.values()) {
      if (peer == member) {
        continue;
      }
      List<String> allowed = new ArrayList<>(blocks(peer));
      allowed.add(peer.tunnel() + "/32");
      inNs(
          ns, "wg", "set", dev, "peer", peer.publicKey(), "allowed-ips", String.join(",", allowed));
      for (String cidr : allowed) {
        inNs(ns, "ip", "route", "replace", cidr, "dev", dev, "table", TABLE);
      }
      for (String block : blocks(peer)) {
        inNs(ns, "ip", "route", "replace", block, "via", peer.underlay());
      }
    }
    for (String block : blocks(member)) {
      inNs(ns, "ip", "route", "replace", "throw", block, "table", TABLE);
    }
    deleteRules(member);
    inNs(
        ns,
        "ip",
        "rule",
        "add",
        "priority",
        "99",
        "not",
        "fwmark",
        FWMARK + "/" + FWMARK,
        "lookup",
        TABLE);
  }

  /** Deletes the rules that look up the WireGuard table. */
  public void deleteRules(Member member) {
    for (int i = 0; i < 10; i++) {
      Result deleted =
          run(
              List.of(
                  "ip", "netns", "exec", member.namespace(), "ip", "rule", "del", "lookup", TABLE),
              Map.of(),
              false);
      if (!deleted.ok()) {
        return;
      }
    }
  }

  /** Moves the rule to {@code priority}. */
  public void moveRule(Member member, int priority) {
    deleteRules(member);
    inNs(
        member.namespace(),
        "ip",
        "rule",
        "add",
        "priority",
        String.valueOf(priority),
        "not",
        "fwmark",
        FWMARK + "/" + FWMARK,
        "lookup",
        TABLE);
  }

  /**
   * What Felix does for a peer it cannot program: its block left out of the peer's allowed-ips and
   * a throw route for it in the WireGuard table.
   */
  public void throwPeer(Member member, Member peer) {
    String ns = member.namespace();
    inNs(
        ns,
        "wg",
        "set",
        member.iface(),
        "peer",
        peer.publicKey(),
        "allowed-ips",
        peer.tunnel() + "/32");
    for (String block : blocks(peer)) {
      inNs(ns, "ip", "route", "replace", "throw", block, "table", TABLE);
    }
  }

  /** Sets the device down: the kernel drops the routes over it. */
  public void setDown(Member member) {
    inNs(member.namespace(), "ip", "link", "set", member.iface(), "down");
  }

  /** Sets the device MTU. */
  public void setMtu(Member member, int mtu) {
    inNs(member.namespace(), "ip", "link", "set", member.iface(), "mtu", String.valueOf(mtu));
  }

  /**
   * Gives the member a new block with a pod address in it; its peers do not route it until {@link
   * #program} runs on them.
   */
  public String addBlock(Member member, String block) {
    blocks(member).add(block);
    String address = firstAddress(block);
    inNs(member.namespace(), "ip", "addr", "add", address + "/26", "dev", "pod0");
    return address;
  }

  /**
   * Pings {@code to} from the pod address {@code from} as a pod would: 3 packets of {@code size}
   * bytes of payload, with don't-fragment set when {@code dontFragment}; true when one is answered.
   */
  public boolean pingPod(String fromNs, String from, String to, int size, boolean dontFragment) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                fromNs,
                "ping",
                "-c",
                "3",
                "-i",
                "0.5",
                "-W",
                "2",
                "-s",
                String.valueOf(size),
                "-I",
                from));
    if (dontFragment) {
      command.addAll(List.of("-M", "do"));
    }
    command.add(to);
    return run(command, Map.of(), false).ok();
  }

  /** Removes {@code peer} from {@code member}'s device. */
  public void removePeer(Member member, Member peer) {
    inNs(member.namespace(), "wg", "set", member.iface(), "peer", peer.publicKey(), "remove");
  }

  /** Gives {@code member}'s device a new private key (so a new public key); returns the new one. */
  public String rekey(Member member) throws IOException {
    Path key = keys.resolve(member.node() + ".rekeyed");
    writeKey(key);
    inNs(member.namespace(), "wg", "set", member.iface(), "private-key", key.toString());
    return inNs(member.namespace(), "wg", "show", member.iface(), "public-key").out().strip();
  }

  /** Drops every UDP datagram to the WireGuard port arriving at {@code member} (nftables). */
  public void dropWireguardUdp(Member member) {
    String ns = member.namespace();
    inNs(ns, "nft", "add", "table", "inet", "wgguardit");
    inNs(
        ns,
        "nft",
        "add chain inet wgguardit input { type filter hook input priority 0 ; policy accept ; }");
    inNs(
        ns,
        "nft",
        "add",
        "rule",
        "inet",
        "wgguardit",
        "input",
        "udp",
        "dport",
        String.valueOf(PORT),
        "drop");
  }

  /** Deletes {@code member}'s WireGuard device (wireguard-go exits with it). */
  public void deleteDevice(Member member) {
    inNs(member.namespace(), "ip", "link", "del", member.iface());
  }

  /** Pings {@code to}'s tunnel address from {@code from}: 3 packets, 1 s apart, 2 s to answer. */
  public boolean ping(Member from, Member to) {
    return run(
            List.of(
                "ip",
                "netns",
                "exec",
                from.namespace(),
                "ping",
                "-c",
                "3",
                "-i",
                "0.5",
                "-W",
                "2",
                to.tunnel()),
            Map.of(),
            false)
        .ok();
  }

  /** {@code wg show <iface> dump} on a member; the exit is not 0 when the device is gone. */
  public Result dump(Member member) {
    return run(
        List.of("ip", "netns", "exec", member.namespace(), "wg", "show", member.iface(), "dump"),
        Map.of(),
        false);
  }

  /**
   * What tcpdump sees on {@code member}'s underlay port (in the bridge namespace, outside the node)
   * while {@code traffic} runs: one line per IP packet, at most 40, for at most 20 s.
   */
  public List<String> capture(Member member, Runnable traffic) throws IOException {
    return capture(member, "ip", traffic);
  }

  /** As {@link #capture(Member, Runnable)}, with a tcpdump filter. */
  public List<String> capture(Member member, String filter, Runnable traffic) throws IOException {
    Path out = keys.resolve("capture-" + member.node() + ".txt");
    Process tcpdump =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                bridge,
                "timeout",
                "20",
                "tcpdump",
                "-i",
                member.bridgePort(),
                "-n",
                "-l",
                "-q",
                "-c",
                "40",
                filter)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread.sleep(1500); // tcpdump needs a moment to attach
      traffic.run();
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      tcpdump.destroy();
      try {
        tcpdump.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      tcpdump.destroyForcibly();
    }
    return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
  }

  public Member member(String node) {
    Member member = members.get(node);
    if (member == null) {
      throw new IllegalArgumentException("no mesh member " + node);
    }
    return member;
  }

  public List<Member> members() {
    return List.copyOf(members.values());
  }

  /** Kills what runs in the namespaces, deletes them and the keys. Never throws. */
  @Override
  public void close() {
    List<String> namespaces = new ArrayList<>();
    members.values().forEach(m -> namespaces.add(m.namespace()));
    namespaces.add(bridge);
    namespaces.forEach(NamespaceMesh::deleteNamespace);
    try (var files = Files.list(keys)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(keys);
    } catch (IOException e) {
      // a temp directory left behind holds no secret anyone uses
    }
  }

  private static void deleteNamespace(String ns) {
    Result pids = run(List.of("ip", "netns", "pids", ns), Map.of(), false);
    if (pids.ok()) {
      for (String pid : pids.out().split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroy);
        }
      }
      for (String pid : pids.out().split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid))
              .ifPresent(
                  p -> {
                    try {
                      p.onExit().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      p.destroyForcibly();
                    }
                  });
        }
      }
    }
    run(List.of("ip", "netns", "del", ns), Map.of(), false);
  }

  /** Deletes namespaces of earlier runs whose process no longer runs. */
  static void removeLeftovers() {
    Result list = run(List.of("ip", "netns", "list"), Map.of(), false);
    for (String line : list.out().split("\n")) {
      String ns = line.strip().split("\\s+")[0];
      if (!ns.startsWith(PREFIX)) {
        continue;
      }
      String[] parts = ns.substring(PREFIX.length()).split("-");
      long pid;
      try {
        pid = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (ProcessHandle.of(pid).isEmpty()) {
        deleteNamespace(ns);
      }
    }
  }

  /** Root and the tools, or an error saying what to run. */
  static void requirements() {
    Result id = run(List.of("id", "-u"), Map.of(), false);
    if (!"0".equals(id.out().strip())) {
      throw new AssertionError(
          "the real-tunnel tests create network namespaces and WireGuard devices and need root"
              + " (uid 0, or CAP_NET_ADMIN and CAP_SYS_ADMIN); CI runs them as root");
    }
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("ip", "wg", "wireguard-go", "tcpdump", "nft", "ping", "timeout")) {
      if (!run(List.of("sh", "-c", "command -v " + tool), Map.of(), false).ok()) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      throw new AssertionError(
          "the real-tunnel tests need " + missing + ": run scripts/test-deps.sh (as root)");
    }
  }

  private void writeKey(Path key) throws IOException {
    String secret = must("wg", "genkey").out();
    Files.writeString(key, secret, StandardCharsets.US_ASCII);
  }

  private Result inNs(String ns, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(command));
    Result result = run(full, Map.of(), false);
    if (!result.ok()) {
      throw new IllegalStateException(String.join(" ", full) + " failed: " + result.err());
    }
    return result;
  }

  private Result must(String... command) {
    Result result = run(List.of(command), Map.of(), false);
    if (!result.ok()) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + result.err());
    }
    return result;
  }

  /** Runs a command with a timeout; with {@code mustPass} a failure throws. */
  static Result run(List<String> command, Map<String, String> env, boolean mustPass) {
    try {
      Path out = Files.createTempFile("wgguard-cmd-", ".out");
      Path err = Files.createTempFile("wgguard-cmd-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        Result result =
            new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        if (mustPass && !result.ok()) {
          throw new IllegalStateException(String.join(" ", command) + " failed: " + result.err());
        }
        return result;
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
    }
  }
}
