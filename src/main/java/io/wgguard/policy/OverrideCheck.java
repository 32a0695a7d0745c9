package io.wgguard.policy;

import io.wgguard.FieldPath;
import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.Rfc3339;
import io.wgguard.policy.AdmissionInput.Requester;
import io.wgguard.policy.Violation.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the change-control override a write carries lets it switch WireGuard off. Pure; shared by
 * every webhook that guards an off-switch, so the rules are the same wherever WireGuard can be
 * switched off.
 *
 * <p>The override is the label {@code wgguard.io/override=<ticket>} on the written object (the
 * stored one for a DELETE), with an optional {@code wgguard.io/override-expires} annotation. It is
 * <b>single-use</b>: the label counts when this write adds or changes it, or when the object
 * carries an unexpired expiry that keeps the window open. A bare label left on an object after an
 * earlier change pre-approves nothing. A DELETE adds no label, so deleting needs the expiry.
 */
public final class OverrideCheck {

  private static final String LABEL_PATH = FieldPath.label(Names.OVERRIDE_LABEL);
  private static final String EXPIRES_PATH =
      FieldPath.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION);

  private final PolicySettings settings;

  public OverrideCheck(PolicySettings settings) {
    this.settings = settings;
  }

  /**
   * What the override of a write carries, as read from the objects.
   *
   * @param ticket the label on the object the override is judged on (new; old for DELETE)
   * @param previousTicket the label on the stored object before the write, empty on CREATE
   * @param expires the expiry annotation on the object the override is judged on
   * @param delete whether the write is a DELETE
   */
  public record Carried(
      Optional<String> ticket,
      Optional<String> previousTicket,
      Optional<String> expires,
      boolean delete) {}

  /** Every problem with the override; empty when the write may switch WireGuard off. */
  public List<Violation> problems(Carried carried, Requester user, Instant now) {
    List<Violation> problems = new ArrayList<>();
    Optional<String> ticket = carried.ticket();
    if (ticket.isEmpty()) {
      problems.add(
          new Violation(
              LABEL_PATH,
              Type.OVERRIDE_MISSING,
              "the object has no %s label".formatted(Names.OVERRIDE_LABEL)));
    } else if (!settings.ticketPattern().matcher(ticket.get()).matches()) {
      problems.add(
          new Violation(
              LABEL_PATH,
              Type.OVERRIDE_TICKET_INVALID,
              "ticket '%s' does not match %s"
                  .formatted(Messages.clip(ticket.get()), settings.ticketPattern().pattern())));
    }
    Optional<String> expires = carried.expires();
    if (expires.isEmpty()) {
      if (ticket.isPresent() && settings.requireExpiry()) {
        problems.add(
            new Violation(
                EXPIRES_PATH,
                Type.OVERRIDE_EXPIRY_MISSING,
                "the override has no %s annotation".formatted(Names.OVERRIDE_EXPIRES_ANNOTATION)));
      } else if (ticket.isPresent()
          && (carried.delete() || carried.previousTicket().equals(ticket))) {
        problems.add(
            new Violation(
                LABEL_PATH,
                Type.OVERRIDE_STALE,
                carried.delete()
                    ? "the %s label '%s' was set by an earlier write and has no %s: an override counts once, for the write that sets it, so a delete needs an unexpired expiry"
                        .formatted(
                            Names.OVERRIDE_LABEL,
                            Messages.clip(ticket.get()),
                            Names.OVERRIDE_EXPIRES_ANNOTATION)
                    : "the %s label '%s' was already on the object before this write and has no %s: an override counts once, for the write that sets it"
                        .formatted(
                            Names.OVERRIDE_LABEL,
                            Messages.clip(ticket.get()),
                            Names.OVERRIDE_EXPIRES_ANNOTATION)));
      }
    } else {
      problems.addAll(expiryProblems(expires.get(), now));
    }
    if (settings.restrictsRequesters() && !settings.relayUsers().contains(user.username())) {
      boolean approved =
          settings.users().contains(user.username())
              || user.groups().stream().anyMatch(settings.groups()::contains);
      if (!approved) {
        problems.add(
            new Violation(
                "userInfo",
                Type.REQUESTER_NOT_APPROVED,
                "requester %s is not among the approved override users or groups"
                    .formatted(requester(user))));
      }
    }
    return problems;
  }

  /**
   * Whether an override, as it stands on an object now, can still switch anything off: its expiry
   * has not passed. A label without expiry is spent once the write that set it is done.
   */
  public static boolean open(Optional<String> expires, Instant now) {
    if (expires.isEmpty()) {
      return false;
    }
    Instant expiry = Rfc3339.parse(expires.get());
    return expiry != null && expiry.isAfter(now);
  }

  private List<Violation> expiryProblems(String raw, Instant now) {
    Instant expiry = Rfc3339.parse(raw);
    if (expiry == null) {
      return List.of(
          new Violation(
              EXPIRES_PATH,
              Type.OVERRIDE_EXPIRY_INVALID,
              "override expiry '%s' is not an RFC 3339 time such as 2026-12-01T18:00:00Z"
                  .formatted(Messages.clip(raw))));
    }
    if (!expiry.isAfter(now)) {
      return List.of(
          new Violation(EXPIRES_PATH, Type.OVERRIDE_EXPIRED, "the override expired at " + expiry));
    }
    if (settings.maxWindow().isPresent() && expiry.isAfter(now.plus(settings.maxWindow().get()))) {
      return List.of(
          new Violation(
              EXPIRES_PATH,
              Type.OVERRIDE_WINDOW_TOO_LONG,
              "override expiry %s is more than %s ahead"
                  .formatted(expiry, human(settings.maxWindow().get()))));
    }
    return List.of();
  }

  /** How to proceed, for a refusal: the label, the ticket pattern, the expiry, who may. */
  public String howTo(boolean delete) {
    StringBuilder how = new StringBuilder("To proceed, label the object ");
    how.append(Names.OVERRIDE_LABEL)
        .append("=<ticket> with a change ticket matching ")
        .append(settings.ticketPattern().pattern());
    if (delete) {
      how.append(" and annotate it ");
    } else if (settings.requireExpiry()) {
      how.append(" and annotate it ");
    } else {
      how.append(", optionally annotated ");
    }
    how.append(Names.OVERRIDE_EXPIRES_ANNOTATION).append("=<RFC 3339 time>");
    settings.maxWindow().ifPresent(w -> how.append(" at most ").append(human(w)).append(" ahead"));
    if (delete) {
      how.append(", then delete it");
    }
    if (settings.restrictsRequesters()) {
      List<String> who = new ArrayList<>();
      if (!settings.users().isEmpty()) {
        who.add("users " + Messages.names(settings.users()));
      }
      if (!settings.groups().isEmpty()) {
        who.add("groups " + Messages.names(settings.groups()));
      }
      how.append("; only ").append(String.join(" or ", who)).append(" may use an override");
    }
    return how.append('.').toString();
  }

  /** The requester's name for messages. */
  public static String requester(Requester user) {
    return user.username().isEmpty() ? "an unknown user" : user.username();
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
