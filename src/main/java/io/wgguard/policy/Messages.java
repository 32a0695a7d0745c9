package io.wgguard.policy;

import java.util.Collection;
import java.util.stream.Collectors;

/** Small text helpers for decision messages. */
public final class Messages {

  /** Names listed in a message before the rest is counted. */
  public static final int MAX_NAMES = 5;

  private static final int MAX_VALUE = 64;

  private Messages() {}

  /** Shortens user-supplied text so a message stays readable, and drops control characters. */
  public static String clip(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= MAX_VALUE ? clean : clean.substring(0, MAX_VALUE) + "...";
  }

  /** {@code a, b, c and 4 more}: at most {@link #MAX_NAMES} names. */
  public static String names(Collection<String> names) {
    String shown = names.stream().limit(MAX_NAMES).collect(Collectors.joining(", "));
    int rest = names.size() - MAX_NAMES;
    return rest > 0 ? shown + " and " + rest + " more" : shown;
  }
}
