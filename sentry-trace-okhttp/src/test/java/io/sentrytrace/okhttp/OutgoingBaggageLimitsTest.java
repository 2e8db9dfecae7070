package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientPeer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that already carries a {@code baggage} header leaves with one within the W3C limits
 * (64 members, 8192 chars) that keeps Sentry's DSC, whatever the existing header holds (issue 19
 * §3): the interceptor's merge, through a real request to a server on 127.0.0.1.
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class OutgoingBaggageLimitsTest {
  private final HttpClientPeer peer;
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").build();
  private final OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);

  OutgoingBaggageLimitsTest() throws Exception {
    peer = new HttpClientPeer();
  }

  @AfterEach
  void close() {
    peer.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** {@code m0=v0,m1=v1,...}: n other vendors' members. */
  private static String others(int n) {
    return IntStream.range(0, n).mapToObj(i -> "m" + i + "=v" + i).collect(Collectors.joining(","));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 63, 64, 10_000})
  void theBaggageSentKeepsSentrysDscWithinTheW3cLimits(int existingMembers) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    Request.Builder request = new Request.Builder().url(peer.url("/"));
    if (existingMembers > 0) request.header("baggage", others(existingMembers));
    try (DroppedLog dropped = new DroppedLog(); Scope scope = tx.makeCurrent()) {
      try (Response response = client.newCall(request.build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
      }
      String sent = peer.take().header("baggage");
      assertThat(sent.split(",", -1)).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS);
      assertThat(sent).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
      Baggage dsc = tx.dynamicSamplingContext();
      assertThat(dsc.get("trace_id")).isEqualTo(tx.traceId().toString());
      assertThat(Baggage.parse(sent)).as("every Sentry member").isEqualTo(dsc);
      // The other vendors' members that fit, in their order, then Sentry's.
      int kept = Math.min(existingMembers, Baggage.MAX_MEMBERS - dsc.sentryValues().size());
      assertThat(sent).isEqualTo(kept == 0 ? dsc.toHeader() : others(kept) + "," + dsc.toHeader());
      assertThat(dropped.messages()).hasSize(existingMembers > kept ? 1 : 0)
          .allSatisfy(m -> assertThat(m).contains((existingMembers - kept) + " of the outgoing request's other members"));
    }
    tx.finish();
  }

  /** What the core logs when a merge drops members (asserted, and kept off the console). */
  private static final class DroppedLog implements AutoCloseable {
    private final Logger logger = Logger.getLogger(Baggage.class.getName());
    private final Level level = logger.getLevel();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };

    DroppedLog() {
      logger.setLevel(Level.ALL);
      logger.setUseParentHandlers(false);
      logger.addHandler(handler);
    }

    List<String> messages() {
      return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void close() {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(true);
      logger.setLevel(level);
    }
  }
}
