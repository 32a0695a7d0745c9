package io.wgguard.felix;

import io.wgguard.Messages;

/**
 * A selector that cannot be parsed. The message names what was expected and the position (counted
 * from 0) in the selector text, e.g. {@code expected a quoted string after '==' at position 6 of
 * selector "env == prod"}.
 */
public final class SelectorSyntaxException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int position;

  public SelectorSyntaxException(String problem, int position, String selector) {
    super(
        problem + " at position " + position + " of selector \"" + Messages.clip(selector) + "\"");
    this.position = position;
  }

  /** Index (from 0) of the character where parsing failed; the text length at the end. */
  public int position() {
    return position;
  }
}
