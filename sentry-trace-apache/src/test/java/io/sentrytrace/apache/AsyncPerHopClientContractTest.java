package io.sentrytrace.apache;

/**
 * The async client with the interceptor registered below the redirect handling ({@code
 * addExecInterceptorBefore(ChainElement.PROTOCOL.name(), ...)}): every hop decided on its own, the
 * whole shared contract.
 */
class AsyncPerHopClientContractTest extends AsyncClientContract {
  @Override
  TestClient.Position position() {
    return TestClient.Position.PER_HOP;
  }
}
