package io.wgguard.policy;

import static io.wgguard.felix.CalicoNode.calicoNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.Names;
import io.wgguard.felix.CalicoNode;
import io.wgguard.felix.GuardedField;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import io.wgguard.policy.Decision.Verdict;
import io.wgguard.policy.Violation.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CalicoNodePolicyTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final String FRESH = "2026-11-25T18:00:00Z";
  static final String PAST = "2026-11-25T11:00:00Z";
  static final String OFF = "FELIX_WIREGUARDENABLED";

  static final PolicySettings DEFAULTS = PolicySettings.defaults();
  static final PolicySettings HOST =
      new PolicySettings(
          true,
          EnumSet.allOf(GuardedField.class),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.empty(),
          List.of(),
          List.of(),
          List.of());
  static final PolicySettings APPROVERS =
      new PolicySettings(
          true,
          EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.of(Duration.ofHours(24)),
          List.of("carol"),
          List.of(),
          List.of());
  static final PolicySettings WARN =
      new PolicySettings(
          false,
          EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.empty(),
          List.of(),
          List.of(),
          List.of());

  static CalicoNode ds() {
    return calicoNode("calico-system");
  }

  /** A request: old and new DaemonSet (old null for CREATE), by a user. */
  record Req(CalicoNode old, CalicoNode now, String user) {
    CalicoNodeInput input() {
      var oldJson = old == null ? null : old.json();
      var newJson = now.json();
      return new CalicoNodeInput(
          old == null ? Operation.CREATE : Operation.UPDATE,
          old == null ? null : old.environment(),
          now.environment(),
          text(newJson.path("metadata").path("labels").get(Names.OVERRIDE_LABEL)),
          text(newJson.path("metadata").path("annotations").get(Names.OVERRIDE_EXPIRES_ANNOTATION)),
          oldJson == null
              ? Optional.empty()
              : text(oldJson.path("metadata").path("labels").get(Names.OVERRIDE_LABEL)),
          new Requester(user, List.of("system:authenticated")),
          false);
    }

    private static Optional<String> text(com.fasterxml.jackson.databind.JsonNode node) {
      return node == null ? Optional.empty() : Optional.of(node.asText());
    }
  }

  static Req update(CalicoNode old, CalicoNode now) {
    return new Req(old, now, "alice");
  }

  static Req create(CalicoNode now) {
    return new Req(null, now, "alice");
  }

  static Arguments c(
      String sentence, PolicySettings settings, Req req, Verdict verdict, Type... types) {
    return Arguments.of(sentence, settings, req, verdict, List.of(types));
  }

  static Stream<Arguments> cases() {
    CalicoNode base = ds().env("FELIX_LOGSEVERITYSCREEN", "Info");
    return Stream.of(
        // Writes that leave Felix's WireGuard variables alone pass silently.
        c(
            "an operator image bump passes",
            DEFAULTS,
            update(base, base.copy().image("calico/node:v3.31.1")),
            Verdict.ALLOWED),
        // Issue 23 point 7: beyond env.
        c(
            "a command exporting FELIX_WIREGUARDENABLED=false is refused",
            DEFAULTS,
            update(
                base,
                base.copy()
                    .command(
                        "/bin/sh", "-c", "export FELIX_WIREGUARDENABLED=false; exec start_runit")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "a command setting the variable from the shell is refused: it cannot be judged",
            DEFAULTS,
            update(
                base,
                base.copy().command("/bin/sh", "-c", "FELIX_WIREGUARDENABLED=$X exec start_runit")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.OVERRIDE_MISSING),
        c(
            "a ConfigMap mounted over /etc/calico/felix.cfg is refused: it cannot be judged",
            DEFAULTS,
            update(
                base,
                base.copy().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.NOT_JUDGEABLE,
            Type.NOT_JUDGEABLE, // FELIX_IPV6SUPPORT too: it decides IPv6 WireGuard
            Type.OVERRIDE_MISSING),
        c(
            "an image bump under an unchanged config-file mount passes",
            DEFAULTS,
            update(
                base.copy().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg"),
                base.copy()
                    .mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg")
                    .image("calico/node:v3.31.1")),
            Verdict.ALLOWED),
        c(
            "a command that names no Felix variable passes",
            DEFAULTS,
            update(base, base.copy().command("/bin/sh", "-c", "exec start_runit")),
            Verdict.ALLOWED),
        c(
            "an unrelated FELIX_ variable passes",
            DEFAULTS,
            update(base, base.copy().env("FELIX_BPFENABLED", "false")),
            Verdict.ALLOWED),
        c(
            "turning WireGuard on by environment passes",
            DEFAULTS,
            update(base, base.copy().env(OFF, "true")),
            Verdict.ALLOWED),
        c(
            "a bump of a DaemonSet already off passes (the variables did not change)",
            DEFAULTS,
            update(
                base.copy().env(OFF, "false"),
                base.copy().env(OFF, "false").image("calico/node:v3.31.1")),
            Verdict.ALLOWED),
        c(
            "an init container with the variable passes: it does not run Felix",
            DEFAULTS,
            update(base, base.copy().initEnv(OFF, "false")),
            Verdict.ALLOWED),
        c(
            "host encryption is not guarded by default",
            DEFAULTS,
            update(base, base.copy().env("FELIX_WIREGUARDHOSTENCRYPTIONENABLED", "false")),
            Verdict.ALLOWED),
        // Switching off by environment.
        c(
            "FELIX_WIREGUARDENABLED=false is refused without an override",
            DEFAULTS,
            update(base, base.copy().env(OFF, "false")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "a lower-case name is refused the same",
            DEFAULTS,
            update(base, base.copy().env("felix_wireguardenabled", "n")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "a value Felix cannot read falls back to false and is refused",
            DEFAULTS,
            update(base, base.copy().env(OFF, "disabled")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "switching true to false is refused",
            DEFAULTS,
            update(base.copy().env(OFF, "true"), base.copy().env(OFF, "false")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "the IPv6 variable is refused too",
            DEFAULTS,
            update(base, base.copy().env("FELIX_WIREGUARDENABLEDV6", "0")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "host encryption is refused when guarded",
            HOST,
            update(base, base.copy().env("FELIX_WIREGUARDHOSTENCRYPTIONENABLED", "false")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "a CREATE with the variable false is refused",
            DEFAULTS,
            create(base.copy().env(OFF, "false")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING),
        c(
            "false to 0 keeps it off: allowed with a warning",
            DEFAULTS,
            update(base.copy().env(OFF, "false"), base.copy().env(OFF, "0")),
            Verdict.ALLOWED),
        // References admission cannot read.
        c(
            "a value from a ConfigMap key is refused: not judgeable",
            DEFAULTS,
            update(base, base.copy().envFromConfigMapKey(OFF, "calico-config", "wg")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.OVERRIDE_MISSING),
        c(
            "a value from a Secret key is refused: not judgeable",
            DEFAULTS,
            update(base, base.copy().envFromSecretKey(OFF, "s", "wg")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.OVERRIDE_MISSING),
        c(
            "envFrom a ConfigMap with prefix FELIX_ is refused for both families",
            DEFAULTS,
            update(base, base.copy().envFromConfigMap("felix-env", "FELIX_")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.NOT_JUDGEABLE,
            Type.NOT_JUDGEABLE, // FELIX_IPV6SUPPORT too: it decides IPv6 WireGuard
            Type.OVERRIDE_MISSING),
        c(
            "envFrom with prefix CALICO_ passes",
            DEFAULTS,
            update(base, base.copy().envFromConfigMap("calico-config", "CALICO_")),
            Verdict.ALLOWED),
        c(
            "renaming the calico-node container is refused: Felix's environment is lost from sight",
            DEFAULTS,
            update(base, base.copy().renameContainer("felix")),
            Verdict.DENIED,
            Type.NOT_JUDGEABLE,
            Type.OVERRIDE_MISSING),
        // Overrides, as for FelixConfigurations.
        c(
            "a fresh ticket added by this write allows it",
            DEFAULTS,
            update(base, base.copy().env(OFF, "false").override("CHG-1042")),
            Verdict.OVERRIDDEN,
            Type.DISABLES),
        c(
            "a ticket with an unexpired expiry allows it",
            DEFAULTS,
            update(base, base.copy().env(OFF, "false").override("CHG-1042").expires(FRESH)),
            Verdict.OVERRIDDEN,
            Type.DISABLES),
        c(
            "a bare ticket left by an earlier write does not count again",
            DEFAULTS,
            update(
                base.copy().override("CHG-1042"),
                base.copy().override("CHG-1042").env(OFF, "false")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_STALE),
        c(
            "an old ticket with an unexpired expiry still counts",
            DEFAULTS,
            update(
                base.copy().override("CHG-1042").expires(FRESH),
                base.copy().override("CHG-1042").expires(FRESH).env(OFF, "false")),
            Verdict.OVERRIDDEN,
            Type.DISABLES),
        c(
            "a changed ticket counts",
            DEFAULTS,
            update(
                base.copy().override("CHG-1041"),
                base.copy().override("CHG-1042").env(OFF, "false")),
            Verdict.OVERRIDDEN,
            Type.DISABLES),
        c(
            "an expired override is refused",
            DEFAULTS,
            update(base, base.copy().env(OFF, "false").override("CHG-1042").expires(PAST)),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_EXPIRED),
        c(
            "a ticket not matching the pattern is refused",
            DEFAULTS,
            update(base, base.copy().env(OFF, "false").override("please")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.OVERRIDE_TICKET_INVALID),
        c(
            "a requester outside the approvers is refused",
            APPROVERS,
            update(base, base.copy().env(OFF, "false").override("CHG-1042")),
            Verdict.DENIED,
            Type.DISABLES,
            Type.REQUESTER_NOT_APPROVED),
        c(
            "an override makes an unjudgeable reference acceptable",
            DEFAULTS,
            update(base, base.copy().envFromSecretKey(OFF, "s", "wg").override("CHG-1042")),
            Verdict.OVERRIDDEN,
            Type.NOT_JUDGEABLE),
        c(
            "warn mode allows with a warning",
            WARN,
            update(base, base.copy().env(OFF, "false")),
            Verdict.WARNED,
            Type.DISABLES,
            Type.OVERRIDE_MISSING));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void judges(
      String sentence, PolicySettings settings, Req req, Verdict verdict, List<Type> types) {
    Decision decision = new CalicoNodePolicy(settings).decide(req.input(), NOW);
    assertThat(decision.verdict()).as(decision.message()).isEqualTo(verdict);
    assertThat(decision.allowed()).isEqualTo(verdict != Verdict.DENIED);
    assertThat(decision.violations().stream().map(Violation::type).toList()).isEqualTo(types);
    assertThat(decision.auditAnnotations().isEmpty()).isEqualTo(types.isEmpty());
  }

  @Test
  void aRefusalSaysWhatWhyAndHow() {
    CalicoNode base = ds();
    Decision decision =
        new CalicoNodePolicy(DEFAULTS)
            .decide(update(base, base.copy().env(OFF, "false")).input(), NOW);
    assertThat(decision.message())
        .isEqualTo(
            "DaemonSet calico-system/calico-node would switch WireGuard off on every node it runs"
                + " on, above every FelixConfiguration: FELIX_WIREGUARDENABLED=false on DaemonSet"
                + " calico-system/calico-node, which Felix reads as false: WireGuard off for IPv4"
                + " pod traffic on every node it runs on. Refused because the object has no"
                + " wgguard.io/override label. To proceed, label the object"
                + " wgguard.io/override=<ticket> with a change ticket matching"
                + " ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated"
                + " wgguard.io/override-expires=<RFC 3339 time>.");
    assertThat(decision.violations().get(0).field())
        .isEqualTo("spec.template.spec.containers[calico-node].env[FELIX_WIREGUARDENABLED]");
  }

  @Test
  void anUnjudgeableReferenceSaysWhy() {
    CalicoNode base = ds();
    Decision decision =
        new CalicoNodePolicy(DEFAULTS)
            .decide(
                update(base, base.copy().envFromSecretKey(OFF, "calico-secret", "wg")).input(),
                NOW);
    assertThat(decision.message())
        .startsWith(
            "DaemonSet calico-system/calico-node takes Felix's WireGuard settings from where"
                + " admission cannot judge them: FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node may be set by env FELIX_WIREGUARDENABLED from Secret"
                + " calico-secret key wg, which wgguard cannot read at admission, so it may switch"
                + " WireGuard off for IPv4 pod traffic unseen. Refused because")
        .endsWith(
            " Or give the variable a literal value in the calico-node container, which admission"
                + " can judge.");
  }

  @Test
  void anOverrideIsWarnedAndAudited() {
    CalicoNode base = ds();
    Decision decision =
        new CalicoNodePolicy(DEFAULTS)
            .decide(
                new Req(
                        base,
                        base.copy().env(OFF, "false").override("CHG-1042").expires(FRESH),
                        "carol")
                    .input(),
                NOW);
    assertThat(decision.auditAnnotations())
        .containsEntry("scope", "daemonset:calico-system/calico-node")
        .containsEntry("override-ticket", "CHG-1042")
        .containsEntry("override-requester", "carol")
        .containsEntry("override-expires", FRESH)
        .containsEntry(
            "disabled-fields",
            "spec.template.spec.containers[calico-node].env[FELIX_WIREGUARDENABLED]");
    assertThat(decision.warnings())
        .singleElement()
        .asString()
        .startsWith(
            "calico-node environment on DaemonSet calico-system/calico-node may switch WireGuard"
                + " off under override CHG-1042 by carol (expires "
                + FRESH
                + "): FELIX_WIREGUARDENABLED=false");
  }

  @Test
  void keepingItOffWarns() {
    CalicoNode base = ds();
    Decision decision =
        new CalicoNodePolicy(DEFAULTS)
            .decide(update(base.copy().env(OFF, "false"), base.copy().env(OFF, "0")).input(), NOW);
    assertThat(decision.warnings())
        .containsExactly(
            "FELIX_WIREGUARDENABLED=0 on DaemonSet calico-system/calico-node, which Felix reads as"
                + " false: WireGuard off for IPv4 pod traffic on every node it runs on (as before):"
                + " that traffic is not encrypted on those nodes");
  }
}
