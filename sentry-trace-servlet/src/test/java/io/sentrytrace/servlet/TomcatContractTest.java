package io.sentrytrace.servlet;

/** The shared server contract, on Tomcat 11. */
class TomcatContractTest extends ServletContract {
  @Override
  ServletContainer newContainer() {
    return ServletContainer.tomcat();
  }
}
