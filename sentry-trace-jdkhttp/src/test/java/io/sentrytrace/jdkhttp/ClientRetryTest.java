package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.Arrivals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why the load tests count distinct request ids, not arrivals: the JDK client sends a GET once more
 * when the keep-alive connection it reused turns out closed, so one request arrives twice. The
 * server here provokes that on purpose: it reads the second request on the first connection, then
 * hangs up without an answer.
 */
@SuppressWarnings("try") // the scope is used for its close()
class ClientRetryTest {
  @Test
  @Timeout(60)
  void aRetriedGetArrivesTwiceWithItsTraceAndCountsOnce() throws Exception {
    Arrivals arrivals = new Arrivals();
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(20_000); // bounded: a client that never connects fails the test
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, arrivals));
      Tracer tracer = Tracer.builder().tracesSampleRate(1.0).tracePropagationTargets(List.of("127.0.0.1")).build();
      HttpClient client = TracingHttpClient.instrument(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), tracer);
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");

      Span tx = tracer.startTransaction("job", "task");
      try (Scope scope = tx.makeCurrent()) {
        for (String id : List.of("first", "second")) {
          HttpRequest request = HttpRequest.newBuilder(uri)
              .header(Arrivals.REQUEST_ID, id)
              .header(Arrivals.EXPECTED_TRACE, tx.traceId().toString())
              .timeout(Duration.ofSeconds(20))
              .build();
          assertThat(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()).as(id).isEqualTo(204);
        }
      } finally {
        tx.finish();
      }
      serving.get(30, TimeUnit.SECONDS);
    }

    assertThat(arrivals.arrivals()).as("arrivals: two requests, the second sent twice by the client").isEqualTo(3);
    arrivals.assertEachArrivedWithItsTrace(Set.of("first", "second"));
  }

  /** Answers the first request, hangs up on the second, then answers it on a new connection. */
  private static void serve(ServerSocket server, Arrivals arrivals) {
    try {
      try (Socket first = server.accept()) {
        BufferedReader in = reader(first);
        record(arrivals, readHeaders(in));
        answer(first.getOutputStream(), false);
        record(arrivals, readHeaders(in)); // read in full, then no answer: the client sees the connection end
      }
      try (Socket second = server.accept()) {
        record(arrivals, readHeaders(reader(second)));
        answer(second.getOutputStream(), true);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void record(Arrivals arrivals, Map<String, String> headers) {
    arrivals.record(headers.get(Arrivals.REQUEST_ID), headers.get(Arrivals.EXPECTED_TRACE), headers.get("sentry-trace"));
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
  }

  /** A GET's header lines, names in lower case; the request line is left out. */
  private static Map<String, String> readHeaders(BufferedReader in) throws IOException {
    Map<String, String> headers = new HashMap<>();
    String requestLine = in.readLine();
    if (requestLine == null) throw new IOException("connection closed before a request");
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      int colon = line.indexOf(':');
      if (colon > 0) headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return headers;
  }

  private static void answer(OutputStream out, boolean close) throws IOException {
    String head = "HTTP/1.1 204 No Content\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }
}
