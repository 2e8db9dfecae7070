package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;

/** The JDK HttpClient transport keeps the transport contract. */
class JdkHttpTransportTest extends EnvelopeTransportContract {
  @Override
  protected EnvelopeTransport newTransport() {
    return JdkHttpTransport.create();
  }
}
