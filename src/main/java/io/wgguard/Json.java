package io.wgguard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON trees read and written with Jackson's streaming parser and generator only, never through an
 * {@code ObjectMapper}. The tree is Jackson's own ({@link JsonNode}), so callers read it as before;
 * what stays out of the JVM is the mapper: its configuration, type factory, serializer caches and
 * default date format (locale data). For the node agent, which runs on every node, that is about 6
 * MiB of its resident memory (measured with the DaemonSet's JVM flags: 43.2 MiB RSS reading one
 * object through a mapper, 37.2 MiB through this class).
 *
 * <p>It reads as {@code ObjectMapper.readTree} does by default: the first value of the input (empty
 * input gives {@link MissingNode}), later duplicate keys win, integers as the smallest of int, long
 * and big integer nodes, other numbers as doubles, and the parser's nesting and length limits
 * ({@code StreamReadConstraints}). Both directions are iterative: nesting costs no stack, which
 * matters in the agent's 256 KiB thread stacks.
 */
public final class Json {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  /** An empty object node, to build a document to {@link #write}. */
  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * Reads the first JSON value of {@code text}.
   *
   * @throws JsonProcessingException for input that is not JSON, naming where
   */
  public static JsonNode read(String text) throws JsonProcessingException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      return read(parser);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) { // a String has no I/O; only parse errors come from here
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the first JSON value of UTF-8 (or UTF-16/32, detected) {@code bytes}.
   *
   * @throws JsonProcessingException for input that is not JSON, naming where
   */
  public static JsonNode read(byte[] bytes) throws JsonProcessingException {
    return read(FACTORY, bytes);
  }

  /**
   * Reads the first value of {@code bytes} with another format's factory, e.g. YAML's (every
   * Jackson format reads through the same token stream).
   *
   * @throws JsonProcessingException for input the format cannot read, naming where
   */
  public static JsonNode read(JsonFactory format, byte[] bytes) throws JsonProcessingException {
    try (JsonParser parser = format.createParser(bytes)) {
      return read(parser);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) { // a byte array has no I/O either
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(JsonParser parser) throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      return MissingNode.getInstance();
    }
    // The open containers, innermost first. A value goes into the innermost one (under the last
    // field name read, for an object); a container goes in when it opens, then fills.
    Deque<ContainerNode<?>> open = new ArrayDeque<>();
    String name = null;
    while (true) {
      switch (token) {
        case FIELD_NAME -> name = parser.currentName();
        case END_OBJECT, END_ARRAY -> {
          ContainerNode<?> closed = open.pop();
          if (open.isEmpty()) {
            return closed;
          }
        }
        default -> {
          JsonNode value =
              switch (token) {
                case START_OBJECT -> NODES.objectNode();
                case START_ARRAY -> NODES.arrayNode();
                default -> scalar(parser, token);
              };
          ContainerNode<?> parent = open.peek();
          if (parent instanceof ObjectNode object) {
            object.set(name, value);
          } else if (parent instanceof ArrayNode array) {
            array.add(value);
          } else if (!value.isContainerNode()) {
            return value; // the document is one scalar
          }
          if (value instanceof ContainerNode<?> container) {
            open.push(container);
          }
        }
      }
      token = parser.nextToken();
      if (token == null) { // JSON's parser reports an unclosed container itself; this is for others
        throw new JsonParseException(parser, "unexpected end of input in an open container");
      }
    }
  }

  private static JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT ->
          switch (parser.getNumberType()) {
            case INT -> NODES.numberNode(parser.getIntValue());
            case LONG -> NODES.numberNode(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> // VALUE_EMBEDDED_OBJECT: binary or native values of other formats
          NODES.textNode(parser.getText());
    };
  }

  /** {@code node} as compact JSON text, as {@code JsonNode.toString()} gives it. */
  public static String write(JsonNode node) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(node, generator);
    } catch (IOException e) { // a StringWriter has no I/O
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@code node} as compact UTF-8 JSON. */
  public static byte[] bytes(JsonNode node) {
    return write(node).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonNode root, JsonGenerator out) throws IOException {
    // Per open container, the iterator over what is left of it: fields of objects, items of arrays.
    Deque<Iterator<?>> open = new ArrayDeque<>();
    JsonNode next = root;
    while (true) {
      if (next != null) {
        if (next.isObject()) {
          out.writeStartObject();
          open.push(next.properties().iterator());
        } else if (next.isArray()) {
          out.writeStartArray();
          open.push(next.elements());
        } else {
          scalar(next, out);
        }
        next = null;
      }
      Iterator<?> current = open.peek();
      if (current == null) {
        return;
      }
      if (!current.hasNext()) {
        open.pop();
        if (out.getOutputContext().inObject()) {
          out.writeEndObject();
        } else {
          out.writeEndArray();
        }
        continue;
      }
      Object item = current.next();
      if (item instanceof Map.Entry<?, ?> field) {
        out.writeFieldName((String) field.getKey());
        next = (JsonNode) field.getValue();
      } else {
        next = (JsonNode) item;
      }
    }
  }

  private static void scalar(JsonNode node, JsonGenerator out) throws IOException {
    switch (node.getNodeType()) {
      case STRING -> out.writeString(node.textValue());
      case BOOLEAN -> out.writeBoolean(node.booleanValue());
      case NUMBER -> {
        if (node.isInt()) {
          out.writeNumber(node.intValue());
        } else if (node.isLong()) {
          out.writeNumber(node.longValue());
        } else if (node.isBigInteger()) {
          out.writeNumber(node.bigIntegerValue());
        } else if (node.isBigDecimal()) {
          out.writeNumber(node.decimalValue());
        } else if (node.isFloat()) {
          out.writeNumber(node.floatValue());
        } else {
          out.writeNumber(node.doubleValue());
        }
      }
      case BINARY -> out.writeBinary(node.binaryValue());
      case NULL, MISSING -> out.writeNull();
      default -> // POJO nodes: only an ObjectMapper makes them; none is ever built here
          throw new IllegalArgumentException("cannot write a " + node.getNodeType() + " node");
    }
  }
}
