package io.sentrytrace.load;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.jdkhttp.TracingFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The traced service: {@code GET /checkout?id=<trace id>&c=<client>&n=<seq>} makes one downstream
 * call with client {@code c}, passing {@code id} so the downstream can check the trace. Its filters:
 * a probe (first: counts what escapes and what a worker thread still has current when a request
 * starts), then the current {@link Setup}'s filter.
 */
final class Service implements AutoCloseable {
  private static final byte[] OK = "{\"order\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final ExecutorService workers;
  private volatile java.util.concurrent.Executor executor;
  private final String downstreamUrl;
  private final AtomicReference<Setup> setup = new AtomicReference<>();
  /** Every n-th request (n > 0) leaves a scope open in the handler; 0: never. */
  volatile int leakEvery;

  final AtomicLong handled = new AtomicLong();
  final AtomicLong clientExceptions = new AtomicLong();
  final AtomicLong escapedExceptions = new AtomicLong();
  final AtomicLong downstreamNot200 = new AtomicLong();
  final AtomicLong leaksMade = new AtomicLong();
  /** Requests that started on a worker thread with a scope still open from an earlier request. */
  final AtomicLong inheritedScopes = new AtomicLong();
  final AtomicLong maxInheritedDepth = new AtomicLong();
  final AtomicReference<Throwable> firstException = new AtomicReference<>();

  Service(int threads, String downstreamUrl) throws IOException {
    this.downstreamUrl = downstreamUrl;
    workers = Executors.newFixedThreadPool(threads, Threads.named("service"));
    executor = workers;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    var context = server.createContext("/checkout", this::handle);
    context.getFilters().add(new Probe());
    context.getFilters().add(new Switch());
    server.setExecutor(command -> executor.execute(command));
    server.start();
  }

  /**
   * Runs each exchange through {@code tracer.wrap(workers)}: scopes a handler leaves open are then
   * closed when its task ends (core's rule for wrapped tasks) instead of staying on the worker.
   */
  void wrapWorkers(Tracer tracer) {
    executor = tracer.wrap(workers);
  }

  int port() {
    return server.getAddress().getPort();
  }

  void use(Setup next) {
    setup.set(next);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
      String query = exchange.getRequestURI().getRawQuery();
      String id = Query.param(query, "id");
      ClientKind kind = ClientKind.of(Query.param(query, "c"));
      int status;
      try {
        status = setup.get().client(kind).get(downstreamUrl + "?id=" + id);
      } catch (Exception e) {
        clientExceptions.incrementAndGet();
        firstException.compareAndSet(null, e);
        status = 599;
      }
      if (status != 200) downstreamNot200.incrementAndGet();
      int every = leakEvery;
      if (every > 0) {
        long n = Long.parseLong(Query.param(query, "n"));
        if (n % every == 0) leaveScopeOpen(exchange, n);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status == 200 ? 200 : 502, OK.length);
      exchange.getResponseBody().write(OK);
    } finally {
      handled.incrementAndGet();
    }
  }

  /** A handler's mistake: a scope opened and never closed (a span's, or a fresh trace's). */
  @SuppressWarnings("resource")
  private void leaveScopeOpen(HttpExchange exchange, long n) {
    Object tx = exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE);
    if (!(tx instanceof Span) || !(setup.get() instanceof SentryTraceSetup)) return;
    Tracer tracer = ((SentryTraceSetup) setup.get()).tracer;
    if ((n / leakEvery) % 2 == 0) {
      ((Span) tx).startChild("task", "left open by the handler").makeCurrent();
    } else {
      tracer.newTrace().makeCurrent();
    }
    leaksMade.incrementAndGet();
  }

  /** First filter: what escapes the chain, and what a worker thread carries into a request. */
  private final class Probe extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      int depth = CurrentScopes.depth();
      if (depth != 0) { // -1: the probe cannot look, which must not pass silently
        inheritedScopes.incrementAndGet();
        maxInheritedDepth.accumulateAndGet(depth, Math::max);
      }
      try {
        chain.doFilter(exchange);
      } catch (IOException | RuntimeException | Error e) {
        escapedExceptions.incrementAndGet();
        firstException.compareAndSet(null, e);
        throw e;
      }
    }

    @Override
    public String description() {
      return "load probe";
    }
  }

  /** The current setup's filter, switched between rounds. */
  private final class Switch extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      Filter f = setup.get().filter();
      if (f == null) chain.doFilter(exchange);
      else f.doFilter(exchange, chain);
    }

    @Override
    public String description() {
      return "the current setup's filter";
    }
  }

  void resetCounts() {
    handled.set(0);
    clientExceptions.set(0);
    escapedExceptions.set(0);
    downstreamNot200.set(0);
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  /**
   * How many scopes holding a span or propagation context are on this thread's stack (a wrapped
   * task's own frame holds nothing and is not counted). A test probe: it reads core's thread-local
   * by reflection; -1 when it cannot.
   */
  static final class CurrentScopes {
    private static final ThreadLocal<?> CURRENT;
    private static final Field PARENT;
    private static final Field VALUE;

    static {
      ThreadLocal<?> current = null;
      Field parent = null;
      Field value = null;
      try {
        Field f = Class.forName("io.sentrytrace.CurrentContext").getDeclaredField("CURRENT");
        f.setAccessible(true);
        current = (ThreadLocal<?>) f.get(null);
        Class<?> frame = Class.forName("io.sentrytrace.CurrentContext$Frame");
        parent = frame.getDeclaredField("parent");
        parent.setAccessible(true);
        value = frame.getDeclaredField("value");
        value.setAccessible(true);
      } catch (ReflectiveOperationException | RuntimeException e) {
        current = null;
      }
      CURRENT = current;
      PARENT = parent;
      VALUE = value;
    }

    static int depth() {
      if (CURRENT == null) return -1;
      int depth = 0;
      int frames = 0;
      try {
        for (Object f = CURRENT.get(); f != null && frames++ < 1_000_000; f = PARENT.get(f)) {
          if (VALUE.get(f) != null) depth++;
        }
      } catch (IllegalAccessException e) {
        return -1;
      }
      return depth;
    }

    private CurrentScopes() {}
  }
}
