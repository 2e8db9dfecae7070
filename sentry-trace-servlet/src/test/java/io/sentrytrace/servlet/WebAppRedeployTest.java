package io.sentrytrace.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.servlet.webapp.ReadmeRecipeListener;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.loader.WebappClassLoaderBase;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code web.xml} route in a real Tomcat, judged by Tomcat's own memory-leak detection: a web
 * application directory with {@code WEB-INF/web.xml} and the library jars (core, http, servlet,
 * envelope) in {@code WEB-INF/lib}, loaded by Tomcat's {@code WebappClassLoader} (its parent hides
 * every {@code io.sentrytrace} class of the test's class path, so nothing comes from there), is
 * deployed and undeployed five times with a DSN that points at a stand-in Sentry on 127.0.0.1.
 * On undeploy Tomcat reports each thread the application started and left running, and each
 * ThreadLocal it left behind (the surefire argLine opens what that check reads).
 */
class WebAppRedeployTest {
  private static final String LISTENER = "io.sentrytrace.servlet.TracingContextListener";
  private static final int DEPLOYS = 5;
  /** Bounds a hang only: a transaction normally arrives within milliseconds. */
  private static final long ARRIVAL_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Where Tomcat's leak checks log. */
  private static final Logger LOADER_CHECKS = Logger.getLogger("org.apache.catalina.loader");
  /** Held so the setting survives (java.util.logging keeps loggers weakly). */
  private static final Logger TOMCAT_SESSION_IDS = Logger.getLogger("org.apache.catalina.util.SessionIdGeneratorBase");

  static {
    // "Creation of SecureRandom ... took 191 ms" on a busy machine: no leak, not this test's business.
    TOMCAT_SESSION_IDS.setLevel(Level.SEVERE);
  }

  @TempDir Path dir;

  private final StandInSentry sentry = new StandInSentry();
  private Tomcat tomcat;
  private int port;
  private LogRecords tomcatLog;
  private LogRecords libraryLog;
  private Level loaderChecksLevel;

