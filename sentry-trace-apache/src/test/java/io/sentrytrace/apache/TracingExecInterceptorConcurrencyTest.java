package io.sentrytrace.apache;

import io.sentrytrace.Tracer;

/** {@link TracingExecInterceptor} under 16 concurrent callers: {@link ConcurrencyContract}. */
class TracingExecInterceptorConcurrencyTest extends ConcurrencyContract {
  @Override
  TestClient client(Tracer tracer, int maxPerRoute) {
    return TestClient.classic(tracer, TestClient.Position.FIRST, maxPerRoute);
  }
}
