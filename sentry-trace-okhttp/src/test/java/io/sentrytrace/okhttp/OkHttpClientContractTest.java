package io.sentrytrace.okhttp;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientContract;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The client set up as the README shows keeps every rule of the shared client contract. */
class OkHttpClientContractTest extends HttpClientContract<OkHttpClient, Request> {
  @Override
  protected OkHttpClient newClient(Tracer tracer) {
    return TracingInterceptor.instrument(new OkHttpClient(), tracer);
  }

  @Override
  protected void closeClient(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Override
  protected Request newRequest(String method, String url, List<Map.Entry<String, String>> headers, String body) {
    Request.Builder builder = new Request.Builder().url(url);
    headers.forEach(header -> builder.addHeader(header.getKey(), header.getValue()));
    return builder.method(method, body == null ? null : RequestBody.create(body, MediaType.get("text/plain"))).build();
  }

  @Override
  protected int execute(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      response.body().string();
      return response.code();
    }
  }

  @Override
  protected Cancellable executeAsync(OkHttpClient client, Request request, Callback callback) {
    Call call = client.newCall(request);
    call.enqueue(new okhttp3.Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        callback.onFailure(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        int code;
        try (response) {
          response.body().string();
          code = response.code();
        } catch (IOException e) {
          callback.onFailure(e);
          return;
        }
        callback.onResponse(code);
      }
    });
    return call::cancel;
  }
}
