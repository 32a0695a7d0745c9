package io.wgguard.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Json;
import io.wgguard.Messages;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what iproute2 prints with {@code -j} (JSON): links, policy routing rules and routes. Pure:
 * text in, records out; errors name the command's part that is wrong, never quote more than a
 * clipped value.
 */
public final class IpJson {

  private IpJson() {}

  /**
   * A link of {@code ip -j link show dev <name>}.
   *
   * @param name {@code ifname}
   * @param up {@code UP} is among its flags (administratively up)
   * @param mtu its MTU
   */
  public record Link(String name, boolean up, int mtu) {}

  /**
   * A rule of {@code ip -j rule show}.
   *
   * @param priority its priority
   * @param not the rule is inverted ({@code not})
   * @param fwmark the mark it matches, 0 when it matches none
   * @param fwmask the mask of that match, 0xffffffff when {@code ip} prints none
   * @param table the table it looks up: a number, {@code main}, {@code local}, {@code default}, or
   *     empty for a rule of another action
   */
  public record Rule(int priority, boolean not, long fwmark, long fwmask, String table) {}

  /**
   * A route of {@code ip -j route show table <n>}.
   *
   * @param type {@code unicast} (also when {@code ip} prints no type), {@code throw}, ...
   * @param dst its destination
   * @param dev the device it leaves by, empty when none
   */
  public record Route(String type, Cidr dst, String dev) {}

  /**
   * The one link {@code ip -j link show dev <name>} printed.
   *
   * @throws IllegalArgumentException when the output is not one link with a name and an MTU
   */
  public static Link link(String json) {
    JsonNode root = array(json, "ip link");
    if (root.size() != 1) {
      throw new IllegalArgumentException(
          "ip link printed %d links, expected 1".formatted(root.size()));
    }
    JsonNode link = root.get(0);
    if (!link.path("ifname").isTextual() || !link.path("mtu").canConvertToInt()) {
      throw new IllegalArgumentException("ip link printed a link without ifname or mtu");
    }
    boolean up = false;
    for (JsonNode flag : link.path("flags")) {
      up |= "UP".equals(flag.asText());
    }
    return new Link(link.get("ifname").asText(), up, link.get("mtu").asInt());
  }

  /** The rules {@code ip -j rule show} printed, in its order. */
  public static List<Rule> rules(String json) {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode rule : array(json, "ip rule")) {
      if (!rule.path("priority").canConvertToInt()) {
        throw new IllegalArgumentException("ip rule printed a rule without priority");
      }
      long mark = rule.has("fwmark") ? mark(rule.get("fwmark").asText(), "fwmark") : 0;
      long mask = rule.has("fwmask") ? mark(rule.get("fwmask").asText(), "fwmask") : 0xffffffffL;
      rules.add(
          new Rule(
              rule.get("priority").asInt(),
              rule.has("not"),
              mark,
              mask,
              rule.path("table").asText("")));
    }
    return rules;
  }

  /** The routes {@code ip -j route show table <n>} printed, in its order. */
  public static List<Route> routes(String json, IpFamily family) {
    List<Route> routes = new ArrayList<>();
    for (JsonNode route : array(json, "ip route")) {
      String dst = route.path("dst").asText("");
      Cidr cidr;
      if (dst.equals("default")) {
        cidr = Cidr.parse(family == IpFamily.V4 ? "0.0.0.0/0" : "::/0");
      } else {
        try {
          cidr = Cidr.parse(dst);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "ip route printed a destination that " + e.getMessage());
        }
      }
      routes.add(
          new Route(route.path("type").asText("unicast"), cidr, route.path("dev").asText("")));
    }
    return routes;
  }

  /** The device of the route {@code ip -j route get <address>} printed, empty when none. */
  public static String routeDevice(String json) {
    JsonNode root = array(json, "ip route get");
    return root.isEmpty() ? "" : root.get(0).path("dev").asText("");
  }

  private static long mark(String text, String field) {
    try {
      long value =
          text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
      if (value < 0 || value > 0xffffffffL) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "ip rule printed %s '%s', not a 32-bit mark".formatted(field, Messages.clip(text)));
    }
  }

  private static JsonNode array(String json, String command) {
    JsonNode root;
    try {
      root = Json.read(json.isBlank() ? "[]" : json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(command + " -j printed something that is not JSON");
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(command + " -j printed no JSON array");
    }
    return root;
  }
}
