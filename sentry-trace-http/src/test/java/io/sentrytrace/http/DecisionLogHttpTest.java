package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.DecisionLog;
import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decisions the HTTP handlers log with the tracer's debug switch on, and silence without it. */
class DecisionLogHttpTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String PARENT = "b7ad6b7169203331";

  /** Keeps the start lines of the tracers built here off the console. */
  private LogRecords quiet;

  @BeforeEach
  void quiet() {
    quiet = capture();
  }

  @AfterEach
  void loud() {
    quiet.close();
  }

  private static LogRecords capture() {
    return LogRecords.asConfigured(DecisionLog.LOGGER_NAME);
  }

  private static List<String> send(HttpClientHandler handler, String url) {
    MapRequest request = new MapRequest(url);
    handler.start(request, null).finish(200, 0);
    return List.copyOf(request.headers.keySet());
  }

  @Test
  void outgoingAddedOrNotWithTheUrlAsMatchedWithoutItsQuery() {
    Tracer tracer = Tracer.builder().debug(true).tracePropagationTargets(List.of("localhost", "^https://api\\.example\\.com/.*")).build();
    HttpClientHandler handler = HttpClientHandler.create(tracer);
    try (LogRecords log = capture()) {
      assertThat(send(handler, "http://LOCALHOST:8080/orders?card=4111")).contains("sentry-trace");
      assertThat(send(handler, "https://api.example.com/v1/users?id=7")).contains("sentry-trace");
      assertThat(send(handler, "https://cdn.example.org/app.js?v=3")).isEmpty();
      assertThat(log.lines())
          .containsExactly(
              "INFO outgoing headers added: http://localhost:8080/orders matches \"localhost\" (substring) of tracePropagationTargets",
              "INFO outgoing headers added: https://api.example.com/v1/users matches /^https://api\\.example\\.com/.*/ (whole URL)"
                  + " of tracePropagationTargets",
              "INFO outgoing headers not added: https://cdn.example.org/app.js matches none of tracePropagationTargets"
                  + " [\"localhost\", \"^https://api\\.example\\.com/.*\"]");
    }
  }

  @Test
  void outgoingWithTheDefaultTargetsAndWithNone() {
    HttpClientHandler all = HttpClientHandler.create(Tracer.builder().debug(true).build());
    HttpClientHandler none = HttpClientHandler.create(Tracer.builder().debug(true).tracePropagationTargets(PropagationTargets.none()).build());
    try (LogRecords log = capture()) {
      send(all, "http://127.0.0.1:9/a?b=c");
      send(none, "http://127.0.0.1:9/a?b=c");
      assertThat(log.lines())
          .containsExactly(
              "INFO outgoing headers added: http://127.0.0.1:9/a (tracePropagationTargets: all URLs)",
              "INFO outgoing headers not added: http://127.0.0.1:9/a matches none of tracePropagationTargets []");
    }
  }

  @Test
  void aServerRequestLogsTheIncomingAndTheSamplingDecision() {
    Tracer tracer = Tracer.builder().debug(true).tracesSampleRate(0.5).build();
    HttpServerHandler handler = HttpServerHandler.create(tracer);
    try (LogRecords log = capture()) {
      Span tx =
          handler.start(
              new HttpServerHandlerTest.Request(
                  "GET", "/orders/42?card=4111", "sentry-trace", TRACE + "-" + PARENT, "baggage", "sentry-sample_rand=0.25"));
      handler.finish(tx, 200, null);
      assertThat(log.lines())
          .containsExactly(
              "INFO incoming deferred: trace " + TRACE + ", parent span " + PARENT
                  + ", no sampling decision in the header; this service decides, sample_rand 0.250000 (from baggage)",
              "INFO transaction sampled: \"GET /orders/42\" trace " + TRACE + ", sample_rand 0.250000 < 0.5 (tracesSampleRate)");
    }
  }

  @Test
  void aServerRequestWithAnInvalidHeaderOrNone() {
    Tracer tracer = Tracer.builder().debug(true).build();
    HttpServerHandler handler = HttpServerHandler.create(tracer);
    try (LogRecords log = capture()) {
      Span a = handler.start(new HttpServerHandlerTest.Request("GET", "/", "sentry-trace", "not-a-trace"));
      Span b = handler.start(new HttpServerHandlerTest.Request("GET", "/"));
      assertThat(log.lines())
          .containsExactly(
              "INFO incoming refused (invalid header): sentry-trace \"not-a-trace\"",
              "INFO transaction not recorded: \"GET /\" trace " + a.traceId()
                  + ", tracing is off (no tracesSampleRate or tracesSampler); headers carry no decision (deferred)",
              "INFO incoming not continued: no sentry-trace header",
              "INFO transaction not recorded: \"GET /\" trace " + b.traceId()
                  + ", tracing is off (no tracesSampleRate or tracesSampler); headers carry no decision (deferred)");
    }
  }

  @Test
  void corsPreflightsSayWhatTheBrowserAsksAndWhatTheAnswerAllows() {
    Tracer tracer = Tracer.builder().debug(true).build();
    HttpServerHandler helping = HttpServerHandler.create(tracer);
    HttpServerHandler off = HttpServerHandler.builder(tracer).corsAllowHeaders(false).build();
    HttpServerHandlerTest.Request traced =
        new HttpServerHandlerTest.Request(
            "OPTIONS", "/api/orders", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "baggage,content-type,sentry-trace");
    HttpServerHandlerTest.Request untraced =
        new HttpServerHandlerTest.Request(
            "OPTIONS", "/api/orders", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
    try (LogRecords log = capture()) {
      assertThat(helping.isPreflight(traced)).isTrue();
      assertThat(helping.preflightAllowHeaders("content-type", "https://shop.example.com")).isEqualTo("content-type, sentry-trace, baggage");
      assertThat(off.isPreflight(untraced)).isTrue();
      assertThat(off.preflightAllowHeaders("content-type", "https://shop.example.com")).isNull();
      assertThat(helping.preflightAllowHeaders(null, null)).isNull();
      assertThat(log.lines())
          .containsExactly(
              "INFO CORS preflight: the browser asks to send \"baggage,content-type,sentry-trace\"",
              "INFO CORS preflight answered: Access-Control-Allow-Headers \"content-type, sentry-trace, baggage\""
                  + " (sentry-trace and baggage merged into the app's list)",
              "INFO CORS preflight: the browser asks to send \"content-type\";"
                  + " not sentry-trace: this server is not in the browser SDK's tracePropagationTargets",
              "INFO CORS preflight answered: Access-Control-Allow-Headers \"content-type\" (corsAllowHeaders off: left as the app wrote it);"
                  + " the browser will not send sentry-trace and baggage, and blocks a request that carries them",
              "INFO CORS preflight answered: Access-Control-Allow-Headers (none) (no CORS answer from the app: left alone);"
                  + " the browser will not send sentry-trace and baggage, and blocks a request that carries them");
    }
  }

  @Test
  void nothingIsLoggedWithTheSwitchOff() {
    Tracer tracer = Tracer.builder().tracesSampleRate(0.5).tracePropagationTargets(List.of("localhost")).build();
    HttpServerHandler server = HttpServerHandler.builder(tracer).corsAllowHeaders(false).build();
    HttpClientHandler client = HttpClientHandler.create(tracer);
    try (LogRecords log = capture()) {
      send(client, "http://localhost/a");
      send(client, "http://other/a");
      handler(server, "sentry-trace", TRACE + "-" + PARENT + "-1");
      handler(server, "sentry-trace", "bad");
      handler(server);
      server.isPreflight(new HttpServerHandlerTest.Request("OPTIONS", "/", "Access-Control-Request-Method", "GET"));
      server.preflightAllowHeaders("content-type", "*");
      HttpServerHandler.create(tracer).preflightAllowHeaders("content-type", "*");
      assertThat(log.lines()).isEmpty();
    }
  }

  private static void handler(HttpServerHandler server, String... headers) {
    server.finish(server.start(new HttpServerHandlerTest.Request("GET", "/x", headers)), 200, null);
  }
}
