package io.wgguard.felix;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code projectcalico.org/metadata} annotation of a {@code crd.projectcalico.org/v1} object,
 * decoded as Calico decodes it: Go's {@code encoding/json} into a Kubernetes {@code ObjectMeta}
 * ({@code libcalico-go/lib/backend/k8s/resources/resources.go} {@code
 * ConvertK8sResourceToCalicoResource}).
 *
 * <ul>
 *   <li>Member names match the fields without regard to case ({@code "Annotations"}, {@code
 *       "LABELS"}), as {@code encoding/json} does when no name matches exactly ({@link
 *       GoText#jsonNameEquals}); other members are ignored.
 *   <li>A repeated {@code labels} or {@code annotations} object is merged into the first ({@code
 *       encoding/json} reuses a map it has), a repeated scalar replaces.
 *   <li>A value of the wrong type ({@code "generation": "1"}, a number for a string, a timestamp
 *       that is not RFC 3339) fails the whole decoding, and so does JSON that is not valid or has
 *       anything after its value. Calico then fails the conversion: Felix never sees the object.
 *   <li>A non-zero {@code creationTimestamp} replaces the object's own, so it is the time Felix
 *       orders selector-scoped objects by ({@code felix/calc/config_batcher.go}).
 * </ul>
 *
 * @param labels the labels it holds (they replace the object's labels of the same key)
 * @param annotations the annotations it holds (they replace the object's of the same key)
 * @param created its non-zero {@code creationTimestamp}, else null
 * @param error why Go cannot decode it, empty when it can
 */
public record GoObjectMeta(
    Map<String, String> labels, Map<String, String> annotations, Instant created, String error) {

  public GoObjectMeta {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  // encoding/json's own nesting limit (maxNestingDepth in encoding/json/scanner.go).
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).build())
          .build();

  private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  // time.Parse(time.RFC3339, ...): the hour may have one digit (Go's layout parser reads "15"
  // leniently), fractional seconds after '.' or ',', 'T' and 'Z' upper-case only.
  private static final Pattern RFC3339 =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{1,2}):(\\d{2}):(\\d{2})(?:[.,](\\d+))?(Z|([+-])(\\d{2}):(\\d{2}))");

  /** ObjectMeta's members, as {@code k8s.io/apimachinery/pkg/apis/meta/v1} names them. */
  private enum Field {
    NAME("name", Type.STRING),
    GENERATE_NAME("generateName", Type.STRING),
    NAMESPACE("namespace", Type.STRING),
    SELF_LINK("selfLink", Type.STRING),
    UID("uid", Type.STRING),
    RESOURCE_VERSION("resourceVersion", Type.STRING),
    GENERATION("generation", Type.INT64),
    CREATION_TIMESTAMP("creationTimestamp", Type.TIME),
    DELETION_TIMESTAMP("deletionTimestamp", Type.TIME),
    DELETION_GRACE_PERIOD_SECONDS("deletionGracePeriodSeconds", Type.INT64),
    LABELS("labels", Type.STRING_MAP),
    ANNOTATIONS("annotations", Type.STRING_MAP),
    OWNER_REFERENCES("ownerReferences", Type.OWNER_REFERENCES),
    FINALIZERS("finalizers", Type.STRING_LIST),
    MANAGED_FIELDS("managedFields", Type.MANAGED_FIELDS);

    final String json;
    final Type type;

    Field(String json, Type type) {
      this.json = json;
      this.type = type;
    }

    static Field of(String name) {
      for (Field field : values()) {
        if (field.json.equals(name)) {
          return field;
        }
      }
      for (Field field : values()) {
        if (GoText.jsonNameEquals(name, field.json)) {
          return field;
        }
      }
      return null;
    }
  }

  private enum Type {
    STRING,
    INT64,
    BOOL,
    TIME,
    STRING_MAP,
    STRING_LIST,
    OWNER_REFERENCES,
    MANAGED_FIELDS,
    ANY
  }

  /** Go's complaint, as a sentence fragment. */
  private static final class Undecodable extends Exception {
    private static final long serialVersionUID = 1L;

    Undecodable(String message) {
      super(message, null, false, false);
    }
  }

  /** Decodes the annotation's text. */
  public static GoObjectMeta decode(String text) {
    Map<String, String> labels = new HashMap<>();
    Map<String, String> annotations = new HashMap<>();
    Instant[] created = new Instant[1];
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new Undecodable("no JSON value");
      }
      if (first == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          Field field = Field.of(parser.currentName());
          parser.nextToken();
          if (field == null) {
            parser.skipChildren();
          } else if (field == Field.LABELS) {
            stringMap(parser, "labels", labels);
          } else if (field == Field.ANNOTATIONS) {
            stringMap(parser, "annotations", annotations);
          } else if (field == Field.CREATION_TIMESTAMP) {
            created[0] = time(parser, field.json);
          } else {
            value(parser, field.type, field.json);
          }
        }
      } else if (first != JsonToken.VALUE_NULL) {
        throw new Undecodable("a JSON " + kind(first) + ", not an object");
      }
      if (parser.nextToken() != null) {
        throw new Undecodable("data after the JSON value");
      }
    } catch (Undecodable e) {
      return new GoObjectMeta(Map.of(), Map.of(), null, e.getMessage());
    } catch (IOException e) {
      return new GoObjectMeta(Map.of(), Map.of(), null, "not valid JSON");
    }
    Instant at = created[0] == null || created[0].equals(GO_ZERO_TIME) ? null : created[0];
    return new GoObjectMeta(labels, annotations, at, "");
  }

  private static void value(JsonParser parser, Type type, String path)
      throws IOException, Undecodable {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return; // encoding/json leaves the field as it was
    }
    switch (type) {
      case STRING -> expect(token, JsonToken.VALUE_STRING, path, "string");
      case BOOL -> {
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
          throw mismatch(token, path, "bool");
        }
      }
      case INT64 -> {
        // strconv.ParseInt on the literal: no fraction, no exponent, within int64.
        if (token != JsonToken.VALUE_NUMBER_INT
            || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw mismatch(token, path, "int64");
        }
      }
      case TIME -> time(parser, path);
      case STRING_MAP -> stringMap(parser, path, new HashMap<>());
      case STRING_LIST -> {
        expect(token, JsonToken.START_ARRAY, path, "[]string");
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          value(parser, Type.STRING, path + "[]");
        }
      }
      case OWNER_REFERENCES, MANAGED_FIELDS -> {
        expect(token, JsonToken.START_ARRAY, path, "[]object");
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          if (parser.currentToken() == JsonToken.VALUE_NULL) {
            continue;
          }
          expect(parser.currentToken(), JsonToken.START_OBJECT, path + "[]", "object");
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            value(parser, member(type, name), path + "[]." + name);
          }
        }
      }
      case ANY -> parser.skipChildren();
    }
  }

  /** The type of a member of an owner reference or a managed-fields entry; ANY when ignored. */
  private static Type member(Type of, String name) {
    String[][] members =
        of == Type.OWNER_REFERENCES
            ? new String[][] {
              {"apiVersion", "STRING"},
              {"kind", "STRING"},
              {"name", "STRING"},
              {"uid", "STRING"},
              {"controller", "BOOL"},
              {"blockOwnerDeletion", "BOOL"}
            }
            : new String[][] {
              {"manager", "STRING"},
              {"operation", "STRING"},
              {"apiVersion", "STRING"},
              {"time", "TIME"},
              {"fieldsType", "STRING"},
              {"fieldsV1", "ANY"},
              {"subresource", "STRING"}
            };
    for (String[] member : members) {
      if (member[0].equals(name)) {
        return Type.valueOf(member[1]);
      }
    }
    for (String[] member : members) {
      if (GoText.jsonNameEquals(name, member[0])) {
        return Type.valueOf(member[1]);
      }
    }
    return Type.ANY;
  }

  private static void stringMap(JsonParser parser, String path, Map<String, String> into)
      throws IOException, Undecodable {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      into.clear(); // encoding/json sets a map to nil on null
      return;
    }
    expect(token, JsonToken.START_OBJECT, path, "map[string]string");
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        into.put(key, ""); // null into a string leaves its zero value
      } else {
        expect(value, JsonToken.VALUE_STRING, path + "[" + key + "]", "string");
        into.put(key, parser.getText());
      }
    }
  }

  /** metav1.Time.UnmarshalJSON: null is the zero time, else an RFC 3339 string. */
  private static Instant time(JsonParser parser, String path) throws IOException, Undecodable {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(token, JsonToken.VALUE_STRING, path, "string");
    Instant at = rfc3339(parser.getText());
    if (at == null) {
      throw new Undecodable(
          "%s \"%s\" is not an RFC 3339 time"
              .formatted(path, io.wgguard.Messages.clip(parser.getText())));
    }
    return at;
  }

  /** Go's {@code time.Parse(time.RFC3339, text)}, or null where Go returns an error. */
  static Instant rfc3339(String text) {
    Matcher m = RFC3339.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int year = Integer.parseInt(m.group(1));
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    int hour = Integer.parseInt(m.group(4));
    int minute = Integer.parseInt(m.group(5));
    int second = Integer.parseInt(m.group(6));
    if (month < 1
        || month > 12
        || day < 1
        || day > YearMonth.of(year, month).lengthOfMonth()
        || hour > 23
        || minute > 59
        || second > 59) {
      return null;
    }
    long offset = 0;
    if (m.group(9) != null) {
      int zoneHour = Integer.parseInt(m.group(10));
      int zoneMinute = Integer.parseInt(m.group(11));
      if (zoneHour > 24 || zoneMinute > 60) {
        return null;
      }
      offset = (zoneHour * 3600L + zoneMinute * 60L) * (m.group(9).equals("-") ? -1 : 1);
    }
    long nanos = 0;
    if (m.group(7) != null) {
      String fraction = (m.group(7) + "000000000").substring(0, 9);
      nanos = Long.parseLong(fraction);
    }
    long seconds =
        LocalDate.of(year, month, day).toEpochDay() * 86_400
            + hour * 3_600L
            + minute * 60L
            + second
            - offset;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static void expect(JsonToken token, JsonToken wanted, String path, String type)
      throws Undecodable {
    if (token != wanted) {
      throw mismatch(token, path, type);
    }
  }

  private static Undecodable mismatch(JsonToken token, String path, String type) {
    // encoding/json: "cannot unmarshal string into Go struct field ObjectMeta.generation of type
    // int64"
    return new Undecodable(
        "cannot unmarshal a JSON %s into %s of type %s".formatted(kind(token), path, type));
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case START_ARRAY -> "array";
      case START_OBJECT -> "object";
      default -> "value";
    };
  }
}
