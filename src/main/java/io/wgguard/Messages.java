package io.wgguard;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Small text helpers for decision messages. */
public final class Messages {

  /** Names listed in a message before the rest is counted. */
  public static final int MAX_NAMES = 5;

  private static final int MAX_VALUE = 64;

  /** What {@code \p{Cntrl}} matches: the C0 controls and DEL. */
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private Messages() {}

  /** Shortens user-supplied text so a message stays readable, and drops control characters. */
  public static String clip(String value) {
    String clean = hasControl(value) ? CONTROL.matcher(value).replaceAll("?") : value;
    return clean.length() <= MAX_VALUE ? clean : clean.substring(0, MAX_VALUE) + "...";
  }

  // Most text has no control character: skip the regular expression then (checker passes clip
  // every key fingerprint).
  private static boolean hasControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** {@code a, b, c and 4 more}: at most {@link #MAX_NAMES} names. */
  public static String names(Collection<String> names) {
    String shown = names.stream().limit(MAX_NAMES).collect(Collectors.joining(", "));
    int rest = names.size() - MAX_NAMES;
    return rest > 0 ? shown + " and " + rest + " more" : shown;
  }
}
