package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.internal.Instrumentation;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends envelopes with the JDK's {@link HttpClient}, for apps that configure one (proxy
 * authentication, TLS, executor); no extra dependency. Each request times out after 30 seconds.
 * Of a response body at most 64 KB is read, for at most 500 ms after the headers; the answer is the
 * status and headers.
 * The request is sent with our instrumentation suppressed and carries only the exporter's headers.
 * The exporter's default, {@link UrlConnectionTransport}, costs less CPU per envelope: this client
 * hands each exchange between its selector and executor threads.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
 *     .transport(JdkHttpTransport.create(HttpClient.newBuilder().proxy(myProxy).build()))
 *     .build();
 * }</pre>
 */
public final class JdkHttpTransport implements EnvelopeTransport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** What is read of a response body at most. */
  static final int MAX_BODY_BYTES = UrlConnectionTransport.MAX_BODY_BYTES;
  /** How long a response body is waited for after the headers. */
  static final Duration BODY_WAIT = UrlConnectionTransport.BODY_WAIT;

  private final HttpClient client;
  private final boolean ownsClient;

  private JdkHttpTransport(HttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** A transport with its own client (HTTP/1.1, 10 s connect timeout). */
  public static JdkHttpTransport create() {
    return new JdkHttpTransport(
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build(), true);
  }

  /** A transport sending with {@code client} (its proxy, TLS and connect settings apply). */
  public static JdkHttpTransport create(HttpClient client) {
    return new JdkHttpTransport(Objects.requireNonNull(client, "client"), false);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<Void> response;
    try (Scope quiet = Instrumentation.suppress()) {
      response = client.send(request.build(), info -> new CappedBody());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while sending the envelope");
      io.initCause(e);
      throw io;
    }
    return Response.of(
        response.statusCode(),
        response.headers().firstValue(RETRY_AFTER).orElse(null),
        response.headers().firstValue(RATE_LIMITS).orElse(null));
  }

  /**
   * Takes a response body (Sentry's is a little JSON) only so that the connection can be reused,
   * and drops it: at most {@link #MAX_BODY_BYTES} of it, for at most {@link #BODY_WAIT} after the
   * headers (the client's request timeout ends at the headers); past either it cancels, which
   * closes the connection. A body cut short leaves the answer as it was.
   */
  static final class CappedBody implements HttpResponse.BodySubscriber<Void> {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private volatile boolean ended;
    private long received; // onNext calls are serial

    CappedBody() {
      done.completeOnTimeout(null, BODY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      done.whenComplete((v, e) -> {
        Flow.Subscription s = subscription.get();
        if (!ended && s != null) s.cancel();
      });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      if (!subscription.compareAndSet(null, s) || done.isDone()) {
        s.cancel();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) received += b.remaining();
      if (received >= MAX_BODY_BYTES) done.complete(null);
    }

    @Override
    public void onError(Throwable error) {
      ended = true;
      done.complete(null);
    }

    @Override
    public void onComplete() {
      ended = true;
      done.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }
  }

  /**
   * Releases the client this transport created (from Java 21 on, {@code HttpClient} holds a
   * selector thread until closed); a client the user passed in stays open.
   */
  @Override
  public void close() {
    if (ownsClient && client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        System.getLogger(JdkHttpTransport.class.getName()).log(System.Logger.Level.DEBUG, "closing the HttpClient failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "JdkHttpTransport{" + client + '}';
  }
}
