package io.sentrytrace.okhttp;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Making calls in tests: both of OkHttp's ways, each response closed. */
final class Calls {
  private Calls() {}

  static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  /** {@code execute()}; returns the status code. */
  static int execute(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response.code();
    }
  }

  /** Starts {@code enqueue()} on this thread; the future completes with the status code. */
  static CompletableFuture<Integer> enqueue(OkHttpClient client, Request request) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    client
        .newCall(request)
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                result.completeExceptionally(e);
              }

              @Override
              public void onResponse(Call call, Response response) {
                int code;
                try (response) {
                  code = response.code();
                }
                result.complete(code); // after close: the call has ended

              }
            });
    return result;
  }

  /** Waits for an enqueued call; its IOException is thrown as it came. */
  static int await(CompletableFuture<Integer> call) throws IOException, InterruptedException, TimeoutException {
    try {
      return call.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) throw (IOException) e.getCause();
      throw new AssertionError(e.getCause());
    }
  }
}
