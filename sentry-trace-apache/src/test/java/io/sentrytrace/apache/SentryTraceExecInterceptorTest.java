package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import java.io.IOException;

/** {@link SentryTraceExecInterceptor} on the classic client: the behaviour in {@link InterceptorContract}. */
class SentryTraceExecInterceptorTest extends InterceptorContract {
  @Override
  TestClient client(Tracer tracer, TestClient.Position position) {
    return TestClient.classic(tracer, position, 4);
  }

  @Override
  TestClient failingClient(Tracer tracer, IOException failure) {
    return TestClient.classic(TestClient.Position.FIRST, new SentryTraceExecInterceptor(tracer), 4, failure);
  }
}
