package io.wgguard.evidence;

import io.wgguard.Messages;
import io.wgguard.felix.IpFamily;
import java.time.Duration;
import java.util.Base64;

/** Checks of what Felix publishes on a node: keys and interface addresses. */
public final class WireguardEvidence {

  /** Length of a WireGuard key in standard base64 with padding. */
  static final int KEY_LENGTH = 44;

  private static final int KEY_BYTES = 32;
  private static final int FINGERPRINT_LENGTH = 8;

  private WireguardEvidence() {}

  /**
   * Why this text is not a WireGuard public key, as a clause starting with "it", or null when it is
   * one: 44 characters of canonical standard base64 with padding, 32 bytes, not all zero.
   */
  public static String keyProblem(String key) {
    if (isWellFormedKey(key)) {
      return null;
    }
    if (key.length() != KEY_LENGTH) {
      return "it has " + key.length() + " characters, not " + KEY_LENGTH;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(key);
    } catch (IllegalArgumentException e) {
      return "it is not standard base64 with padding";
    }
    if (bytes.length != KEY_BYTES) {
      return "it decodes to " + bytes.length + " bytes, not " + KEY_BYTES;
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(key)) {
      return "it is not canonical base64 (unused bits are set)";
    }
    for (byte b : bytes) {
      if (b != 0) {
        return null;
      }
    }
    return "it is the all-zero key, which Felix never publishes";
  }

  /**
   * The common case, checked on every node in every pass without allocating: 43 characters of the
   * standard base64 alphabet and one {@code =} (32 bytes), the two unused bits of the last one
   * clear (canonical), not all {@code A} (the zero key). Whatever fails this is judged by the full
   * check in {@link #keyProblem}, which names the problem.
   */
  private static boolean isWellFormedKey(String key) {
    if (key.length() != KEY_LENGTH || key.charAt(KEY_LENGTH - 1) != '=') {
      return false;
    }
    boolean zero = true;
    for (int i = 0; i < KEY_LENGTH - 1; i++) {
      int value = base64Value(key.charAt(i));
      if (value < 0) {
        return false;
      }
      zero &= value == 0;
    }
    return (base64Value(key.charAt(KEY_LENGTH - 2)) & 3) == 0 && !zero;
  }

  private static int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    return c == '/' ? 63 : -1;
  }

  /** First characters of a key and an ellipsis, safe to show in messages and logs. */
  public static String fingerprint(String key) {
    String head = key.length() <= FINGERPRINT_LENGTH ? key : key.substring(0, FINGERPRINT_LENGTH);
    return Messages.clip(head) + "…";
  }

  /** True when the text is a literal address of the family, without a prefix length or zone. */
  public static boolean isAddress(String text, IpFamily family) {
    return family == IpFamily.V4 ? isIpv4(text) : isIpv6(text);
  }

  static boolean isIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !isDecimal(part)) {
        return false;
      }
      // Leading zeros are refused, as Go's net.ParseIP does (they could be read as octal).
      if (part.length() > 1 && part.charAt(0) == '0') {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDecimal(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    if (gap < 0) {
      return groups(text, true) == 8;
    }
    int head = groups(text.substring(0, gap), false);
    int tail = groups(text.substring(gap + 2), true);
    return head >= 0 && tail >= 0 && head + tail <= 7;
  }

  /** Number of 16-bit groups in a colon-separated run, -1 when malformed. */
  private static int groups(String run, boolean mayEndWithIpv4) {
    if (run.isEmpty()) {
      return 0;
    }
    String[] parts = run.split(":", -1);
    int count = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (last && mayEndWithIpv4 && part.contains(".")) {
        if (!isIpv4(part)) {
          return -1;
        }
        count += 2;
      } else if (part.isEmpty()
          || part.length() > 4
          || !part.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
        return -1;
      } else {
        count++;
      }
    }
    return count;
  }

  /** A duration as people write it: {@code 2m}, {@code 7m30s}, {@code 1h5m}. */
  public static String human(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long rest = seconds % 60;
    StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (minutes > 0) {
      text.append(minutes).append('m');
    }
    if (rest > 0 || text.length() == 0) {
      text.append(rest).append('s');
    }
    return text.toString();
  }
}
