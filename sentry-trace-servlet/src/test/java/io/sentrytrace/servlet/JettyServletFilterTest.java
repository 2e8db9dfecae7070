package io.sentrytrace.servlet;

/** The servlet specifics on Jetty 12.1 (ee10). */
class JettyServletFilterTest extends ServletFilterSuite {
  @Override
  ServletContainer newContainer() {
    return ServletContainer.jetty();
  }
}
