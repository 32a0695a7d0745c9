package io.wgguard.policy;

import static io.wgguard.felix.Felix.create;
import static io.wgguard.felix.Felix.delete;
import static io.wgguard.felix.Felix.felix;
import static io.wgguard.felix.Felix.felixV3;
import static io.wgguard.felix.Felix.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.Felix;
import io.wgguard.felix.GuardedField;
import io.wgguard.policy.Decision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FelixConfigurationPolicyTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final String SA = "system:serviceaccount:calico-apiserver:calico-apiserver";
  static final String WG = "config.projectcalico.org/WireguardEnabled";

  static final PolicySettings DEFAULTS = PolicySettings.defaults();
  static final PolicySettings APPROVERS =
      settings(true, false, Optional.empty(), List.of("carol"), List.of("wgguard-approvers"));
  static final PolicySettings WINDOW =
      settings(true, true, Optional.of(Duration.ofHours(24)), List.of(), List.of());
  static final PolicySettings WARN = settings(false, false, Optional.empty(), List.of(), List.of());
  static final PolicySettings HOST =
      new PolicySettings(
          true,
          EnumSet.allOf(GuardedField.class),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.empty(),
          List.of(),
          List.of(),
          List.of(SA));

  static PolicySettings settings(
      boolean enforce,
      boolean requireExpiry,
      Optional<Duration> window,
      List<String> users,
      List<String> groups) {
    return new PolicySettings(
        enforce,
        EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6),
        Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
        requireExpiry,
        window,
        users,
        groups,
        List.of(SA));
  }

  static Felix on(String name) {
    return felix(name).wireguard(true);
  }

  static Felix off(String name) {
    return felix(name).wireguard(false);
  }

  /** Expected decision: verdict, violations as "TYPE field", warnings by prefix, audit. */
  record Expect(
      Verdict verdict, List<String> violations, List<String> warnings, Map<String, String> audit) {}

  static Expect expect(Verdict verdict, String... violations) {
    return new Expect(verdict, List.of(violations), List.of(), Map.of());
  }

  static Expect warns(Expect e, String... prefixes) {
    return new Expect(e.verdict(), e.violations(), List.of(prefixes), e.audit());
  }

  static Expect audit(Expect e, String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    Arrays.stream(pairs)
        .forEach(p -> map.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1)));
    return new Expect(e.verdict(), e.violations(), e.warnings(), map);
  }

  static Arguments c(String sentence, PolicySettings settings, Felix.Req req, Expect expect) {
    return Arguments.of(sentence, settings, req, expect);
  }

  static final String DISABLES_V4 = "DISABLES spec.wireguardEnabled";
  static final String NO_LABEL = "OVERRIDE_MISSING metadata.labels[wgguard.io/override]";
  static final String STALE = "OVERRIDE_STALE metadata.labels[wgguard.io/override]";
  static final String EXPIRED =
      "OVERRIDE_EXPIRED metadata.annotations[wgguard.io/override-expires]";
  static final String[] DENIED_DEFAULT = {
    "scope=cluster", "object=default", "disabled-fields=spec.wireguardEnabled", "decision=denied"
  };

  static Stream<Arguments> cases() {
    return Stream.of(
        // Writes that leave WireGuard alone, or switch it on.
        c(
            "the seed's patch enabling WireGuard on default is allowed silently",
            DEFAULTS,
            update(felix("default"), on("default")),
            expect(Verdict.ALLOWED)),
        c(
            "calico-node changing another field of default passes untouched",
            DEFAULTS,
            update(
                on("default").spec("logSeverityScreen", "\"Info\""),
                on("default").spec("logSeverityScreen", "\"Debug\"")),
            expect(Verdict.ALLOWED)),
        c(
            "a write to default that never had WireGuard passes untouched",
            DEFAULTS,
            update(
                felix("default").spec("bpfEnabled", "false"),
                felix("default").spec("bpfEnabled", "true")),
            expect(Verdict.ALLOWED)),
        c(
            "creating default with WireGuard on is allowed",
            DEFAULTS,
            create(on("default")),
            expect(Verdict.ALLOWED)),
        c(
            "creating a per-node object without WireGuard fields inherits and is allowed",
            DEFAULTS,
            create(felix("node.worker1")),
            expect(Verdict.ALLOWED)),
        c(
            "switching the host-encryption field off is not guarded by default",
            DEFAULTS,
            update(on("default").hostEncryption(true), on("default").hostEncryption(false)),
            expect(Verdict.ALLOWED)),
        c(
            "an object Felix does not read may hold false",
            DEFAULTS,
            create(off("staging")),
            expect(Verdict.ALLOWED)),
        c(
            "an annotation saying true outranks a false spec field",
            DEFAULTS,
            update(on("default"), off("default").annotation(WG, "true")),
            expect(Verdict.ALLOWED)),

        // Switching WireGuard off.
        c(
            "switching wireguardEnabled off on default is refused",
            DEFAULTS,
            update(on("default"), off("default")),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "removing wireguardEnabled from default is refused, absent means false there",
            DEFAULTS,
            update(on("default"), felix("default")),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "creating default with wireguardEnabled false is refused",
            DEFAULTS,
            create(off("default")),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "creating default without WireGuard fields leaves the built-in false untouched",
            DEFAULTS,
            create(felix("default")),
            expect(Verdict.ALLOWED)),
        c(
            "switching wireguardEnabledV6 off is refused",
            DEFAULTS,
            update(on("default").wireguardV6(true), on("default").wireguardV6(false)),
            audit(
                expect(Verdict.DENIED, "DISABLES spec.wireguardEnabledV6", NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=spec.wireguardEnabledV6",
                "decision=denied")),
        c(
            "switching both families off reports both fields",
            DEFAULTS,
            update(on("default").wireguardV6(true), off("default").wireguardV6(false)),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, "DISABLES spec.wireguardEnabledV6", NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=spec.wireguardEnabled,spec.wireguardEnabledV6",
                "decision=denied")),
        c(
            "switching host encryption off is refused when it is guarded",
            HOST,
            update(on("default").hostEncryption(true), on("default").hostEncryption(false)),
            audit(
                expect(Verdict.DENIED, "DISABLES spec.wireguardHostEncryptionEnabled", NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=spec.wireguardHostEncryptionEnabled",
                "decision=denied")),
        c(
            "a per-node object switching WireGuard off for one node is refused",
            DEFAULTS,
            create(off("node.worker1")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=node:worker1",
                "object=node.worker1",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "a selector-scoped object switching WireGuard off is refused",
            DEFAULTS,
            create(off("gpu-nodes").selector("pool == 'gpu'")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=selector:pool == 'gpu'",
                "object=gpu-nodes",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "giving an object that holds false a node selector is refused",
            DEFAULTS,
            update(off("staging"), off("staging").selector("all()")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=selector:all()",
                "object=staging",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "widening the selector of an object that holds false is refused",
            DEFAULTS,
            update(off("gpu").selector("pool == 'gpu'"), off("gpu").selector("all()")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=selector:all()",
                "object=gpu",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "an annotation override WireguardEnabled=false is refused",
            DEFAULTS,
            update(on("default"), on("default").annotation(WG, "false")),
            audit(
                expect(Verdict.DENIED, "DISABLES metadata.annotations[" + WG + "]", NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=metadata.annotations[" + WG + "]",
                "decision=denied")),
        c(
            "the annotation name is matched without regard to case, as Felix does",
            DEFAULTS,
            update(
                on("default"),
                on("default").annotation("config.projectcalico.org/wireguardenabled", "F")),
            audit(
                expect(
                    Verdict.DENIED,
                    "DISABLES metadata.annotations[config.projectcalico.org/wireguardenabled]",
                    NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=metadata.annotations[config.projectcalico.org/wireguardenabled]",
                "decision=denied")),
        c(
            "the annotation value none means false and is refused",
            DEFAULTS,
            update(on("node.w1"), on("node.w1").annotation(WG, "none")),
            audit(
                expect(Verdict.DENIED, "DISABLES metadata.annotations[" + WG + "]", NO_LABEL),
                "scope=node:w1",
                "object=node.w1",
                "disabled-fields=metadata.annotations[" + WG + "]",
                "decision=denied")),
        c(
            "an annotation inside calico-apiserver's metadata JSON is read too",
            DEFAULTS,
            update(
                on("default"),
                on("default")
                    .annotation(
                        "projectcalico.org/metadata", "{\"annotations\":{\"" + WG + "\":\"0\"}}")),
            audit(
                expect(
                    Verdict.DENIED,
                    "DISABLES metadata.annotations[projectcalico.org/metadata].annotations["
                        + WG
                        + "]",
                    NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=metadata.annotations[projectcalico.org/metadata].annotations["
                    + WG
                    + "]",
                "decision=denied")),
        c(
            "an annotation ' true' that Felix cannot parse does not hide a false spec",
            DEFAULTS,
            update(on("default"), off("default").annotation(WG, " true")),
            audit(
                expect(
                    Verdict.DENIED,
                    "INVALID_VALUE metadata.annotations[" + WG + "]",
                    DISABLES_V4,
                    NO_LABEL),
                DENIED_DEFAULT)),
        c(
            "an unreadable annotation value is refused even with an override",
            DEFAULTS,
            update(on("default"), on("default").annotation(WG, "nope").override("CHG-1")),
            audit(
                expect(Verdict.DENIED, "INVALID_VALUE metadata.annotations[" + WG + "]"),
                "scope=cluster",
                "object=default",
                "decision=denied")),
        c(
            "a spec value that is not a boolean is refused",
            DEFAULTS,
            update(on("default"), felix("default").spec("wireguardEnabled", "\"false\"")),
            audit(
                expect(
                    Verdict.DENIED, "INVALID_VALUE spec.wireguardEnabled", DISABLES_V4, NO_LABEL),
                DENIED_DEFAULT)),
        c(
            "malformed calico-apiserver metadata JSON is refused",
            DEFAULTS,
            update(
                on("default"), on("default").annotation("projectcalico.org/metadata", "{not json")),
            audit(
                expect(
                    Verdict.DENIED,
                    "INVALID_VALUE metadata.annotations[projectcalico.org/metadata]"),
                "scope=cluster",
                "object=default",
                "decision=denied")),

        // Keeping WireGuard off.
        c(
            "a write that keeps an existing false on a touched field is allowed with a warning",
            DEFAULTS,
            update(off("default"), off("default").annotation(WG, "false")),
            warns(
                expect(Verdict.ALLOWED),
                "FelixConfiguration \"default\" keeps WireGuard off for IPv4 pod traffic cluster-wide")),
        c(
            "calico-node writing default while WireGuard is off passes without a warning",
            DEFAULTS,
            update(
                off("default").spec("logSeverityScreen", "\"Info\""),
                off("default").spec("logSeverityScreen", "\"Warning\"")),
            expect(Verdict.ALLOWED)),

        // DELETE.
        c(
            "deleting default while it enables WireGuard is refused",
            DEFAULTS,
            delete(on("default")),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "deleting default that holds false is allowed",
            DEFAULTS,
            delete(off("default")),
            expect(Verdict.ALLOWED)),
        c(
            "deleting a per-node object that enables WireGuard is refused",
            DEFAULTS,
            delete(on("node.worker2")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=node:worker2",
                "object=node.worker2",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "deleting a per-node object labelled with a ticket and an unexpired expiry is allowed",
            DEFAULTS,
            delete(on("node.worker2").override("CHG-7").expires("2026-11-25T18:00:00Z")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=node:worker2",
                    "object=node.worker2",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-7",
                    "override-requester=admin",
                    "override-expires=2026-11-25T18:00:00Z"),
                "WireGuard switched off on node worker2 under override CHG-7 by admin")),
        c(
            "deleting a per-node object that only carries a ticket from an earlier write is refused",
            DEFAULTS,
            delete(on("node.worker2").override("CHG-7")),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, STALE),
                "scope=node:worker2",
                "object=node.worker2",
                "disabled-fields=spec.wireguardEnabled",
                "decision=denied")),
        c(
            "a ticket left on default by an earlier change pre-approves nothing",
            DEFAULTS,
            update(on("default").override("CHG-1"), off("default").override("CHG-1")),
            audit(expect(Verdict.DENIED, DISABLES_V4, STALE), DENIED_DEFAULT)),
        c(
            "a ticket left on default with an unexpired window still counts",
            DEFAULTS,
            update(
                on("default").override("CHG-1").expires("2026-11-25T18:00:00Z"),
                off("default").override("CHG-1").expires("2026-11-25T18:00:00Z")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-1",
                    "override-requester=admin",
                    "override-expires=2026-11-25T18:00:00Z"),
                "WireGuard switched off cluster-wide under override CHG-1 by admin")),
        c(
            "a ticket left on default with an expired window is refused",
            DEFAULTS,
            update(
                on("default").override("CHG-1").expires("2026-11-25T11:00:00Z"),
                off("default").override("CHG-1").expires("2026-11-25T11:00:00Z")),
            audit(expect(Verdict.DENIED, DISABLES_V4, EXPIRED), DENIED_DEFAULT)),
        c(
            "a new ticket replacing an old one counts for this write",
            DEFAULTS,
            update(on("default").override("CHG-1"), off("default").override("CHG-2")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-2",
                    "override-requester=admin",
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-2 by admin")),
        c(
            "deleting a per-node object that asserts nothing is allowed",
            DEFAULTS,
            delete(felix("node.worker2")),
            expect(Verdict.ALLOWED)),

        // Overrides.
        c(
            "a valid ticket allows switching off, with a warning and audit annotations",
            DEFAULTS,
            update(on("default"), off("default").override("CHG-1042")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-1042",
                    "override-requester=admin",
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-1042 by admin (expires none)")),
        c(
            "a ticket that does not match the pattern is refused",
            DEFAULTS,
            update(on("default"), off("default").override("chg-1042")),
            audit(
                expect(
                    Verdict.DENIED,
                    DISABLES_V4,
                    "OVERRIDE_TICKET_INVALID metadata.labels[wgguard.io/override]"),
                DENIED_DEFAULT)),
        c(
            "an override on the old object only does not carry over to the update",
            DEFAULTS,
            update(on("default").override("CHG-1"), off("default")),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "an expired override is refused",
            DEFAULTS,
            update(on("default"), off("default").override("CHG-1").expires("2026-11-25T11:59:59Z")),
            audit(
                expect(
                    Verdict.DENIED,
                    DISABLES_V4,
                    "OVERRIDE_EXPIRED metadata.annotations[wgguard.io/override-expires]"),
                DENIED_DEFAULT)),
        c(
            "an expiry that is not RFC 3339 is refused",
            DEFAULTS,
            update(on("default"), off("default").override("CHG-1").expires("tomorrow")),
            audit(
                expect(
                    Verdict.DENIED,
                    DISABLES_V4,
                    "OVERRIDE_EXPIRY_INVALID metadata.annotations[wgguard.io/override-expires]"),
                DENIED_DEFAULT)),
        c(
            "an expiry beyond the maximum window is refused",
            WINDOW,
            update(on("default"), off("default").override("CHG-1").expires("2026-11-26T12:00:01Z")),
            audit(
                expect(
                    Verdict.DENIED,
                    DISABLES_V4,
                    "OVERRIDE_WINDOW_TOO_LONG metadata.annotations[wgguard.io/override-expires]"),
                DENIED_DEFAULT)),
        c(
            "a missing expiry is refused when one is required",
            WINDOW,
            update(on("default"), off("default").override("CHG-1")),
            audit(
                expect(
                    Verdict.DENIED,
                    DISABLES_V4,
                    "OVERRIDE_EXPIRY_MISSING metadata.annotations[wgguard.io/override-expires]"),
                DENIED_DEFAULT)),
        c(
            "an expiry inside the window is allowed and audited",
            WINDOW,
            update(
                on("default"),
                off("default").override("CHG-1").expires("2026-11-26T10:00:00+02:00")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-1",
                    "override-requester=admin",
                    "override-expires=2026-11-26T10:00:00+02:00"),
                "WireGuard switched off cluster-wide under override CHG-1 by admin (expires 2026-11-26T10:00:00+02:00)")),
        c(
            "an approver by group may use an override",
            APPROVERS,
            update(on("default"), off("default").override("CHG-1"))
                .by("alice", "system:authenticated", "wgguard-approvers"),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-1",
                    "override-requester=alice",
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-1 by alice")),
        c(
            "an approver by user name may use an override",
            APPROVERS,
            update(on("default"), off("default").override("CHG-1")).by("carol"),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-1",
                    "override-requester=carol",
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-1 by carol")),
        c(
            "an editor who is no approver cannot use a valid ticket",
            APPROVERS,
            update(on("default"), off("default").override("CHG-1")).by("bob", "platform-editors"),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, "REQUESTER_NOT_APPROVED userInfo"),
                DENIED_DEFAULT)),
        c(
            "calico-apiserver relaying a v3 write is trusted for the requester, not the ticket",
            APPROVERS,
            update(
                    on("default"),
                    off("default")
                        .annotation(
                            "projectcalico.org/metadata",
                            "{\"labels\":{\"wgguard.io/override\":\"CHG-9\"}}"))
                .by(SA),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-9",
                    "override-requester=" + SA,
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-9")),
        c(
            "calico-apiserver relaying a write without a ticket is refused",
            APPROVERS,
            update(on("default"), off("default")).by(SA),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),

        // Groups, dry-run, modes.
        c(
            "the projectcalico.org/v3 group is judged the same",
            DEFAULTS,
            update(felixV3("default").wireguard(true), felixV3("default").wireguard(false)).v3(),
            audit(expect(Verdict.DENIED, DISABLES_V4, NO_LABEL), DENIED_DEFAULT)),
        c(
            "a dry-run is judged the same and marked in the audit",
            DEFAULTS,
            update(on("default"), off("default")).dryRun(),
            audit(
                expect(Verdict.DENIED, DISABLES_V4, NO_LABEL),
                "scope=cluster",
                "object=default",
                "disabled-fields=spec.wireguardEnabled",
                "dry-run=true",
                "decision=denied")),
        c(
            "warn mode allows switching off with a warning and an audit trail",
            WARN,
            update(on("default"), off("default")),
            warns(
                audit(
                    expect(Verdict.WARNED, DISABLES_V4, NO_LABEL),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "decision=warn"),
                "wgguard is in warn mode; in enforce mode this write is refused: FelixConfiguration \"default\"")),
        c(
            "warn mode still records a valid override as such",
            WARN,
            update(on("default"), off("default").override("CHG-5")),
            warns(
                audit(
                    expect(Verdict.OVERRIDDEN, DISABLES_V4),
                    "scope=cluster",
                    "object=default",
                    "disabled-fields=spec.wireguardEnabled",
                    "override-ticket=CHG-5",
                    "override-requester=admin",
                    "override-expires=none"),
                "WireGuard switched off cluster-wide under override CHG-5")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String sentence, PolicySettings settings, Felix.Req req, Expect expect) {
    Decision decision = new FelixConfigurationPolicy(settings).decide(req.input(), NOW);

    assertThat(decision.verdict()).as("verdict").isEqualTo(expect.verdict());
    assertThat(decision.allowed()).as("allowed").isEqualTo(expect.verdict() != Verdict.DENIED);
    assertThat(decision.violations())
        .extracting(v -> v.type() + " " + v.field())
        .as("violations")
        .containsExactlyElementsOf(expect.violations());
    assertThat(decision.warnings()).as("warnings").hasSameSizeAs(expect.warnings());
    for (int i = 0; i < expect.warnings().size(); i++) {
      assertThat(decision.warnings().get(i)).startsWith(expect.warnings().get(i));
    }
    Map<String, String> audit = new LinkedHashMap<>(expect.audit());
    if (!audit.isEmpty()) {
      // Without a view of the cluster, every decision here is the object-alone rule's.
      audit.put("judged-by", FelixConfigurationPolicy.BY_OBJECT_NOT_SYNCED);
    }
    assertThat(decision.auditAnnotations()).as("audit annotations").isEqualTo(audit);
    assertThat(decision.message().isEmpty()).as("message empty").isEqualTo(decision.allowed());
    if (!decision.allowed()) {
      assertThat(decision.message()).doesNotStartWithIgnoringCase("denied");
      boolean disables =
          decision.violations().stream().anyMatch(v -> v.type() == Violation.Type.DISABLES);
      assertThat(decision.message().contains("wgguard.io/override=<ticket>")).isEqualTo(disables);
    }
  }

  @Test
  void refusalSaysWhatWhyAndHow() {
    Decision decision =
        new FelixConfigurationPolicy(APPROVERS)
            .decide(
                update(on("default"), off("default")).by("bob", "platform-editors").input(), NOW);

    assertThat(decision.message())
        .isEqualTo(
            "FelixConfiguration \"default\" (crd.projectcalico.org) would switch WireGuard off"
                + " cluster-wide: spec.wireguardEnabled is false: WireGuard off for IPv4 pod traffic"
                + " (was spec.wireguardEnabled=true). Refused because the object has no"
                + " wgguard.io/override label; requester bob is not among the approved override users"
                + " or groups. To proceed, label the object wgguard.io/override=<ticket> with a change"
                + " ticket matching ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated"
                + " wgguard.io/override-expires=<RFC 3339 time>; only users carol or groups"
                + " wgguard-approvers may use an override.");
  }

  @Test
  void deleteRefusalAsksForTheLabelBeforeDeleting() {
    Decision decision =
        new FelixConfigurationPolicy(WINDOW).decide(delete(on("node.worker1")).input(), NOW);

    assertThat(decision.message())
        .isEqualTo(
            "Deleting FelixConfiguration \"node.worker1\" (crd.projectcalico.org) would switch"
                + " WireGuard off on node worker1: deleting it removes spec.wireguardEnabled=true"
                + " (IPv4 pod traffic). Refused because the object has no wgguard.io/override label."
                + " To proceed, label the object wgguard.io/override=<ticket> with a change ticket"
                + " matching ^[A-Z][A-Z0-9]*-[0-9]+$ and annotate it"
                + " wgguard.io/override-expires=<RFC 3339 time> at most 24h ahead, then delete it.");
  }

  @Test
  void invalidValuesTellHowToFixThem() {
    Decision decision =
        new FelixConfigurationPolicy(DEFAULTS)
            .decide(update(on("default"), on("default").annotation(WG, "nope")).input(), NOW);

    assertThat(decision.message())
        .isEqualTo(
            "FelixConfiguration \"default\" (crd.projectcalico.org) has guarded values Felix cannot"
                + " read: metadata.annotations[config.projectcalico.org/WireguardEnabled] has value"
                + " 'nope', which Felix does not read as a boolean (true, false, none). Write true or"
                + " false (or remove the annotation); an override does not apply.");
  }
}
