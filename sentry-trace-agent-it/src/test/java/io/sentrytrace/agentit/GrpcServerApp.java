package io.sentrytrace.agentit;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The gRPC server {@link GrpcAgentIT} runs under the stock agent: {@link GrpcOrders} over Netty on
 * 127.0.0.1. No OpenTelemetry or sentry-trace code. Prints {@code LISTENING <port>} and runs until
 * the JVM is stopped.
 */
public final class GrpcServerApp {
  private GrpcServerApp() {}

  public static void main(String[] args) throws Exception {
    Server server = NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), InsecureServerCredentials.create())
        .addService(GrpcOrders.service())
        .build()
        .start();
    System.out.println("LISTENING " + server.getPort());
    server.awaitTermination();
  }
}
