package io.wgguard.pass;

import io.wgguard.Names;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Names the switch-offs that no override explains: a node left WireGuard through a
 * FelixConfiguration or calico-node DaemonSet change, and none of the objects that changed or now
 * decide carries a fresh {@code wgguard.io/override}. Every switch-off admission allows carries
 * one, so one without is the trace a bypass leaves: a registration tampered with, a write straight
 * to etcd, a restore from backup, a write while the calico-node webhook (which fails open) was
 * down.
 *
 * <p>Fresh, as admission's single-use rule reads it from outside the write: the label is there with
 * a ticket and either its {@code wgguard.io/override-expires} lies ahead, or the label is new or
 * changed since the previous pass. A bare label left from an earlier change explains nothing. A
 * FelixConfiguration deleted since the previous pass counts with its last-seen label, unless that
 * label's expiry had passed (admission judges a DELETE by the old object's override).
 */
public final class SwitchOffTrace {

  private SwitchOffTrace() {}

  /**
   * The override marks of an object: the label's ticket (empty when absent) and the expiry
   * annotation (empty when absent).
   */
  public record OverrideMark(String ticket, String expires) {

    /** No override label. */
    public static final OverrideMark NONE = new OverrideMark("", "");

    /** The marks of a FelixConfiguration. */
    public static OverrideMark of(FelixObject object) {
      return new OverrideMark(
          object.label(Names.OVERRIDE_LABEL).orElse(""),
          object.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION).orElse(""));
    }

    /** The marks in an object's labels and annotations (a DaemonSet's). */
    public static OverrideMark of(Map<String, String> labels, Map<String, String> annotations) {
      return new OverrideMark(
          labels.getOrDefault(Names.OVERRIDE_LABEL, ""),
          annotations.getOrDefault(Names.OVERRIDE_EXPIRES_ANNOTATION, ""));
    }

    boolean unexpired(Instant now) {
      try {
        return !expires.isBlank() && OffsetDateTime.parse(expires).toInstant().isAfter(now);
      } catch (DateTimeParseException e) {
        return false;
      }
    }

    boolean expired(Instant now) {
      return !expires.isBlank() && !unexpired(now);
    }
  }

  /**
   * One switch-off without override.
   *
   * @param node the node
   * @param families the families that went off
   * @param objects the objects looked at (deciding now, changed, deleted), e.g. {@code
   *     FelixConfiguration default}
   * @param detail a sentence for the Event and the log
   */
  public record Unexplained(
      String node, Set<IpFamily> families, List<String> objects, String detail) {
    public Unexplained {
      families = Collections.unmodifiableSet(EnumSet.copyOf(families));
      objects = List.copyOf(objects);
    }
  }

  /** What the previous and this pass saw of the objects that can switch WireGuard off. */
  public record ObjectsSeen(
      Map<String, FelixObject> felixBefore,
      Map<String, FelixObject> felixNow,
      Map<String, OverrideMark> daemonSetsBefore,
      Map<String, OverrideMark> daemonSetsNow) {
    public ObjectsSeen {
      felixBefore = Map.copyOf(felixBefore);
      felixNow = Map.copyOf(felixNow);
      daemonSetsBefore = Map.copyOf(daemonSetsBefore);
      daemonSetsNow = Map.copyOf(daemonSetsNow);
    }
  }

  /**
   * The departures (other than by node labels, which have their own report) that no fresh override
   * explains.
   *
   * @param departures the nodes that left WireGuard since the previous pass
   * @param wireguard today's effective settings
   * @param nodes the nodes now, by name
   * @param objects the FelixConfigurations and DaemonSets' marks before and now ({@code
   *     namespace/name} for DaemonSets)
   * @param now the instant expiries are judged at
   */
  public static List<Unexplained> unexplained(
      List<Departure> departures,
      EffectiveWireguard wireguard,
      Map<String, NodeFacts> nodes,
      ObjectsSeen objects,
      Instant now) {
    List<Unexplained> unexplained = new ArrayList<>();
    for (Departure departure : departures) {
      if (departure.cause() == Departure.Cause.LABELS) {
        continue;
      }
      NodeFacts node = nodes.get(departure.node());
      if (node == null) {
        continue;
      }
      Set<String> looked = new LinkedHashSet<>();
      boolean explained = false;
      List<String> deciding = new ArrayList<>();
      for (IpFamily family : departure.families()) {
        EffectiveSetting setting = wireguard.forNode(node.name(), node.labels(), family);
        deciding.add(setting.origin());
        switch (setting.level()) {
          case ENVIRONMENT -> {
            looked.add("DaemonSet " + setting.object());
            explained |=
                fresh(
                    objects.daemonSetsNow().getOrDefault(setting.object(), OverrideMark.NONE),
                    objects.daemonSetsBefore().get(setting.object()),
                    now);
          }
          case BUILT_IN -> {}
          default -> {
            looked.add("FelixConfiguration " + setting.object());
            explained |= felixFresh(setting.object(), objects, now);
          }
        }
      }
      // The objects written since the previous pass: a removed true, a deleted node.<name>.
      for (Map.Entry<String, FelixObject> before : objects.felixBefore().entrySet()) {
        FelixObject after = objects.felixNow().get(before.getKey());
        if (Objects.equals(after, before.getValue())) {
          continue;
        }
        looked.add("FelixConfiguration " + before.getKey() + (after == null ? " (deleted)" : ""));
        explained |= felixFresh(before.getKey(), objects, now);
      }
      for (String name : objects.felixNow().keySet()) {
        if (!objects.felixBefore().containsKey(name)) {
          looked.add("FelixConfiguration " + name + " (created)");
          explained |= felixFresh(name, objects, now);
        }
      }
      if (explained) {
        continue;
      }
      String families =
          departure.families().stream().map(IpFamily::label).collect(Collectors.joining(" and "));
      unexplained.add(
          new Unexplained(
              departure.node(),
              departure.families(),
              List.copyOf(looked),
              ("WireGuard (%s) went off on node %s, now off by %s, and no object that changed or"
                      + " decides (%s) carries a fresh %s: a switch-off admission never judged (a"
                      + " webhook registration tampered with or down, a write straight to etcd, a"
                      + " restore from backup)")
                  .formatted(
                      families,
                      departure.node(),
                      String.join(", ", new LinkedHashSet<>(deciding)),
                      looked.isEmpty() ? "none" : String.join(", ", looked),
                      Names.OVERRIDE_LABEL)));
    }
    return unexplained;
  }

  private static boolean felixFresh(String name, ObjectsSeen objects, Instant now) {
    FelixObject after = objects.felixNow().get(name);
    FelixObject before = objects.felixBefore().get(name);
    if (after == null) {
      // Deleted: its last-seen override, unless expired.
      if (before == null) {
        return false;
      }
      OverrideMark last = OverrideMark.of(before);
      return !last.ticket().isBlank() && !last.expired(now);
    }
    return fresh(OverrideMark.of(after), before == null ? null : OverrideMark.of(before), now);
  }

  /** A ticket, and an expiry ahead or a label new or changed since the previous pass. */
  static boolean fresh(OverrideMark now, OverrideMark before, Instant instant) {
    if (now.ticket().isBlank()) {
      return false;
    }
    if (now.unexpired(instant)) {
      return true;
    }
    if (now.expired(instant)) {
      return false;
    }
    return before == null || !Optional.of(before.ticket()).equals(Optional.of(now.ticket()));
  }
}
