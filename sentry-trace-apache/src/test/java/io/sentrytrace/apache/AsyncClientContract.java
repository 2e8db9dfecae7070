package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/** The shared client contract on the async client, registered as {@link #position()} says. */
abstract class AsyncClientContract extends HttpClientContract<CloseableHttpAsyncClient, SimpleHttpRequest> {
  abstract TestClient.Position position();

  @Override
  protected CloseableHttpAsyncClient newClient(Tracer tracer) {
    HttpAsyncClientBuilder builder = HttpAsyncClients.custom()
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    TracingAsyncExecInterceptor interceptor = TracingAsyncExecInterceptor.create(tracer);
    if (position() == TestClient.Position.FIRST) builder.addExecInterceptorFirst("sentry-trace", interceptor);
    else builder.addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor);
    CloseableHttpAsyncClient client = builder.build();
    client.start();
    return client;
  }

  @Override
  protected void closeClient(CloseableHttpAsyncClient client) {
    client.close(CloseMode.IMMEDIATE);
  }

  @Override
  protected SimpleHttpRequest newRequest(String method, String url, List<Map.Entry<String, String>> headers, String body) {
    SimpleHttpRequest request = SimpleHttpRequest.create(method, url);
    headers.forEach(header -> request.addHeader(header.getKey(), header.getValue()));
    if (body != null) request.setBody(body, ContentType.TEXT_PLAIN);
    return request;
  }

  @Override
  protected int execute(CloseableHttpAsyncClient client, SimpleHttpRequest request) throws Exception {
    Future<SimpleHttpResponse> response = client.execute(SimpleRequestProducer.create(request), SimpleResponseConsumer.create(), null);
    try {
      return response.get(10, TimeUnit.SECONDS).getCode();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  @Override
  protected Cancellable executeAsync(CloseableHttpAsyncClient client, SimpleHttpRequest request, Callback callback) {
    Future<SimpleHttpResponse> call = client.execute(
        SimpleRequestProducer.create(request), SimpleResponseConsumer.create(), new FutureCallback<>() {
          @Override
          public void completed(SimpleHttpResponse response) {
            callback.onResponse(response.getCode());
          }

          @Override
          public void failed(Exception error) {
            callback.onFailure(error);
          }

          @Override
          public void cancelled() {
            callback.onFailure(new CancellationException("cancelled"));
          }
        });
    return () -> call.cancel(true);
  }
}
