package io.sentrytrace.demo.collector;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.demo.web.Html;
import io.sentrytrace.demo.web.Http;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * A local stand-in for Sentry's ingestion endpoint: accepts envelopes at {@code POST
 * /api/<project>/envelope/} (from the Java services' exporters and, cross-origin, from the
 * browser SDK), assembles their transactions into traces, prints each trace once it has gone quiet,
 * and shows them at {@code /traces}.
 *
 * <pre>{@code
 * try (Collector collector = Collector.start(0, System.out, true)) { String dsn = collector.dsn("key", "1"); }
 * }</pre>
 */
public final class Collector implements AutoCloseable {
  private static final Pattern ENVELOPE_PATH = Pattern.compile("/api/([A-Za-z0-9_-]{1,64})/envelope/?");
  private static final int MAX_BODY = 5 * 1024 * 1024;
  /** A trace is printed when nothing more of it arrived for this long. */
  static final Duration QUIET = Duration.ofMillis(1500);

  private final HttpServer server;
  private final TraceStore store = new TraceStore();
  private final PrintStream log;
  private final ScheduledExecutorService printer;
  private final Map<String, Integer> printed = new HashMap<>(); // trace id -> transactions printed; printer thread only

  private Collector(HttpServer server, PrintStream log, boolean printQuietTraces) {
    this.server = server;
    this.log = log;
    if (printQuietTraces) {
      printer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "collector-printer");
        t.setDaemon(true);
        return t;
      });
      printer.scheduleWithFixedDelay(this::printQuietTraces, 250, 250, TimeUnit.MILLISECONDS);
    } else {
      printer = null;
    }
  }

  /** Starts the collector on 127.0.0.1:{@code port}; with {@code printQuietTraces}, prints each trace when it goes quiet. */
  public static Collector start(int port, PrintStream log, boolean printQuietTraces) {
    HttpServer server = Http.loopbackServer("collector", port);
    Collector collector = new Collector(server, log, printQuietTraces);
    server.createContext("/", collector::handle);
    server.start();
    return collector;
  }

  URI baseUri() {
    return Http.baseUri(server);
  }

  public URI tracesUri() {
    return baseUri().resolve("/traces");
  }

  /** The DSN that sends to this collector. */
  public String dsn(String publicKey, String project) {
    return "http://" + publicKey + "@127.0.0.1:" + server.getAddress().getPort() + "/" + project;
  }

  public TraceStore store() {
    return store;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      Matcher envelope = ENVELOPE_PATH.matcher(path);
      if (envelope.matches()) {
        allowCors(exchange.getResponseHeaders());
        if (method.equals("OPTIONS")) {
          Http.empty(exchange, 204);
        } else if (method.equals("POST")) {
          receive(exchange, envelope.group(1));
        } else {
          Http.send(exchange, 405, "text/plain; charset=utf-8", "POST envelopes here\n");
        }
      } else if (path.equals("/traces") && method.equals("GET")) {
        Http.send(exchange, 200, "text/html; charset=utf-8", TracesPage.render(store.traces()));
      } else if (path.equals("/") && method.equals("GET")) {
        exchange.getResponseHeaders().set("Location", "/traces");
        Http.empty(exchange, 302);
      } else {
        Http.send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
      }
    }
  }

  /** Browsers post envelopes cross-origin (text/plain, so no preflight) and must be able to read the answer. */
  private static void allowCors(Headers headers) {
    headers.set("Access-Control-Allow-Origin", "*");
    headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
    headers.set("Access-Control-Allow-Headers", "content-type, content-encoding, x-sentry-auth");
    headers.set("Access-Control-Expose-Headers", "x-sentry-rate-limits, retry-after");
  }

  private void receive(HttpExchange exchange, String project) throws IOException {
    byte[] body;
    try {
      body = Http.readBody(bodyOf(exchange), MAX_BODY);
    } catch (Http.TooLarge e) {
      Http.send(exchange, 413, "text/plain; charset=utf-8", e.getMessage() + "\n");
      return;
    } catch (UnsupportedEncoding e) {
      Http.send(exchange, 415, "text/plain; charset=utf-8", e.getMessage() + "\n");
      return;
    }
    Envelope envelope;
    try {
      envelope = Envelope.parse(body);
    } catch (IllegalArgumentException e) {
      log.println("collector: rejected an envelope for project " + Html.printable(project) + ": " + Html.printable(e.getMessage()));
      Http.send(exchange, 400, "text/plain; charset=utf-8", "bad envelope: " + e.getMessage() + "\n");
      return;
    }
    accept(envelope, project, Instant.now());
    String eventId = Envelope.string(envelope.header(), "event_id");
    Http.send(exchange, 200, "application/json", eventId == null ? "{}" : "{\"id\":" + Html.jsString(eventId) + "}");
  }

  private static InputStream bodyOf(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) return exchange.getRequestBody();
    if (encoding.equalsIgnoreCase("gzip")) return new GZIPInputStream(exchange.getRequestBody());
    throw new UnsupportedEncoding(encoding);
  }

  private static final class UnsupportedEncoding extends IOException {
    UnsupportedEncoding(String encoding) {
      super("unsupported Content-Encoding " + Html.printable(encoding));
    }
  }

  /** Files an envelope's transactions under their traces; other items are noted and ignored. */
  void accept(Envelope envelope, String project, Instant receivedAt) {
    String sender = ReceivedTransaction.service(null, Envelope.string(Envelope.asMap(envelope.header().get("sdk")), "name"));
    for (Envelope.Item item : envelope.items()) {
      if (!item.type().equals("transaction")) {
        log.println("collector <- " + Html.printable(sender) + ": " + Html.printable(item.type()) + " (not a transaction; ignored)");
        continue;
      }
      ReceivedTransaction tx;
      try {
        tx = ReceivedTransaction.from(envelope, item, project, receivedAt);
      } catch (IllegalArgumentException e) {
        log.println("collector <- " + Html.printable(sender) + ": transaction dropped: " + Html.printable(e.getMessage()));
        continue;
      }
      store.add(tx);
      log.printf("collector <- %-9s %-12s %-28s trace %s, parent %s, %d child spans%n",
          Html.printable(tx.service()), Html.printable(tx.op()), Html.printable(quote(tx.name())),
          Html.printable(tx.traceId()), Html.printable(String.valueOf(tx.root().parentSpanId())), tx.spans().size());
    }
  }

  private static String quote(String name) {
    return name == null ? "-" : '"' + name + '"';
  }

  private void printQuietTraces() {
    try {
      Instant now = Instant.now();
      List<Trace> traces = store.traces();
      // Forget traces the store has dropped, so this map stays as small as the store.
      printed.keySet().retainAll(traces.stream().map(Trace::traceId).collect(Collectors.toSet()));
      for (int i = traces.size() - 1; i >= 0; i--) {
        Trace trace = traces.get(i);
        Integer done = printed.get(trace.traceId());
        if (done != null && done == trace.transactions().size()) continue;
        if (Duration.between(trace.lastReceived(), now).compareTo(QUIET) < 0) continue;
        printed.put(trace.traceId(), trace.transactions().size());
        log.println();
        log.print((done == null ? "" : "(updated) ") + TraceTree.of(trace).render());
        log.println();
      }
    } catch (RuntimeException e) {
      log.println("collector: could not print a trace: " + e);
    }
  }

  @Override
  public void close() {
    if (printer != null) printer.shutdownNow();
    Http.stop(server);
  }
}