  @BeforeEach
  void start() throws Exception {
    // Tomcat's and the library's records are asserted, not printed. The leak checks log at WARNING
    // and SEVERE on org.apache.catalina.loader, which other tests turn down: here they count.
    loaderChecksLevel = LOADER_CHECKS.getLevel();
    LOADER_CHECKS.setLevel(null); // inherit: ServletContainer turns it down to SEVERE
    tomcatLog = LogRecords.named("org.apache", Level.INFO);
    libraryLog = LogRecords.named("io.sentrytrace", Level.INFO);
    tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    tomcat.getHost().setAutoDeploy(false);
    tomcat.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (tomcat != null) {
        tomcat.stop();
        tomcat.destroy();
      }
      sentry.close();
    } finally {
      libraryLog.close();
      tomcatLog.close();
      LOADER_CHECKS.setLevel(loaderChecksLevel);
    }
  }

  @Test
  void theShippedListenerClosesTheTracerOnEveryUndeploySoTomcatFindsNoLeak() throws Exception {
    Path webapp = webapp("app", LISTENER, "");
    Set<Thread> before = sentryTraceThreads();

    List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
    for (int deploy = 1; deploy <= DEPLOYS; deploy++) {
      loaders.add(new WeakReference<>(deployRequestUndeploy(webapp, deploy, before)));
    }

    // Nothing holds the undeployed applications: their class loaders are collected.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (loaders.stream().anyMatch(l -> l.get() != null) && System.nanoTime() - deadline < 0) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(loaders).as("the web application class loaders after undeploy").allSatisfy(l -> assertThat(l.get()).isNull());
    assertThat(sentry.transactions()).hasSize(DEPLOYS).allSatisfy(body -> assertThat(body)
        .contains("\"transaction\":\"GET /app/index.html\"").contains("\"type\":\"transaction\""));
    assertThat(libraryLog.lines()).hasSize(DEPLOYS).allSatisfy(line -> assertThat(line)
        .startsWith("INFO sentry-trace: web application /app: Tracer in the ServletContext attribute io.sentrytrace.Tracer;"
            + " traces-sample-rate 1.0, transactions sent to http://127.0.0.1:" + sentry.port() + "/api/1/envelope/;"
            + " trace headers to all URLs; release shop@1.0; environment test; closed when the web application stops"));
  }

  /** One deploy, request and undeploy, asserted; returns the application's class loader (for a weak reference). */
  private ClassLoader deployRequestUndeploy(Path webapp, int deploy, Set<Thread> before) throws Exception {
    StandardContext context = deploy("/app", webapp);
    ClassLoader webappLoader = context.getLoader().getClassLoader();
    Object tracer = context.getServletContext().getAttribute(TracingServletFilter.TRACER_ATTRIBUTE);
    assertThat(webappLoader).isInstanceOf(WebappClassLoaderBase.class);
    assertThat(tracer).as("the listener's Tracer").isNotNull();
    assertThat(tracer.getClass()).isNotSameAs(Tracer.class);
    assertThat(tracer.getClass().getClassLoader()).as("the Tracer's class loader").isSameAs(webappLoader);

    HttpURLConnection page = get("/app/index.html");
    assertThat(page.getResponseCode()).isEqualTo(200);
    assertThat(page.getHeaderField("Server-Timing")).as("the filter ran").contains("sentry-trace;desc=");
    page.getInputStream().readAllBytes();
    sentry.awaitTransactions(deploy);
    // The exporter's threads are running, in the application's class loader: what Tomcat would report.
    assertThat(threadsOf(webappLoader)).contains("sentry-trace-envelope-watchdog")
        .anySatisfy(name -> assertThat(name).startsWith("sentry-trace-envelope-sender-"));

    undeploy(context);

    assertThat(tomcatLog.atLeast(Level.WARNING)).as("Tomcat's warnings after undeploy %d", deploy).isEmpty();
    assertThat(sentryTraceThreads()).as("sentry-trace threads after undeploy %d", deploy).isSubsetOf(before);
    return webappLoader;
  }

  /**
   * Proves that this test can fail: the README's former recipe (the application's own listener,
   * which never closes the tracer) leaves the exporter's threads running, and Tomcat says so.
   */
  @Test
  void theFormerRecipeWithoutTheListenerLeaksTheExportersThreadsAndTomcatSaysSo() throws Exception {
    Path webapp = webapp("former", ReadmeRecipeListener.class.getName(), "");
    Set<Thread> before = sentryTraceThreads();
    StandardContext context = deploy("/former", webapp);
    Object leaked = context.getServletContext().getAttribute(TracingServletFilter.TRACER_ATTRIBUTE);
    HttpURLConnection page = get("/former/index.html");
    assertThat(page.getResponseCode()).isEqualTo(200);
    page.getInputStream().readAllBytes();
    sentry.awaitTransactions(1);
    Runnable stopLeakedThreads = stopper(leaked); // while the application's classes can still load
    assertThat(stopLeakedThreads).as("handles on the leaked exporter's threads").isNotNull();
    try {
      undeploy(context);
      assertThat(tomcatLog.atLeast(Level.WARNING))
          .anySatisfy(line -> assertThat(line).contains("appears to have started a thread named [sentry-trace-envelope-sender-1]"
              + " but has failed to stop it. This is very likely to create a memory leak."))
          .anySatisfy(line -> assertThat(line).contains("thread named [sentry-trace-envelope-watchdog]"));
    } finally {
      stopLeakedThreads.run();
    }
    assertThat(sentryTraceThreads()).as("the leaked threads, stopped by hand").isSubsetOf(before);
  }

  /**
   * Ends the threads of an exporter nobody closed. Its close() cannot run once Tomcat stopped the
   * application (its class loader refuses to load what close() still needs), so the exporter's
   * stop flags are set from here, through handles taken before. Null when the exporter's fields
   * are no longer what this expects (then update it).
   */
  private static Runnable stopper(Object tracer) {
    try {
      Object exporter = field(tracer, "exporter").get(tracer);
      @SuppressWarnings("unchecked")
      java.util.Set<Thread> senders = (java.util.Set<Thread>) field(exporter, "senders").get(exporter);
      Field stopped = field(exporter, "stopped");
      Object transport = field(exporter, "transport").get(exporter);
      Object watchdog = field(transport, "watchdog").get(transport);
      Field closed = field(watchdog, "closed");
      Field thread = field(watchdog, "thread");
      return () -> {
        try {
          stopped.setBoolean(exporter, true);
          java.util.List<Thread> sending = java.util.List.copyOf(senders);
          for (Thread sender : sending) sender.interrupt();
          closed.setBoolean(watchdog, true);
          Thread watching = (Thread) thread.get(watchdog);
          if (watching != null) LockSupport.unpark(watching);
          for (Thread sender : sending) sender.join(10_000);
          if (watching != null) watching.join(10_000);
        } catch (ReflectiveOperationException | InterruptedException e) {
          throw new AssertionError(e);
        }
      };
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static Field field(Object owner, String name) throws NoSuchFieldException {
    Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }

  @Test
  void aMalformedContextParamFailsTheDeploymentNamingIt() throws Exception {
    Path webapp = webapp("bad", LISTENER, param("sentry-trace.propagate-traceparent", "yes"));
    Set<Thread> before = sentryTraceThreads();

    StandardContext context = deploy("/bad", webapp);

    assertThat(context.getState().isAvailable()).isFalse();
    assertThat(tomcatLog.lines()).anySatisfy(line -> assertThat(line).startsWith("SEVERE ")
        .contains("TracingContextListener: context-param sentry-trace.propagate-traceparent is 'yes'; use true or false."));
    undeploy(context);
    assertThat(sentryTraceThreads()).as("no exporter was started").isSubsetOf(before);
  }

  // ---- the web application ----

  /** A web application directory: web.xml with {@code listener}, the filter and a page; the jars in WEB-INF/lib. */
  private Path webapp(String name, String listener, String extraParams) throws Exception {
    Path root = Files.createDirectories(dir.resolve(name));
    Files.writeString(root.resolve("index.html"), "<!doctype html><title>shop</title><p>shop</p>");
    Path webInf = Files.createDirectories(root.resolve("WEB-INF"));
    Files.writeString(webInf.resolve("web.xml"), webXml(listener, sentry.dsn(), extraParams));
    Path lib = Files.createDirectories(webInf.resolve("lib"));
    jar(Tracer.class, lib.resolve("sentry-trace-core.jar"));
    jar(HttpServerHandler.class, lib.resolve("sentry-trace-http.jar"));
    jar(TracingServletFilter.class, lib.resolve("sentry-trace-servlet.jar"));
    jar(EnvelopeExporter.class, lib.resolve("sentry-trace-envelope.jar"));
    // The former recipe's listener is the application's own class: WEB-INF/classes.
    String listenerFile = ReadmeRecipeListener.class.getName().replace('.', '/') + ".class";
    Path classes = codeSource(ReadmeRecipeListener.class);
    Path target = webInf.resolve("classes").resolve(listenerFile);
    Files.createDirectories(target.getParent());
    Files.copy(classes.resolve(listenerFile), target);
    return root;
  }

  /** The README's recipe, with this test's DSN and a sample rate of 1, and a servlet for the page. */
  private static String webXml(String listener, String dsn, String extraParams) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                 version="6.0" metadata-complete="true">
          <listener>
            <listener-class>%s</listener-class>
          </listener>
          <context-param>
            <param-name>sentry-trace.dsn</param-name>
            <param-value>%s</param-value>
          </context-param>
          <context-param>
            <param-name>sentry-trace.traces-sample-rate</param-name>
            <param-value>1.0</param-value>
          </context-param>
          <context-param>
            <param-name>sentry-trace.release</param-name>
            <param-value>shop@1.0</param-value>
          </context-param>
          <context-param>
            <param-name>sentry-trace.environment</param-name>
            <param-value>test</param-value>
          </context-param>
          %s
          <filter>
            <filter-name>sentry-trace</filter-name>
            <filter-class>io.sentrytrace.servlet.TracingServletFilter</filter-class>
            <async-supported>true</async-supported>
          </filter>
          <filter-mapping>
            <filter-name>sentry-trace</filter-name>
            <url-pattern>/*</url-pattern>
            <dispatcher>REQUEST</dispatcher>
            <dispatcher>ASYNC</dispatcher>
          </filter-mapping>

          <!-- Tomcat's default web.xml is left out (it wants Jasper): the page's servlet and type. -->
          <servlet>
            <servlet-name>default</servlet-name>
            <servlet-class>org.apache.catalina.servlets.DefaultServlet</servlet-class>
          </servlet>
          <servlet-mapping>
            <servlet-name>default</servlet-name>
            <url-pattern>/</url-pattern>
          </servlet-mapping>
          <mime-mapping>
            <extension>html</extension>
            <mime-type>text/html</mime-type>
          </mime-mapping>
        </web-app>
        """.formatted(listener, dsn, extraParams);
  }

  private static String param(String name, String value) {
    return "<context-param><param-name>" + name + "</param-name><param-value>" + value + "</param-value></context-param>";
  }

  /** The classes of {@code type}'s module as a jar: its classes directory zipped, or its jar copied. */
  private static void jar(Class<?> type, Path jar) throws Exception {
    Path location = codeSource(type);
    if (!Files.isDirectory(location)) {
      Files.copy(location, jar);
      return;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(location)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (Path file : files) {
        out.putNextEntry(new JarEntry(location.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  private static Path codeSource(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  // ---- Tomcat ----

  /** Deploys the directory as Tomcat does a WAR: web.xml read by ContextConfig, classes by a WebappClassLoader. */
  private StandardContext deploy(String path, Path webapp) {
    StandardContext context = new StandardContext();
    context.setName(path);
    context.setPath(path);
    context.setDocBase(webapp.toString());
    context.setParentClassLoader(new WithoutSentryTrace(WebAppRedeployTest.class.getClassLoader()));
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false); // the test's class path is no part of the application
    context.setJarScanner(scanner);
    ContextConfig config = new ContextConfig();
    config.setDefaultWebXml(tomcat.noDefaultWebXmlPath());
    context.addLifecycleListener(config);
    tomcat.getHost().addChild(context); // starts it: the host is running
    return context;
  }

  private void undeploy(Context context) {
    tomcat.getHost().removeChild(context); // stops it: listeners, then the class loader's leak checks
  }

  private HttpURLConnection get(String path) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    return connection;
  }

  /** The live threads named sentry-trace-*. */
  private static Set<Thread> sentryTraceThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("sentry-trace-"))
        .collect(Collectors.toSet());
  }

  /** The names of the live threads whose context class loader is {@code loader}. */
  private static List<String> threadsOf(ClassLoader loader) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getContextClassLoader() == loader)
        .map(Thread::getName)
        .toList();
  }

  /**
   * The web application's parent: the test's class path without {@code io.sentrytrace}, so that
   * the library can only come from WEB-INF (a jar missing there fails the deployment).
   */
  private static final class WithoutSentryTrace extends ClassLoader {
    WithoutSentryTrace(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("io.sentrytrace.")) throw new ClassNotFoundException(name + " (hidden from the web application)");
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      return name.startsWith("io/sentrytrace/") ? null : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return name.startsWith("io/sentrytrace/") ? Collections.emptyEnumeration() : super.getResources(name);
    }
  }

  // ---- the stand-in Sentry and the logs ----

  /** Accepts envelopes on 127.0.0.1; keeps each transaction once, by event id (a resent envelope counts once). */
  private static final class StandInSentry implements AutoCloseable {
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"([0-9a-f]{32})\"");
    private static final int MAX_BODY = 1 << 20;
    private final Map<String, String> transactions = new ConcurrentHashMap<>();
    private final HttpServer server;

    StandInSentry() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.createContext("/api/1/envelope/", exchange -> {
        try (InputStream in = exchange.getRequestBody()) {
          String body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
          Matcher id = EVENT_ID.matcher(body.lines().findFirst().orElse(""));
          if (id.find()) transactions.putIfAbsent(id.group(1), body);
          byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        }
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    String dsn() {
      return "http://public@127.0.0.1:" + port() + "/1";
    }

    List<String> transactions() {
      return new ArrayList<>(transactions.values());
    }

    void awaitTransactions(int count) throws InterruptedException {
      long deadline = System.nanoTime() + ARRIVAL_DEADLINE_NANOS;
      while (transactions.size() < count && System.nanoTime() - deadline < 0) Thread.sleep(10);
      assertThat(transactions).as("transactions at the stand-in Sentry").hasSize(count);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
