package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The jar's dispatch: which arguments run an offline command, which start the service. */
class CliTest {

  static Arguments c(String sentence, String args, Integer exit, String firstOutLine) {
    return Arguments.of(sentence, args, exit, firstOutLine);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c("no arguments start the service", "", null, null),
        c("serve starts the service", "serve", null, null),
        c("a system property first starts the service", "-Dquarkus.http.port=9443", null, null),
        c("help prints the commands", "help", 0, "Usage: java -jar quarkus-run.jar [COMMAND]"),
        c("--help prints the commands", "--help", 0, "Usage: java -jar quarkus-run.jar [COMMAND]"),
        c(
            "review --help prints review's options",
            "review --help",
            0,
            "Usage: java -jar quarkus-run.jar review [-h] [--dry-run] [--v3] [--cluster=FILE]"
                + " [--new=FILE]"),
        c(
            "audit --help prints audit's options",
            "audit --help",
            0,
            "Usage: java -jar quarkus-run.jar audit [-h] [-o=FORMAT] [--previous=FILE]"
                + " [--set=NAME=VALUE]..."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dispatch(String sentence, String args, Integer exit, String firstOutLine) {
    CliRun run = CliRun.run(args.isEmpty() ? new String[0] : args.split(" "));

    if (exit == null) {
      assertThat(run.exit()).isEmpty();
      assertThat(run.out()).isEmpty();
    } else {
      assertThat(run.code()).isEqualTo(exit);
      assertThat(run.outLines()).first().isEqualTo(firstOutLine);
    }
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageLines")
  void usageNamesEveryCommand(String sentence, String line) {
    assertThat(Cli.USAGE.lines().toList()).contains(line);
  }

  static Stream<Arguments> usageLines() {
    return Stream.of(
        Arguments.of(
            "the usage names review with files",
            "  review FILE...      judge AdmissionReview files as the webhook would, offline"),
        Arguments.of("the usage names review with a pair", "  review --old FILE --new FILE"),
        Arguments.of(
            "the usage names audit", "  audit [FILE|-]      check a cluster dump (kubectl get"),
        Arguments.of(
            "the usage says how to get a command's options",
            "Run 'java -jar quarkus-run.jar COMMAND --help' for a command's options."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknown")
  void anUnknownCommandIsBadUsage(String sentence, String command) {
    CliRun run = CliRun.run(command);

    assertThat(run.code()).isEqualTo(Cli.EXIT_BAD_INPUT);
    assertThat(run.errLines()).first().isEqualTo("wgguard: unknown command '" + command + "'");
    assertThat(run.errLines()).containsAll(List.of(Cli.USAGE.split("\n")));
  }

  static Stream<Arguments> unknown() {
    return Stream.of(
        Arguments.of("a misspelt command", "adit"),
        Arguments.of("an option before any command", "--output"));
  }
}
