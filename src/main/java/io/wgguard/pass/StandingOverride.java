package io.wgguard.pass;

import io.wgguard.Names;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FieldReading;
import io.wgguard.felix.GuardedField;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An override label still on a FelixConfiguration. Overrides are single-use, so a label left behind
 * pre-approves nothing; but it should go: it is <b>stale</b> once WireGuard is back on in the
 * object (it switches nothing off any more) or its expiry has passed.
 *
 * @param object the FelixConfiguration's name
 * @param ticket the label's value
 * @param expires the expiry annotation, empty when absent
 * @param stale whether the label should have been removed
 * @param why a sentence: what the override covers, or why it is stale
 */
public record StandingOverride(
    String object, String ticket, String expires, boolean stale, String why) {

  /** Every FelixConfiguration carrying an override label, stale or not, ordered by name. */
  public static List<StandingOverride> of(Collection<FelixObject> objects, Instant now) {
    List<StandingOverride> standing = new ArrayList<>();
    for (FelixObject object : objects) {
      Optional<String> ticket = object.label(Names.OVERRIDE_LABEL);
      if (ticket.isEmpty()) {
        continue;
      }
      String expires = object.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION).orElse("");
      Instant expiry = expiry(expires);
      List<String> off = new ArrayList<>();
      for (GuardedField field : GuardedField.values()) {
        FieldReading reading = object.read(field);
        // Written false, not default's absent-means-false: that is not a change anyone approved.
        if (reading.assertsFalse() && !reading.raw().isEmpty()) {
          off.add(field.label());
        }
      }
      if (expiry != null && !expiry.isAfter(now)) {
        standing.add(
            new StandingOverride(
                object.name(),
                ticket.get(),
                expires,
                true,
                "the override expired at %s; remove the label".formatted(expiry)));
      } else if (off.isEmpty()) {
        standing.add(
            new StandingOverride(
                object.name(),
                ticket.get(),
                expires,
                true,
                "the object no longer switches WireGuard off; remove the label"));
      } else {
        standing.add(
            new StandingOverride(
                object.name(),
                ticket.get(),
                expires,
                false,
                "the object switches %s off %s under this ticket"
                    .formatted(String.join(" and ", off), object.scope().describe())));
      }
    }
    standing.sort(Comparator.comparing(StandingOverride::object));
    return standing;
  }

  private static Instant expiry(String raw) {
    if (raw.isEmpty()) {
      return null;
    }
    Instant expiry = io.wgguard.Rfc3339.parse(raw);
    return expiry != null ? expiry : Instant.EPOCH; // unreadable: never honoured, as if expired
  }
}
