package io.sentrytrace.servlet;

/** The shared server contract, on Jetty 12.1 (ee10). */
class JettyContractTest extends ServletContract {
  @Override
  ServletContainer newContainer() {
    return ServletContainer.jetty();
  }
}
