package io.wgguard.policy;

import io.wgguard.felix.GuardedField;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the admission policy needs from configuration, as plain values.
 *
 * @param enforce true to refuse disabling writes without a valid override, false to warn only
 * @param guardedFields the fields whose switching off is guarded
 * @param ticketPattern pattern a ticket in {@code wgguard.io/override} must match
 * @param requireExpiry whether {@code wgguard.io/override-expires} is mandatory
 * @param maxWindow how far ahead an expiry may lie, if limited
 * @param users users allowed to use an override (empty with empty groups: anyone)
 * @param groups groups allowed to use an override
 * @param relayUsers users whose writes were already judged at the v3 API (requester not checked)
 */
public record PolicySettings(
    boolean enforce,
    Set<GuardedField> guardedFields,
    Pattern ticketPattern,
    boolean requireExpiry,
    Optional<Duration> maxWindow,
    List<String> users,
    List<String> groups,
    List<String> relayUsers) {

  /** The default ticket pattern, e.g. {@code CHG-1042}. */
  public static final String DEFAULT_TICKET_PATTERN = "^[A-Z][A-Z0-9]*-[0-9]+$";

  public PolicySettings {
    guardedFields = guardedFields.isEmpty() ? Set.of() : EnumSet.copyOf(guardedFields);
    users = List.copyOf(users);
    groups = List.copyOf(groups);
    relayUsers = List.copyOf(relayUsers);
  }

  /** The built-in defaults: enforce, IPv4 and IPv6 guarded, anyone may use a valid ticket. */
  public static PolicySettings defaults() {
    return new PolicySettings(
        true,
        EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6),
        Pattern.compile(DEFAULT_TICKET_PATTERN),
        false,
        Optional.empty(),
        List.of(),
        List.of(),
        List.of("system:serviceaccount:calico-apiserver:calico-apiserver"));
  }

  /**
   * Whether writes to this field are judged: a guarded field, or Felix's IPv6 support while IPv6
   * WireGuard is guarded (turning it off turns IPv6 WireGuard off: {@link
   * GuardedField#IPV6_SUPPORT}).
   */
  public boolean judges(GuardedField field) {
    return guardedFields.contains(field)
        || (field == GuardedField.IPV6_SUPPORT
            && guardedFields.contains(GuardedField.WIREGUARD_ENABLED_V6));
  }

  /** True when only listed users or groups may use an override. */
  public boolean restrictsRequesters() {
    return !users.isEmpty() || !groups.isEmpty();
  }
}
