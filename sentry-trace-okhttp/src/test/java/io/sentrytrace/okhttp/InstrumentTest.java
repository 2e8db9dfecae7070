package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.await;
import static io.sentrytrace.okhttp.Calls.enqueue;
import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Tracer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TracingInterceptor#instrument}: the one-line setup. */
class InstrumentTest {
  private final LoopbackServer server;
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();

  InstrumentTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void keepsTheClientsOwnEventListenerAndInterceptors() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    EventListener listener =
        new EventListener() {
          @Override
          public void callStart(Call call) {
            events.add("callStart");
          }

          @Override
          public void callEnd(Call call) {
            events.add("callEnd");
          }
        };
    Interceptor own = chain -> {
      events.add("own interceptor");
      return chain.proceed(chain.request());
    };
    OkHttpClient base = new OkHttpClient.Builder().eventListener(listener).addInterceptor(own).build();
    OkHttpClient client = TracingInterceptor.instrument(base, tracer);
    execute(client, get(server.respond(200).url("/")));
    await(enqueue(client, get(server.respond(200).url("/"))));

    assertThat(events).containsExactly(
        "callStart", "own interceptor", "callEnd", "callStart", "own interceptor", "callEnd");
    assertThat(client.interceptors()).hasSize(2).first().isSameAs(own);
    assertThat(client.connectionPool()).isSameAs(base.connectionPool());
    assertThat(client.dispatcher()).isSameAs(base.dispatcher());
  }

  @Test
  void putsItselfLastAmongApplicationAndFirstAmongNetworkInterceptors() {
    Interceptor logging = chain -> chain.proceed(chain.request());
    OkHttpClient base = new OkHttpClient.Builder().addInterceptor(logging).addNetworkInterceptor(logging).build();
    OkHttpClient client = TracingInterceptor.instrument(base, tracer);

    assertThat(client.interceptors()).hasSize(2).last().isInstanceOf(TracingInterceptor.class);
    assertThat(client.networkInterceptors()).hasSize(2).first().isInstanceOf(TracingInterceptor.class);
    assertThat(client.interceptors().get(1)).isSameAs(client.networkInterceptors().get(0));
  }

  @Test
  void instrumentingTwiceReturnsTheSameClient() {
    OkHttpClient once = TracingInterceptor.instrument(new OkHttpClient(), tracer);
    assertThat(TracingInterceptor.instrument(once, tracer)).isSameAs(once);
  }

  @Test
  void instrumentingWithAnotherTracerIsAMistake() {
    OkHttpClient once = TracingInterceptor.instrument(new OkHttpClient(), tracer);
    Tracer other = Tracer.builder().build();
    assertThatThrownBy(() -> TracingInterceptor.instrument(once, other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already instrumented with another Tracer");
  }

  @Test
  void rejectsANullTracer() {
    assertThatThrownBy(() -> TracingInterceptor.create(null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
  }

  @Test
  void aResponseKeepsTheApplicationsRequestUrl() throws Exception {
    OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
    try (Response response = client.newCall(get(server.respond(200).url("/a?b=c"))).execute()) {
      assertThat(response.request().url().toString()).isEqualTo(server.url("/a?b=c"));
    }
  }
}
