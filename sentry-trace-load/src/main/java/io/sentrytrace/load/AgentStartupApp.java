package io.sentrytrace.load;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The service {@link AgentStartup} starts, with and without the agent: a JDK {@code HttpServer}
 * whose {@code /checkout} calls {@code args[0]} with the JDK {@code HttpClient} (both instrumented
 * by the agent; no tracing code of its own). Prints {@code LISTENING <port>}; runs until stopped.
 */
public final class AgentStartupApp {
  private AgentStartupApp() {}

  public static void main(String[] args) throws Exception {
    URI downstream = URI.create(args[0]);
    HttpClient client = HttpClient.newHttpClient();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/checkout", exchange -> {
      int status = 200;
      String body;
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(downstream).build(), HttpResponse.BodyHandlers.ofString());
        body = "downstream said " + r.statusCode();
      } catch (Exception e) {
        status = 500;
        body = e.toString();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
    System.out.println("LISTENING " + server.getAddress().getPort());
  }
}
