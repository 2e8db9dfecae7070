package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/** A real Apache client (classic or async) with the interceptor installed, behind one interface. */
interface TestClient extends AutoCloseable {
  /** Where the interceptor sits in the exec chain. */
  enum Position {
    /** {@code addExecInterceptorFirst}: the documented registration, above redirects and retries. */
    FIRST,
    /** {@code addExecInterceptorBefore(PROTOCOL)}: below redirects and retries, once per attempt. */
    PER_HOP
  }

  /** A request object of this client's kind, to execute (possibly more than once). */
  HttpRequest newRequest(String method, String uri);

  /** Executes, consumes the body, returns the status; a failure of the call is thrown as it came. */
  int execute(HttpRequest request, HttpContext context) throws Exception;

  @Override
  void close();

  static TestClient classic(Tracer tracer, Position position, int maxPerRoute) {
    return classic(position, TracingExecInterceptor.create(tracer), maxPerRoute, null);
  }

  /**
   * @param failure when set, the transport below the interceptor throws it instead of sending
   */
  static TestClient classic(Position position, TracingExecInterceptor interceptor, int maxPerRoute, IOException failure) {
    CloseableHttpClient client = classicClient(position, interceptor, maxPerRoute, failure);
    return new TestClient() {
      @Override
      public HttpRequest newRequest(String method, String uri) {
        return ClassicRequestBuilder.create(method).setUri(uri).build();
      }

      @Override
      public int execute(HttpRequest request, HttpContext context) throws Exception {
        return client.execute(
            (org.apache.hc.core5.http.ClassicHttpRequest) request,
            context,
            response -> {
              EntityUtils.consume(response.getEntity());
              return response.getCode();
            });
      }

      @Override
      public void close() {
        client.close(CloseMode.GRACEFUL);
      }
    };
  }

  /**
   * A classic client with the interceptor installed at {@code position}.
   *
   * @param failure when set, the transport below the interceptor throws it instead of sending
   */
  static CloseableHttpClient classicClient(Position position, TracingExecInterceptor interceptor, int maxPerRoute, IOException failure) {
    HttpClientBuilder builder =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(maxPerRoute)
                    .setMaxConnTotal(maxPerRoute * 2)
                    .setDefaultConnectionConfig(connectionConfig())
                    .build())
            .setDefaultRequestConfig(requestConfig());
    if (position == Position.FIRST) builder.addExecInterceptorFirst("sentry-trace", interceptor);
    else builder.addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor);
    if (failure != null) {
      builder.disableAutomaticRetries().addExecInterceptorLast("failure", (request, scope, chain) -> {
        throw failure;
      });
    }
    return builder.build();
  }

  static TestClient async(Tracer tracer, Position position, int maxPerRoute) {
    return async(position, TracingAsyncExecInterceptor.create(tracer), maxPerRoute, null);
  }

  static TestClient async(Position position, TracingAsyncExecInterceptor interceptor, int maxPerRoute, IOException failure) {
    CloseableHttpAsyncClient client = asyncClient(position, interceptor, maxPerRoute, failure);
    return new TestClient() {
      @Override
      public HttpRequest newRequest(String method, String uri) {
        return SimpleHttpRequest.create(method, uri);
      }

      @Override
      public int execute(HttpRequest request, HttpContext context) throws Exception {
        try {
          return client
              .execute(SimpleRequestProducer.create((SimpleHttpRequest) request), SimpleResponseConsumer.create(), context, null)
              .get(10, TimeUnit.SECONDS)
              .getCode();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
      }

      @Override
      public void close() {
        client.close(CloseMode.GRACEFUL);
      }
    };
  }

  /** A started async client with the interceptor installed at {@code position}. */
  static CloseableHttpAsyncClient asyncClient(
      Position position, TracingAsyncExecInterceptor interceptor, int maxPerRoute, IOException failure) {
    HttpAsyncClientBuilder builder =
        HttpAsyncClients.custom()
            .setConnectionManager(
                PoolingAsyncClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(maxPerRoute)
                    .setMaxConnTotal(maxPerRoute * 2)
                    .setDefaultConnectionConfig(connectionConfig())
                    .build())
            .setDefaultRequestConfig(requestConfig());
    if (position == Position.FIRST) builder.addExecInterceptorFirst("sentry-trace", interceptor);
    else builder.addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor);
    if (failure != null) {
      builder.disableAutomaticRetries().addExecInterceptorLast("failure", (request, producer, scope, chain, callback) -> callback.failed(failure));
    }
    CloseableHttpAsyncClient client = builder.build();
    client.start();
    return client;
  }

  private static ConnectionConfig connectionConfig() {
    return ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5)).setSocketTimeout(Timeout.ofSeconds(10)).build();
  }

  private static RequestConfig requestConfig() {
    return RequestConfig.custom().setConnectionRequestTimeout(Timeout.ofSeconds(10)).setResponseTimeout(Timeout.ofSeconds(10)).build();
  }
}
