package io.wgguard.felix;

import io.wgguard.Messages;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Calico label selector, as written in {@code spec.nodeSelector} of a selector-scoped
 * FelixConfiguration, parsed and evaluated the way Calico's {@code libcalico-go/lib/selector} does
 * ({@code tokenizer/tokenizer.go}, {@code parser/parser.go}, {@code parser/ast.go}).
 *
 * <p>Grammar, loosest binding first: {@code a || b}, {@code a && b}, then one operation, optionally
 * negated by any number of {@code !}: {@code all()}, {@code global()} (true, as Calico evaluates
 * it), {@code has(k)}, {@code k == 'v'}, {@code k != 'v'}, {@code k in {'a', 'b'}}, {@code k not in
 * {...}}, {@code k contains 'v'}, {@code k starts with 'v'}, {@code k ends with 'v'}, or a
 * parenthesised selector. Strings take single or double quotes and no escapes. Whitespace is spaces
 * and tabs only ({@code tokenizer.go} {@code trimWhitespace}). An empty or blank selector means
 * {@code all()}. A label longer than {@value #MAX_LABEL_LENGTH} characters is refused ({@code
 * tokenizer.go} {@code MaxLabelLength}); word operators ({@code contains}, {@code in}, ...) must
 * end at a word boundary ({@code isWordBoundary}).
 *
 * <p>As in Calico, {@code k != 'v'} and {@code k not in {...}} also match nodes without label
 * {@code k}; {@code ==}, {@code in}, {@code contains}, {@code starts with} and {@code ends with}
 * need the label.
 *
 * <p>Calico's parser recurses once per parenthesis and Go's stacks grow to a gigabyte, so Felix
 * reads any nesting an object can hold. Here neither the parser nor the evaluator recurses: the
 * selector is compiled into a postfix program and evaluated with an array as stack, so a selector
 * nested a million deep costs memory in proportion to its length and never a {@link
 * StackOverflowError} (the agent runs with {@code -Xss256k}).
 *
 * <p>Callers treat a selector that does not parse as Felix does ({@code
 * felix/calc/config_batcher.go} drops the object): it matches no node, and the evaluator lists it
 * among its problems (see {@link EffectiveWireguard#problems()}).
 */
public final class CalicoSelector {

  /** Calico's longest label ({@code tokenizer.go} {@code MaxLabelLength}), in bytes of ASCII. */
  public static final int MAX_LABEL_LENGTH = 512;

  private final String text;
  // Postfix program: each entry a leaf test, or a NOT, AND(n) or OR(n) over the results before it.
  private final Op[] program;
  private final int depth;

  private CalicoSelector(String text, Op[] program, int depth) {
    this.text = text;
    this.program = program;
    this.depth = depth;
  }

  /**
   * Parses a selector.
   *
   * @throws SelectorSyntaxException naming what was expected and where
   */
  public static CalicoSelector parse(String text) {
    List<Token> tokens = new Tokenizer(text).tokens();
    Parser parser = new Parser(text, tokens);
    List<Op> program = parser.selector();
    int depth = 0;
    int max = 0;
    for (Op op : program) {
      depth += 1 - op.arity();
      max = Math.max(max, depth);
    }
    return new CalicoSelector(text, program.toArray(Op[]::new), max);
  }

  /** True when a node with these labels is selected. */
  public boolean matches(Map<String, String> labels) {
    boolean[] stack = new boolean[depth];
    int top = 0;
    for (Op op : program) {
      switch (op.kind) {
        case LEAF -> stack[top++] = op.leaf.test(labels);
        case NOT -> stack[top - 1] = !stack[top - 1];
        case AND -> {
          boolean all = true;
          for (int i = top - op.count; i < top; i++) {
            all &= stack[i];
          }
          top -= op.count;
          stack[top++] = all;
        }
        case OR -> {
          boolean any = false;
          for (int i = top - op.count; i < top; i++) {
            any |= stack[i];
          }
          top -= op.count;
          stack[top++] = any;
        }
      }
    }
    return stack[0];
  }

  /** The selector as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  // Evaluation program.

  private enum OpKind {
    LEAF,
    NOT,
    AND,
    OR
  }

  private record Op(OpKind kind, Leaf leaf, int count) {
    static Op leaf(Leaf leaf) {
      return new Op(OpKind.LEAF, leaf, 0);
    }

    /** How many results it takes from the stack (it always pushes one). */
    int arity() {
      return switch (kind) {
        case LEAF -> 0;
        case NOT -> 1;
        case AND, OR -> count;
      };
    }
  }

  private interface Leaf {
    boolean test(Map<String, String> labels);
  }

  private record All() implements Leaf {
    @Override
    public boolean test(Map<String, String> labels) {
      return true;
    }
  }

  private record Has(String key) implements Leaf {
    @Override
    public boolean test(Map<String, String> labels) {
      return labels.containsKey(key);
    }
  }

  private record Compare(String key, Kind op, String value, Set<String> values) implements Leaf {
    @Override
    public boolean test(Map<String, String> labels) {
      String actual = labels.get(key);
      if (actual == null) {
        // parser/ast.go: a missing label satisfies only the negative operators.
        return op == Kind.NE || op == Kind.NOT_IN;
      }
      return switch (op) {
        case EQ -> actual.equals(value);
        case NE -> !actual.equals(value);
        case CONTAINS -> actual.contains(value);
        case STARTS_WITH -> actual.startsWith(value);
        case ENDS_WITH -> actual.endsWith(value);
        case IN -> values.contains(actual);
        case NOT_IN -> !values.contains(actual);
        default -> throw new IllegalStateException("not a comparison: " + op);
      };
    }
  }

  // Tokens.

  private enum Kind {
    LABEL("a label"),
    STRING("a quoted string"),
    LBRACE("'{'"),
    RBRACE("'}'"),
    COMMA("','"),
    EQ("'=='"),
    NE("'!='"),
    IN("'in'"),
    NOT_IN("'not in'"),
    CONTAINS("'contains'"),
    STARTS_WITH("'starts with'"),
    ENDS_WITH("'ends with'"),
    NOT("'!'"),
    ALL("'all()'"),
    GLOBAL("'global()'"),
    HAS("'has(...)'"),
    LPAREN("'('"),
    RPAREN("')'"),
    AND("'&&'"),
    OR("'||'"),
    EOF("the end");

    private final String shown;

    Kind(String shown) {
      this.shown = shown;
    }
  }

  private record Token(Kind kind, String value, int position) {}

  /** Splits the text into tokens exactly where Calico's tokenizer does. */
  private static final class Tokenizer {
    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    Tokenizer(String text) {
      this.text = text;
    }

    List<Token> tokens() {
      while (true) {
        skipBlanks();
        if (pos >= text.length()) {
          tokens.add(new Token(Kind.EOF, "", pos));
          return tokens;
        }
        int start = pos;
        char c = text.charAt(pos);
        switch (c) {
          case '(' -> symbol(Kind.LPAREN, 1);
          case ')' -> symbol(Kind.RPAREN, 1);
          case '{' -> symbol(Kind.LBRACE, 1);
          case '}' -> symbol(Kind.RBRACE, 1);
          case ',' -> symbol(Kind.COMMA, 1);
          case '"', '\'' -> {
            int end = text.indexOf(c, pos + 1);
            if (end < 0) {
              throw error("unterminated string", start);
            }
            tokens.add(new Token(Kind.STRING, text.substring(pos + 1, end), start));
            pos = end + 1;
          }
          case '=' -> pair('=', Kind.EQ, "expected '=='");
          case '&' -> pair('&', Kind.AND, "expected '&&'");
          case '|' -> pair('|', Kind.OR, "expected '||'");
          case '!' -> {
            if (text.startsWith("!=", pos)) {
              symbol(Kind.NE, 2);
            } else {
              symbol(Kind.NOT, 1);
            }
          }
          default -> word(start);
        }
      }
    }

    private void word(int start) {
      boolean afterLabel = !tokens.isEmpty() && tokens.get(tokens.size() - 1).kind() == Kind.LABEL;
      if (afterLabel) {
        operator(start);
      } else if (text.startsWith("has(", pos)) {
        pos += "has(".length();
        skipBlanks();
        String key = identifier();
        if (key.isEmpty()) {
          throw error("expected a label name in has(...)", pos);
        }
        skipBlanks();
        if (!text.startsWith(")", pos)) {
          throw error("expected ')' to close has(", pos);
        }
        pos++;
        tokens.add(new Token(Kind.HAS, key, start));
      } else if (text.startsWith("all(", pos)) {
        emptyCall("all(", Kind.ALL, start);
      } else if (text.startsWith("global(", pos)) {
        emptyCall("global(", Kind.GLOBAL, start);
      } else {
        String key = identifier();
        if (key.isEmpty()) {
          throw error(
              "unexpected character '" + Messages.clip(String.valueOf(text.charAt(pos))) + "'",
              pos);
        }
        tokens.add(new Token(Kind.LABEL, key, start));
      }
    }

    private void operator(int start) {
      // tokenizer.go: a word operator must end at a word boundary; "not in" and "starts with"
      // may be written without the blank ("notin").
      if (word("contains")) {
        symbol(Kind.CONTAINS, "contains".length());
      } else if (text.startsWith("starts", pos)) {
        twoWords("starts", Kind.STARTS_WITH, start);
      } else if (text.startsWith("ends", pos)) {
        twoWords("ends", Kind.ENDS_WITH, start);
      } else if (text.startsWith("not", pos)) {
        twoWords("not", "in", Kind.NOT_IN, start);
      } else if (word("in")) {
        symbol(Kind.IN, "in".length());
      } else {
        throw error(
            "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                + " label '"
                + Messages.clip(tokens.get(tokens.size() - 1).value())
                + "'",
            start);
      }
    }

    /** Whether {@code word} starts at the position and ends at a word boundary. */
    private boolean word(String word) {
      return text.startsWith(word, pos) && boundary(pos + word.length());
    }

    private boolean boundary(int at) {
      return at >= text.length() || !isLabelChar(text.charAt(at));
    }

    private void twoWords(String first, Kind kind, int start) {
      twoWords(first, "with", kind, start);
    }

    private void twoWords(String first, String second, Kind kind, int start) {
      pos += first.length();
      skipBlanks();
      if (!text.startsWith(second, pos) || !boundary(pos + second.length())) {
        throw error("expected '" + second + "' after '" + first + "'", pos);
      }
      pos += second.length();
      tokens.add(new Token(kind, "", start));
    }

    private void emptyCall(String call, Kind kind, int start) {
      pos += call.length();
      skipBlanks();
      if (!text.startsWith(")", pos)) {
        throw error("expected ')' to close " + call, pos);
      }
      pos++;
      tokens.add(new Token(kind, "", start));
    }

    private void pair(char second, Kind kind, String problem) {
      if (pos + 1 < text.length() && text.charAt(pos + 1) == second) {
        symbol(kind, 2);
      } else {
        throw error(problem, pos);
      }
    }

    private void symbol(Kind kind, int length) {
      tokens.add(new Token(kind, "", pos));
      pos += length;
    }

    private String identifier() {
      int end = pos;
      while (end < text.length() && isLabelChar(text.charAt(end))) {
        end++;
      }
      if (end - pos > MAX_LABEL_LENGTH) {
        // tokenizer.go cutIdentifier: "label too long"; Felix drops the object.
        throw error(
            "label of %d characters, longer than Calico's limit of %d"
                .formatted(end - pos, MAX_LABEL_LENGTH),
            pos);
      }
      String key = text.substring(pos, end);
      pos = end;
      return key;
    }

    private void skipBlanks() {
      while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
        pos++;
      }
    }

    private SelectorSyntaxException error(String problem, int at) {
      return new SelectorSyntaxException(problem, at, text);
    }

    private static boolean isLabelChar(char c) {
      return (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '.'
          || c == '/'
          || c == '-';
    }
  }

  /**
   * Calico's grammar ({@code parser/parser.go}: {@code ||} loosest, then {@code &&}, then one
   * possibly negated operation) read without recursion: each open parenthesis pushes a frame, each
   * finished operand is emitted in postfix order.
   */
  private static final class Parser {
    private final String text;
    private final List<Token> tokens;
    private final List<Op> program = new ArrayList<>();
    private int next;

    Parser(String text, List<Token> tokens) {
      this.text = text;
      this.tokens = tokens;
    }

    /** One parenthesised level: how many operands of the current {@code &&} and {@code ||}. */
    private static final class Frame {
      final boolean negated;
      int ands;
      int ors;

      Frame(boolean negated) {
        this.negated = negated;
      }
    }

    List<Op> selector() {
      if (peek().kind() == Kind.EOF) {
        program.add(Op.leaf(new All()));
        return program;
      }
      ArrayDeque<Frame> frames = new ArrayDeque<>();
      Frame frame = new Frame(false);
      while (true) {
        boolean negated = false;
        while (peek().kind() == Kind.NOT) {
          negated = !negated;
          next++;
        }
        if (peek().kind() == Kind.LPAREN) {
          next++;
          frames.push(frame);
          frame = new Frame(negated);
          continue;
        }
        program.add(Op.leaf(operation(take())));
        if (negated) {
          program.add(new Op(OpKind.NOT, null, 1));
        }
        // An operand is complete: close every level it completes.
        while (true) {
          frame.ands++;
          if (peek().kind() == Kind.AND) {
            next++;
            break;
          }
          close(OpKind.AND, frame.ands);
          frame.ands = 0;
          frame.ors++;
          if (peek().kind() == Kind.OR) {
            next++;
            break;
          }
          close(OpKind.OR, frame.ors);
          frame.ors = 0;
          if (frames.isEmpty()) {
            if (peek().kind() != Kind.EOF) {
              throw error("unexpected " + peek().kind().shown + ", expected '&&', '||' or the end");
            }
            return program;
          }
          expect(Kind.RPAREN, "expected ')'");
          if (frame.negated) {
            program.add(new Op(OpKind.NOT, null, 1));
          }
          frame = frames.pop();
        }
      }
    }

    private void close(OpKind kind, int operands) {
      if (operands > 1) {
        program.add(new Op(kind, null, operands));
      }
    }

    private Leaf operation(Token token) {
      return switch (token.kind()) {
        case ALL, GLOBAL -> new All();
        case HAS -> new Has(token.value());
        case LABEL -> comparison(token.value());
        default ->
            throw error(
                "unexpected " + token.kind().shown + ", expected a label, has(...), all() or '('",
                token);
      };
    }

    private Leaf comparison(String key) {
      Token op = take();
      switch (op.kind()) {
        case EQ, NE, CONTAINS, STARTS_WITH, ENDS_WITH -> {
          Token value = expect(Kind.STRING, "expected a quoted string after " + op.kind().shown);
          return new Compare(key, op.kind(), value.value(), Set.of());
        }
        case IN, NOT_IN -> {
          expect(Kind.LBRACE, "expected '{' after " + op.kind().shown);
          List<String> values = new ArrayList<>();
          // Calico accepts {}, and a trailing comma before '}'.
          while (peek().kind() == Kind.STRING) {
            values.add(take().value());
            if (peek().kind() != Kind.COMMA) {
              break;
            }
            next++;
          }
          expect(Kind.RBRACE, "expected a quoted string or '}' in the set");
          return new Compare(key, op.kind(), "", Set.copyOf(values));
        }
        default ->
            throw error(
                "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                    + " label '"
                    + Messages.clip(key)
                    + "'",
                op);
      }
    }

    private Token expect(Kind kind, String problem) {
      if (peek().kind() != kind) {
        throw error(problem);
      }
      return take();
    }

    private Token peek() {
      return tokens.get(next);
    }

    private Token take() {
      Token token = tokens.get(next);
      if (token.kind() != Kind.EOF) {
        next++;
      }
      return token;
    }

    private SelectorSyntaxException error(String problem) {
      return error(problem, peek());
    }

    private SelectorSyntaxException error(String problem, Token at) {
      return new SelectorSyntaxException(problem, at.position(), text);
    }
  }
}
