package io.sentrytrace.servlet;

import static io.sentrytrace.test.Hostile.VALID_BAGGAGE;
import static io.sentrytrace.test.Hostile.VALID_TRACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.MetaTags;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.ServerTiming;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.Hostile;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 100,000 hostile {@code sentry-trace} and {@code baggage} values through the filter in Jetty: every
 * request reaches the servlet, and neither the page's meta tags nor {@code Server-Timing} let a
 * {@code "}, {@code <}, CR or LF of the input through unescaped. The values come from core's
 * seeded generator {@link Hostile}, the one core's FuzzTest uses.
 *
 * <p>What goes on the wire: HTTP header values are bytes, and {@code java.net.http} refuses
 * controls and chars above 0xFF. A char above 0xFF is therefore sent as its UTF-8 bytes (each a
 * Latin-1 char), which is what a client writing raw UTF-8 sends; control characters (CR and LF
 * included, which would end the header line, and which containers refuse) are dropped. The test
 * prints how many values went out unchanged.
 */
class HostileHeadersTest {
  private static final long SEED = 0x5E12_7ACEL;
  private static final int INPUTS = 100_000;
  private static final int CLIENT_THREADS = 4;
  /** Only bounds a hang: a loaded machine takes a fraction of it. */
  private static final Duration DEADLINE = Duration.ofSeconds(480);

  /** The page's head: the two tags of MetaTags, their values free of quotes, angle brackets and line breaks. */
  private static final Pattern HEAD = Pattern.compile(
      "<meta name=\"sentry-trace\" content=\"([0-9a-f]{32}-[0-9a-f]{16}(?:-[01])?)\"/>(?:\n<meta name=\"baggage\" content=\"[^\"<>\r\n]*\"/>)?");
  /**
   * Server-Timing as the handler writes it: the app set none, so exactly the trace's two metrics.
   * The escapes' loop is possessive (the branches never overlap): a greedy one recurses once per
   * char and overflows the stack on a baggage description of a few thousand chars.
   */
  private static final Pattern SERVER_TIMING = Pattern.compile(
      "sentry-trace;desc=\"([0-9a-f]{32}-[0-9a-f]{16}(?:-[01])?)\"(?:, baggage;desc=\"((?:[^\"\\\\<\r\n]|\\\\[\"\\\\])*+)\")?");

  private final Random random = new Random(SEED);
  /** Huge inputs up to 50,000 chars: both headers of a request stay under the container's 128 KB. */
  private final Hostile hostile = Hostile.from(random, 50_000);

  @Test
  void hostileTraceHeadersAlwaysReachTheServletAndNeverLeakMarkup() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(0.5).release("shop@1.0").build();
    AtomicInteger served = new AtomicInteger();
    // Which inputs reached the servlet: the JDK client may send a GET again on a connection the
    // server closed (its own retry), so count inputs, not arrivals.
    java.util.Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
    HttpServlet page = new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        served.incrementAndGet();
        reached.add(request.getParameter("input"));
        Span tx = (Span) request.getAttribute(TracingServletFilter.SPAN_ATTRIBUTE);
        response.setContentType("text/html; charset=utf-8");
        response.getWriter().write("<html><head>" + MetaTags.render(tx) + "</head></html>");
      }
    };
    String[][] inputs = new String[INPUTS][];
    int unchanged = 0;
    int withoutControls = 0;
    for (int i = 0; i < INPUTS; i++) {
      String sentryTrace = random.nextInt(3) == 0 ? hostile.input(i) : random.nextBoolean() ? VALID_TRACE : hostile.mutate(VALID_TRACE);
      String baggage = random.nextBoolean() ? hostile.input(random.nextInt(INPUTS)) : "sentry-release=" + hostile.input(i) + "," + VALID_BAGGAGE;
      String[] wire = {onTheWire(sentryTrace), onTheWire(baggage)};
      for (int h = 0; h < 2; h++) {
        String original = h == 0 ? sentryTrace : baggage;
        if (wire[h].equals(original)) unchanged++;
        else if (original.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) withoutControls++;
      }
      inputs[i] = wire;
    }

    AtomicInteger answered = new AtomicInteger();
    List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ServletContainer container = ServletContainer.jetty()) {
      URI base = container.start(context -> {
        FilterRegistration.Dynamic sentry = context.addFilter("sentry-trace", TracingServletFilter.create(tracer));
        sentry.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        context.addServlet("page", page).addMapping("/page");
      }, Map.of());
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = base.resolve("/page");
      long start = System.nanoTime();
      long deadline = start + DEADLINE.toNanos();
      AtomicInteger next = new AtomicInteger();
      ExecutorService threads = Executors.newFixedThreadPool(CLIENT_THREADS);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
          running.add(threads.submit(() -> {
            for (int i = next.getAndIncrement(); i < INPUTS && System.nanoTime() < deadline; i = next.getAndIncrement()) {
              String problem = check(client, uri.resolve("/page?input=" + i), inputs[i]);
              if (problem == null) answered.incrementAndGet();
              else if (problems.size() < 10) problems.add("input #" + i + ": " + problem);
            }
            return null;
          }));
        }
        for (Future<?> thread : running) thread.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } finally {
        threads.shutdownNow();
      }
      System.out.printf("[fuzz] %s: %d hostile header pairs in %.1f s (%d client threads); %d served (%d inputs, the rest the client's own retries), %d checked clean;"
              + " of the %d values, %.1f%% went out unchanged, %.1f%% with chars above 0xFF as UTF-8 bytes, %.1f%% with controls dropped%n",
          container, INPUTS, (System.nanoTime() - start) / 1e9, CLIENT_THREADS, served.get(), reached.size(), answered.get(), 2 * INPUTS,
          50.0 * unchanged / INPUTS, 50.0 * withoutControls / INPUTS, 50.0 * (2 * INPUTS - unchanged - withoutControls) / INPUTS);
    }
    assertThat(problems).isEmpty();
    assertThat(answered.get()).as("requests checked within " + DEADLINE).isEqualTo(INPUTS);
    assertThat(reached).as("inputs that reached the servlet").hasSize(INPUTS);
  }

  /** Sends one pair; null when the answer is clean, else what is wrong. */
  private static String check(HttpClient client, URI uri, String[] headers) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header(SentryTrace.HEADER, headers[0])
        .header(Baggage.HEADER, headers[1])
        .timeout(Duration.ofSeconds(30))
        .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return e.toString();
    }
    if (response.statusCode() != 200) return "HTTP " + response.statusCode();
    String body = response.body();
    if (!body.startsWith("<html><head>") || !body.endsWith("</head></html>")) return "body " + body;
    String head = body.substring("<html><head>".length(), body.length() - "</head></html>".length());
    var tags = HEAD.matcher(head);
    if (!tags.matches()) return "meta tags " + head;
    List<String> timing = response.headers().allValues(ServerTiming.HEADER);
    if (timing.size() != 1) return "Server-Timing lines " + timing;
    var metrics = SERVER_TIMING.matcher(timing.get(0));
    if (!metrics.matches()) return "Server-Timing " + timing.get(0);
    if (!metrics.group(1).equals(tags.group(1))) return "Server-Timing " + metrics.group(1) + " vs meta " + tags.group(1);
    return null;
  }

  /**
   * The value as it can travel in a header: controls dropped, chars above 0xFF as their UTF-8
   * bytes, each byte one Latin-1 char (what the container reads back from raw UTF-8).
   */
  static String onTheWire(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) continue;
      if (c <= 0xff) {
        out.append(c);
        continue;
      }
      int cp = value.codePointAt(i);
      if (Character.charCount(cp) == 2) i++;
      String one = Character.isSurrogate(c) && Character.charCount(cp) == 1 ? "\uFFFD" : new String(Character.toChars(cp));
      for (byte b : one.getBytes(StandardCharsets.UTF_8)) out.append((char) (b & 0xff));
    }
    return out.toString();
  }
}
