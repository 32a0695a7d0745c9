package io.wgguard.felix;

/**
 * Text folded the way Calico's Go code folds it, where Java's own {@link String#toLowerCase} gives
 * another answer. Go's {@code strings.ToLower} maps each code point on its own by Unicode's simple
 * case mapping ({@code unicode.ToLower}): {@code U+0130} (capital I with dot above) becomes a plain
 * {@code i}, where Java's locale-independent lower-casing gives {@code i} followed by {@code
 * U+0307} and so misses Felix's match. {@link Character#toLowerCase(int)} is that simple mapping.
 */
public final class GoText {

  private GoText() {}

  /**
   * Go's {@code strings.ToLower}: what Felix applies to parameter names ({@code
   * felix/config/config_params.go} {@code resolve}, {@code env_var_loader.go}) and to values it
   * compares without regard to case ({@code none}, booleans).
   */
  public static String toLower(String text) {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
        break;
      }
      i++;
    }
    if (i == text.length()) {
      return text; // ASCII without capitals, the common case
    }
    StringBuilder folded = new StringBuilder(text.length());
    folded.append(text, 0, i);
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      folded.appendCodePoint(Character.toLowerCase(cp));
      i += Character.charCount(cp);
    }
    return folded.toString();
  }

  /**
   * Whether two JSON member names match as Go's {@code encoding/json} matches them to a struct
   * field when no name matches exactly ({@code encoding/json/fold.go} {@code foldName}: ASCII
   * letters without regard to case, other code points by {@code
   * unicode.ToUpper(unicode.ToLower(r))}, so {@code U+017F} (long s) matches {@code s} and {@code
   * U+212A} (Kelvin sign) matches {@code k}).
   */
  public static boolean jsonNameEquals(String name, String field) {
    return fold(name).equals(fold(field));
  }

  private static String fold(String text) {
    StringBuilder folded = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (cp < 0x80) {
        folded.append(cp >= 'a' && cp <= 'z' ? (char) (cp - 'a' + 'A') : (char) cp);
      } else {
        folded.appendCodePoint(Character.toUpperCase(Character.toLowerCase(cp)));
      }
      i += Character.charCount(cp);
    }
    return folded.toString();
  }
}
