package io.sentrytrace.it;

import io.sentrytrace.Tracer;
import io.sentrytrace.apache.TracingAsyncExecInterceptor;
import io.sentrytrace.apache.TracingExecInterceptor;
import io.sentrytrace.jdkhttp.TracingHttpClient;
import io.sentrytrace.okhttp.TracingInterceptor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One of the traced clients, installed as its module documents, making a GET on the thread that
 * calls {@link #get} (the caller's span is the parent) and waiting for the answer.
 */
interface TracedClient extends AutoCloseable {
  long TIMEOUT_SECONDS = 5;

  /** Opens a client traced by {@code tracer}. */
  interface Factory {
    TracedClient open(Tracer tracer);
  }

  /** GETs {@code url}, reads the body, returns the status code. */
  int get(String url) throws Exception;

  @Override
  void close();

  static TracedClient okHttpExecute(Tracer tracer) {
    OkHttpClient client = okHttp(tracer);
    return closing(url -> {
      try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
        response.body().string();
        return response.code();
      }
    }, () -> close(client));
  }

  static TracedClient okHttpEnqueue(Tracer tracer) {
    OkHttpClient client = okHttp(tracer);
    return closing(url -> {
      CompletableFuture<Integer> code = new CompletableFuture<>();
      client.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
        @Override
        public void onResponse(Call call, Response response) {
          try (response) {
            response.body().string();
            code.complete(response.code());
          } catch (IOException | RuntimeException e) {
            code.completeExceptionally(e);
          }
        }

        @Override
        public void onFailure(Call call, IOException e) {
          code.completeExceptionally(e);
        }
      });
      return code.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }, () -> close(client));
  }

  static TracedClient apacheClassic(Tracer tracer) {
    CloseableHttpClient client = HttpClients.custom()
        .setDefaultRequestConfig(requestConfig())
        .addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer))
        .build();
    return closing(url -> client.execute(ClassicRequestBuilder.get(url).build(), response -> {
      EntityUtils.consume(response.getEntity());
      return response.getCode();
    }), () -> client.close(CloseMode.GRACEFUL));
  }

  static TracedClient apacheAsync(Tracer tracer) {
    CloseableHttpAsyncClient client = HttpAsyncClients.custom()
        .setDefaultRequestConfig(requestConfig())
        .addExecInterceptorFirst("sentry-trace", TracingAsyncExecInterceptor.create(tracer))
        .build();
    client.start();
    return closing(
        url -> client.execute(SimpleRequestBuilder.get(url).build(), null).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getCode(),
        () -> client.close(CloseMode.GRACEFUL));
  }

  static TracedClient jdkSend(Tracer tracer) {
    HttpClient client = jdk(tracer);
    return closing(url -> client.send(jdkGet(url), HttpResponse.BodyHandlers.ofString()).statusCode(), () -> {});
  }

  static TracedClient jdkSendAsync(Tracer tracer) {
    HttpClient client = jdk(tracer);
    return closing(
        url -> client.sendAsync(jdkGet(url), HttpResponse.BodyHandlers.ofString())
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .statusCode(),
        () -> {});
  }

  private static OkHttpClient okHttp(Tracer tracer) {
    return TracingInterceptor.instrument(
        new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build(), tracer);
  }

  private static void close(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private static RequestConfig requestConfig() {
    return RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(TIMEOUT_SECONDS)).build();
  }

  private static HttpClient jdk(Tracer tracer) {
    // Java 17's client has no close(): it stops with its last reference.
    return TracingHttpClient.instrument(
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build(),
        tracer);
  }

  private static HttpRequest jdkGet(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(TIMEOUT_SECONDS)).GET().build();
  }

  /** The GET as a lambda. */
  interface Get {
    int get(String url) throws Exception;
  }

  private static TracedClient closing(Get get, Runnable close) {
    return new TracedClient() {
      @Override
      public int get(String url) throws Exception {
        return get.get(url);
      }

      @Override
      public void close() {
        close.run();
      }
    };
  }
}
