package io.wgguard.tunnels.summary;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of a set of WireGuard public keys that can be added to and taken from: the sum, modulo
 * 2^128, of the first 16 bytes of each key's SHA-256. Order does not matter, and the digest of
 * "every key but one" is the digest of every key minus that one's: the checker sums a cluster's
 * keys once per pass and derives each node's expected peer digest by one subtraction, instead of
 * hashing 65,000 sorted keys for each of 65,000 nodes.
 *
 * <p>A sum rather than an XOR: a key counted twice does not cancel out.
 *
 * @param high the upper 64 bits of the sum
 * @param low the lower 64 bits of the sum
 */
public record PeerDigest(long high, long low) {

  /**
   * One SHA-256 per thread, reused: looking one up per key costs more than hashing the key, and the
   * checker hashes every node's blocks in every pass.
   */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
          });

  /** The digest of no key. */
  public static final PeerDigest EMPTY = new PeerDigest(0, 0);

  /** The digest of one key (its text, as published and as {@code wg} prints it). */
  public static PeerDigest of(String publicKey) {
    byte[] hash = SHA256.get().digest(publicKey.getBytes(StandardCharsets.UTF_8));
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (hash[i] & 0xff);
      low = (low << 8) | (hash[i + 8] & 0xff);
    }
    return new PeerDigest(high, low);
  }

  /** This set with the keys of {@code other} added. */
  public PeerDigest plus(PeerDigest other) {
    long sum = low + other.low;
    long carry = Long.compareUnsigned(sum, low) < 0 ? 1 : 0;
    return new PeerDigest(high + other.high + carry, sum);
  }

  /** This set without the keys of {@code other}, which it must contain. */
  public PeerDigest minus(PeerDigest other) {
    long difference = low - other.low;
    long borrow = Long.compareUnsigned(low, other.low) < 0 ? 1 : 0;
    return new PeerDigest(high - other.high - borrow, difference);
  }

  /**
   * True when {@code hex} is this digest's {@link #hex()} (lower-case digits). Compares without
   * building the text: the checker does it for every node in every pass.
   */
  public boolean matches(String hex) {
    if (hex.length() != 32) {
      return false;
    }
    for (int i = 0; i < 32; i++) {
      long half = i < 16 ? high : low;
      int shift = (15 - (i & 15)) * 4;
      if (hex.charAt(i) != Character.forDigit((int) ((half >>> shift) & 0xf), 16)) {
        return false;
      }
    }
    return true;
  }

  /** 32 lower-case hex digits, as written in {@code peerDigest}. */
  public String hex() {
    return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
  }
}
