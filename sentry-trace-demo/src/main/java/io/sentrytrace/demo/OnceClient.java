package io.sentrytrace.demo;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.demo.web.Html;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the browser without one (for {@code --once}): loads the page, reads the {@code sentry-trace}
 * and {@code baggage} meta tags as @sentry/browser would, and posts the checkout with them as
 * headers. Its own requests are not traced: it has no transaction, so the checkout's parent is the
 * server span that rendered the page.
 */
final class OnceClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** What the page said and what the checkout answered. */
  record Result(String sentryTrace, String baggage, String traceId, String pageSpanId, int checkoutStatus, String checkoutBody) {}

  private OnceClient() {}

  /**
   * @throws IOException when the page or the checkout cannot be reached, or the page has no {@code
   *     sentry-trace} meta tag
   */
  static Result playBrowser(URI shop, PrintStream log) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    URI page = shop.resolve("/");
    HttpResponse<String> html = client.send(HttpRequest.newBuilder(page).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String sentryTrace = meta(html.body(), SentryTrace.HEADER);
    String baggage = meta(html.body(), Baggage.HEADER);
    SentryTrace parsed = sentryTrace == null ? null : SentryTrace.parse(sentryTrace).orElse(null);
    if (html.statusCode() != 200 || parsed == null) {
      throw new IOException("GET " + page + " -> HTTP " + html.statusCode() + " without a valid sentry-trace meta tag");
    }
    log.println("browser (played): GET " + page + " -> HTTP 200");
    log.println("  <meta name=\"sentry-trace\"> " + sentryTrace);
    log.println("  <meta name=\"baggage\">      " + (baggage == null ? "(none)" : baggage));
    URI checkout = shop.resolve("/api/checkout");
    HttpRequest.Builder post = HttpRequest.newBuilder(checkout)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header(SentryTrace.HEADER, sentryTrace)
        .POST(HttpRequest.BodyPublishers.ofString("{\"cart\":[\"socks\"]}"));
    if (baggage != null && !baggage.isEmpty()) post.header(Baggage.HEADER, baggage);
    HttpResponse<String> answer = client.send(post.build(), HttpResponse.BodyHandlers.ofString());
    log.println("browser (played): POST " + checkout + " with those as sentry-trace and baggage -> HTTP "
        + answer.statusCode() + " " + Html.printable(answer.body()));
    return new Result(sentryTrace, baggage, parsed.traceId().toString(), parsed.spanId().toString(),
        answer.statusCode(), answer.body());
  }

  /** The unescaped content of {@code <meta name="NAME" content="...">}, or null. */
  static String meta(String html, String name) {
    Matcher m = Pattern.compile("<meta\\s+name=\"" + Pattern.quote(name) + "\"\\s+content=\"([^\"]*)\"").matcher(html);
    return m.find() ? Html.unescape(m.group(1)) : null;
  }
}
