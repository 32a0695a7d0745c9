package io.wgguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request reader: the tree it builds is Jackson's, less {@code managedFields}. */
class AdmissionReviewsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> reviews() throws IOException {
    return Stream.concat(
            Files.list(Path.of("src/test/resources/reviews")),
            Files.list(Path.of("src/test/resources/bench")))
        .sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reviews")
  void everyFixtureReadsAsJacksonReadsItWithoutManagedFields(Path review) throws IOException {
    byte[] body = Files.readAllBytes(review);
    JsonNode expected = JSON.readTree(body);
    withoutManagedFields(expected);

    assertThat(AdmissionReviews.readTree(body)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"a\":1,\"a\":2}",
        "{\"n\":[1,-2,3000000000,123456789012345678901234567890,1.5,-2e-3,true,false,null,\"s\"]}",
        "{\"metadata\":{\"managedFields\":[{\"manager\":\"x\",\"fieldsV1\":{\"f:spec\":{}}}],\"name\":\"n\"}}",
        "[]",
        "\"text\"",
        "{\"nested\":{\"deeper\":{\"managedFields\":{}}},\"managedFields\":null}"
      })
  void valuesKeepTheirTypesAndARepeatedNameKeepsTheLastValue(String json) throws IOException {
    JsonNode expected = JSON.readTree(json);
    withoutManagedFields(expected);

    assertThat(AdmissionReviews.readTree(json.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }

  static void withoutManagedFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("managedFields");
    }
    node.forEach(AdmissionReviewsTest::withoutManagedFields);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\":",
        "{\"a\":[1,2",
        "{\"a\":1}}",
        "{\"a\":1} {\"b\":2}",
        "{\"a\":1} trailing",
        "{a:1}",
        "[1,]"
      })
  void malformedOrTrailingContentIsAJsonError(String json) {
    assertThatThrownBy(() -> AdmissionReviews.readTree(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonProcessingException.class);
  }
}
