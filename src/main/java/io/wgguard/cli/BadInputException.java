package io.wgguard.cli;

/**
 * Input an offline command cannot use: a missing or unreadable file, text that is not YAML or JSON,
 * objects of the wrong shape, a bad setting. The message is the plain reason, naming the file; the
 * command prints it and exits with {@link Cli#EXIT_BAD_INPUT}.
 */
public final class BadInputException extends Exception {

  public BadInputException(String reason) {
    super(reason, null, false, false);
  }
}
