package io.sentrytrace.internal.regex;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/** Regexes URL targets are written as, with URLs they match, and a generator of URLs near them. */
final class RegexCases {
  private RegexCases() {}

  static final int CANDIDATES_PER_REGEX = 3_000;

  /** A regex with URLs it matches, to mutate into many more (some matching, some not). */
  static final class Case {
    final String regex;
    final int flags;
    final List<String> seeds;

    Case(String regex, int flags, String... seeds) {
      this.regex = regex;
      this.flags = flags;
      this.seeds = List.of(seeds);
    }
  }

  static final List<Case> CASES = List.of(
      new Case("^https://api\\.example\\.com/v[0-9]+/.*", 0, "https://api.example.com/v1/users", "HTTPS://API.EXAMPLE.COM/V22/"),
      new Case("api\\.example\\.com", 0, "https://api.example.com/v1", "http://x/API.EXAMPLE.COM"),
      new Case("^(http|https)://api\\..*$", 0, "http://api.foo.bar:8080/foo", "https://api.x"),
      new Case("myApi.com/v[2-4]", 0, "myApi.com/v2/projects", "https://myapiXcom/v4"),
      new Case("^/", 0, "/api/envelopes"),
      new Case("https?://local(host)?:80[0-9]{2}/", 0, "http://localhost:8080/", "https://local:8099/x"),
      new Case("colou?r\\.example", 0, "https://color.example/", "https://colour.example/"),
      new Case("ab+c\\.io", 0, "https://abc.io", "https://abbbbc.io/x"),
      new Case("x{2}yz\\.net", 0, "https://xxyz.net"),
      new Case("[a-z]+\\.example\\.org/(a|b)/", 0, "https://www.example.org/a/", "https://q.example.org/b/x"),
      new Case("\\d+-\\w+\\.svc\\b", 0, "http://12-abc.svc/", "http://9-q.svc"),
      new Case("api(?=\\.)\\.internal", 0, "https://api.internal/"),
      new Case("(?<host>svc)\\.\\k<host>\\.local", 0, "http://svc.svc.local/"),
      new Case("\\x41pi\\.example", 0, "https://Api.example/", "https://api.example/"),
      new Case("\\u0041pi\\.example", 0, "https://Api.example/"),
      new Case("\\0101pi\\.example", 0, "https://Api.example/"),
      new Case("\\p{L}pi\\.example", 0, "https://api.example/", "https://épi.example/"),
      new Case("\\pLpi\\.example", 0, "https://api.example/", "https://épi.example/"),
      new Case("\\cJapi\\.example", 0, "https://\napi.example/"),
      new Case("\\x{41}pi\\.example", 0, "https://Api.example/"),
      new Case("a\\.?b\\.c[.]d", 0, "https://ab.c.d/", "https://a.b.c.d/"),
      new Case("café\\.example", 0, "https://café.example/"),
      new Case("ask\\.example", Pattern.UNICODE_CASE, "https://ask.example/", "https://aſk.example/", "https://asK.example/"),
      new Case("api . example", Pattern.COMMENTS, "https://api.example/", "https://apiXexample/"),
      new Case("foo|bar\\.example", 0, "https://foo/", "https://bar.example/"),
      new Case("(?i)api\\.example", 0, "https://API.example/"),
      new Case("\\Qapi.example\\E/v1", 0, "https://api.example/v1"),
      new Case("a.*?b\\*\\+c", 0, "https://aXb*+c", "https://ab*+c"),
      new Case("api.example.com", 0, "api.example.com", "apiXexample.com"),
      new Case("localhost:80[0-9]\\d", 0, "localhost:8080", "LOCALHOST:8099"),
      new Case("^[a-z]pi\\.ex\\wmple\\.com$", 0, "api.example.com", "xpi.ex_mple.com"),
      new Case("h.llo\\.\\S", 0, "h😀llo.x", "hello.x"),
      new Case(".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*", 0, "http://orders.svc.cluster.local:8080/v1", "x\n.svc.cluster.local/"),
      new Case(".*a|b", 0, "xa", "b", "xb"),
      new Case("^https?://[a-z]+\\.shop\\.net(:[0-9]+)?/.*", 0, "https://eu.shop.net/cart", "http://x.shop.net:81/\n"),
      new Case("a\\n?b.*", 0, "a\nbc", "abx", "a\nb\nc"),
      new Case(".*x\\r?y.*", 0, "wx\ryz", "xy", "q\nxy"),
      new Case(".*(ab)\\1c", 0, "zzababc", "ababc"));

  /** Pieces to build and mutate URLs from: URL syntax, case and Unicode look-alikes, noise. */
  private static final String[] TOKENS = {
    "https://", "http://", "api", "API", ".", "example", "com", "/", "v", "1", "2", "9", "x", "-", ":",
    "8080", "local", "host", "a", "b", "c", "ab", "u", "colo", "r", "svc", "ſ", "K", "é", "\n", " ",
    "*", "+", "?", "%2F", "internal", "net", "org", "www", "xx", "yz", "io", "A", "Api", "épi"
  };

  /** URL {@code n} for {@code c}: tokens strung together, or a seed with a few edits. */
  static String candidate(Case c, Random random, int n) {
    if (n % 3 == 0) {
      StringBuilder b = new StringBuilder();
      int parts = 1 + random.nextInt(8);
      for (int i = 0; i < parts; i++) b.append(TOKENS[random.nextInt(TOKENS.length)]);
      return b.toString();
    }
    StringBuilder b = new StringBuilder(c.seeds.get(random.nextInt(c.seeds.size())));
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(5)) {
        case 0: // flip the case of one char
          if (at < b.length()) {
            char ch = b.charAt(at);
            b.setCharAt(at, Character.isUpperCase(ch) ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
          }
          break;
        case 1:
          b.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
          break;
        case 2:
          if (at < b.length()) b.deleteCharAt(at);
          break;
        case 3: // prefix or suffix noise: find() still matches
          if (random.nextBoolean()) b.insert(0, TOKENS[random.nextInt(TOKENS.length)]);
          else b.append(TOKENS[random.nextInt(TOKENS.length)]);
          break;
        default:
          if (at < b.length()) b.setCharAt(at, TOKENS[random.nextInt(TOKENS.length)].charAt(0));
      }
    }
    return b.toString();
  }

  /** ASCII lower case, written out here rather than taken from the code under test. */
  static String lowerAscii(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
    }
    return b.toString();
  }

}
