package io.sentrytrace.apache;

import io.sentrytrace.Tracer;

/** {@link TracingAsyncExecInterceptor} under 16 concurrent callers: {@link ConcurrencyContract}. */
class TracingAsyncExecInterceptorConcurrencyTest extends ConcurrencyContract {
  @Override
  TestClient client(Tracer tracer, int maxPerRoute) {
    return TestClient.async(tracer, TestClient.Position.FIRST, maxPerRoute);
  }
}
