package io.sentrytrace.servlet;

/** The servlet specifics on Tomcat 11. */
class TomcatServletFilterTest extends ServletFilterSuite {
  @Override
  ServletContainer newContainer() {
    return ServletContainer.tomcat();
  }
}
