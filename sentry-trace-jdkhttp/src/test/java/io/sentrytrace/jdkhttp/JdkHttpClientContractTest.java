package io.sentrytrace.jdkhttp;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The wrapped client, following redirects, keeps every rule of the shared client contract: {@code
 * send} for the synchronous calls, {@code sendAsync} for the asynchronous ones.
 */
class JdkHttpClientContractTest extends HttpClientContract<HttpClient, HttpRequest> {
  @Override
  protected HttpClient newClient(Tracer tracer) {
    HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
    return TracingHttpClient.instrument(plain, tracer);
  }

  @Override
  protected void closeClient(HttpClient client) {
    Lifecycle.close(client); // Java 21+; before that the client's threads end with its last reference
  }

  @Override
  protected HttpRequest newRequest(String method, String url, List<Map.Entry<String, String>> headers, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url));
    headers.forEach(header -> builder.header(header.getKey(), header.getValue()));
    if (body != null) builder.header("Content-Type", "text/plain");
    return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
  }

  @Override
  protected int execute(HttpClient client, HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Override
  protected Cancellable executeAsync(HttpClient client, HttpRequest request, Callback callback) {
    CompletableFuture<HttpResponse<String>> call = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    call.whenComplete((response, error) -> {
      if (error != null) callback.onFailure(error);
      else callback.onResponse(response.statusCode());
    });
    return () -> call.cancel(true);
  }
}
