package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientContract;
import io.sentrytrace.http.HttpClientPeer;
import io.sentrytrace.internal.Instrumentation;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

/**
 * The shared client contract on the classic client, registered as {@link #position()} says. The
 * classic client has no async API of its own: its async calls here run on a pool wrapped with
 * {@code Tracer.wrap}, as an application hands a blocking call to another thread, and are cancelled
 * with {@code HttpUriRequestBase.cancel()}.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
abstract class ClassicClientContract extends HttpClientContract<ClassicClientContract.Client, HttpUriRequestBase> {
  /** A classic client and the pool its async calls run on. */
  static final class Client {
    final CloseableHttpClient http;
    final ExecutorService pool;

    Client(CloseableHttpClient http, ExecutorService pool) {
      this.http = http;
      this.pool = pool;
    }
  }

  abstract TestClient.Position position();

  @Override
  protected Client newClient(Tracer tracer) {
    HttpClientBuilder builder = HttpClients.custom()
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    TracingExecInterceptor interceptor = TracingExecInterceptor.create(tracer);
    if (position() == TestClient.Position.FIRST) builder.addExecInterceptorFirst("sentry-trace", interceptor);
    else builder.addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor);
    return new Client(builder.build(), tracer.wrap(Executors.newCachedThreadPool()));
  }

  @Override
  protected void closeClient(Client client) {
    client.pool.shutdownNow();
    client.http.close(CloseMode.IMMEDIATE);
  }

  @Override
  protected HttpUriRequestBase newRequest(String method, String url, List<Map.Entry<String, String>> headers, String body) {
    HttpUriRequestBase request = new HttpUriRequestBase(method, URI.create(url));
    headers.forEach(header -> request.addHeader(header.getKey(), header.getValue()));
    if (body != null) request.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
    return request;
  }

  @Override
  protected int execute(Client client, HttpUriRequestBase request) throws Exception {
    return client.http.execute(request, response -> {
      if (response.getEntity() != null) EntityUtils.toString(response.getEntity());
      return response.getCode();
    });
  }

  @Override
  protected Cancellable executeAsync(Client client, HttpUriRequestBase request, Callback callback) {
    client.pool.execute(() -> {
      int code;
      try {
        code = execute(client, request);
      } catch (Exception e) {
        callback.onFailure(e);
        return;
      }
      callback.onResponse(code);
    });
    return request::cancel;
  }

  /**
   * The synchronous half of the shared rule. The async half cannot hold here: the classic client
   * has no async API, so such a call is made on the pool's thread, where the caller's {@code
   * suppress()} is not in force ({@code Tracer.wrap} carries the span, not the suppression).
   */
  @Test
  @Override
  public void callsMadeWhileSuppressedAreNotTraced() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
    Client client = client(tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent(); Scope quiet = Instrumentation.suppress()) {
      assertThat(execute(client, newRequest("GET", peer.url("/sync"), List.of(), null))).isEqualTo(200);
    }
    execute(client, newRequest("GET", peer.url("/after"), List.of(), null));
    tx.finish();

    HttpClientPeer.Received quiet = peer.take();
    assertThat(quiet.values(SentryTrace.HEADER)).isEmpty();
    assertThat(quiet.values(Baggage.HEADER)).isEmpty();
    assertThat(peer.take().values(SentryTrace.HEADER)).as("traced again once the scope closed").hasSize(1);
    assertThat(exporter.transactions()).singleElement().satisfies(t -> assertThat(t.spans()).isEmpty());
  }
}
