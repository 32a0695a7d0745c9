package io.wgguard.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a counter's rate by label                | sum by (webhook) (rate(wgguard_admission_requests_total{decision="denied"}[5m])) | wgguard_admission_requests_total
          a histogram's quantile, Grafana interval | histogram_quantile(0.99, sum by (le, webhook) (rate(wgguard_admission_duration_seconds_bucket[$__rate_interval]))) | wgguard_admission_duration_seconds_bucket
          a comparison with a number               | max(wgguard_posture{posture="healthy"}) == 1 | wgguard_posture
          two metrics with vector matching         | up{job="wgguard"} and on(pod) wgguard_nodes{state="ready"} | up wgguard_nodes
          a ratio ignoring a label                 | wgguard_mesh_pairs{state="healthy"} / ignoring(state) wgguard_mesh_pairs{state="expected"} | wgguard_mesh_pairs
          grouping after the aggregation, offset   | sum(increase(wgguard_taint_changes_total[1h] offset 1d)) by (action) | wgguard_taint_changes_total
          a label value that looks like a metric   | max(wgguard_tunnel_findings{reason!="peers_missing"}) | wgguard_tunnel_findings
          a bare metric                            | wgguard_mesh_coverage | wgguard_mesh_coverage
          a variable in a matcher                  | max by (posture) (wgguard_posture{pod=~"${pod}"}) > 0.5 | wgguard_posture
          """)
  void aQueryNamesTheMetricsItSelectsAndNoFunctionLabelOrKeyword(
      String what, String expression, String names) {
    assertThat(PromQl.metricNames(expression)).containsExactly(names.split(" "));
  }

  @Test
  void theExpressionsOfADashboardAreEveryExprOfItsPanelsNestedOrNot() throws Exception {
    String dashboard =
        """
        {"panels": [
          {"type": "row", "panels": [{"targets": [{"expr": "a_total"}]}]},
          {"targets": [{"expr": "b"}, {"expr": "c"}], "title": "expr"}
        ]}
        """;

    assertThat(PromQl.expressions(new ObjectMapper().readTree(dashboard)))
        .containsExactly("a_total", "b", "c");
  }

  @Test
  void theSamplesOfAnExpositionAreTheNamesOfItsValueLines() {
    String exposition =
        """
        # HELP wgguard_nodes Nodes by WireGuard readiness state
        # TYPE wgguard_nodes gauge
        wgguard_nodes{state="ready"} 3.0
        wgguard_admission_duration_seconds_bucket{le="0.001",webhook="felixconfiguration"} 1
        wgguard_mesh_coverage NaN

        # EOF
        """;

    assertThat(PromQl.sampleNames(exposition))
        .containsExactlyElementsOf(
            List.of(
                "wgguard_admission_duration_seconds_bucket",
                "wgguard_mesh_coverage",
                "wgguard_nodes"));
  }
}
