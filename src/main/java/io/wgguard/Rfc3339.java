package io.wgguard;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 3339 date-times (section 5.6), as people write them in {@code wgguard.io/override-expires}:
 * {@code T}, {@code t} or a space between date and time (the RFC's note allows the space),
 * fractional seconds, {@code Z}, {@code z} or a numeric offset, and a leap second ({@code :60},
 * read as the first instant of the next minute, which {@link Instant} can hold).
 */
public final class Rfc3339 {

  private static final Pattern DATE_TIME =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?"
              + "([Zz]|([+-])(\\d{2}):(\\d{2}))");

  private Rfc3339() {}

  /** The instant written, or null when the text is not an RFC 3339 date-time. */
  public static Instant parse(String text) {
    Matcher m = DATE_TIME.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int year = Integer.parseInt(m.group(1));
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    int hour = Integer.parseInt(m.group(4));
    int minute = Integer.parseInt(m.group(5));
    int second = Integer.parseInt(m.group(6));
    if (month < 1
        || month > 12
        || day < 1
        || day > YearMonth.of(year, month).lengthOfMonth()
        || hour > 23
        || minute > 59
        || second > 60) {
      return null;
    }
    long offset = 0;
    if (m.group(9) != null) {
      int offsetHour = Integer.parseInt(m.group(10));
      int offsetMinute = Integer.parseInt(m.group(11));
      if (offsetHour > 23 || offsetMinute > 59) {
        return null;
      }
      offset = (offsetHour * 3_600L + offsetMinute * 60L) * (m.group(9).equals("-") ? -1 : 1);
    }
    long nanos =
        m.group(7) == null ? 0 : Long.parseLong((m.group(7) + "000000000").substring(0, 9));
    long seconds =
        LocalDate.of(year, month, day).toEpochDay() * 86_400
            + hour * 3_600L
            + minute * 60L
            + second
            - offset;
    return Instant.ofEpochSecond(seconds, nanos);
  }
}
