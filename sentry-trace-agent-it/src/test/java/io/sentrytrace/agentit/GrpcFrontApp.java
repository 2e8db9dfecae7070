package io.sentrytrace.agentit;

import com.sun.net.httpserver.HttpServer;
import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The front {@link GrpcAgentIT} runs under the stock agent: a JDK {@code HttpServer} whose {@code
 * /checkout} calls {@code checkout.Orders/Get} on the gRPC server on 127.0.0.1 with a blocking call
 * and answers with the reply. No OpenTelemetry or sentry-trace code. {@code args[0]} is a file
 * that holds the gRPC server's port by the first request (so both JVMs start at once). Prints
 * {@code LISTENING <port>} and runs until the JVM is stopped.
 */
public final class GrpcFrontApp {
  private static ManagedChannel channel; // guarded by GrpcFrontApp.class

  private GrpcFrontApp() {}

  public static void main(String[] args) throws Exception {
    Path ordersPort = Path.of(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/checkout", exchange -> {
      int status = 200;
      String body;
      try {
        // Bounded: a server that never answers fails the request, not the test run.
        body = ClientCalls.blockingUnaryCall(
            channel(ordersPort), GrpcOrders.GET, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), "42");
      } catch (RuntimeException | IOException e) {
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

  private static synchronized ManagedChannel channel(Path ordersPort) throws IOException {
    if (channel == null) {
      int port = Integer.parseInt(Files.readString(ordersPort).trim());
      channel = NettyChannelBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureChannelCredentials.create())
          .build();
    }
    return channel;
  }
}
