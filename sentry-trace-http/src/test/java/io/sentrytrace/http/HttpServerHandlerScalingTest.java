package io.sentrytrace.http;

import static io.sentrytrace.test.Work.MAX_GROWTH;
import static io.sentrytrace.test.Work.allocatedBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import org.junit.jupiter.api.Test;

/**
 * The server handler as a whole under an attacker's request: every header and the request line at
 * size n and at 8n. Each parser it calls is proven linear by counting the chars it reads (core's
 * {@code ScalingTest}); here the whole request cycle (continue, start, Server-Timing, meta tags,
 * preflight answer, finish) is measured by the bytes it allocates on the request thread, which
 * grows 8x for linear work and would grow 64x for a copy per member or per name. No clock: on a
 * throttled 2-core machine time varies more than the factor to tell apart. What the request leaves
 * behind in the transaction is bounded whatever the input's size.
 */
class HttpServerHandlerScalingTest {
  private static final int N = 4_000;

  private final Tracer tracer =
      Tracer.builder().tracesSampleRate(1.0).exporter(new InMemorySpanExporter()).build();
  private final HttpServerHandler handler =
      HttpServerHandler.builder(tracer).serverTiming(ServerTimingPolicy.ALL).build();

  @Test
  void aWholeRequestCycleAllocatesLinearlyInTheRequestsSize() {
    for (String shape : new String[] {"sentry-a=b,", "sentry-a,", "x,", "%41", "\"<", "a"}) {
      long small = allocatedBytes(() -> cycle(hostile(shape, N)));
      long large = allocatedBytes(() -> cycle(hostile(shape, 8 * N)));
      assertThat((double) large / small)
          .as("bytes allocated at 8n / at n for members like %s (%d / %d)", shape, large, small)
          .isLessThanOrEqualTo(MAX_GROWTH);
    }
  }

  @Test
  void whatARequestLeavesBehindIsBoundedWhateverItsSize() {
    HttpServerHandlerTest.Request huge = hostile("sentry-release=r", 384 * 1024);
    huge.headers.put("sentry-trace", "0123456789abcdef0123456789abcdef-0123456789abcdef-1");
    huge.headers.put("baggage", "sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-release=" + "r".repeat(384 * 1024));
    Span tx = handler.start(huge);

    assertThat(tx.traceId().toString()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(tx.toBaggage().length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    assertThat(tx.description().length())
        .isLessThanOrEqualTo(HttpServerHandler.MAX_METHOD_LENGTH + 1 + HttpServerHandler.MAX_PATH_LENGTH);
    assertThat(handler.serverTiming(tx, "text/html", null).length()).isLessThan(2 * Baggage.MAX_HEADER_LENGTH);
    handler.finish(tx, 200, null);
  }

  /** One request's work, as an adapter does it. */
  private void cycle(HttpServerHandlerTest.Request request) {
    if (handler.isPreflight(request)) {
      handler.preflightAllowHeaders(request.header("Access-Control-Request-Headers"), "*");
    }
    Span tx = handler.start(request);
    handler.serverTiming(tx, "text/html", request.header("Server-Timing"));
    handler.metaTags(tx);
    handler.preflightAllowHeaders(request.header("Access-Control-Request-Headers"), "*");
    handler.finish(tx, 200, null);
  }

  /** A request whose every attacker-controlled part is {@code size} chars of {@code shape}. */
  private static HttpServerHandlerTest.Request hostile(String shape, int size) {
    String junk = shape.repeat(size / shape.length());
    HttpServerHandlerTest.Request r = new HttpServerHandlerTest.Request("GET" + junk, "/" + junk + "?" + junk);
    for (String name :
        new String[] {"sentry-trace", "baggage", "traceparent", "host", "server-timing", "access-control-request-headers"}) {
      r.headers.put(name, junk);
    }
    return r;
  }
}
