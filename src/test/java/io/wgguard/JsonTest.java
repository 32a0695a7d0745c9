package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Json} reads and writes exactly as an {@code ObjectMapper} with default settings does, on
 * every JSON file of the repository and on the corner cases below; the mapper is the reference.
 */
class JsonTest {

  static final ObjectMapper MAPPER = new ObjectMapper();

  static Stream<Arguments> documents() throws IOException {
    Stream<Arguments> cases =
        Stream.of(
            Arguments.of("an empty object", "{}"),
            Arguments.of("an empty array", "[]"),
            Arguments.of("a bare string", "\"wireguard.cali\""),
            Arguments.of("a bare number", "42"),
            Arguments.of("a bare true", "true"),
            Arguments.of("a bare null", "null"),
            Arguments.of(
                "nested objects and arrays", "{\"a\":[1,[2,{\"b\":[]}],{}],\"c\":{\"d\":{}}}"),
            Arguments.of(
                "an object after a nested one", "{\"a\":{\"b\":1},\"c\":2,\"d\":[{\"e\":3}]}"),
            Arguments.of("every scalar", "[\"s\",0,-1,2.5,-0.0,1e300,true,false,null]"),
            Arguments.of(
                "integers of every width",
                "[2147483647,2147483648,-9223372036854775808,"
                    + "9223372036854775808,123456789012345678901234567890]"),
            Arguments.of("escapes and unicode", "{\"k\\\"\\\\\":\"\\u00e9\\n\\t\\u2028 ✓ 😀\"}"),
            Arguments.of("a later duplicate key wins", "{\"a\":1,\"a\":{\"b\":2}}"),
            Arguments.of("trailing content is ignored, as the mapper does", "{\"a\":1} {\"b\":2}"),
            Arguments.of("white space around", "\n\t {\"a\" : [ 1 , 2 ] }  \n"),
            Arguments.of("deep nesting", "[".repeat(500) + "]".repeat(500)),
            Arguments.of("deep objects", "{\"a\":".repeat(300) + "1" + "}".repeat(300)));
    List<Path> files;
    try (Stream<Path> walk =
        Stream.concat(Files.walk(Path.of("src/test/resources")), Files.walk(Path.of("examples")))) {
      files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(10); // the walk found the corpus
    return Stream.concat(
        cases,
        files.stream()
            .map(
                p -> {
                  try {
                    return Arguments.of(p.toString(), Files.readString(p));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void readsAsTheMapperDoes(String what, String text) throws IOException {
    JsonNode expected = MAPPER.readTree(text);
    assertThat(Json.read(text)).isEqualTo(expected);
    assertThat(Json.read(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void writesAsTheMapperDoes(String what, String text) throws IOException {
    JsonNode tree = MAPPER.readTree(text);
    assertThat(Json.write(tree)).isEqualTo(MAPPER.writeValueAsString(tree));
    assertThat(Json.read(Json.write(tree))).isEqualTo(tree);
  }

  static Stream<Arguments> notJson() {
    return Stream.of(
        Arguments.of("a truncated object", "{\"a\":[1,2"),
        Arguments.of("a truncated string", "{\"a\":\"wire"),
        Arguments.of("a trailing comma", "{\"a\":1,}"),
        Arguments.of("a bare word", "wireguard"),
        Arguments.of("a single quote", "{'a':1}"),
        Arguments.of("a missing colon", "{\"a\" 1}"),
        Arguments.of("a closing bracket for a brace", "{\"a\":1]"),
        Arguments.of("a control character in a string", "\"a\u0001b\""),
        Arguments.of("nesting past the parser's limit", "[".repeat(1_001) + "]".repeat(1_001)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notJson")
  void refusesWhatTheMapperRefuses(String what, String text) {
    assertThatThrownBy(() -> MAPPER.readTree(text)).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> Json.read(text)).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> Json.read(text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void emptyInputIsTheMissingNodeAsForTheMapper() throws IOException {
    assertThat(MAPPER.readTree("")).isEqualTo(MissingNode.getInstance());
    assertThat(Json.read("")).isEqualTo(MissingNode.getInstance());
    assertThat(Json.read("   \n")).isEqualTo(MissingNode.getInstance());
    assertThat(Json.read(new byte[0])).isEqualTo(MissingNode.getInstance());
  }

  @Test
  void readsYamlThroughItsFactoryAsTheYamlMapperDoes() throws IOException {
    String kubeconfig =
        """
        apiVersion: v1
        current-context: admin
        clusters:
        - name: local
          cluster:
            server: https://127.0.0.1:6443
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user: {token: "abc"}
        port: 6443
        """;
    byte[] bytes = kubeconfig.getBytes(StandardCharsets.UTF_8);
    JsonNode expected = new ObjectMapper(new YAMLFactory()).readTree(bytes);
    assertThat(Json.read(new YAMLFactory(), bytes)).isEqualTo(expected);
    assertThat(expected.path("users").path(0).path("user").path("token").asText()).isEqualTo("abc");
  }

  @Test
  void writesWhatItBuilds() {
    ObjectNode root = Json.object();
    root.putObject("metadata").putObject("annotations").put("wgguard.io/tunnels", "{\"v\":1}");
    root.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("n", 3L);
    assertThat(Json.write(root))
        .isEqualTo(
            "{\"metadata\":{\"annotations\":{\"wgguard.io/tunnels\":\"{\\\"v\\\":1}\"}},"
                + "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"n\":3}]}}");
    assertThat(new String(Json.bytes(root), StandardCharsets.UTF_8)).isEqualTo(Json.write(root));
  }
}
