package io.wgguard.admission;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Messages;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import io.wgguard.policy.Decision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes AdmissionReview requests and encodes responses: the one place that knows the wire format
 * of {@code admission.k8s.io/v1}.
 */
public final class AdmissionReviews {

  /** The only AdmissionReview version wgguard speaks; registrations must ask for it. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  private static final String KIND = "AdmissionReview";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // Deeply nested garbage must fail as bad input, not as a StackOverflowError.
    JSON.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
  }

  private AdmissionReviews() {}

  /** Parses a request body. */
  public static ReviewRequest parse(byte[] body) throws BadReviewException {
    if (body == null || body.length == 0) {
      throw new BadReviewException("empty body: expected an " + API_VERSION + " AdmissionReview");
    }
    JsonNode root;
    try {
      root = readTree(body);
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      throw new BadReviewException(
          where == null
              ? "body is not valid JSON (nested too deeply or too large)"
              : "body is not valid JSON (line "
                  + where.getLineNr()
                  + ", column "
                  + where.getColumnNr()
                  + ")");
    } catch (IOException e) {
      throw new BadReviewException("body could not be read as JSON");
    }
    if (root == null || !root.isObject()) {
      throw new BadReviewException("body is not a JSON object");
    }
    String apiVersion = requiredText(root, "apiVersion", "apiVersion");
    String kind = requiredText(root, "kind", "kind");
    if (!KIND.equals(kind)) {
      throw new BadReviewException("kind is '" + Messages.clip(kind) + "', expected " + KIND);
    }
    if (!API_VERSION.equals(apiVersion)) {
      throw new BadReviewException(
          "apiVersion is '" + Messages.clip(apiVersion) + "', expected " + API_VERSION);
    }
    JsonNode request = root.get("request");
    if (request == null || !request.isObject()) {
      throw new BadReviewException("request is missing or not an object");
    }
    String uid = requiredText(request, "uid", "request.uid");
    if (uid.isBlank()) {
      throw new BadReviewException("request.uid is empty");
    }
    JsonNode gvk = request.get("kind");
    if (gvk == null || !gvk.isObject()) {
      throw new BadReviewException("request.kind is missing or not an object");
    }
    String group = optionalText(gvk, "group", "request.kind.group");
    String objectKind = requiredText(gvk, "kind", "request.kind.kind");
    String op = requiredText(request, "operation", "request.operation");
    Operation operation;
    try {
      operation = Operation.valueOf(op);
    } catch (IllegalArgumentException e) {
      throw new BadReviewException(
          "request.operation is '"
              + Messages.clip(op)
              + "', expected CREATE, UPDATE, DELETE or CONNECT");
    }
    JsonNode object = objectOrNull(request, "object", "request.object");
    JsonNode oldObject = objectOrNull(request, "oldObject", "request.oldObject");
    switch (operation) {
      case CREATE -> require(object, "request.object", operation);
      case UPDATE -> {
        require(object, "request.object", operation);
        require(oldObject, "request.oldObject", operation);
      }
      case DELETE -> require(oldObject, "request.oldObject", operation);
      case CONNECT -> {}
    }
    JsonNode dryRun = request.get("dryRun");
    if (dryRun != null && !dryRun.isNull() && !dryRun.isBoolean()) {
      throw new BadReviewException("request.dryRun is not a boolean");
    }
    return new ReviewRequest(
        uid,
        group,
        objectKind,
        operation,
        optionalText(request, "name", "request.name"),
        optionalText(request, "namespace", "request.namespace"),
        object,
        oldObject,
        requester(request.get("userInfo")),
        dryRun != null && dryRun.asBoolean(false),
        optionalText(request, "subResource", "request.subResource"));
  }

