package io.sentrytrace.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real embedded servlet container on 127.0.0.1 and an ephemeral port, set up the portable way:
 * the test's {@code deploy} registers filters and servlets through {@link ServletContext} (as a
 * {@link ServletContainerInitializer} does); only error pages, which the servlet API cannot
 * register, go through the container's own API. Accepts request headers of 128 KB (the contract's
 * hostile cases send 100 KB).
 *
 * <pre>{@code
 * try (ServletContainer server = ServletContainer.tomcat()) {
 *   URI base = server.start(context -> context.addServlet("app", servlet).addMapping("/*"), Map.of());
 * }
 * }</pre>
 */
abstract class ServletContainer implements AutoCloseable {
  static final int MAX_REQUEST_HEADER_BYTES = 128 * 1024;
  /** Held so the settings survive: java.util.logging keeps loggers weakly. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");
  private static final Logger TOMCAT_LEAK_CHECKS = Logger.getLogger("org.apache.catalina.loader");
  private static final Logger TOMCAT_SESSION_IDS = Logger.getLogger("org.apache.catalina.util.SessionIdGeneratorBase");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING); // Tomcat's start-up chatter
    TOMCAT_LEAK_CHECKS.setLevel(Level.SEVERE); // "add --add-opens to detect leaks" on every stop
    TOMCAT_SESSION_IDS.setLevel(Level.SEVERE); // "creation of SecureRandom ... took 191 ms" on a busy machine
  }

  /** Deploys with {@code deploy}; {@code errorPages} maps status codes to locations. Returns the base URI. */
  abstract URI start(Consumer<ServletContext> deploy, Map<Integer, String> errorPages) throws Exception;

  abstract String name();

  @Override
  public abstract void close() throws Exception;

  @Override
  public String toString() {
    return name();
  }

  static ServletContainer jetty() {
    return new Jetty();
  }

  static ServletContainer tomcat() {
    return new TomcatContainer();
  }

  static ServletContainer named(String name) {
    return name.equals("jetty") ? jetty() : tomcat();
  }

  private static ServletContainerInitializer initializer(Consumer<ServletContext> deploy) {
    return (classes, context) -> deploy.accept(context);
  }

  /** Jetty 12.1, ee10 (Servlet 6.0). */
  private static final class Jetty extends ServletContainer {
    private Server server;

    @Override
    URI start(Consumer<ServletContext> deploy, Map<Integer, String> errorPages) throws Exception {
      QueuedThreadPool threads = new QueuedThreadPool(64, 8);
      threads.setName("jetty");
      server = new Server(threads);
      HttpConfiguration http = new HttpConfiguration();
      http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
      http.setSendServerVersion(false);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServletContainerInitializer(initializer(deploy));
      if (!errorPages.isEmpty()) {
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
        errorPages.forEach(errors::addErrorPage);
        context.setErrorHandler(errors);
      }
      server.setHandler(context);
      server.start();
      if (!context.isAvailable()) throw new IllegalStateException("the Jetty context did not start");
      return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    String name() {
      return "Jetty";
    }

    @Override
    public void close() throws Exception {
      if (server != null) server.stop();
    }
  }

  /** Tomcat 11 (Servlet 6.1). */
  private static final class TomcatContainer extends ServletContainer {
    private Tomcat tomcat;
    private Path baseDir;

    @Override
    URI start(Consumer<ServletContext> deploy, Map<Integer, String> errorPages) throws Exception {
      baseDir = Files.createTempDirectory("tomcat");
      tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      Connector connector = new Connector("HTTP/1.1");
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.setProperty("maxHttpHeaderSize", Integer.toString(MAX_REQUEST_HEADER_BYTES));
      connector.setProperty("maxKeepAliveRequests", "-1");
      connector.setProperty("maxThreads", "64");
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("", baseDir.toString());
      context.addServletContainerInitializer(initializer(deploy), null);
      errorPages.forEach((code, location) -> {
        ErrorPage page = new ErrorPage();
        page.setErrorCode(code);
        page.setLocation(location);
        context.addErrorPage(page);
      });
      tomcat.start();
      if (!context.getState().isAvailable()) throw new IllegalStateException("the Tomcat context did not start: " + context.getState());
      return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    String name() {
      return "Tomcat";
    }

    @Override
    public void close() throws Exception {
      if (tomcat != null) {
        tomcat.stop();
        tomcat.destroy();
      }
      if (baseDir != null) {
        try (var files = Files.walk(baseDir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
