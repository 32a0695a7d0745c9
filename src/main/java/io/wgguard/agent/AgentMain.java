package io.wgguard.agent;

/**
 * The node agent's own entry point: {@code java -cp <app and library jars>
 * io.wgguard.agent.AgentMain}. Started this way, the JVM loads only what the agent uses (the JDK's
 * HTTP client, Jackson, SmallRye Config), not Quarkus' launcher and runtime, which is what keeps an
 * agent on every node small; see {@code bench/agent.sh}.
 */
public final class AgentMain {

  private AgentMain() {}

  public static void main(String[] args) {
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "agent";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    System.exit(AgentCommand.run(withCommand, System.out, System.err));
  }
}
