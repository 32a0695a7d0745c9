package io.wgguard.felix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FelixGroupTest {

  @Test
  void eachGroupReadsItsApiVersionsCrdFirst() {
    assertThat(FelixGroup.AUTO.apiVersions())
        .containsExactly("crd.projectcalico.org/v1", "projectcalico.org/v3");
    assertThat(FelixGroup.CRD.apiVersions()).containsExactly("crd.projectcalico.org/v1");
    assertThat(FelixGroup.V3.apiVersions()).containsExactly("projectcalico.org/v3");
  }

  @Test
  void theSettingsSpellingRoundTrips() {
    assertThat(Stream.of(FelixGroup.values()).map(g -> FelixGroup.fromWire(" " + g.wire() + " ")))
        .containsExactly(FelixGroup.values());
    assertThat(Stream.of(FelixGroup.values()).map(FelixGroup::wire).toList())
        .isEqualTo(List.of("auto", "crd.projectcalico.org", "projectcalico.org"));
  }

  @Test
  void anotherGroupIsRefusedNamingTheChoices() {
    assertThatThrownBy(() -> new FelixGroup.Converter().convert("projectcalico.org/v3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'projectcalico.org/v3' is not a FelixConfiguration API group; use auto,"
                + " crd.projectcalico.org or projectcalico.org");
  }
}
