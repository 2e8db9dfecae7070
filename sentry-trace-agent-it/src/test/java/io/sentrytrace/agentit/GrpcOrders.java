package io.sentrytrace.agentit;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one gRPC method of {@link GrpcAgentIT}, {@code checkout.Orders/Get}, defined by hand (no
 * protoc): a unary call whose request and reply are UTF-8 strings. The server answers {@code
 * "order " + request}.
 */
final class GrpcOrders {
  static final String SERVICE = "checkout.Orders";

  static final MethodDescriptor<String, String> GET = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Get"))
      .setRequestMarshaller(Utf8.INSTANCE)
      .setResponseMarshaller(Utf8.INSTANCE)
      .build();

  private GrpcOrders() {}

  /** The service as the server registers it. */
  static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(GET, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext("order " + request);
          reply.onCompleted();
        }))
        .build();
  }

  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
