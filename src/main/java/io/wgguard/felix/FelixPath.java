package io.wgguard.felix;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Messages;
import io.wgguard.Names;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one FelixConfiguration asserts about how Felix steers traffic into WireGuard: the routing
 * rule's priority and the route tables Felix may use. Read like the guarded fields: an annotation
 * {@code config.projectcalico.org/<Param>} (name without regard to case) over the spec field; an
 * absent field inherits. Facts from projectcalico/calico:
 *
 * <ul>
 *   <li>{@code wireguardRoutingRulePriority}, default 99, one value for both families ({@code
 *       felix/config/config_params.go}: there is no V6 variant). The v3 API refuses values outside
 *       1..32765; the v1 CRD takes any integer.
 *   <li>{@code routeTableRanges} (list of {@code {min, max}}) outranks the deprecated {@code
 *       routeTableRange}; with neither, 1-250 ({@code RouteTableIndices} in {@code
 *       felix/config/config_params.go}). Tables 253-255 are never allocated; the IPv4 WireGuard
 *       table is allocated first and the IPv6 one second, and a family left without a table has
 *       WireGuard turned off ({@code felix/dataplane/driver.go}).
 * </ul>
 *
 * @param name {@code metadata.name}
 * @param rulePriority the priority asserted, null when the object asserts none
 * @param rulePrioritySource the field path it comes from, empty when none
 * @param tableRanges {@code routeTableRanges} asserted, null when none
 * @param tableRangesSource its field path, empty when none
 * @param tableRange {@code routeTableRange} asserted, null when none
 * @param tableRangeSource its field path, empty when none
 * @param problems values Felix cannot read, each a sentence with its field path
 */
