package io.sentrytrace.load;

import java.io.IOException;

/** The loopback set-up: downstream, envelope endpoint, the service in front, the base clients. */
final class Rig implements AutoCloseable {
  final Downstream downstream;
  final EnvelopeSink sink;
  final Service service;
  final BaseClients clients;

  static {
    // The JDK server writes a response's headers and body separately; without TCP_NODELAY, Nagle
    // and the peer's delayed ACK add 40 ms to every keep-alive exchange. Read once, before any server.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  Rig(int concurrency) throws IOException {
    downstream = new Downstream(concurrency);
    sink = new EnvelopeSink();
    service = new Service(concurrency, downstream.url());
    clients = new BaseClients(concurrency);
  }

  void use(Setup setup) {
    service.use(setup);
    downstream.expectTrace = setup.propagates();
  }

  @Override
  public void close() throws Exception {
    service.close();
    clients.close();
    downstream.close();
    sink.close();
  }
}
