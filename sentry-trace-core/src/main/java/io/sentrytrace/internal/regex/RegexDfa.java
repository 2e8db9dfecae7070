package io.sentrytrace.internal.regex;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Not API: may change without notice.
 *
 * <p>The engine every regex URL target ({@code tracePropagationTargets}) runs on when it can. It
 * exists because part of an outgoing URL is often user input, so an attacker can shape what a
 * target regex reads, and a backtracking engine such as {@code java.util.regex} takes time
 * exponential in the URL's length on regexes such as {@code (\w+\.?)+!}. sentry-java matches its
 * targets with {@code String.contains} and {@code Pattern} in about 30 lines, and Brave matches by
 * method and path prefix; this library keeps sentry-java's rules (and so its configurations) but
 * runs each regex in time linear in the URL. This class comment is the one place that says which
 * regex syntax that covers.
 *
 * <p>The regex is compiled into a DFA, which reads each char of the URL once with one table
 * look-up, never backtracks, allocates nothing and stops as soon as the answer is known (no match
 * can follow, or every continuation matches: the {@code .*} that ends most targets). Whether a
 * regex has a match does not depend on the order in which a backtracking engine tries
 * alternatives; it is a property of the regular language, which the DFA decides: it gives {@code
 * java.util.regex}'s answer for every input.
 *
 * <p>Syntax it takes: chars up to U+00FF, escaped punctuation, {@code \t \n \r \f \a \e}, octal
 * ({@code \0}), hex ({@code \x}, &#92;u) and control ({@code \c}) escapes of chars up to U+00FF,
 * {@code \Q…\E} outside classes, {@code .}, {@code \d \D \w \W \s \S}, classes with ranges and
 * negation (without nesting or {@code &&}), groups (plain, {@code (?:)}, named), alternation, greedy
 * and lazy quantifiers (counts up to {@value #MAX_REPEAT}), {@code ^} and {@code $} anywhere but in
 * a repeated group (as {@code java.util.regex} reads them without MULTILINE), and the flag {@code
 * CASE_INSENSITIVE}. Not taken: back references, look-around, possessive and atomic forms, inline
 * flags, word boundaries and other anchors, properties, chars above U+00FF in the regex, other
 * flags, and automata over {@value #MAX_NFA_STATES} NFA states.
 *
 * <p>What it does not take is {@link Unsupported}, with the construct named: that regex then runs on
 * {@code java.util.regex} exactly as compiled (nothing rewritten), and {@code
 * PropagationTargets.of} reports it once, when the targets are built, with a WARNING naming the
 * regex and the construct.
 *
 * <p>Input chars beyond the regex's own fall into two classes that every construct it takes treats
 * alike: U+2028/U+2029 (line terminators), and every other char above U+00FF. A surrogate pair is
 * read as one code point of the latter, a lone surrogate as itself, as {@code java.util.regex}
 * does.
 *
 * <p>Automata up to {@value #MAX_TABLE_STATES} states are built whole, ahead of time. Bigger ones
 * are built as they run, a state at a time, into a bounded cache per thread that is emptied when
 * full: each char then costs at most one step of the underlying NFA, still linear in the URL.
 */
public final class RegexDfa {
  /** Why a regex is not taken: the message names the construct. */
  public static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String construct) {
      super(construct, null, false, false);
    }
  }

  private static final int MAX_NFA_STATES = 2_000;
  private static final int MAX_TABLE_STATES = 400;
  /** States a thread's cache holds for an automaton built as it runs; emptied when full. */
  private static final int MAX_CACHED_STATES = 1_000;
  private static final int MAX_REPEAT = 64;

  private final Subsets subsets;
  /** Null for an automaton built as it runs. */
  private final Table table;
  private final ThreadLocal<Subsets> cache;
  private final String requiredLiteral;
  private final int fixedLength;

  private RegexDfa(Subsets subsets, Table table, String requiredLiteral, int fixedLength) {
    this.subsets = subsets;
    this.table = table;
    this.cache = table == null ? ThreadLocal.withInitial(subsets::emptyCopy) : null;
    this.requiredLiteral = requiredLiteral;
    this.fixedLength = fixedLength;
  }

  /**
   * The DFA for {@code pattern} as {@code matches()} ({@code fullMatch}) or {@code find()} runs it.
   *
   * @throws Unsupported when the pattern or its flags use a construct it does not take
   */
  public static RegexDfa compile(Pattern pattern, boolean fullMatch) throws Unsupported {
    return compile(pattern, fullMatch, MAX_TABLE_STATES, MAX_CACHED_STATES);
  }

  /** {@link #compile(Pattern, boolean)} with other limits, for tests of the automaton built as it runs. */
  static RegexDfa compile(Pattern pattern, boolean fullMatch, int maxTableStates, int maxCachedStates) throws Unsupported {
    int other = pattern.flags() & ~Pattern.CASE_INSENSITIVE;
    if (other != 0) throw new Unsupported("the flag " + flagName(other));
    boolean ignoreCase = (pattern.flags() & Pattern.CASE_INSENSITIVE) != 0;
    Parser parser = new Parser(pattern.pattern(), ignoreCase);
    Node root = parser.parse();
    Nfa nfa = new Nfa();
    int begin = nfa.state();
    int accept = nfa.build(root, begin);
    Subsets subsets = new Subsets(nfa, begin, accept, !fullMatch, Math.max(maxCachedStates, 2));
    Table table = Table.build(subsets, fullMatch, maxTableStates);
    if (table == null) subsets.empty(); // a prototype for each thread's cache: keep nothing
    return new RegexDfa(subsets, table, requiredLiteral(root), fullMatch ? fixedLength(root) : -1);
  }

  /**
   * Text (lower case) that every match contains, for a cheaper search to rule a URL out before the
   * run; empty when there is none worth searching for.
   */
  public String requiredLiteral() {
    return requiredLiteral;
  }

  /**
   * The number of code points of every input {@code matches()} accepts, when it is one number
   * (a regex of single chars, such as the host {@code api.example.com} read as a regex); else -1.
   */
  public int fixedLength() {
    return fixedLength;
  }

  /** Whether the automaton is built as it runs (over {@value #MAX_TABLE_STATES} states). */
  boolean buildsAsItRuns() {
    return table == null;
  }

  /** {@code java.util.regex}'s answer for {@code s}: {@code matches()} or {@code find()}, as compiled. */
  public boolean matches(CharSequence s) {
    return table != null ? table.run(s, subsets.hasDollar) : runBuildingStates(s);
  }

  // ---------------------------------------------------------------- running

  /**
   * Where a {@code $} may stand before the end of {@code s}: before a line terminator that ends it
   * ({@code \r\n} as one), as {@code java.util.regex} reads {@code $} without MULTILINE; {@code n}
   * when {@code s} does not end in one.
   */
  private static int finalTerminatorStart(CharSequence s, int n) {
    if (n == 0) return n;
    char last = s.charAt(n - 1);
    if (last == '\n' && n >= 2 && s.charAt(n - 2) == '\r') return n - 2;
    return isLineTerminator(last) ? n - 1 : n;
  }

  /** The index after the char at {@code i}: a surrogate pair is one code point. */
  private static int after(CharSequence s, int i, char c, int n) {
    return Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)) ? i + 2 : i + 1;
  }

  /** The run of an automaton built as it runs: one NFA step per char at most. */
  private boolean runBuildingStates(CharSequence s) {
    Subsets m = cache.get();
    int n = s.length();
    int tail = subsets.hasDollar ? finalTerminatorStart(s, n) : n;
    if (tail == 0) return n == 0 ? m.startAcceptsAtEnd() : m.finish(s, 0, m.startDollar()) || m.finish(s, 0, m.start());
    int state = m.start();
    int i = 0;
    while (i < tail) {
      if (m.decided(state)) return m.accepting(state);
      char c = s.charAt(i);
      i = after(s, i, c, n);
      state = m.step(state, m.classOf(c));
    }
    if (tail == n) return m.acceptsAtEnd(state);
    BitSet here = m.sets.get(state); // building the state after $ may empty the cache
    return m.finish(s, tail, m.dollar(state)) || m.finish(s, tail, m.intern(here));
  }

  // ---------------------------------------------------------------- the table

  /** An automaton built whole: states numbered by what they mean for a run, one row per state. */
  private static final class Table {
    final char[] classOf;
    final int wideClass;
    final int wideTerminatorClass;
    final int classCount;
    /** Next state (a multiple of the class count) by state plus class. */
    final int[] next;
    final int start;
    /**
     * States from here on end the run: first those where every continuation matches, then those
     * where every continuation without a line terminator does, then those that cannot match.
     */
    final int firstExit;
    final int firstMatchUnlessTerminator;
    final int firstNoMatch;
    /** Per state (divided by the class count): whether it matches where the input ends. */
    final boolean[] acceptsAtEnd;
    /** Per state: the state once a {@code $} is passed, before a final line terminator. */
    final int[] dollar;
    /** Position 0, where {@code ^} holds too: a match of the empty input, and the state after {@code $}. */
    final boolean startAcceptsAtEnd;
    final int startDollar;
    /** What every match starts with (lower case; ASCII letters in either case), when anchored; else empty. */
    final String prefix;
    /** The state after {@link #prefix}. */
    final int afterPrefix;

    private Table(
        Subsets m, int[] next, int start, int[] firstOfKind, boolean[] acceptsAtEnd, int[] dollar,
        boolean startAcceptsAtEnd, int startDollar, String prefix, int afterPrefix) {
      this.classOf = m.classOf;
      this.wideClass = m.wideClass;
      this.wideTerminatorClass = m.wideTerminatorClass;
      this.classCount = m.classCount;
      this.next = next;
      this.start = start;
      this.firstExit = firstOfKind[Kind.MATCH] * classCount;
      this.firstMatchUnlessTerminator = firstOfKind[Kind.MATCH_UNLESS_TERMINATOR] * classCount;
      this.firstNoMatch = firstOfKind[Kind.NO_MATCH] * classCount;
      this.acceptsAtEnd = acceptsAtEnd;
      this.dollar = dollar;
      this.startAcceptsAtEnd = startAcceptsAtEnd;
      this.startDollar = startDollar;
      this.prefix = prefix;
      this.afterPrefix = afterPrefix;
    }

    private int classOf(char c) {
      if (c < 256) return classOf[c];
      return (c | 1) == '\u2029' ? wideTerminatorClass : wideClass;
    }

    boolean run(CharSequence s, boolean hasDollar) {
      int n = s.length();
      int tail = hasDollar ? finalTerminatorStart(s, n) : n;
      if (tail == 0) return n == 0 ? startAcceptsAtEnd : finish(s, 0, startDollar) || finish(s, 0, start);
      int state = start;
      int i = 0;
      int p = prefix.length();
      if (p > 0 && tail >= p) { // shorter: the run decides, the input may end in the prefix's states
        for (; i < p; i++) {
          if (toLowerAscii(s.charAt(i)) != prefix.charAt(i)) return false; // no match can follow
        }
        state = afterPrefix;
      }
      int terminator = -1; // the first line terminator at or after i, once looked for; n when none
      while (true) {
        if (state >= firstExit) {
          if (state < firstMatchUnlessTerminator) return true;
          if (state >= firstNoMatch) return false;
          // Every continuation but one with a line terminator matches (the .* that ends most
          // targets): a scan for one costs less than stepping through the table.
          if (terminator < i) terminator = firstLineTerminator(s, i, n);
          if (terminator == n) return true;
        }
        if (i == tail) break;
        char c = s.charAt(i++);
        if (c < 256) {
          state = next[state + classOf[c]];
        } else {
          if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) i++; // one code point
          state = next[state + ((c | 1) == '\u2029' ? wideTerminatorClass : wideClass)];
        }
      }
      if (tail == n) return acceptsAtEnd[state / classCount];
      // $ may stand here, before the line terminator that ends the input: a match takes it or not.
      return finish(s, tail, dollar[state / classCount]) || finish(s, tail, state);
    }

    /** The run through the line terminator that ends the input (one or two chars). */
    private boolean finish(CharSequence s, int i, int state) {
      int n = s.length();
      while (true) {
        if (state >= firstExit && state < firstMatchUnlessTerminator) return true;
        if (state >= firstNoMatch) return false;
        if (i == n) return acceptsAtEnd[state / classCount];
        state = next[state + classOf(s.charAt(i++))];
      }
    }

    private static int firstLineTerminator(CharSequence s, int from, int n) {
      for (int i = from; i < n; i++) {
        if (isLineTerminator(s.charAt(i))) return i;
      }
      return n;
    }

    /** What a state means for a run. */
    private static final class Kind {
      static final int RUN = 0;
      static final int MATCH = 1;
      static final int MATCH_UNLESS_TERMINATOR = 2;
      static final int NO_MATCH = 3;
    }

    /** Every state reachable from the start, then what each means for a run, then the rows in that order. */
    static Table build(Subsets m, boolean fullMatch, int maxStates) {
      if (!m.exploreAll(maxStates)) return null;
      int[] kind = kinds(m, fullMatch);
      int[] firstOfKind = new int[Kind.NO_MATCH + 1];
      int[] rank = rankByKind(kind, firstOfKind);
      int count = m.size();
      int cc = m.classCount;
      int[] next = new int[count * cc];
      boolean[] acceptsAtEnd = new boolean[count];
      int[] dollar = new int[count];
      fillRows(m, rank, next, acceptsAtEnd, dollar);
      StringBuilder prefix = new StringBuilder();
      int after = anchoredPrefix(m, kind, prefix);
      return new Table(
          m, next, rank[m.start()] * cc, firstOfKind, acceptsAtEnd, dollar, m.startAcceptsAtEnd(),
          rank[m.startDollar()] * cc, prefix.toString(), rank[after] * cc);
    }

    /**
     * Per state, its row number: states of one {@link Kind} together, in the order of the kinds, so
     * that a run tells what a state means by comparing it with {@code firstOfKind}, filled here.
     */
    private static int[] rankByKind(int[] kind, int[] firstOfKind) {
      int[] rank = new int[kind.length];
      int placed = 0;
      for (int k = Kind.RUN; k <= Kind.NO_MATCH; k++) {
        firstOfKind[k] = placed;
        for (int d = 0; d < kind.length; d++) if (kind[d] == k) rank[d] = placed++;
      }
      return rank;
    }

    /** The rows in {@code rank} order: next states (row times class count), end and {@code $} states. */
    private static void fillRows(Subsets m, int[] rank, int[] next, boolean[] acceptsAtEnd, int[] dollar) {
      int cc = m.classCount;
      for (int d = 0; d < rank.length; d++) {
        int r = rank[d];
        for (int cls = 0; cls < cc; cls++) next[r * cc + cls] = rank[m.step(d, cls)] * cc;
        acceptsAtEnd[r] = m.acceptsAtEnd(d);
        dollar[r] = rank[m.dollar(d)] * cc;
      }
    }

    /**
     * The text every match starts with, into {@code prefix}: states where one char (in either
     * ASCII case) is all that keeps a match possible. A run compares it in one go rather than step
     * through the table. Returns the state after it.
     */
    private static int anchoredPrefix(Subsets m, int[] kind, StringBuilder prefix) {
      int after = m.start();
      boolean[] live = live(m);
      while (kind[after] == Kind.RUN && prefix.length() < 256) {
        int only = -1;
        for (int cls = 0; cls < m.classCount; cls++) {
          if (live[m.step(after, cls)]) only = only == -1 ? cls : -2;
        }
        if (only < 0) break;
        int c = prefixChar(m, only);
        if (c < 0) break;
        prefix.append((char) c);
        after = m.step(after, only);
      }
      return after;
    }

    /**
     * The char (lower case) class {@code cls} stands for in a prefix: its one member, not a letter,
     * or an ASCII letter in both cases; else -1.
     */
    private static int prefixChar(Subsets m, int cls) {
      if (cls == m.wideClass || cls == m.wideTerminatorClass) return -1;
      int first = -1;
      int members = 0;
      for (int c = 0; c < 256; c++) {
        if (m.classOf[c] != cls) continue;
        if (first < 0) first = c;
        members++;
      }
      boolean letter = first >= 'A' && first <= 'Z' && m.classOf[first + 32] == cls;
      if (members == 1 && !Character.isLetter(first)) return first;
      return members == 2 && letter ? first + 32 : -1;
    }

    /**
     * Per state: {@link Kind#MATCH} where every continuation matches (and, for {@code find()},
     * where a match has been read), {@link Kind#MATCH_UNLESS_TERMINATOR} where every continuation
     * without a line terminator does, {@link Kind#NO_MATCH} where none can, else {@link Kind#RUN}.
     */
    private static int[] kinds(Subsets m, boolean fullMatch) {
      int count = m.size();
      int cc = m.classCount;
      boolean[] live = live(m);
      boolean[] sure = new boolean[count];
      for (int d = 0; d < count; d++) sure[d] = m.acceptsAtEnd(d);
      shrink(m, sure, cls -> true);
      // Sure but for line terminators, where the classes of line terminators hold nothing else
      // (else a scan for terminators would not tell).
      boolean[] terminatorClass = new boolean[cc];
      terminatorClass[m.classOf['\n']] = terminatorClass[m.classOf['\r']] = terminatorClass[m.classOf['\u0085']] = true;
      terminatorClass[m.wideTerminatorClass] = true;
      boolean pure = !terminatorClass[m.wideClass];
      for (int c = 0; c < 256; c++) if (terminatorClass[m.classOf[c]] && !isLineTerminator((char) c)) pure = false;
      boolean[] sureUnlessTerminator = new boolean[count];
      if (pure) {
        for (int d = 0; d < count; d++) sureUnlessTerminator[d] = m.acceptsAtEnd(d);
        shrink(m, sureUnlessTerminator, cls -> !terminatorClass[cls]);
      }
      int[] kind = new int[count];
      for (int d = 0; d < count; d++) {
        if (sure[d] || (!fullMatch && m.accepting(d))) kind[d] = Kind.MATCH;
        else if (!live[d]) kind[d] = Kind.NO_MATCH;
        else if (sureUnlessTerminator[d]) kind[d] = Kind.MATCH_UNLESS_TERMINATOR;
      }
      return kind;
    }

    /** Clears {@code set[d]} until every state in it moves, on each class {@code over} takes, into it. */
    private static void shrink(Subsets m, boolean[] set, java.util.function.IntPredicate over) {
      for (boolean changed = true; changed; ) {
        changed = false;
        for (int d = 0; d < set.length; d++) {
          if (!set[d]) continue;
          for (int cls = 0; cls < m.classCount; cls++) {
            if (over.test(cls) && !set[m.step(d, cls)]) {
              set[d] = false;
              changed = true;
              break;
            }
          }
        }
      }
    }

    /** Per state: whether a match can still come, by more chars, at the end, or past a {@code $}. */
    private static boolean[] live(Subsets m) {
      int count = m.size();
      boolean[] live = new boolean[count];
      for (int d = 0; d < count; d++) live[d] = m.accepting(d) || m.acceptsAtEnd(d);
      for (boolean changed = true; changed; ) {
        changed = false;
        for (int d = 0; d < count; d++) {
          if (live[d]) continue;
          boolean any = live[m.dollar(d)];
          for (int cls = 0; cls < m.classCount && !any; cls++) any = live[m.step(d, cls)];
          if (any) {
            live[d] = changed = true;
          }
        }
      }
      return live;
    }
  }

  // ---------------------------------------------------------------- subset construction

  /**
   * DFA states as sets of NFA states, built on demand: the whole automaton for a {@link Table}, or
   * a thread's bounded cache of it for an automaton built as it runs.
   */
  private static final class Subsets {
    final Nfa nfa;
    final int begin;
    final int accept;
    /** {@code find()}: a match may start at every position, so each step adds the start states. */
    final boolean unanchored;
    final boolean hasDollar;
    final char[] classOf;
    final int wideClass;
    final int wideTerminatorClass;
    final int classCount;
    /** Per class, a char of it, to move on. */
    final int[] representative;
    /** NFA states from which the accepting state can be reached. */
    final BitSet liveNfa;
    /** States a cache holds before it is emptied. */
    final int maxCached;

    final List<BitSet> sets = new ArrayList<>();
    final Map<BitSet, Integer> ids = new HashMap<>();
    /** Per state, per class: the next state, or -1 until built. */
    int[] moves = new int[0];
    int[] dollars = new int[0];
    /** Per state: bit 0 accepting, bit 1 accepts at the end, bit 2 dead, bit 3 known. */
    byte[] flags = new byte[0];
    private int start = -1;
    private int startDollar = -1;

    Subsets(Nfa nfa, int begin, int accept, boolean unanchored, int maxCached) {
      this.maxCached = maxCached;
      this.nfa = nfa;
      this.begin = begin;
      this.accept = accept;
      this.unanchored = unanchored;
      this.hasDollar = nfa.hasEnd;
      // Classes: chars that every set of the regex treats alike.
      List<CharSet> charSets = new ArrayList<>();
      for (CharSet s : nfa.onSet) if (s != null) charSets.add(s);
      Map<BitSet, Integer> classIds = new HashMap<>();
      this.classOf = new char[256];
      List<Integer> representatives = new ArrayList<>();
      for (int c = 0; c < 256; c++) {
        BitSet signature = new BitSet();
        for (int k = 0; k < charSets.size(); k++) if (charSets.get(k).has(c)) signature.set(k);
        classOf[c] = (char) classId(classIds, signature, representatives, c);
      }
      BitSet wide = new BitSet();
      BitSet wideTerminators = new BitSet();
      for (int k = 0; k < charSets.size(); k++) {
        if (charSets.get(k).wide) wide.set(k);
        if (charSets.get(k).wideTerminators) wideTerminators.set(k);
      }
      this.wideClass = classId(classIds, wide, representatives, 0x100);
      this.wideTerminatorClass = classId(classIds, wideTerminators, representatives, 0x2028);
      this.classCount = classIds.size();
      this.representative = representatives.stream().mapToInt(Integer::intValue).toArray();
      this.liveNfa = nfa.canReach(accept);
    }

    private Subsets(Subsets o) {
      this.maxCached = o.maxCached;
      this.nfa = o.nfa;
      this.begin = o.begin;
      this.accept = o.accept;
      this.unanchored = o.unanchored;
      this.hasDollar = o.hasDollar;
      this.classOf = o.classOf;
      this.wideClass = o.wideClass;
      this.wideTerminatorClass = o.wideTerminatorClass;
      this.classCount = o.classCount;
      this.representative = o.representative;
      this.liveNfa = o.liveNfa;
    }

    Subsets emptyCopy() {
      return new Subsets(this);
    }

    private static int classId(Map<BitSet, Integer> ids, BitSet signature, List<Integer> representatives, int c) {
      Integer id = ids.get(signature);
      if (id == null) {
        id = ids.size();
        ids.put(signature, id);
        representatives.add(c);
      }
      return id;
    }

    int classOf(char c) {
      if (c < 256) return classOf[c];
      return (c | 1) == '\u2029' ? wideTerminatorClass : wideClass;
    }

    int size() {
      return sets.size();
    }

    /** Position 0: {@code ^} holds. */
    int start() {
      if (start < 0) start = intern(nfa.closure(single(begin), true, false));
      return start;
    }

    int startDollar() {
      if (startDollar < 0) startDollar = intern(nfa.closure(single(begin), true, true));
      return startDollar;
    }

    boolean startAcceptsAtEnd() {
      return nfa.closure(single(begin), true, true).get(accept);
    }

    /** Builds every state reachable from the start; false when there are more than {@code max}. */
    boolean exploreAll(int max) {
      start();
      startDollar();
      for (int d = 0; d < sets.size(); d++) {
        if (sets.size() + classCount + 1 >= maxCached) return false; // the row could empty the cache
        for (int cls = 0; cls < classCount; cls++) step(d, cls);
        dollar(d);
        if (sets.size() > max) return false;
      }
      return true;
    }

    int step(int state, int cls) {
      int known = moves[state * classCount + cls];
      if (known >= 0) return known;
      BitSet from = sets.get(state);
      BitSet to = new BitSet();
      for (int s = from.nextSetBit(0); s >= 0; s = from.nextSetBit(s + 1)) {
        CharSet on = nfa.onSet.get(s);
        if (on != null && on.hasClassOf(representative[cls])) to.set(nfa.onTarget.get(s));
      }
      BitSet closed = nfa.closure(to, false, false);
      if (unanchored) closed.or(restart());
      int id = intern(closed);
      if (isStill(state, from)) moves[state * classCount + cls] = id;
      return id;
    }

    /** The state once {@code $} edges are passed (before a final line terminator). */
    int dollar(int state) {
      int known = dollars[state];
      if (known >= 0) return known;
      BitSet from = sets.get(state);
      int id = hasDollar ? intern(nfa.closure(from, false, true)) : state;
      if (isStill(state, from)) dollars[state] = id;
      return id;
    }

    boolean accepting(int state) {
      return (flags(state) & 1) != 0;
    }

    boolean acceptsAtEnd(int state) {
      return (flags(state) & 2) != 0;
    }

    /** Whether the run can stop here: a match read by {@code find()}, or none possible. */
    boolean decided(int state) {
      return (unanchored && accepting(state)) || (flags(state) & 4) != 0;
    }

    private int flags(int state) {
      byte f = flags[state];
      if (f != 0) return f;
      BitSet set = sets.get(state);
      boolean accepting = set.get(accept);
      boolean atEnd = accepting || (hasDollar && nfa.closure(set, false, true).get(accept));
      boolean dead = !set.intersects(liveNfa);
      f = (byte) (8 | (accepting ? 1 : 0) | (atEnd ? 2 : 0) | (dead ? 4 : 0));
      flags[state] = f;
      return f;
    }

    /** The run through the line terminator that ends the input, built as it runs. */
    boolean finish(CharSequence s, int i, int state) {
      int n = s.length();
      while (true) {
        if (decided(state)) return accepting(state);
        if (i == n) return acceptsAtEnd(state);
        state = step(state, classOf(s.charAt(i++)));
      }
    }

    private BitSet restartSet;

    private BitSet restart() {
      if (restartSet == null) restartSet = nfa.closure(single(begin), false, false);
      return restartSet;
    }

    /** Whether {@code state} still stands for {@code set}: interning may have emptied the cache. */
    private boolean isStill(int state, BitSet set) {
      return state < sets.size() && sets.get(state) == set;
    }

    private int intern(BitSet set) {
      Integer id = ids.get(set);
      if (id != null) return id;
      if (sets.size() >= maxCached) empty();
      int next = sets.size();
      sets.add(set);
      ids.put(set, next);
      if (moves.length < (next + 1) * classCount) {
        int capacity = Math.max(16, 2 * (next + 1));
        int old = moves.length;
        moves = Arrays.copyOf(moves, capacity * classCount);
        Arrays.fill(moves, old, moves.length, -1);
        int oldStates = dollars.length;
        dollars = Arrays.copyOf(dollars, capacity);
        Arrays.fill(dollars, oldStates, capacity, -1);
        flags = Arrays.copyOf(flags, capacity);
      }
      return next;
    }

    /** Empties a full cache (only an automaton built as it runs gets here: a table stops at its cap first). */
    private void empty() {
      sets.clear();
      ids.clear();
      Arrays.fill(moves, -1);
      Arrays.fill(dollars, -1);
      Arrays.fill(flags, (byte) 0);
      start = -1;
      startDollar = -1;
    }

    private static BitSet single(int s) {
      BitSet b = new BitSet();
      b.set(s);
      return b;
    }
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

    /** Whether the set has the class of {@code c}: a char up to U+00FF, U+0100 for wide, U+2028 for wide terminators. */
    boolean hasClassOf(int c) {
      return c < 256 ? has(c) : c == 0x2028 ? wideTerminators : wide;
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

    /** The one char this set stands for as a literal (either ASCII case: a search for it ignores ASCII case), or -1. */
    int single() {
      if (wide || wideTerminators) return -1;
      int first = -1;
      int count = 0;
      for (int c = 0; c < 256; c++) {
        if (!has(c)) continue;
        if (first < 0) first = c;
        count++;
      }
      if (count == 1) return first;
      if (count == 2 && first >= 'A' && first <= 'Z' && has(first + 32)) return first + 32;
      return -1;
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

  /** The syntax tree: a char set, a sequence, an alternation, a repetition or an anchor. */
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

  /** {@code ^} (the start of the input) or {@code $} (its end, or before a line terminator that ends it). */
  private static final class Anchor extends Node {
    final boolean end;

    Anchor(boolean end) {
      this.end = end;
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

    Node parse() throws Unsupported {
      Node root = alternation();
      if (pos != re.length()) throw new Unsupported("an unbalanced ')'");
      return root;
    }

    Node alternation() throws Unsupported {
      List<Node> options = new ArrayList<>();
      options.add(sequence());
      while (pos < re.length() && re.charAt(pos) == '|') {
        pos++;
        options.add(sequence());
      }
      return options.size() == 1 ? options.get(0) : new Alternation(options);
    }

    Node sequence() throws Unsupported {
      List<Node> items = new ArrayList<>();
      while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
        if (re.startsWith("\\Q", pos)) {
          quoted(items);
        } else {
          items.add(quantified(atom()));
        }
      }
      return new Sequence(items);
    }

    /** {@code \Q…\E}: each char a literal; a quantifier after it applies to the last one. */
    void quoted(List<Node> items) throws Unsupported {
      int end = re.indexOf("\\E", pos + 2);
      String text = re.substring(pos + 2, end < 0 ? re.length() : end);
      pos = end < 0 ? re.length() : end + 2;
      if (text.isEmpty()) {
        if (pos < re.length() && "?*+{".indexOf(re.charAt(pos)) >= 0) throw new Unsupported("a quantifier after an empty \\Q\\E");
        return;
      }
      for (int i = 0; i < text.length() - 1; i++) items.add(new Chars(CharSet.literal(checkedChar(text.charAt(i)), ignoreCase)));
      items.add(quantified(new Chars(CharSet.literal(checkedChar(text.charAt(text.length() - 1)), ignoreCase))));
    }

    Node atom() throws Unsupported {
      char c = re.charAt(pos);
      switch (c) {
        case '(':
          return group();
        case '[':
          return new Chars(charClass());
        case '.':
          pos++;
          return new Chars(CharSet.dot());
        case '^':
        case '$':
          pos++;
          if (pos < re.length() && "?*+{".indexOf(re.charAt(pos)) >= 0) throw new Unsupported("a quantified " + c);
          return new Anchor(c == '$');
        case '\\':
          return new Chars(escape());
        case '*': case '+': case '?': case '{': case ')': case '|':
          throw new Unsupported("a dangling '" + c + "'");
        default:
          pos++;
          return new Chars(CharSet.literal(checkedChar(c), ignoreCase));
      }
    }

    /** A plain, non-capturing or named group: what it holds (captures do not change the language). */
    Node group() throws Unsupported {
      pos++; // (
      if (peek(0) == '?') {
        if (peek(1) == ':') {
          pos += 2;
        } else if (peek(1) == '<' && peek(2) != '=' && peek(2) != '!') {
          int close = re.indexOf('>', pos);
          if (close < 0) throw new Unsupported("an unterminated group name");
          pos = close + 1;
        } else {
          throw new Unsupported(groupKind(peek(1), peek(2)));
        }
      }
      Node inner = alternation();
      if (peek(0) != ')') throw new Unsupported("an unterminated group");
      pos++;
      return inner;
    }

    private static String groupKind(char a, char b) {
      if (a == '=' || a == '!') return "look-ahead (?" + a;
      if (a == '<') return "look-behind (?<" + b;
      if (a == '>') return "an atomic group (?>";
      return "inline flags (?" + a;
    }

    /** {@code atom} with the quantifier that follows it, if any. */
    Node quantified(Node atom) throws Unsupported {
      int[] count = count();
      if (count == null) return atom;
      int min = count[0];
      int max = count[1];
      // java.util.regex ends a loop at an iteration that matched nothing, even below its minimum
      // count: the same as more empty iterations, unless an anchor lets an iteration match
      // nothing at one place and not at another.
      if (hasAnchor(atom)) throw new Unsupported("an anchor in a repeated group");
      if (peek(0) == '?') pos++; // lazy: the same language
      else if (peek(0) == '+') throw new Unsupported("a possessive quantifier");
      char after = peek(0);
      if (after == '*' || after == '?' || after == '{' || after == '+') throw new Unsupported("stacked quantifiers");
      return new Repeat(atom, min, max);
    }

    /** The quantifier at {@code pos} as {min, max} (max -1: unbounded), moving past it; null when none. */
    int[] count() throws Unsupported {
      switch (peek(0)) {
        case '?':
          pos++;
          return new int[] {0, 1};
        case '*':
          pos++;
          return new int[] {0, -1};
        case '+':
          pos++;
          return new int[] {1, -1};
        case '{':
          {
            pos++;
            int min = number();
            int max = min;
            if (peek(0) == ',') {
              pos++;
              max = peek(0) == '}' ? -1 : number();
            }
            if (peek(0) != '}') throw new Unsupported("a malformed count");
            pos++;
            if (min > MAX_REPEAT || max > MAX_REPEAT) throw new Unsupported("a count over " + MAX_REPEAT);
            if (max >= 0 && max < min) throw new Unsupported("a count whose maximum is below its minimum");
            return new int[] {min, max};
          }
        default:
          return null;
      }
    }

    private static boolean hasAnchor(Node node) {
      if (node instanceof Anchor) return true;
      if (node instanceof Sequence) return ((Sequence) node).items.stream().anyMatch(Parser::hasAnchor);
      if (node instanceof Alternation) return ((Alternation) node).options.stream().anyMatch(Parser::hasAnchor);
      if (node instanceof Repeat) return hasAnchor(((Repeat) node).body);
      return false;
    }

    int number() throws Unsupported {
      int start = pos;
      int value = 0;
      while (pos < re.length() && re.charAt(pos) >= '0' && re.charAt(pos) <= '9' && pos - start < 4) {
        value = value * 10 + (re.charAt(pos++) - '0');
      }
      if (pos == start || (pos < re.length() && Character.isDigit(re.charAt(pos)))) throw new Unsupported("a count over " + MAX_REPEAT);
      return value;
    }

    /** An escape outside or inside a class: a predefined class or one char. */
    CharSet escape() throws Unsupported {
      if (pos + 1 >= re.length()) throw new Unsupported("a trailing \\");
      char e = re.charAt(pos + 1);
      switch (e) {
        case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
          pos += 2;
          return CharSet.predefined(e);
        default:
          return CharSet.literal(escapedChar(), ignoreCase);
      }
    }

    /** The char of the escape at {@code pos} (not a predefined class); moves past it. */
    int escapedChar() throws Unsupported {
      char e = re.charAt(pos + 1);
      pos += 2;
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
        case '0':
          return octal();
        case 'x':
          return checkedChar(peek(0) == '{' ? hexInBraces() : hex(2));
        case 'u':
          return checkedChar(hex(4));
        case 'c':
          if (pos >= re.length()) throw new Unsupported("a trailing \\c");
          return re.charAt(pos++) ^ 64;
        default:
          if (e >= 128 || Character.isLetterOrDigit(e)) throw new Unsupported("the escape \\" + e);
          return e; // other ASCII punctuation stands for itself
      }
    }

    /** {@code \0n}, {@code \0nn}, {@code \0mnn} (m up to 3), as java.util.regex reads them. */
    int octal() throws Unsupported {
      char first = peek(0);
      if (!isOctal(first)) throw new Unsupported("a malformed octal escape");
      int value = re.charAt(pos++) - '0';
      if (!isOctal(peek(0))) return value;
      value = value * 8 + (re.charAt(pos++) - '0');
      if (!isOctal(peek(0)) || first > '3') return value;
      return value * 8 + (re.charAt(pos++) - '0');
    }

    private static boolean isOctal(char c) {
      return c >= '0' && c <= '7';
    }

    int hex(int digits) throws Unsupported {
      if (pos + digits > re.length()) throw new Unsupported("a malformed hex escape");
      int value = 0;
      for (int k = 0; k < digits; k++) value = value * 16 + hexDigit(re.charAt(pos++));
      return value;
    }

    int hexInBraces() throws Unsupported {
      int close = re.indexOf('}', pos);
      if (close < 0 || close - pos > 9) throw new Unsupported("a malformed hex escape");
      pos++;
      int value = 0;
      while (pos < close) {
        value = value * 16 + hexDigit(re.charAt(pos++));
        if (value > 0xFF) throw new Unsupported("a char above U+00FF");
      }
      pos++;
      return value;
    }

    private static int hexDigit(char c) throws Unsupported {
      int d = Character.digit(c, 16);
      if (d < 0) throw new Unsupported("a malformed hex escape");
      return d;
    }

    CharSet charClass() throws Unsupported {
      pos++; // [
      boolean negate = peek(0) == '^';
      if (negate) pos++;
      if (peek(0) == ']') throw new Unsupported("a class starting with ]");
      CharSet set = new CharSet();
      while (true) {
        if (pos >= re.length()) throw new Unsupported("an unterminated class");
        char c = re.charAt(pos);
        if (c == ']') {
          pos++;
          break;
        }
        if (c == '[') throw new Unsupported("a nested class");
        if (c == '&' && peek(1) == '&') throw new Unsupported("a class intersection &&");
        int lo;
        if (c == '\\') {
          char e = peek(1);
          if ("dDwWsS".indexOf(e) >= 0) {
            set.addAll(escape());
            continue;
          }
          if (e == 'Q') throw new Unsupported("\\Q in a class");
          lo = escapedChar();
        } else {
          pos++;
          lo = checkedChar(c);
        }
        if (peek(0) == '-' && peek(1) != ']' && peek(1) != '[') {
          pos++;
          int hi;
          if (peek(0) == '\\') {
            if ("dDwWsSQ".indexOf(peek(1)) >= 0) throw new Unsupported("a range ending in \\" + peek(1));
            hi = escapedChar();
          } else {
            hi = checkedChar(re.charAt(pos++));
          }
          if (hi < lo) throw new Unsupported("an empty range");
          set.addAll(CharSet.range(lo, hi, ignoreCase));
        } else {
          set.addAll(CharSet.literal(lo, ignoreCase));
        }
      }
      return negate ? set.negate() : set;
    }

    /** A char written in the regex: up to U+00FF (classes of wider chars are not modelled). */
    int checkedChar(int c) throws Unsupported {
      if (c > 0xFF) throw new Unsupported("a char above U+00FF");
      return c;
    }

    char peek(int ahead) {
      int at = pos + ahead;
      return at >= 0 && at < re.length() ? re.charAt(at) : '\uFFFF';
    }
  }

  /** Lower-case text every match contains: the longest run of single chars in the top-level sequence. */
  private static String requiredLiteral(Node root) {
    List<Node> items = new ArrayList<>();
    flatten(root, items);
    String best = "";
    StringBuilder run = new StringBuilder();
    for (Node item : items) {
      int c = item instanceof Chars ? ((Chars) item).set.single() : -1;
      if (item instanceof Anchor) continue; // takes no chars: the run is still contiguous
      if (c >= 0) { // ignoring case or not: the search for it ignores ASCII case, which only finds more
        run.append(toLowerAscii((char) c));
        continue;
      }
      if (run.length() > best.length()) best = run.toString();
      run.setLength(0);
    }
    if (run.length() > best.length()) best = run.toString();
    return best.length() >= 2 ? best : "";
  }

  /** Code points every match of {@code root} has: one per char set, none per anchor; -1 with anything else. */
  private static int fixedLength(Node root) {
    List<Node> items = new ArrayList<>();
    flatten(root, items);
    int length = 0;
    for (Node item : items) {
      if (item instanceof Chars) length++;
      else if (!(item instanceof Anchor)) return -1;
    }
    return length;
  }

  private static void flatten(Node node, List<Node> into) {
    if (node instanceof Sequence) {
      for (Node item : ((Sequence) node).items) flatten(item, into);
    } else {
      into.add(node);
    }
  }

  private static boolean isLineTerminator(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || (c | 1) == '\u2029';
  }

  private static char toLowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  private static String flagName(int flags) {
    String[] names = {"UNIX_LINES", "CASE_INSENSITIVE", "COMMENTS", "MULTILINE", "LITERAL", "DOTALL", "UNICODE_CASE", "CANON_EQ", "UNICODE_CHARACTER_CLASS"};
    int[] values = {Pattern.UNIX_LINES, Pattern.CASE_INSENSITIVE, Pattern.COMMENTS, Pattern.MULTILINE, Pattern.LITERAL, Pattern.DOTALL, Pattern.UNICODE_CASE, Pattern.CANON_EQ, Pattern.UNICODE_CHARACTER_CLASS};
    for (int k = 0; k < values.length; k++) if ((flags & values[k]) != 0) return names[k];
    return "0x" + Integer.toHexString(flags);
  }

  // ---------------------------------------------------------------- NFA

  /** A Thompson NFA: per state, empty moves, at most one move on a set of chars, at most one anchor. */
  private static final class Nfa {
    final List<int[]> empty = new ArrayList<>();
    final List<CharSet> onSet = new ArrayList<>();
    final List<Integer> onTarget = new ArrayList<>();
    /** Per state: 0, or 1 for a {@code ^} move, 2 for a {@code $} move, to {@link #anchorTarget}. */
    final List<Integer> anchor = new ArrayList<>();
    final List<Integer> anchorTarget = new ArrayList<>();
    boolean hasEnd;

    int state() throws Unsupported {
      if (empty.size() >= MAX_NFA_STATES) throw new Unsupported("an automaton over " + MAX_NFA_STATES + " NFA states");
      empty.add(new int[0]);
      onSet.add(null);
      onTarget.add(-1);
      anchor.add(0);
      anchorTarget.add(-1);
      return empty.size() - 1;
    }

    void epsilon(int from, int to) {
      int[] old = empty.get(from);
      int[] now = Arrays.copyOf(old, old.length + 1);
      now[old.length] = to;
      empty.set(from, now);
    }

    /** Builds {@code node} from {@code from}; returns the state where it ends. */
    int build(Node node, int from) throws Unsupported {
      if (node instanceof Chars) return chars((Chars) node, from);
      if (node instanceof Anchor) return anchor((Anchor) node, from);
      if (node instanceof Sequence) return sequence((Sequence) node, from);
      if (node instanceof Alternation) return alternation((Alternation) node, from);
      return repeat((Repeat) node, from);
    }

    private int chars(Chars node, int from) throws Unsupported {
      int to = state();
      onSet.set(from, node.set);
      onTarget.set(from, to);
      return to;
    }

    private int anchor(Anchor node, int from) throws Unsupported {
      hasEnd |= node.end;
      int to = state();
      int at = fresh(from);
      anchor.set(at, node.end ? 2 : 1);
      anchorTarget.set(at, to);
      return to;
    }

    private int sequence(Sequence node, int from) throws Unsupported {
      int at = from;
      for (Node item : node.items) at = build(item, fresh(at));
      return at;
    }

    private int alternation(Alternation node, int from) throws Unsupported {
      int end = state();
      for (Node option : node.options) {
        int begin = state();
        epsilon(from, begin);
        epsilon(build(option, begin), end);
      }
      return end;
    }

    /** The body {@code min} times, then up to {@code max - min} optional copies or a loop. */
    private int repeat(Repeat r, int from) throws Unsupported {
      int at = from;
      for (int k = 0; k < r.min; k++) at = build(r.body, fresh(at));
      return r.max < 0 ? loop(r.body, at) : optionalCopies(r.body, r.max - r.min, at);
    }

    /** at --> loop; loop --body--> loop; loop --> end. */
    private int loop(Node body, int at) throws Unsupported {
      int loop = state();
      epsilon(at, loop);
      int bodyStart = state();
      epsilon(loop, bodyStart);
      epsilon(build(body, bodyStart), loop);
      int end = state();
      epsilon(loop, end);
      return end;
    }

    /** {@code count} copies of {@code body} in a row, each of which may be skipped to the end. */
    private int optionalCopies(Node body, int count, int at) throws Unsupported {
      int end = state();
      for (int k = 0; k < count; k++) {
        epsilon(at, end);
        at = build(body, fresh(at));
      }
      epsilon(at, end);
      return end;
    }

    /** {@code at} itself when it has no char or anchor move yet, else a new state reached from it. */
    private int fresh(int at) throws Unsupported {
      if (onSet.get(at) == null && anchor.get(at) == 0) return at;
      int s = state();
      epsilon(at, s);
      return s;
    }

    /** The states reached from {@code states} by empty moves, and {@code ^} or {@code $} moves where they hold. */
    BitSet closure(BitSet states, boolean atStart, boolean atEnd) {
      BitSet out = (BitSet) states.clone();
      ArrayDeque<Integer> todo = new ArrayDeque<>();
      for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) todo.push(s);
      while (!todo.isEmpty()) {
        int s = todo.pop();
        for (int t : empty.get(s)) {
          if (!out.get(t)) {
            out.set(t);
            todo.push(t);
          }
        }
        int a = anchor.get(s);
        if ((a == 1 && atStart) || (a == 2 && atEnd)) {
          int t = anchorTarget.get(s);
          if (!out.get(t)) {
            out.set(t);
            todo.push(t);
          }
        }
      }
      return out;
    }

    /** The states from which {@code target} can be reached by any moves. */
    BitSet canReach(int target) {
      int n = empty.size();
      List<List<Integer>> back = new ArrayList<>();
      for (int s = 0; s < n; s++) back.add(new ArrayList<>());
      for (int s = 0; s < n; s++) {
        for (int t : empty.get(s)) back.get(t).add(s);
        if (onTarget.get(s) >= 0) back.get(onTarget.get(s)).add(s);
        if (anchorTarget.get(s) >= 0) back.get(anchorTarget.get(s)).add(s);
      }
      BitSet reach = new BitSet();
      reach.set(target);
      ArrayDeque<Integer> todo = new ArrayDeque<>();
      todo.push(target);
      while (!todo.isEmpty()) {
        for (int s : back.get(todo.pop())) {
          if (!reach.get(s)) {
            reach.set(s);
            todo.push(s);
          }
        }
      }
      return reach;
    }
  }
}
