package io.sentrytrace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A regex of the kind URL targets are written in, compiled into a DFA: one table look-up per char
 * of the URL, no backtracking, nothing allocated, and the run stops as soon as the answer is known
 * (no match can follow, or every continuation matches: the {@code .*} that ends most targets).
 * Gives the answer {@code java.util.regex} gives: whether a match exists does not depend on the
 * order in which a backtracking engine tries alternatives, so it is a property of the regular
 * language, which the DFA decides.
 *
 * <p>Only what that holds for is compiled; for anything else {@link #of} returns null and the
 * caller keeps {@code java.util.regex}. Supported: chars up to U+00FF, escaped punctuation, {@code
 * \t \n \r \f \a \e}, {@code .}, {@code \d \D \w \W \s \S}, classes with ranges and negation
 * (without nesting or {@code &&}), groups (plain, {@code (?:)}, named), alternation, greedy and lazy
 * quantifiers, {@code ^} at the start and {@code $} at the end of a pattern without top-level
 * alternation; the flag {@code CASE_INSENSITIVE} and no other. Not supported: back references,
 * look-around, possessive and atomic forms, inline flags, {@code \b}, quoting, properties, other
 * anchors.
 *
 * <p>Chars beyond the regex's own are in a few classes that every supported construct treats
 * alike: other chars up to U+FFFF, the line terminators U+2028/U+2029, and surrogates, on which a
 * run gives up ({@link #UNKNOWN}): {@code java.util.regex} reads a surrogate pair as one code point.
 */
final class RegexDfa {
  static final int NO_MATCH = 0;
  static final int MATCH = 1;
  /** The DFA cannot tell (a surrogate, or a line terminator where {@code $} may stand): ask the regex. */
  static final int UNKNOWN = 2;

  private static final int MAX_NFA_STATES = 2_000;
  private static final int MAX_DFA_STATES = 400;
  private static final int MAX_REPEAT = 64;

  /** The class of each char up to U+00FF; then the wide, wide-terminator and surrogate classes. */
  private final byte[] classOf;
  private final int wideClass;
  private final int wideTerminatorClass;
  private final int surrogateClass;
  /** Next state by state (a multiple of the class count) plus class. */
  private final int[] next;
  private final int start;
  /**
   * States from here on end the run: first those where every continuation matches, then those
   * where every continuation without a line terminator does, then those that cannot match, then
   * the give-up state.
   */
  private final int firstExit;
  private final int firstMatchUnlessTerminator;
  private final int firstNoMatch;
  private final int giveUp;
  /** Per state (divided by the class count): whether it matches where the input ends. */
  private final boolean[] acceptsAtEnd;
  /** A find() regex ending in {@code $}, which also matches before a line terminator that ends the input. */
  private final boolean dollarFind;
  private final int classCount;
  /** What every match starts with (lower case; ASCII letters in either case), when anchored; else empty. */
  private final String prefix;
  /** The state after {@link #prefix}. */
  private final int afterPrefix;

  private RegexDfa(
      byte[] classOf, int wideClass, int wideTerminatorClass, int surrogateClass, int[] next, int start,
      int firstExit, int firstMatchUnlessTerminator, int firstNoMatch, int giveUp, boolean[] acceptsAtEnd,
      boolean dollarFind, int classCount, String prefix, int afterPrefix) {
    this.classOf = classOf;
    this.wideClass = wideClass;
    this.wideTerminatorClass = wideTerminatorClass;
    this.surrogateClass = surrogateClass;
    this.next = next;
    this.start = start;
    this.firstExit = firstExit;
    this.firstMatchUnlessTerminator = firstMatchUnlessTerminator;
    this.firstNoMatch = firstNoMatch;
    this.giveUp = giveUp;
    this.acceptsAtEnd = acceptsAtEnd;
    this.dollarFind = dollarFind;
    this.classCount = classCount;
    this.prefix = prefix;
    this.afterPrefix = afterPrefix;
  }

  /**
   * The DFA for {@code pattern} as {@code matches()} ({@code fullMatch}) or {@code find()} runs it;
   * null when the pattern or its flags are beyond what it supports, or its automaton is too big.
   */
  static RegexDfa of(Pattern pattern, boolean fullMatch) {
    if ((pattern.flags() & ~Pattern.CASE_INSENSITIVE) != 0) return null;
    try {
      return build(pattern.pattern(), (pattern.flags() & Pattern.CASE_INSENSITIVE) != 0, fullMatch);
    } catch (Unsupported e) {
      return null;
    }
  }

  /**
   * {@link #MATCH}, {@link #NO_MATCH} or {@link #UNKNOWN} for {@code s}. Reads each char once at
   * most; twice those after a trailing {@code .*} begins when a line terminator follows.
   */
  int run(CharSequence s) {
    int n = s.length();
    // $ in find() also matches before a line terminator that ends the input: rare in a URL, and
    // left to the regex. Without one, $ is the end of the input.
    if (dollarFind && n > 0 && Strings.isLineTerminator(s.charAt(n - 1))) return UNKNOWN;
    int state = start;
    int i = 0;
    int p = prefix.length();
    if (p > 0 && n >= p) { // shorter: the run decides, the input may end in the prefix's states
      for (; i < p; i++) {
        char c = s.charAt(i);
        // Any other char leaves no match possible (a surrogate: no telling).
        if (Strings.toLowerAscii(c) != prefix.charAt(i)) return Character.isSurrogate(c) ? UNKNOWN : NO_MATCH;
      }
      state = afterPrefix;
    }
    while (state < firstExit) {
      if (i == n) return acceptsAtEnd[state / classCount] ? MATCH : NO_MATCH;
      char c = s.charAt(i++);
      state = next[state + (c < 256 ? classOf[c] : wideClassOf(c))];
    }
    if (state < firstMatchUnlessTerminator) return MATCH;
    if (state >= firstNoMatch) return state < giveUp ? NO_MATCH : UNKNOWN;
    // Every continuation matches but one with a line terminator, which . does not match (the .*
    // that ends most targets): a plain scan for one costs less than stepping through the table.
    return Strings.hasLineTerminator(s, i, n) ? runOn(s, i, state) : MATCH;
  }

  /** The rest of a run that {@link #run} could not shortcut: states that match unless a line terminator follows run on. */
  private int runOn(CharSequence s, int i, int state) {
    int n = s.length();
    while (true) {
      if (i == n) return acceptsAtEnd[state / classCount] ? MATCH : NO_MATCH;
      char c = s.charAt(i++);
      state = next[state + (c < 256 ? classOf[c] : wideClassOf(c))];
      if (state < firstMatchUnlessTerminator && state >= firstExit) return MATCH;
      if (state >= firstNoMatch) return state < giveUp ? NO_MATCH : UNKNOWN;
    }
  }

  private int wideClassOf(char c) {
    if (Character.isSurrogate(c)) return surrogateClass;
    return (c | 1) == '\u2029' ? wideTerminatorClass : wideClass;
  }

  // ---------------------------------------------------------------- sets of chars

  /** A set of chars: each char up to U+00FF, all wider chars but U+2028/U+2029 alike, and those two alike. */
  private static final class CharSet {
    final long[] bits = new long[4];
    boolean wide;
    boolean wideTerminators;

    boolean has(int c) {
      return (bits[c >>> 6] & 1L << c) != 0;
    }

    CharSet add(int c) {
      bits[c >>> 6] |= 1L << c;
      return this;
    }

    CharSet addAll(CharSet o) {
      for (int k = 0; k < 4; k++) bits[k] |= o.bits[k];
      wide |= o.wide;
      wideTerminators |= o.wideTerminators;
      return this;
    }

    CharSet negate() {
      for (int k = 0; k < 4; k++) bits[k] = ~bits[k];
      wide = !wide;
      wideTerminators = !wideTerminators;
      return this;
    }

    /** A char as a literal: ignoring case, an ASCII letter stands for both of its cases. */
    static CharSet literal(int c, boolean ignoreCase) {
      CharSet s = new CharSet().add(c);
      if (ignoreCase && c < 128) s.add(asciiUpper(c)).add(asciiLower(c));
      return s;
    }

    /** {@code [lo-hi]}: ignoring case, also each ASCII char one of whose cases is in the range (as java.util.regex). */
    static CharSet range(int lo, int hi, boolean ignoreCase) {
      CharSet s = new CharSet();
      for (int c = 0; c < 256; c++) {
        boolean in = c >= lo && c <= hi;
        if (!in && ignoreCase && c < 128) {
          int u = asciiUpper(c);
          int l = asciiLower(c);
          in = (u >= lo && u <= hi) || (l >= lo && l <= hi);
        }
        if (in) s.add(c);
      }
      return s;
    }

    /** {@code .} without DOTALL: all but the line terminators. */
    static CharSet dot() {
      CharSet s = new CharSet().negate();
      s.bits[0] &= ~(1L << '\n' | 1L << '\r');
      s.bits[2] &= ~(1L << ('\u0085' - 128));
      s.wideTerminators = false;
      return s;
    }

    /** {@code \d \w \s} (ASCII, as without UNICODE_CHARACTER_CLASS) and their negations. */
    static CharSet predefined(char e) {
      CharSet s = new CharSet();
      switch (Character.toLowerCase(e)) {
        case 'd':
          for (int c = '0'; c <= '9'; c++) s.add(c);
          break;
        case 'w':
          for (int c = 0; c < 128; c++) if (Character.isLetterOrDigit(c) || c == '_') s.add(c);
          break;
        default: // 's'
          for (char c : new char[] {' ', '\t', '\n', '\u000B', '\f', '\r'}) s.add(c);
      }
      return Character.isUpperCase(e) ? s.negate() : s;
    }

    private static int asciiUpper(int c) {
      return c >= 'a' && c <= 'z' ? c - 32 : c;
    }

    private static int asciiLower(int c) {
      return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
  }

  // ---------------------------------------------------------------- parsing

  /** Beyond what the DFA supports: the caller keeps java.util.regex. */
  private static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Unsupported INSTANCE = new Unsupported();

    private Unsupported() {
      super(null, null, false, false);
    }
  }

  /** The syntax tree: a char set, a sequence, an alternation or a repetition. */
  private abstract static class Node {}

  private static final class Chars extends Node {
    final CharSet set;

    Chars(CharSet set) {
      this.set = set;
    }
  }

  private static final class Sequence extends Node {
    final List<Node> items;

    Sequence(List<Node> items) {
      this.items = items;
    }
  }

  private static final class Alternation extends Node {
    final List<Node> options;

    Alternation(List<Node> options) {
      this.options = options;
    }
  }

  private static final class Repeat extends Node {
    final Node body;
    final int min;
    /** -1: unbounded. */
    final int max;

    Repeat(Node body, int min, int max) {
      this.body = body;
      this.min = min;
      this.max = max;
    }
  }

  private static final class Parser {
    final String re;
    final boolean ignoreCase;
    int pos;

    Parser(String re, boolean ignoreCase) {
      this.re = re;
      this.ignoreCase = ignoreCase;
    }

    Node alternation() {
      List<Node> options = new ArrayList<>();
      options.add(sequence());
      while (pos < re.length() && re.charAt(pos) == '|') {
        pos++;
        options.add(sequence());
      }
      return options.size() == 1 ? options.get(0) : new Alternation(options);
    }

    Node sequence() {
      List<Node> items = new ArrayList<>();
      while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
        items.add(quantified(atom()));
      }
      return new Sequence(items);
    }

    Node atom() {
      char c = re.charAt(pos);
      switch (c) {
        case '(':
          {
            pos++;
            if (peek(0) == '?') {
              if (peek(1) == ':') {
                pos += 2;
              } else if (peek(1) == '<' && peek(2) != '=' && peek(2) != '!') {
                int close = re.indexOf('>', pos);
                if (close < 0) throw Unsupported.INSTANCE;
                pos = close + 1;
              } else {
                throw Unsupported.INSTANCE; // look-around, atomic group, inline flags
              }
            }
            Node inner = alternation();
            if (peek(0) != ')') throw Unsupported.INSTANCE;
            pos++;
            return inner;
          }
        case '[':
          return new Chars(charClass());
        case '.':
          pos++;
          return new Chars(CharSet.dot());
        case '\\':
          {
            CharSet escaped = escape();
            return new Chars(escaped);
          }
        case '^': case '$': case '*': case '+': case '?': case '{': case ')': case '|':
          throw Unsupported.INSTANCE;
        default:
          pos++;
          return new Chars(CharSet.literal(checkedChar(c), ignoreCase));
      }
    }

    Node quantified(Node atom) {
      if (pos >= re.length()) return atom;
      char c = re.charAt(pos);
      int min;
      int max;
      switch (c) {
        case '?':
          min = 0;
          max = 1;
          pos++;
          break;
        case '*':
          min = 0;
          max = -1;
          pos++;
          break;
        case '+':
          min = 1;
          max = -1;
          pos++;
          break;
        case '{':
          {
            pos++;
            min = number();
            max = min;
            if (peek(0) == ',') {
              pos++;
              max = peek(0) == '}' ? -1 : number();
            }
            if (peek(0) != '}') throw Unsupported.INSTANCE;
            pos++;
            if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) throw Unsupported.INSTANCE;
            break;
          }
        default:
          return atom;
      }
      if (peek(0) == '?') pos++; // lazy: the same language
      // Possessive quantifiers change which inputs match; stacked quantifiers are left alone.
      char after = peek(0);
      if (after == '+' || after == '*' || after == '?' || after == '{') throw Unsupported.INSTANCE;
      return new Repeat(atom, min, max);
    }

    int number() {
      int start = pos;
      int value = 0;
      while (pos < re.length() && re.charAt(pos) >= '0' && re.charAt(pos) <= '9' && pos - start < 4) {
        value = value * 10 + (re.charAt(pos++) - '0');
      }
      if (pos == start || (pos < re.length() && Character.isDigit(re.charAt(pos)))) throw Unsupported.INSTANCE;
      return value;
    }

    /** An escape outside or inside a class: a predefined class or one char. */
    CharSet escape() {
      if (pos + 1 >= re.length()) throw Unsupported.INSTANCE;
      char e = re.charAt(pos + 1);
      pos += 2;
      switch (e) {
        case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
          return CharSet.predefined(e);
        default:
          return CharSet.literal(escapedChar(e), ignoreCase);
      }
    }

    /** The char an escape other than a predefined class stands for. */
    int escapedChar(char e) {
      switch (e) {
        case 't':
          return '\t';
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 'f':
          return '\f';
        case 'a':
          return '\u0007';
        case 'e':
          return '\u001B';
        default:
          // Letters and digits are constructs of their own (\b, \x41, \1 ...); other ASCII is itself.
          if (e >= 128 || Character.isLetterOrDigit(e)) throw Unsupported.INSTANCE;
          return e;
      }
    }

    CharSet charClass() {
      pos++; // [
      boolean negate = peek(0) == '^';
      if (negate) pos++;
      if (peek(0) == ']') throw Unsupported.INSTANCE; // a leading ] is read differently by engines
      CharSet set = new CharSet();
      while (true) {
        if (pos >= re.length()) throw Unsupported.INSTANCE;
        char c = re.charAt(pos);
        if (c == ']') {
          pos++;
          break;
        }
        if (c == '[' || (c == '&' && peek(1) == '&')) throw Unsupported.INSTANCE; // nesting, intersection
        int lo;
        if (c == '\\') {
          char e = peek(1);
          if ("dDwWsS".indexOf(e) >= 0) {
            set.addAll(escape());
            continue;
          }
          pos += 2;
          lo = escapedChar(e);
        } else {
          pos++;
          lo = checkedChar(c);
        }
        if (peek(0) == '-' && peek(1) != ']' && peek(1) != '[') {
          pos++;
          int hi;
          char h = peek(0);
          if (h == '\\') {
            pos += 2;
            hi = escapedChar(peek(-1));
          } else {
            pos++;
            hi = checkedChar(h);
          }
          if (hi < lo) throw Unsupported.INSTANCE;
          set.addAll(CharSet.range(lo, hi, ignoreCase));
        } else {
          set.addAll(CharSet.literal(lo, ignoreCase));
        }
      }
      return negate ? set.negate() : set;
    }

    /** A char written in the regex: up to U+00FF (classes of wider chars are not modelled). */
    int checkedChar(char c) {
      if (c > 0xFF) throw Unsupported.INSTANCE;
      return c;
    }

    char peek(int ahead) {
      int at = pos + ahead;
      return at >= 0 && at < re.length() ? re.charAt(at) : '\uFFFF';
    }
  }

  // ---------------------------------------------------------------- NFA

  /** A Thompson NFA: per state, empty moves and at most one move on a set of chars. */
  private static final class Nfa {
    final List<int[]> empty = new ArrayList<>();
    final List<CharSet> onSet = new ArrayList<>();
    final List<Integer> onTarget = new ArrayList<>();

    int state() {
      if (empty.size() >= MAX_NFA_STATES) throw Unsupported.INSTANCE;
      empty.add(new int[0]);
      onSet.add(null);
      onTarget.add(-1);
      return empty.size() - 1;
    }

    void epsilon(int from, int to) {
      int[] old = empty.get(from);
      int[] now = Arrays.copyOf(old, old.length + 1);
      now[old.length] = to;
      empty.set(from, now);
    }

    /** Builds {@code node} from {@code from}; returns the state where it ends. */
    int build(Node node, int from) {
      if (node instanceof Chars) {
        int to = state();
        onSet.set(from, ((Chars) node).set);
        onTarget.set(from, to);
        return to;
      }
      if (node instanceof Sequence) {
        int at = from;
        for (Node item : ((Sequence) node).items) at = build(item, fresh(at));
        return at;
      }
      if (node instanceof Alternation) {
        int end = state();
        for (Node option : ((Alternation) node).options) {
          int begin = state();
          epsilon(from, begin);
          epsilon(build(option, begin), end);
        }
        return end;
      }
      Repeat r = (Repeat) node;
      int at = from;
      for (int k = 0; k < r.min; k++) at = build(r.body, fresh(at));
      if (r.max < 0) {
        // at --> loop; loop --body--> loop; loop --> end
        int loop = state();
        epsilon(at, loop);
        int bodyStart = state();
        epsilon(loop, bodyStart);
        epsilon(build(r.body, bodyStart), loop);
        int end = state();
        epsilon(loop, end);
        return end;
      }
      int end = state();
      for (int k = r.min; k < r.max; k++) {
        epsilon(at, end);
        at = build(r.body, fresh(at));
      }
      epsilon(at, end);
      return end;
    }

    /** {@code at} itself when it has no char move yet, else a new state reached from it. */
    private int fresh(int at) {
      if (onSet.get(at) == null) return at;
      int s = state();
      epsilon(at, s);
      return s;
    }

    BitSet closure(BitSet states) {
      BitSet out = (BitSet) states.clone();
      ArrayDeque<Integer> todo = new ArrayDeque<>();
      for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) todo.push(s);
      while (!todo.isEmpty()) {
        for (int t : empty.get(todo.pop())) {
          if (!out.get(t)) {
            out.set(t);
            todo.push(t);
          }
        }
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- DFA

  private static RegexDfa build(String source, boolean ignoreCase, boolean fullMatch) {
    boolean anchoredStart = source.startsWith("^");
    String body = anchoredStart ? source.substring(1) : source;
    boolean anchoredEnd = false;
    if (body.endsWith("$")) {
      int backslashes = 0;
      for (int i = body.length() - 2; i >= 0 && body.charAt(i) == '\\'; i--) backslashes++;
      if (backslashes % 2 == 0) {
        anchoredEnd = true;
        body = body.substring(0, body.length() - 1);
      }
    }
    Parser parser = new Parser(body, ignoreCase);
    Node root = parser.alternation();
    if (parser.pos != body.length()) throw Unsupported.INSTANCE; // an unbalanced ')'
    if ((anchoredStart || anchoredEnd) && root instanceof Alternation) throw Unsupported.INSTANCE;

    Nfa nfa = new Nfa();
    int begin = nfa.state();
    int accept = nfa.build(root, begin);
    int nfaStates = nfa.empty.size();

    // Classes: chars that every set of the regex treats alike.
    List<CharSet> sets = new ArrayList<>();
    for (CharSet s : nfa.onSet) if (s != null) sets.add(s);
    Map<BitSet, Integer> classIds = new HashMap<>();
    byte[] classOf = new byte[256];
    for (int c = 0; c < 256; c++) {
      BitSet signature = new BitSet();
      for (int k = 0; k < sets.size(); k++) if (sets.get(k).has(c)) signature.set(k);
      classOf[c] = (byte) classId(classIds, signature);
    }
    BitSet wideSignature = new BitSet();
    BitSet terminatorSignature = new BitSet();
    for (int k = 0; k < sets.size(); k++) {
      if (sets.get(k).wide) wideSignature.set(k);
      if (sets.get(k).wideTerminators) terminatorSignature.set(k);
    }
    int wideClass = classId(classIds, wideSignature);
    int wideTerminatorClass = classId(classIds, terminatorSignature);
    int surrogateClass = classIds.size();
    int classCount = surrogateClass + 1;
    if (classCount > 127) throw Unsupported.INSTANCE;
    // A representative set membership per class, to move on.
    boolean[][] classIn = new boolean[classCount - 1][sets.size()];
    for (Map.Entry<BitSet, Integer> e : classIds.entrySet()) {
      for (int k = e.getKey().nextSetBit(0); k >= 0; k = e.getKey().nextSetBit(k + 1)) classIn[e.getValue()][k] = true;
    }
    int[] setIndexOfState = new int[nfaStates];
    for (int s = 0, k = 0; s < nfaStates; s++) setIndexOfState[s] = nfa.onSet.get(s) == null ? -1 : k++;

    // Subset construction. find() without ^ may start anywhere: the start states join every state.
    boolean unanchored = !fullMatch && !anchoredStart;
    boolean matchEndsRun = !fullMatch && !anchoredEnd; // find() without $: the first match decides
    BitSet startSet = new BitSet();
    startSet.set(begin);
    BitSet startClosure = nfa.closure(startSet);
    List<BitSet> states = new ArrayList<>();
    Map<BitSet, Integer> ids = new HashMap<>();
    states.add(startClosure);
    ids.put(startClosure, 0);
    List<int[]> moves = new ArrayList<>();
    for (int d = 0; d < states.size(); d++) {
      BitSet current = states.get(d);
      int[] row = new int[classCount - 1];
      for (int cls = 0; cls < classCount - 1; cls++) {
        BitSet target = new BitSet();
        for (int s = current.nextSetBit(0); s >= 0; s = current.nextSetBit(s + 1)) {
          int k = setIndexOfState[s];
          if (k >= 0 && classIn[cls][k]) target.set(nfa.onTarget.get(s));
        }
        BitSet closed = nfa.closure(target);
        if (unanchored) closed.or(startClosure);
        Integer id = ids.get(closed);
        if (id == null) {
          if (states.size() >= MAX_DFA_STATES) throw Unsupported.INSTANCE;
          id = states.size();
          states.add(closed);
          ids.put(closed, id);
        }
        row[cls] = id;
      }
      moves.add(row);
    }
    int count = states.size();
    boolean[] accepting = new boolean[count];
    for (int d = 0; d < count; d++) accepting[d] = states.get(d).get(accept);

    // Live: a match can still come. Sure: every continuation matches (a .* to the end).
    boolean[] live = new boolean[count];
    for (int d = 0; d < count; d++) live[d] = accepting[d];
    for (boolean changed = true; changed; ) {
      changed = false;
      for (int d = 0; d < count; d++) {
        if (live[d]) continue;
        for (int t : moves.get(d)) {
          if (live[t]) {
            live[d] = true;
            changed = true;
            break;
          }
        }
      }
    }
    boolean[] sure = accepting.clone();
    for (boolean changed = true; changed; ) {
      changed = false;
      for (int d = 0; d < count; d++) {
        if (!sure[d]) continue;
        for (int t : moves.get(d)) {
          if (!sure[t]) {
            sure[d] = false;
            changed = true;
            break;
          }
        }
      }
    }

    // Sure but for line terminators: the same over the classes of chars other than line
    // terminators, where those classes hold nothing else (else a search for terminators would not do).
    boolean[] sureUnlessTerminator = new boolean[count];
    boolean[] terminatorClass = new boolean[classCount];
    terminatorClass[classOf['\n']] = terminatorClass[classOf['\r']] = terminatorClass[classOf['\u0085']] = true;
    terminatorClass[wideTerminatorClass] = true;
    boolean pure = !terminatorClass[wideClass];
    for (int c = 0; c < 256; c++) if (terminatorClass[classOf[c]] && !Strings.isLineTerminator((char) c)) pure = false;
    if (pure) {
      sureUnlessTerminator = accepting.clone();
      for (boolean changed = true; changed; ) {
        changed = false;
        for (int d = 0; d < count; d++) {
          if (!sureUnlessTerminator[d]) continue;
          int[] row = moves.get(d);
          for (int cls = 0; cls < row.length; cls++) {
            if (!terminatorClass[cls] && !sureUnlessTerminator[row[cls]]) {
              sureUnlessTerminator[d] = false;
              changed = true;
              break;
            }
          }
        }
      }
    }

    // Renumber: running states first, then those that end the run: by the kinds below, in order.
    int[] kind = new int[count]; // 0 run, 1 match, 2 match unless a line terminator follows, 3 no match
    for (int d = 0; d < count; d++) {
      if (matchEndsRun ? accepting[d] : sure[d]) kind[d] = 1;
      else if (!live[d]) kind[d] = 3;
      else if (!matchEndsRun && sureUnlessTerminator[d]) kind[d] = 2;
    }
    int[] order = new int[count];
    int[] rank = new int[count];
    int[] firstOfKind = new int[5];
    int placed = 0;
    for (int k = 0; k <= 3; k++) {
      firstOfKind[k] = placed;
      for (int d = 0; d < count; d++) {
        if (kind[d] == k) {
          rank[d] = placed;
          order[placed++] = d;
        }
      }
    }
    int firstExitRank = firstOfKind[1];
    int firstMatchUnlessTerminatorRank = firstOfKind[2];
    int firstNoMatchRank = firstOfKind[3];
    int giveUpRank = count;
    int[] next = new int[(count + 1) * classCount];
    boolean[] acceptsAtEnd = new boolean[count + 1];
    for (int r = 0; r < count; r++) {
      int d = order[r];
      int[] row = moves.get(d);
      for (int cls = 0; cls < classCount - 1; cls++) next[r * classCount + cls] = rank[row[cls]] * classCount;
      next[r * classCount + surrogateClass] = giveUpRank * classCount;
      acceptsAtEnd[r] = accepting[d];
    }
    for (int cls = 0; cls < classCount; cls++) next[giveUpRank * classCount + cls] = giveUpRank * classCount;

    // The text every match starts with, when anchored: states where one char (in either ASCII
    // case) is all that keeps a match possible. A run compares it in one go rather than step
    // through the table char by char.
    StringBuilder prefix = new StringBuilder();
    int after = 0;
    if (!unanchored) {
      while (kind[after] == 0 && prefix.length() < 256) {
        int[] row = moves.get(after);
        int only = -1;
        for (int cls = 0; cls < row.length; cls++) {
          if (!live[row[cls]]) continue;
          only = only == -1 ? cls : -2;
        }
        if (only < 0 || only == wideClass || only == wideTerminatorClass) break;
        int first = -1;
        int members = 0;
        for (int c = 0; c < 256; c++) {
          if (classOf[c] != only) continue;
          if (first < 0) first = c;
          members++;
        }
        boolean letter = first >= 'A' && first <= 'Z' && classOf[first + 32] == only;
        if (!(members == 1 && !Character.isLetter(first) || members == 2 && letter)) break;
        prefix.append((char) (letter ? first + 32 : first));
        after = row[only];
      }
    }
    return new RegexDfa(
        classOf, wideClass, wideTerminatorClass, surrogateClass, next, rank[0] * classCount,
        firstExitRank * classCount, firstMatchUnlessTerminatorRank * classCount, firstNoMatchRank * classCount,
        giveUpRank * classCount, acceptsAtEnd,
        !fullMatch && anchoredEnd, classCount, prefix.toString(), rank[after] * classCount);
  }

  private static int classId(Map<BitSet, Integer> ids, BitSet signature) {
    Integer id = ids.get(signature);
    if (id == null) {
      id = ids.size();
      ids.put(signature, id);
    }
    return id;
  }
}
