package io.wgguard.policy;

import static io.wgguard.felix.Felix.create;
import static io.wgguard.felix.Felix.felix;
import static io.wgguard.felix.Felix.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.wgguard.felix.Felix;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matchConditions of {@code manifests/components/match-conditions}, evaluated with a CEL
 * implementation as the API server (1.30+) would: sound against the policy's own tables (every
 * write {@link FelixConfigurationPolicy} refuses or warns about reaches wgguard), and quiet for
 * calico-node's start-up writes (ensureDefaultConfig in projectcalico/calico
 * node/pkg/lifecycle/startup/startup.go), which must never wait for wgguard.
 */
class MatchConditionsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static CelRuntime.Program program;

  @BeforeAll
  static void compile() throws Exception {
    JsonNode component =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("manifests/components/match-conditions/kustomization.yaml").toFile());
    JsonNode patch =
        new ObjectMapper(new YAMLFactory())
            .readTree(component.path("patches").get(0).path("patch").asText());
    String expression = patch.get(0).path("value").get(0).path("expression").asText();
    CelCompiler compiler =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS) // has(), exists(), as Kubernetes
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .build();
    CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
    program = CelRuntimeFactory.standardCelRuntimeBuilder().build().createProgram(ast);
  }

  /** Whether the API server would send this write to wgguard. */
  static boolean sent(Felix.Req req) throws Exception {
    Map<String, Object> vars = new HashMap<>();
    vars.put("object", value(req.newJson()));
    vars.put("oldObject", value(req.oldJson()));
    vars.put("request", Map.of("operation", req.operationName()));
    return (Boolean) program.eval(vars);
  }

  /**
   * JSON as CEL takes it: maps, lists, strings, booleans, longs and doubles; null as CEL's null.
   */
  static Object value(JsonNode node) {
    if (node == null || node.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new HashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(value(n)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }

  static Stream<Arguments> policyTable() {
    return FelixConfigurationPolicyTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policyTable")
  void everyWriteThePolicyRefusesOrWarnsAboutIsSent(
      String sentence,
      PolicySettings settings,
      Felix.Req req,
      FelixConfigurationPolicyTest.Expect expect)
      throws Exception {
    Decision decision =
        new FelixConfigurationPolicy(settings)
            .decide(req.input(), Instant.parse("2026-11-25T12:00:00Z"));

    if (!decision.allowed() || !decision.warnings().isEmpty()) {
      assertThat(sent(req)).as("refused or warned, so it must reach wgguard").isTrue();
    }
  }

  static Stream<Arguments> startUp() {
    Felix withWireguard = felix("default").wireguard(true);
    return Stream.of(
        Arguments.of(
            "default created when missing: reportingInterval 0s, logSeverityScreen Info",
            create(
                felix("default")
                    .spec("reportingInterval", "\"0s\"")
                    .spec("logSeverityScreen", "\"Info\""))),
        Arguments.of(
            "default updated with reportingInterval, WireGuard on left alone",
            update(
                withWireguard,
                felix("default").wireguard(true).spec("reportingInterval", "\"0s\""))),
        Arguments.of(
            "default updated with logSeverityScreen",
            update(
                withWireguard,
                felix("default").wireguard(true).spec("logSeverityScreen", "\"Info\""))),
        Arguments.of(
            "node.<name> created with defaultEndpointToHostAction Return (etcd datastore)",
            create(felix("node.worker1").spec("defaultEndpointToHostAction", "\"Return\""))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("startUp")
  void calicoNodesStartUpWritesAreNotSent(String sentence, Felix.Req req) throws Exception {
    assertThat(sent(req)).isFalse();
  }

  @Test
  void deletesAndWireGuardWritesAreSent() throws Exception {
    Felix on = felix("default").wireguard(true);
    assertThat(sent(Felix.delete(felix("default").spec("logSeverityScreen", "\"Info\"")))).isTrue();
    assertThat(sent(update(on, felix("default").wireguard(false)))).isTrue();
    assertThat(sent(update(on, felix("default")))).as("the field removed").isTrue();
    assertThat(
            sent(
                update(
                    on,
                    felix("default")
                        .wireguard(true)
                        .annotation("config.projectcalico.org/WireguardEnabled", "false"))))
        .isTrue();
    assertThat(sent(update(on, felix("default").wireguard(true).override("CHG-1")))).isTrue();
    assertThat(
            sent(
                update(
                    felix("zone-b").selector("zone == 'b'").wireguard(true),
                    felix("zone-b").selector("zone == 'c'").wireguard(true))))
        .as("a selector narrowed")
        .isTrue();
  }
}