public record FelixPath(
    String name,
    Long rulePriority,
    String rulePrioritySource,
    List<Range> tableRanges,
    String tableRangesSource,
    Range tableRange,
    String tableRangeSource,
    List<String> problems) {

  /** Felix's default {@code wireguardRoutingRulePriority}. */
  public static final long DEFAULT_RULE_PRIORITY = 99;

  /**
   * Felix's default route table range, 1-250 ({@code libcalico-go/lib/clientv3/felixconfig.go}).
   */
  public static final Range DEFAULT_TABLES = new Range(1, 250);

  /** Route tables Felix never allocates: the kernel's default, main and local tables. */
  public static final Range RESERVED_TABLES = new Range(253, 255);

  private static final String PRIORITY_PARAM = "WireguardRoutingRulePriority";
  private static final String RANGES_PARAM = "RouteTableRanges";
  private static final String RANGE_PARAM = "RouteTableRange";
  private static final Pattern RANGE_TEXT = Pattern.compile("(\\d+)-(\\d+)");

  public FelixPath {
    tableRanges = tableRanges == null ? null : List.copyOf(tableRanges);
    problems = List.copyOf(problems);
  }

  /**
   * An inclusive range of route table indices.
   *
   * @param min the first index
   * @param max the last index
   */
  public record Range(long min, long max) {

    @Override
    public String toString() {
      return min + "-" + max;
    }
  }

  /**
   * The same assertions and the same unreadable values, for deciding whether a write touches these
   * fields.
   */
  public boolean assertsSame(FelixPath other) {
    return other != null
        && Objects.equals(rulePriority, other.rulePriority)
        && Objects.equals(tableRanges, other.tableRanges)
        && Objects.equals(tableRange, other.tableRange)
        && problems.equals(other.problems);
  }

  /** What a FelixConfiguration (either API group) asserts. */
  public static FelixPath read(JsonNode object) {
    String name = object.path("metadata").path("name").asText("");
    Map<String, String> annotations = annotations(object);
    JsonNode spec = object.path("spec");
    List<String> problems = new ArrayList<>();

    Long priority = null;
    String prioritySource = "";
    String annotation = find(annotations, PRIORITY_PARAM);
    if (annotation != null) {
      prioritySource = path(annotation);
      try {
        priority = Long.parseLong(annotations.get(annotation).strip());
      } catch (NumberFormatException e) {
        problems.add(
            "%s has value '%s', which Felix does not read as an integer"
                .formatted(prioritySource, Messages.clip(annotations.get(annotation))));
        prioritySource = "";
      }
    } else if (spec.has("wireguardRoutingRulePriority")) {
      JsonNode value = spec.get("wireguardRoutingRulePriority");
      prioritySource = "spec.wireguardRoutingRulePriority";
      if (value.isIntegralNumber()) {
        priority = value.asLong();
      } else {
        problems.add(
            "%s has value %s, not an integer"
                .formatted(prioritySource, Messages.clip(value.toString())));
        prioritySource = "";
      }
    }

    List<Range> ranges = null;
    String rangesSource = "";
    annotation = find(annotations, RANGES_PARAM);
    if (annotation != null) {
      rangesSource = path(annotation);
      ranges = textRanges(annotations.get(annotation), rangesSource, problems);
      if (ranges == null) {
        rangesSource = "";
      }
    } else if (spec.path("routeTableRanges").isArray()) {
      rangesSource = "spec.routeTableRanges";
      ranges = new ArrayList<>();
      int i = 0;
      for (JsonNode item : spec.get("routeTableRanges")) {
        Range range = objectRange(item, rangesSource + "[" + i++ + "]", problems);
        if (range == null) {
          ranges = null;
          rangesSource = "";
          break;
        }
        ranges.add(range);
      }
    }

    Range range = null;
    String rangeSource = "";
    annotation = find(annotations, RANGE_PARAM);
    if (annotation != null) {
      rangeSource = path(annotation);
      List<Range> parsed = textRanges(annotations.get(annotation), rangeSource, problems);
      if (parsed != null && parsed.size() == 1) {
        range = parsed.get(0);
      } else {
        rangeSource = "";
      }
    } else if (spec.has("routeTableRange")) {
      rangeSource = "spec.routeTableRange";
      range = objectRange(spec.get("routeTableRange"), rangeSource, problems);
      if (range == null) {
        rangeSource = "";
      }
    }
    return new FelixPath(
        name, priority, prioritySource, ranges, rangesSource, range, rangeSource, problems);
  }

  private static Range objectRange(JsonNode item, String path, List<String> problems) {
    JsonNode min = item.path("min");
    JsonNode max = item.path("max");
    if (!min.isIntegralNumber() || !max.isIntegralNumber() || min.asLong() > max.asLong()) {
      problems.add("%s is not a range {min, max} with min <= max".formatted(path));
      return null;
    }
    return new Range(min.asLong(), max.asLong());
  }

  private static List<Range> textRanges(String text, String path, List<String> problems) {
    List<Range> ranges = new ArrayList<>();
    Matcher m = RANGE_TEXT.matcher(text == null ? "" : text);
    while (m.find()) {
      try {
        long min = Long.parseLong(m.group(1));
        long max = Long.parseLong(m.group(2));
        if (min <= max) {
          ranges.add(new Range(min, max));
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      ranges.clear();
      break;
    }
    if (ranges.isEmpty()) {
      problems.add(
          "%s has value '%s', which Felix does not read as route table ranges (n-m)"
              .formatted(path, Messages.clip(text)));
      return null;
    }
    return ranges;
  }

  private static String find(Map<String, String> annotations, String param) {
    String wanted = (Names.FELIX_CONFIG_ANNOTATION_PREFIX + param).toLowerCase(Locale.ROOT);
    for (String key : annotations.keySet()) {
      if (key.toLowerCase(Locale.ROOT).equals(wanted)) {
        return key;
      }
    }
    return null;
  }

  private static String path(String annotation) {
    return "metadata.annotations[" + annotation + "]";
  }

  private static Map<String, String> annotations(JsonNode object) {
    Map<String, String> annotations = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields =
        object.path("metadata").path("annotations").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      annotations.put(e.getKey(), e.getValue().asText());
    }
    return annotations;
  }

  /**
   * The route tables Felix may allocate under these ranges: their union without {@link
   * #RESERVED_TABLES}, counted up to {@code cap}.
   */
  public static long tables(List<Range> ranges, long cap) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Long.compare(a.min(), b.min()));
    long count = 0;
    long next = Long.MIN_VALUE;
    for (Range r : sorted) {
      long from = Math.max(r.min(), next);
      if (from > r.max()) {
        continue;
      }
      long size = r.max() - from + 1;
      long reservedFrom = Math.max(from, RESERVED_TABLES.min());
      long reservedTo = Math.min(r.max(), RESERVED_TABLES.max());
      if (reservedFrom <= reservedTo) {
        size -= reservedTo - reservedFrom + 1;
      }
      count += size;
      next = r.max() + 1;
      if (count >= cap) {
        return cap;
      }
    }
    return count;
  }
}
