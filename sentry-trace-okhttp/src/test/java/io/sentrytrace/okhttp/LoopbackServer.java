package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A MockWebServer on 127.0.0.1, with the URL and the propagation target that name it exactly. */
final class LoopbackServer implements AutoCloseable {
  final MockWebServer server = new MockWebServer();

  LoopbackServer() throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  int port() {
    return server.getPort();
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  /** Matches this server's URLs and no other port's. */
  Pattern target() {
    return Pattern.compile("^http://127\\.0\\.0\\.1:" + port() + "/");
  }

  LoopbackServer respond(int code) {
    server.enqueue(new MockResponse.Builder().code(code).body("hello").build());
    return this;
  }

  LoopbackServer redirectTo(String location) {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", location).build());
    return this;
  }

  LoopbackServer enqueue(MockResponse response) {
    server.enqueue(response);
    return this;
  }

  RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached " + url("/")).isNotNull();
    return request;
  }

  @Override
  public void close() {
    server.close();
  }
}
