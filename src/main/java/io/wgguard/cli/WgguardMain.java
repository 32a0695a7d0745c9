package io.wgguard.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.OptionalInt;

/**
 * The one jar's entry point. Without a command, or with {@code serve}, it runs the service
 * (admission webhooks, checker, health). Offline commands ({@code review}, {@code audit}) run
 * without starting Quarkus, so they are quick and need no cluster.
 */
@QuarkusMain
public final class WgguardMain {

  private WgguardMain() {}

  public static void main(String... args) {
    OptionalInt exit = Cli.run(args, System.out, System.err);
    if (exit.isPresent()) {
      System.exit(exit.getAsInt());
    }
    String[] serviceArgs = args;
    if (args.length > 0 && "serve".equals(args[0])) {
      serviceArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
    }
    Quarkus.run(serviceArgs);
  }
}
