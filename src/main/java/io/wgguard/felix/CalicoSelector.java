package io.wgguard.felix;

import io.wgguard.Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Calico label selector, as written in {@code spec.nodeSelector} of a selector-scoped
 * FelixConfiguration, parsed and evaluated the way Calico's {@code libcalico-go/lib/selector} does.
 *
 * <p>Grammar, loosest binding first: {@code a || b}, {@code a && b}, then one operation, optionally
 * negated by any number of {@code !}: {@code all()}, {@code global()} (true, as Calico evaluates
 * it), {@code has(k)}, {@code k == 'v'}, {@code k != 'v'}, {@code k in {'a', 'b'}}, {@code k not in
 * {...}}, {@code k contains 'v'}, {@code k starts with 'v'}, {@code k ends with 'v'}, or a
 * parenthesised selector. Strings take single or double quotes and no escapes. Whitespace is spaces
 * and tabs. An empty selector means {@code all()}.
 *
 * <p>As in Calico, {@code k != 'v'} and {@code k not in {...}} also match nodes without label
 * {@code k}; {@code ==}, {@code in}, {@code contains}, {@code starts with} and {@code ends with}
 * need the label.
 *
 * <p>Callers treat a selector that does not parse conservatively: it matches no node, and the
 * evaluator lists it among its problems (see {@link EffectiveWireguard#problems()}).
 */
public final class CalicoSelector {

  private final String text;
  private final Expr root;

  private CalicoSelector(String text, Expr root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses a selector.
   *
   * @throws SelectorSyntaxException naming what was expected and where
   */
  public static CalicoSelector parse(String text) {
    List<Token> tokens = new Tokenizer(text).tokens();
    Parser parser = new Parser(text, tokens);
    Expr root = parser.selector();
    return new CalicoSelector(text, root);
  }

  /** True when a node with these labels is selected. */
  public boolean matches(Map<String, String> labels) {
    return root.test(labels);
  }

  /** The selector as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  // Evaluation tree.

  private interface Expr {
    boolean test(Map<String, String> labels);
  }

  private record All() implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      return true;
    }
  }

  private record Has(String key) implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      return labels.containsKey(key);
    }
  }

  private record Not(Expr operand) implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      return !operand.test(labels);
    }
  }

  private record And(List<Expr> operands) implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      return operands.stream().allMatch(e -> e.test(labels));
    }
  }

  private record Or(List<Expr> operands) implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      return operands.stream().anyMatch(e -> e.test(labels));
    }
  }

  private record Compare(String key, Kind op, String value, Set<String> values) implements Expr {
    @Override
    public boolean test(Map<String, String> labels) {
      String actual = labels.get(key);
      if (actual == null) {
        // Calico: a missing label satisfies only the negative operators.
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
      if (text.startsWith("contains", pos)) {
        symbol(Kind.CONTAINS, "contains".length());
      } else if (text.startsWith("starts", pos)) {
        twoWords("starts", Kind.STARTS_WITH, start);
      } else if (text.startsWith("ends", pos)) {
        twoWords("ends", Kind.ENDS_WITH, start);
      } else if (text.startsWith("not", pos)) {
        pos += "not".length();
        skipBlanks();
        if (!text.startsWith("in", pos)) {
          throw error("expected 'in' after 'not'", pos);
        }
        pos += "in".length();
        tokens.add(new Token(Kind.NOT_IN, "", start));
      } else if (text.startsWith("in", pos)) {
        symbol(Kind.IN, "in".length());
      } else {
        throw error(
            "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                + " label '"
                + tokens.get(tokens.size() - 1).value()
                + "'",
            start);
      }
    }

    private void twoWords(String first, Kind kind, int start) {
      pos += first.length();
      skipBlanks();
      if (!text.startsWith("with", pos)) {
        throw error("expected 'with' after '" + first + "'", pos);
      }
      pos += "with".length();
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

  /** Recursive descent over the tokens, with Calico's precedence: || binds loosest. */
  private static final class Parser {
    private final String text;
    private final List<Token> tokens;
    private int next;

    Parser(String text, List<Token> tokens) {
      this.text = text;
      this.tokens = tokens;
    }

    Expr selector() {
      if (peek().kind() == Kind.EOF) {
        return new All();
      }
      Expr root = or();
      if (peek().kind() != Kind.EOF) {
        throw error("unexpected " + peek().kind().shown + ", expected '&&', '||' or the end");
      }
      return root;
    }

    private Expr or() {
      List<Expr> operands = new ArrayList<>();
      operands.add(and());
      while (peek().kind() == Kind.OR) {
        next++;
        operands.add(and());
      }
      return operands.size() == 1 ? operands.get(0) : new Or(List.copyOf(operands));
    }

    private Expr and() {
      List<Expr> operands = new ArrayList<>();
      operands.add(operation());
      while (peek().kind() == Kind.AND) {
        next++;
        operands.add(operation());
      }
      return operands.size() == 1 ? operands.get(0) : new And(List.copyOf(operands));
    }

    private Expr operation() {
      boolean negated = false;
      while (peek().kind() == Kind.NOT) {
        negated = !negated;
        next++;
      }
      Token token = take();
      Expr expr =
          switch (token.kind()) {
            case ALL, GLOBAL -> new All();
            case HAS -> new Has(token.value());
            case LABEL -> comparison(token.value());
            case LPAREN -> {
              Expr inner = or();
              expect(Kind.RPAREN, "expected ')'");
              yield inner;
            }
            default ->
                throw error(
                    "unexpected "
                        + token.kind().shown
                        + ", expected a label, has(...), all() or '('",
                    token);
          };
      return negated ? new Not(expr) : expr;
    }

    private Expr comparison(String key) {
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
                    + key
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
