package io.wgguard.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every offline command takes: service settings and help. */
final class CommonOptions {

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description =
          "a wgguard.* property of the service, e.g. wgguard.override.groups=approvers or"
              + " wgguard.checker.brake-fraction=1 (repeatable)")
  List<String> set = new ArrayList<>();

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "show this help")
  boolean help;

  /**
   * The settings: {@code --set}, then system properties and environment variables, then defaults.
   */
  OfflineSettings settings() throws BadInputException {
    return OfflineSettings.of(set);
  }
}
