package io.wgguard.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the files offline commands are given: YAML (one or more documents separated by {@code ---})
 * or JSON (one or more concatenated values), from a file or from standard input. Every failure is a
 * {@link BadInputException} whose message names the file.
 */
final class InputDocuments {

  /** Argument that means standard input. */
  static final String STDIN = "-";

  /** Largest input read: a dump of thousands of nodes with managed fields fits well. */
  static final int MAX_BYTES = 128 * 1024 * 1024;

  private static final int MAX_NESTING = 200;
  private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at .*$");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML;

  static {
    StreamReadConstraints limits =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxStringLength(MAX_BYTES)
            .build();
    JSON.getFactory().setStreamReadConstraints(limits);
    LoaderOptions loader = new LoaderOptions();
    // SnakeYAML's own default (3 MB) is smaller than a real cluster dump.
    loader.setCodePointLimit(MAX_BYTES);
    YAML =
        new ObjectMapper(
            YAMLFactory.builder().loaderOptions(loader).streamReadConstraints(limits).build());
  }

  private InputDocuments() {}

  /** How a file is named in messages: its path as given, or {@code standard input}. */
  static String describe(String argument) {
    return STDIN.equals(argument) ? "standard input" : argument;
  }

  /** The bytes of a file, or of {@code stdin} for {@link #STDIN}. */
  static byte[] read(String argument, InputStream stdin) throws BadInputException {
    if (STDIN.equals(argument)) {
      try {
        byte[] bytes = stdin.readNBytes(MAX_BYTES + 1);
        return limited(bytes, argument);
      } catch (IOException e) {
        throw new BadInputException("standard input cannot be read: " + reason(e));
      }
    }
    Path path = Path.of(argument);
    if (Files.isDirectory(path)) {
      throw new BadInputException(argument + " is a directory, not a file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return limited(in.readNBytes(MAX_BYTES + 1), argument);
    } catch (NoSuchFileException e) {
      throw new BadInputException(argument + ": no such file");
    } catch (AccessDeniedException e) {
      throw new BadInputException(argument + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new BadInputException(argument + " cannot be read: " + reason(e));
    }
  }

  /**
   * The documents of a file: JSON when it starts with <code>{</code> or {@code [}, YAML otherwise.
   * Empty YAML documents (a trailing {@code ---}) are skipped.
   */
  static List<JsonNode> parse(byte[] bytes, String argument) throws BadInputException {
    String name = describe(argument);
    boolean json = looksLikeJson(bytes);
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = (json ? JSON : YAML).createParser(bytes);
        MappingIterator<JsonNode> values =
            (json ? JSON : YAML).readValues(parser, JsonNode.class)) {
      while (values.hasNextValue()) {
        JsonNode document = values.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    } catch (JsonProcessingException e) {
      throw new BadInputException(name + " is not valid " + (json ? "JSON" : "YAML") + where(e));
    } catch (IOException e) {
      throw new BadInputException(name + " cannot be parsed: " + reason(e));
    }
    if (documents.isEmpty()) {
      throw new BadInputException(name + " is empty");
    }
    return documents;
  }

  /** The one object of a file that must hold exactly one (a FelixConfiguration for review). */
  static JsonNode single(byte[] bytes, String argument) throws BadInputException {
    List<JsonNode> documents = parse(bytes, argument);
    String name = describe(argument);
    if (documents.size() > 1) {
      throw new BadInputException(
          name + " holds " + documents.size() + " documents; give one object per file");
    }
    JsonNode document = documents.get(0);
    if (!document.isObject()) {
      throw new BadInputException(
          name + " does not hold an object (a YAML mapping or JSON object)");
    }
    return document;
  }

  private static boolean looksLikeJson(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '{' || b == '[') {
        return true;
      }
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return false;
  }

  private static byte[] limited(byte[] bytes, String argument) throws BadInputException {
    if (bytes.length > MAX_BYTES) {
      throw new BadInputException(
          describe(argument) + " is larger than " + (MAX_BYTES / (1024 * 1024)) + " MiB");
    }
    return bytes;
  }

  /** {@code (line 3, column 7: mapping values are not allowed here)}, from the parser. */
  private static String where(JsonProcessingException e) {
    String problem;
    int line;
    int column;
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      // SnakeYAML says where it noticed the problem and what it is; Jackson keeps only context.
      problem = yaml.getProblem();
      line = yaml.getProblemMark().getLine() + 1;
      column = yaml.getProblemMark().getColumn() + 1;
    } else {
      problem = e.getOriginalMessage();
      line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
    }
    problem = plain(e, problem);
    if (line < 1) {
      return problem.isEmpty() ? "" : ": " + problem;
    }
    return " (line "
        + line
        + ", column "
        + column
        + (problem.isEmpty() ? "" : ": " + problem)
        + ")";
  }

  /** The parser's problem in words, without the Java type names some messages carry. */
  private static String plain(JsonProcessingException e, String problem) {
    if (e instanceof StreamConstraintsException) {
      return problem != null && problem.contains("nesting depth")
          ? "nested more than " + MAX_NESTING + " levels deep"
          : "a value is longer than the parser accepts";
    }
    String text = problem == null ? "" : problem.lines().findFirst().orElse("").strip();
    if (text.contains("CharConversionException") || text.contains("Invalid UTF-8")) {
      return "not UTF-8 text";
    }
    // Jackson appends where an unclosed array or object started, naming its own source object.
    text = START_MARKER.matcher(text).replaceFirst("");
    return text.contains("`") || text.contains("org.") || text.contains("java.") ? "" : text;
  }

  private static String reason(IOException e) {
    return e.getMessage() == null ? "input/output error" : e.getMessage();
  }
}
