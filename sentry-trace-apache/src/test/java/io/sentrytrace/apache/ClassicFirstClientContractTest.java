package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The classic client with the interceptor registered first, as the README shows: the shared
 * contract, except that redirect hops never carry our headers ({@link FirstRegistration}).
 */
class ClassicFirstClientContractTest extends ClassicClientContract {
  @Override
  TestClient.Position position() {
    return TestClient.Position.FIRST;
  }

  @Test
  @Override
  public void aRedirectFromAnotherHostToATargetCarriesTheHeaders() throws Exception {
    FirstRegistration.aRedirectToATargetCarriesNoHeaders(peer(), peer(), exporter, this::get);
  }

  @Test
  @Override
  public void eachHopOfARedirectWithinATargetCarriesOneSetOfHeaders() throws Exception {
    FirstRegistration.laterHopsWithinATargetCarryOnlyTheRequestsOwnHeaders(peer(), exporter, this::get);
  }

  private int get(Tracer tracer, String url, String... headers) throws Exception {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) pairs.add(Map.entry(headers[i], headers[i + 1]));
    return execute(client(tracer), newRequest("GET", url, pairs, null));
  }
}
