package io.wgguard.agent;

import io.wgguard.tunnels.summary.Cidr;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code wg show <interface> dump}: a first line {@code private-key public-key
 * listen-port fwmark}, then one line per peer {@code public-key preshared-key endpoint allowed-ips
 * latest-handshake transfer-rx transfer-tx persistent-keepalive}, fields separated by tabs, {@code
 * (none)} for an absent value, {@code 0} for a handshake that never happened.
 *
 * <p>The private key (first field) is skipped without being kept; errors never quote a line, since
 * the first one holds it.
 */
public final class WgDump {

  private static final String NONE = "(none)";

  private WgDump() {}

  /**
   * Parses a dump of device {@code iface}.
   *
   * @throws IllegalArgumentException naming the line and field that is wrong
   */
  public static WgDevice parse(String iface, String dump) {
    String[] lines = dump.strip().split("\r?\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new IllegalArgumentException("wg show " + iface + " dump printed nothing");
    }
    String[] device = lines[0].split("\t", -1);
    if (device.length != 4) {
      throw new IllegalArgumentException(
          "wg show %s dump: line 1 has %d fields, expected 4 (private-key public-key listen-port fwmark)"
              .formatted(iface, device.length));
    }
    String publicKey = key(device[1], iface, 1, "public-key");
    int port = (int) number(device[2], iface, 1, "listen-port", 65535);
    long fwmark = fwmark(device[3], iface);
    List<WgDevice.Peer> peers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int line = i + 1;
      String[] f = lines[i].split("\t", -1);
      if (f.length != 8) {
        throw new IllegalArgumentException(
            "wg show %s dump: line %d has %d fields, expected 8 (public-key preshared-key endpoint allowed-ips latest-handshake transfer-rx transfer-tx persistent-keepalive)"
                .formatted(iface, line, f.length));
      }
      long handshake = number(f[4], iface, line, "latest-handshake", Long.MAX_VALUE);
      peers.add(
          new WgDevice.Peer(
              key(f[0], iface, line, "public-key"),
              NONE.equals(f[2]) ? "" : f[2],
              handshake == 0 ? null : Instant.ofEpochSecond(handshake),
              number(f[5], iface, line, "transfer-rx", Long.MAX_VALUE),
              number(f[6], iface, line, "transfer-tx", Long.MAX_VALUE),
              allowedIps(f[3], iface, line)));
    }
    return new WgDevice(iface, publicKey, port, peers, fwmark);
  }

  /** {@code off}, or the mark in hex ({@code 0x100000}) as {@code wg} prints it. */
  private static long fwmark(String text, String iface) {
    if (text.equals("off") || text.equals("0")) {
      return 0;
    }
    try {
      long mark =
          text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
      if (mark < 0 || mark > 0xffffffffL) {
        throw new NumberFormatException();
      }
      return mark;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "wg show %s dump: line 1: fwmark '%s' is neither off nor a 32-bit mark"
              .formatted(iface, clip(text)));
    }
  }

  /** Comma-separated networks, or {@code (none)}. */
  private static List<Cidr> allowedIps(String text, String iface, int line) {
    if (NONE.equals(text) || text.isEmpty()) {
      return List.of();
    }
    List<Cidr> cidrs = new ArrayList<>();
    for (String item : text.split(",")) {
      try {
        cidrs.add(Cidr.parse(item));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "wg show %s dump: line %d: allowed-ips %s".formatted(iface, line, e.getMessage()));
      }
    }
    return cidrs;
  }

  /** A WireGuard key: 32 bytes in base64, 44 characters ending in {@code =}. */
  static String key(String text, String iface, int line, String field) {
    if (!isKey(text)) {
      throw new IllegalArgumentException(
          "wg show %s dump: line %d: %s is not a WireGuard key (44 base64 characters)"
              .formatted(iface, line, field));
    }
    return text;
  }

  /** True for 44 base64 characters ending in one {@code =}, the form of every WireGuard key. */
  static boolean isKey(String text) {
    if (text.length() != 44 || text.charAt(43) != '=') {
      return false;
    }
    for (int i = 0; i < 43; i++) {
      char c = text.charAt(i);
      if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '+'
          || c == '/')) {
        return false;
      }
    }
    return true;
  }

  private static long number(String text, String iface, int line, String field, long max) {
    try {
      long value = Long.parseLong(text);
      if (value < 0 || value > max) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "wg show %s dump: line %d: %s '%s' is not a number from 0 to %d"
              .formatted(iface, line, field, clip(text), max));
    }
  }

  private static String clip(String text) {
    return text.length() > 24 ? text.substring(0, 24) + "…" : text;
  }
}
