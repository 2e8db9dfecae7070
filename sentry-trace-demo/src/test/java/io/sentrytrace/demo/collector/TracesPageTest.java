package io.sentrytrace.demo.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracesPageTest {
  private static final String SCRIPT = "<script>alert(1)</script>";
  private static final String IMG = "\"><img src=x onerror=alert(2)>";

  @Test
  void escapesHostileNamesFromReceivedEnvelopes() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Collector collector = Collector.start(0, new PrintStream(log, true, StandardCharsets.UTF_8), false)) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String body = TestEnvelopes.transaction(IMG + "@1", "<b>trace</b>", "s1" + SCRIPT, null, "op" + IMG, "GET /" + SCRIPT,
          List.of(new TestEnvelopes.Child("c1", "s1" + SCRIPT, "http.client" + SCRIPT, "GET " + IMG)));
      HttpResponse<String> posted = client.send(HttpRequest.newBuilder(collector.baseUri().resolve("/api/1/envelope/"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(200);

      HttpResponse<String> page = client.send(HttpRequest.newBuilder(collector.tracesUri()).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
      String html = page.body();
      assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>trace");
      assertThat(html)
          .contains("GET /&lt;script&gt;alert(1)&lt;/script&gt;")     // transaction name
          .contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")   // release -> service, op, span description
          .contains("&lt;b&gt;trace&lt;/b&gt;")                      // trace id
          .contains("http.client&lt;script&gt;");                    // child span op
    }
  }

  @Test
  void terminalTreeReplacesControlCharacters() {
    String body = TestEnvelopes.transaction("shop@1", "t1", "s1", null, "http.server", "GET /\u001b[2J\u001b[31mred",
        List.of());
    Envelope envelope = Envelope.parse(body.getBytes(StandardCharsets.UTF_8));
    ReceivedTransaction tx = ReceivedTransaction.from(envelope, envelope.items().get(0), "1", java.time.Instant.EPOCH);

    String text = TraceTree.of(new Trace("t1", List.of(tx), tx.receivedAt())).render();

    assertThat(text).doesNotContain("\u001b").contains("GET /?[2J?[31mred");
  }

  @Test
  void saysSoWhenNothingArrivedYet() {
    assertThat(TracesPage.render(List.of())).contains("Nothing yet");
  }
}
