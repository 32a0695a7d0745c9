package io.wgguard.cli;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.wgguard.config.PolicyProducer;
import io.wgguard.config.WgguardConfig;
import io.wgguard.pass.PassSettings;
import io.wgguard.policy.PolicySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's configuration, for offline commands that do not start Quarkus. The same {@link
 * WgguardConfig} mapping is built with SmallRye Config, with Quarkus's converters (so {@code 24h}
 * is a duration as in the service), and mapped by the same {@link PolicyProducer} methods. Sources,
 * highest first: {@code --set NAME=VALUE}, JVM system properties ({@code -Dwgguard.x=y}),
 * environment variables ({@code WGGUARD_X}), the defaults of the mapping.
 *
 * @param config the mapped configuration
 */
record OfflineSettings(WgguardConfig config) {

  /** Prefix of every property an offline command reads. */
  static final String PREFIX = "wgguard.";

  /** Ordinal of {@code --set}: above system properties (400) and environment variables (300). */
  private static final int SET_ORDINAL = 500;

  private static final Pattern CODE = Pattern.compile("SRCFG\\d+: ");
  private static final Pattern EXCEPTION = Pattern.compile("^[\\w.$]+(Exception|Error): ");
  private static final Pattern CONVERSION =
      Pattern.compile(
          "The config property (\\S+) with the config value \"(.*)\" threw an Exception whilst"
              + " being converted (.*)",
          Pattern.DOTALL);
  private static final Pattern UNKNOWN = Pattern.compile("(\\S+) in .* does not map to any root");
  private static final Pattern ENUM_CLASS = Pattern.compile(" to enum class \\S+,");

  /**
   * Builds the configuration.
   *
   * @param assignments the {@code --set} values, each {@code NAME=VALUE}; a later one wins
   * @throws BadInputException naming the property that is unknown or has a bad value
   */
  static OfflineSettings of(List<String> assignments) throws BadInputException {
    Map<String, String> set = new LinkedHashMap<>();
    for (String assignment : assignments) {
      int equals = assignment.indexOf('=');
      if (equals <= 0) {
        throw new BadInputException(
            "--set " + assignment + ": expected NAME=VALUE, e.g. wgguard.admission.mode=warn");
      }
      String name = assignment.substring(0, equals).strip();
      if (!name.startsWith(PREFIX)) {
        throw new BadInputException(
            "--set " + name + ": only " + PREFIX + "* properties apply to offline commands");
      }
      set.put(name, assignment.substring(equals + 1));
    }
    return new OfflineSettings(config(set).getConfigMapping(WgguardConfig.class));
  }

  /**
   * The configuration with {@code set} over system properties, environment variables and the
   * mapping's defaults.
   *
   * @throws BadInputException naming the property that is unknown or has a bad value
   */
  static SmallRyeConfig config(Map<String, String> set) throws BadInputException {
    try {
      return new SmallRyeConfigBuilder()
          .addDiscoveredConverters()
          .withMapping(WgguardConfig.class)
          .withSources(new PropertiesConfigSource(set, "--set", SET_ORDINAL))
          .addSystemSources()
          .build();
    } catch (ConfigValidationException e) {
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < e.getProblemCount(); i++) {
        problems.add(plain(e.getProblem(i).getMessage()));
      }
      throw new BadInputException("bad setting: " + String.join("; ", problems));
    } catch (IllegalArgumentException | NoSuchElementException e) {
      throw new BadInputException("bad setting: " + plain(String.valueOf(e.getMessage())));
    }
  }

  /** Checks every setting as the service does at start-up ({@link PolicyProducer#validate}). */
  void validate() throws BadInputException {
    try {
      PolicyProducer.validate(config);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("bad setting: " + e.getMessage());
    }
  }

  /** The admission policy settings, mapped as the service maps them. */
  PolicySettings policy() throws BadInputException {
    try {
      return PolicyProducer.settingsOf(config);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("bad setting: " + e.getMessage());
    }
  }

  /** The checker pass settings, mapped as the service maps them. */
  PassSettings pass() throws BadInputException {
    try {
      return PolicyProducer.passSettingsOf(config);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("bad setting: " + e.getMessage());
    }
  }

  /**
   * A SmallRye Config problem without message codes and Java type names, e.g. {@code
   * wgguard.admission.mode="bogus" is not valid: Cannot convert bogus; allowed values:
   * warn,enforce}.
   */
  static String plain(String message) {
    String text = CODE.matcher(message).replaceAll("");
    text = EXCEPTION.matcher(text).replaceFirst("");
    Matcher conversion = CONVERSION.matcher(text);
    if (conversion.matches()) {
      String why = EXCEPTION.matcher(conversion.group(3)).replaceFirst("");
      why = ENUM_CLASS.matcher(why).replaceAll(";");
      return conversion.group(1) + "=\"" + conversion.group(2) + "\" is not valid: " + why;
    }
    Matcher unknown = UNKNOWN.matcher(text);
    if (unknown.matches()) {
      return unknown.group(1) + " is not a wgguard property";
    }
    return text;
  }
}