  /**
   * The body as a tree, without {@code managedFields} wherever they appear: no webhook reads them,
   * and on objects several managers write (FelixConfiguration {@code default}) they are most of the
   * bytes. Strict where {@code ObjectMapper.readTree} is lenient: content after the document is an
   * error. Nesting is bounded by the parser's constraints, so the recursion is too.
   */
  static JsonNode readTree(byte[] body) throws IOException {
    try (JsonParser parser = JSON.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JsonParseException(parser, "no JSON value");
      }
      JsonNode root = value(parser, first);
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "content after the JSON value");
      }
      return root;
    }
  }

  private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          JsonToken next = parser.nextToken();
          if (next == null) {
            throw new JsonParseException(parser, "unexpected end of input");
          }
          if ("managedFields".equals(name)) {
            parser.skipChildren();
          } else {
            object.replace(name, value(parser, next)); // a repeated name: the last one counts
          }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
          throw new JsonParseException(parser, "unexpected end of input");
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_ARRAY;
            next = parser.nextToken()) {
          if (next == null) {
            throw new JsonParseException(parser, "unexpected end of input");
          }
          array.add(value(parser, next));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> NODES.numberNode(parser.getIntValue());
          case LONG -> NODES.numberNode(parser.getLongValue());
          default -> NODES.numberNode(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(parser.getDoubleValue());
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw new JsonParseException(parser, "unexpected " + token);
    }
  }

  /** The response for a decision. */
  public static byte[] encode(String uid, Decision decision) {
    ObjectNode response = NODES.objectNode();
    response.put("uid", uid);
    response.put("allowed", decision.allowed());
    if (!decision.allowed()) {
      response.set("status", status(403, "Forbidden", decision.message()));
    }
    if (!decision.warnings().isEmpty()) {
      ArrayNode warnings = response.putArray("warnings");
      decision.warnings().forEach(w -> warnings.add(warning(w)));
    }
    if (!decision.auditAnnotations().isEmpty()) {
      ObjectNode audit = response.putObject("auditAnnotations");
      decision.auditAnnotations().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> audit.put(e.getKey(), e.getValue()));
    }
    return review(response);
  }

  /** A refusal for an internal failure: the write fails closed, the message leaks nothing. */
  public static byte[] internalError(String uid, String what) {
    ObjectNode response = NODES.objectNode();
    response.put("uid", uid);
    response.put("allowed", false);
    response.set("status", status(500, "InternalError", "internal error: " + what));
    return review(response);
  }

  private static byte[] review(ObjectNode response) {
    ObjectNode root = NODES.objectNode();
    root.put("apiVersion", API_VERSION);
    root.put("kind", KIND);
    root.set("response", response);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an AdmissionReview", e);
    }
  }

  private static ObjectNode status(int code, String reason, String message) {
    ObjectNode status = NODES.objectNode();
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  // The API server refuses warnings with control characters and truncates long ones.
  private static String warning(String text) {
    String clean = text.replaceAll("\\p{Cntrl}", " ");
    return clean.length() <= 1024 ? clean : clean.substring(0, 1021) + "...";
  }

  private static Requester requester(JsonNode userInfo) throws BadReviewException {
    if (userInfo == null || userInfo.isNull()) {
      return new Requester("", List.of());
    }
    if (!userInfo.isObject()) {
      throw new BadReviewException("request.userInfo is not an object");
    }
    String username = optionalText(userInfo, "username", "request.userInfo.username");
    List<String> groups = new ArrayList<>();
    JsonNode groupNode = userInfo.get("groups");
    if (groupNode != null && !groupNode.isNull()) {
      if (!groupNode.isArray()) {
        throw new BadReviewException("request.userInfo.groups is not an array");
      }
      for (JsonNode g : groupNode) {
        if (!g.isTextual()) {
          throw new BadReviewException("request.userInfo.groups holds a non-string");
        }
        groups.add(g.asText());
      }
    }
    return new Requester(username, groups);
  }

  private static void require(JsonNode node, String path, Operation operation)
      throws BadReviewException {
    if (node == null) {
      throw new BadReviewException(path + " is required for " + operation);
    }
  }

  private static JsonNode objectOrNull(JsonNode parent, String field, String path)
      throws BadReviewException {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new BadReviewException(path + " is not an object");
    }
    return node;
  }

  private static String requiredText(JsonNode parent, String field, String path)
      throws BadReviewException {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw new BadReviewException(path + " is missing");
    }
    if (!node.isTextual()) {
      throw new BadReviewException(path + " is not a string");
    }
    return node.asText();
  }

  private static String optionalText(JsonNode parent, String field, String path)
      throws BadReviewException {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new BadReviewException(path + " is not a string");
    }
    return node.asText();
  }
}
