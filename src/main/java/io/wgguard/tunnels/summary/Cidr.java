package io.wgguard.tunnels.summary;

import io.wgguard.Messages;
import io.wgguard.felix.IpFamily;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An IP network in one canonical form, so that the node agent and the checker digest the same bytes
 * whatever text {@code ip}, {@code wg} and the Calico objects print ({@code 10.0.0.1} and {@code
 * 10.0.0.1/32}, {@code fd00::1} and {@code fd00:0:0::1/128}). The address is masked to the prefix;
 * IPv4 lives in the low 32 bits of {@code low}.
 *
 * @param family the family
 * @param high the upper 64 bits of an IPv6 network, 0 for IPv4
 * @param low the lower 64 bits of an IPv6 network, or the IPv4 network
 * @param prefix the prefix length
 */
public record Cidr(IpFamily family, long high, long low, int prefix) implements Comparable<Cidr> {

  /** Bits in an address of the family. */
  public static int bits(IpFamily family) {
    return family == IpFamily.V4 ? 32 : 128;
  }

  /**
   * Parses {@code address} or {@code address/prefix}; a bare address is a host network.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Cidr parse(String text) {
    String value = text == null ? "" : text.strip();
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    boolean v6 = address.indexOf(':') >= 0;
    IpFamily family = v6 ? IpFamily.V6 : IpFamily.V4;
    int prefix = bits(family);
    if (slash >= 0) {
      String length = value.substring(slash + 1);
      if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits(family)) {
        throw new IllegalArgumentException(
            "'%s' has no prefix length from 0 to %d".formatted(Messages.clip(value), bits(family)));
      }
      prefix = Integer.parseInt(length);
    }
    long[] parts = v6 ? v6(address, value) : new long[] {0, v4(address, value)};
    return new Cidr(family, parts[0], parts[1], prefix).masked();
  }

  /** Parses, or null for text that is not a network. */
  public static Cidr parseOrNull(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static long v4(String address, String whole) {
    String[] octets = address.split("\\.", -1);
    if (octets.length != 4) {
      throw notAnAddress(whole);
    }
    long value = 0;
    for (String octet : octets) {
      if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
        throw notAnAddress(whole);
      }
      value = (value << 8) | Integer.parseInt(octet);
    }
    return value;
  }

  private static long[] v6(String address, String whole) {
    int gap = address.indexOf("::");
    if (gap != address.lastIndexOf("::")) {
      throw notAnAddress(whole);
    }
    String head = gap < 0 ? address : address.substring(0, gap);
    String tail = gap < 0 ? "" : address.substring(gap + 2);
    String[] left = head.isEmpty() ? new String[0] : head.split(":", -1);
    String[] right = tail.isEmpty() ? new String[0] : tail.split(":", -1);
    int[] groups = new int[8];
    int filled = left.length + right.length;
    if (filled > 8 || (gap < 0 && filled != 8) || (gap >= 0 && filled == 8)) {
      throw notAnAddress(whole);
    }
    for (int i = 0; i < left.length; i++) {
      groups[i] = group(left[i], whole);
    }
    for (int i = 0; i < right.length; i++) {
      groups[8 - right.length + i] = group(right[i], whole);
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < 4; i++) {
      high = (high << 16) | groups[i];
      low = (low << 16) | groups[i + 4];
    }
    return new long[] {high, low};
  }

  private static int group(String text, String whole) {
    if (!text.matches("[0-9a-fA-F]{1,4}")) {
      throw notAnAddress(whole);
    }
    return Integer.parseInt(text, 16);
  }

  private static IllegalArgumentException notAnAddress(String text) {
    return new IllegalArgumentException(
        "'%s' is not an IPv4 or IPv6 address or network".formatted(Messages.clip(text)));
  }

  /** This network with the host bits cleared. */
  private Cidr masked() {
    if (family == IpFamily.V4) {
      long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      return new Cidr(family, 0, low & mask, prefix);
    }
    long highMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    long lowMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    return new Cidr(family, high & highMask, low & lowMask, prefix);
  }

  /** True for a single address ({@code /32}, {@code /128}). */
  public boolean host() {
    return prefix == bits(family);
  }

  /** This network's supernet of {@code length} bits (shorter or equal). */
  public Cidr truncated(int length) {
    return new Cidr(family, high, low, length).masked();
  }

  /** True when {@code other} lies inside this network. */
  public boolean contains(Cidr other) {
    return other.family == family && other.prefix >= prefix && other.truncated(prefix).equals(this);
  }

  /**
   * The canonical text: dotted quad for IPv4, eight uncompressed lower-case groups for IPv6, always
   * with the prefix. What the digests hash.
   */
  @Override
  public String toString() {
    // Built by hand: the checker digests every node's blocks in every pass.
    StringBuilder out = new StringBuilder(44);
    if (family == IpFamily.V4) {
      out.append((low >>> 24) & 0xff).append('.').append((low >>> 16) & 0xff).append('.');
      out.append((low >>> 8) & 0xff).append('.').append(low & 0xff);
    } else {
      for (int i = 0; i < 8; i++) {
        long half = i < 4 ? high : low;
        int shift = (3 - (i & 3)) * 16;
        if (i > 0) {
          out.append(':');
        }
        out.append(Long.toHexString((half >>> shift) & 0xffff));
      }
    }
    return out.append('/').append(prefix).toString();
  }

  @Override
  public int compareTo(Cidr o) {
    int c = family.compareTo(o.family);
    if (c == 0) {
      c = Long.compareUnsigned(high, o.high);
    }
    if (c == 0) {
      c = Long.compareUnsigned(low, o.low);
    }
    return c != 0 ? c : Integer.compare(prefix, o.prefix);
  }

  /**
   * A set of networks (IPAM blocks) that answers "does one of them hold this address" by one hash
   * lookup per distinct prefix length: a cluster's blocks share one or two lengths (/26 by
   * default), so 65,000 blocks cost a lookup or two per address, not a scan.
   */
  public static final class Blocks {

    private final Map<Integer, Set<Cidr>> byLength = new HashMap<>();
    private final TreeSet<Integer> lengths = new TreeSet<>();

    /** The networks of {@code cidrs} that are not single addresses. */
    public static Blocks of(Collection<Cidr> cidrs) {
      Blocks blocks = new Blocks();
      for (Cidr cidr : cidrs) {
        blocks.add(cidr);
      }
      return blocks;
    }

    /** Adds a network; single addresses are not blocks and are ignored. */
    public void add(Cidr cidr) {
      if (!cidr.host()) {
        int key = cidr.prefix() + (cidr.family() == IpFamily.V6 ? 1000 : 0);
        byLength.computeIfAbsent(key, k -> new HashSet<>()).add(cidr);
        lengths.add(key);
      }
    }

    /** True when a block holds {@code cidr} (which is not itself a block of this set). */
    public boolean holds(Cidr cidr) {
      int offset = cidr.family() == IpFamily.V6 ? 1000 : 0;
      for (int key : lengths) {
        int length = key - offset;
        if (length < 0 || length >= 1000 || length > cidr.prefix()) {
          continue;
        }
        if (byLength.get(key).contains(cidr.truncated(length)) && length < cidr.prefix()) {
          return true;
        }
      }
      return false;
    }
  }
}
