package io.sentrytrace.demo.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CollectorTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Collector collector;

  @BeforeEach
  void start() {
    collector = Collector.start(0, new PrintStream(log, true, StandardCharsets.UTF_8), false);
  }

  @AfterEach
  void stop() {
    collector.close();
  }

  private HttpResponse<String> post(String path, byte[] body, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(collector.baseUri().resolve(path)).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) b.headers(headers);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] envelope(String spanId, String parent, String name) {
    return TestEnvelopes.transaction("shop@1", TRACE, spanId, parent, "http.server", name, List.of())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void filesTransactionsUnderTheirTraceId() throws Exception {
    assertThat(post("/api/1/envelope/", envelope("a".repeat(16), null, "GET /")).statusCode()).isEqualTo(200);
    assertThat(post("/api/1/envelope/?sentry_key=k", envelope("b".repeat(16), "a".repeat(16), "POST /api/checkout")).statusCode())
        .isEqualTo(200);

    Trace trace = collector.store().trace(TRACE).orElseThrow();
    assertThat(trace.transactions()).extracting(ReceivedTransaction::name).containsExactly("GET /", "POST /api/checkout");
    assertThat(trace.transactions()).extracting(ReceivedTransaction::project).containsOnly("1");
    assertThat(trace.isConnected()).isTrue();
  }

  @Test
  void answersCrossOriginEnvelopePostsAndPreflights() throws Exception {
    HttpResponse<String> posted = post("/api/2/envelope/", envelope("a".repeat(16), null, "/"),
        "Origin", "http://127.0.0.1:1234", "Content-Type", "text/plain;charset=UTF-8");
    HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(collector.baseUri().resolve("/api/2/envelope/"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "http://127.0.0.1:1234").header("Access-Control-Request-Method", "POST").build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(posted.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
  }

  @Test
  void acceptsGzippedEnvelopes() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(envelope("a".repeat(16), null, "GET /zipped"));
    }

    assertThat(post("/api/1/envelope/", zipped.toByteArray(), "Content-Encoding", "gzip").statusCode()).isEqualTo(200);
    assertThat(collector.store().trace(TRACE).orElseThrow().transactions()).extracting(ReceivedTransaction::name)
        .containsExactly("GET /zipped");
  }

  @Test
  void rejectsAMalformedEnvelopeWith400() throws Exception {
    HttpResponse<String> response = post("/api/1/envelope/", "{\"event_id\":\n".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(collector.store().traces()).isEmpty();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("rejected an envelope");
  }

  @Test
  void onlyTheEnvelopePathTakesEnvelopes() throws Exception {
    assertThat(post("/api/1/store/", envelope("a".repeat(16), null, "GET /")).statusCode()).isEqualTo(404);
    assertThat(post("/api/../envelope/", envelope("a".repeat(16), null, "GET /")).statusCode()).isEqualTo(404);
    assertThat(collector.store().traces()).isEmpty();
  }

  @Test
  void printsATraceOnceItHasGoneQuiet() throws Exception {
    collector.close();
    collector = Collector.start(0, new PrintStream(log, true, StandardCharsets.UTF_8), true);
    post("/api/1/envelope/", envelope("a".repeat(16), null, "GET /quiet"));

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!log.toString(StandardCharsets.UTF_8).contains("trace " + TRACE + "  1 transaction") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    String out = log.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("trace " + TRACE + "  1 transaction from shop; connected");
    assertThat(out.indexOf("GET /quiet", out.indexOf("trace " + TRACE))).isPositive();
  }

  @Test
  void redirectsTheRootToTheTracesPage() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(collector.baseUri().resolve("/")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).hasValue("/traces");
    assertThat(URI.create(collector.dsn("key", "7")).getPort()).isEqualTo(collector.baseUri().getPort());
  }
}
