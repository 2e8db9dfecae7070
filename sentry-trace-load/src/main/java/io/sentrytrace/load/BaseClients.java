package io.sentrytrace.load;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The three clients without instrumentation, sized for the load (connection pools hold one
 * connection per concurrent request). Instrumented variants share their pools.
 */
final class BaseClients implements AutoCloseable {
  final OkHttpClient okhttp;
  final PoolingHttpClientConnectionManager apachePool;
  final CloseableHttpClient apache;
  final ExecutorService jdkExecutor;
  final HttpClient jdk;

  BaseClients(int concurrency) {
    okhttp = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(concurrency * 2, 5, TimeUnit.MINUTES))
        .build();
    apachePool = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(concurrency * 2)
        .setMaxConnPerRoute(concurrency * 2)
        .build();
    apache = apacheBuilder().build();
    // A fixed executor: the JDK client's default one is a cached pool whose threads come and go.
    jdkExecutor = Executors.newFixedThreadPool(4, Threads.named("jdk-client"));
    jdk = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .executor(jdkExecutor)
        .build();
  }

  /** A builder on the shared pool; the pool outlives the clients built from it. */
  HttpClientBuilder apacheBuilder() {
    return HttpClients.custom().setConnectionManager(apachePool).setConnectionManagerShared(true);
  }

  static DownstreamClient okhttp(OkHttpClient client) {
    return url -> {
      try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
        response.body().bytes();
        return response.code();
      }
    };
  }

  static DownstreamClient apache(CloseableHttpClient client) {
    return url -> client.execute(new HttpGet(url), response -> {
      EntityUtils.consume(response.getEntity());
      return response.getCode();
    });
  }

  static DownstreamClient jdk(HttpClient client) {
    return url -> client.send(HttpRequest.newBuilder(java.net.URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofByteArray()).statusCode();
  }

  DownstreamClient untraced(ClientKind kind) {
    switch (kind) {
      case OKHTTP: return okhttp(okhttp);
      case APACHE: return apache(apache);
      default: return jdk(jdk);
    }
  }

  @Override
  public void close() throws Exception {
    apache.close();
    apachePool.close();
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
    jdkExecutor.shutdownNow();
  }
}
