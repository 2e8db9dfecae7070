package io.sentrytrace.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.ServerTiming;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.ServerTimingPolicy;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import io.sentrytrace.test.RawHttp;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to servlets, in a real container ({@link JettyServletFilterTest}, {@link
 * TomcatServletFilterTest}): async requests, {@code sendError}, forwards, includes and error
 * dispatches, committed and streamed responses, a filter registered twice, {@code web.xml}-style
 * registration. The filter is registered for every dispatcher type, as a careless set-up would.
 */
abstract class ServletFilterSuite {
  private static final EnumSet<DispatcherType> ALL_DISPATCHES = EnumSet.allOf(DispatcherType.class);

  /** A servlet's body, as a lambda. */
  interface Page {
    void serve(HttpServletRequest request, HttpServletResponse response) throws Exception;
  }

  /** What a page saw: the transaction exposed under the attribute, and the current span. */
  record Seen(String page, DispatcherType dispatch, Object exposed, Span current) {}

  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  /** What reached the container's own error handling, caught by an outermost filter. */
  private final BlockingQueue<Throwable> escaped = new LinkedBlockingQueue<>();
  /** Tomcat's log (java.util.logging, WARNING and above), kept off the console; Jetty's goes nowhere. */
  private final LogRecords containerLog = LogRecords.asConfigured("org.apache");
  private ServletContainer container;
  private URI base;

  abstract ServletContainer newContainer();

  @AfterEach
  void stop() throws Exception {
    try {
      if (container != null) container.close();
    } finally {
      containerLog.close();
    }
  }

  // ---- set-up ----

  private void deploy(Map<String, Page> pages, Map<Integer, String> errorPages, List<Filter> filters, Consumer<ServletContext> more)
      throws Exception {
    container = newContainer();
    base = container.start(context -> {
      FilterRegistration.Dynamic outer = context.addFilter("escaped", (req, res, chain) -> {
        try {
          chain.doFilter(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
          escaped.add(e);
          throw e;
        }
      });
      outer.setAsyncSupported(true);
      outer.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      for (int i = 0; i < filters.size(); i++) {
        FilterRegistration.Dynamic sentry = context.addFilter("sentry-trace-" + i, filters.get(i));
        sentry.setAsyncSupported(true);
        sentry.addMappingForUrlPatterns(ALL_DISPATCHES, true, "/*");
      }
      more.accept(context);
      pages.forEach((path, page) -> {
        ServletRegistration.Dynamic servlet = context.addServlet(path, new HttpServlet() {
          @Override
          protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
            try {
              page.serve(request, response);
            } catch (IOException | ServletException | RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new ServletException(e);
            }
          }
        });
        servlet.setAsyncSupported(true);
        servlet.addMapping(path);
      });
    }, errorPages);
  }

  private void deploy(Map<String, Page> pages, ServerTimingPolicy serverTiming) throws Exception {
    deploy(pages, Map.of(), List.of(TracingServletFilter.create(HttpServerHandler.builder(tracer).serverTiming(serverTiming).build())), context -> {});
  }

  private void deploy(Map<String, Page> pages) throws Exception {
    deploy(pages, ServerTimingPolicy.HTML);
  }

  private void see(String page, HttpServletRequest request) {
    seen.add(new Seen(page, request.getDispatcherType(), request.getAttribute(TracingServletFilter.SPAN_ATTRIBUTE), tracer.currentSpan()));
  }

  private Seen take() throws InterruptedException {
    Seen s = seen.poll(5, TimeUnit.SECONDS);
    assertThat(s).as("a page ran").isNotNull();
    return s;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits for the one transaction, then makes sure no second one follows. */
  private TransactionData onlyTransaction() throws InterruptedException {
    assertThat(exporter.await(1, Duration.ofSeconds(10))).as("exported").isNotEmpty();
    List<TransactionData> all = exporter.await(2, Duration.ofMillis(300));
    assertThat(all).as("transactions of one request").hasSize(1);
    return all.get(0);
  }

  /** The {@code sentry-trace} metrics of the response's {@code Server-Timing} lines, each line's in order. */
  private static List<String> serverTimingTraces(HttpResponse<?> response) {
    List<String> traces = new ArrayList<>();
    for (String line : response.headers().allValues(ServerTiming.HEADER)) {
      for (int at = line.indexOf("sentry-trace;desc=\""); at >= 0; at = line.indexOf("sentry-trace;desc=\"", at + 1)) {
        int start = at + "sentry-trace;desc=\"".length();
        traces.add(line.substring(start, line.indexOf('"', start)));
      }
    }
    return traces;
  }

  private static String sentryTraceOf(TransactionData tx) {
    return tx.root().traceId() + "-" + tx.root().spanId() + "-1";
  }

  private static void html(HttpServletResponse response, String body) throws IOException {
    response.setContentType("text/html; charset=utf-8");
    response.getWriter().write(body);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, Page> pages(Object... pathsAndPages) {
    Map<String, Page> pages = new LinkedHashMap<>();
    for (int i = 0; i < pathsAndPages.length; i += 2) pages.put((String) pathsAndPages[i], (Page) pathsAndPages[i + 1]);
    return pages;
  }

  // ---- asynchronous requests ----

  @Test
  void anAsyncRequestFinishesWhenItCompletesWithItsStatusAndDuration() throws Exception {
    deploy(pages("/slow", (Page) (request, response) -> {
      see("slow", request);
      AsyncContext async = request.startAsync();
      async.start(tracer.wrap(() -> {
        Span work = tracer.currentSpan().startChild("work", "the slow part");
        sleep(200);
        work.finish();
        try {
          HttpServletResponse answer = (HttpServletResponse) async.getResponse();
          answer.setStatus(202);
          answer.getWriter().write("accepted");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        } finally {
          async.complete();
        }
      }));
    }));

    HttpResponse<String> response = get("/slow");
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.body()).isEqualTo("accepted");
    Span tx = (Span) take().exposed();

    TransactionData exported = onlyTransaction();
    assertThat(exported.root().spanId()).isEqualTo(tx.spanId());
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 202);
    assertThat(exported.root().status()).isEqualTo(SpanStatus.OK);
    assertThat(exported.root().duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    // The work handed to another thread with tracer.wrap kept the transaction as its parent.
    assertThat(exported.spans()).singleElement().satisfies(span -> {
      assertThat(span.op()).isEqualTo("work");
      assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    });
  }

  @Test
  void anAsyncRequestThatTimesOutFinishesWithTheErrorStatusTheContainerAnswers() throws Exception {
    deploy(pages("/never", (Page) (request, response) -> {
      AsyncContext async = request.startAsync();
      async.setTimeout(200);
    }));

    HttpResponse<String> response = get("/never");
    assertThat(response.statusCode()).isEqualTo(500);
    TransactionData exported = onlyTransaction();
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 500);
    assertThat(exported.root().status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(exported.root().duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void anAsyncDispatchRunsWithTheTransactionCurrentAndItsPageGetsServerTiming() throws Exception {
    deploy(pages("/deferred", (Page) (request, response) -> {
      see("deferred", request);
      if (request.getDispatcherType() == DispatcherType.REQUEST) {
        AsyncContext async = request.startAsync();
        async.start(() -> {
          sleep(50);
          async.dispatch(); // as Spring does for a DeferredResult: render on an ASYNC dispatch
        });
      } else {
        html(response, "<p>rendered later</p>");
      }
    }));

    HttpResponse<String> response = get("/deferred");
    assertThat(response.body()).isEqualTo("<p>rendered later</p>");
    Seen first = take();
    Seen again = take();
    assertThat(again.dispatch()).isEqualTo(DispatcherType.ASYNC);
    assertThat(again.exposed()).isSameAs(first.exposed());
    assertThat(again.current()).isSameAs(first.exposed());
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /deferred");
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
  }

  @Test
  void aPageWrittenToTheResponseOfStartAsyncWithoutArgumentsGetsServerTiming() throws Exception {
    BlockingQueue<Boolean> original = new LinkedBlockingQueue<>();
    deploy(pages(
        "/no-arguments", (Page) (request, response) -> {
          AsyncContext async = request.startAsync(); // the container hands out its own response
          original.add(async.hasOriginalRequestAndResponse());
          writeLater(async, "<p>written later</p>");
        },
        "/two-arguments", (Page) (request, response) -> writeLater(request.startAsync(request, response), "<p>two</p>")));

    HttpResponse<String> response = get("/no-arguments");
    assertThat(response.body()).isEqualTo("<p>written later</p>");
    TransactionData exported = onlyTransaction();
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
    assertThat(original.poll(5, TimeUnit.SECONDS)).as("still the container's own request and response").isTrue();

    exporter.reset();
    HttpResponse<String> twoArguments = get("/two-arguments");
    assertThat(twoArguments.body()).isEqualTo("<p>two</p>");
    assertThat(serverTimingTraces(twoArguments)).containsExactly(sentryTraceOf(onlyTransaction()));
    assertThat(containerLog.lines()).isEmpty();
  }

  /** Writes {@code page} as HTML on another thread, to the response the async context hands out. */
  private static void writeLater(AsyncContext async, String page) {
    async.start(() -> {
      try {
        html((HttpServletResponse) async.getResponse(), page);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        async.complete();
      }
    });
  }

  @Test
  void anEmptyPageThatCompleteCommitsAfterStartAsyncWithoutArgumentsGetsServerTiming() throws Exception {
    deploy(pages("/async-empty", (Page) (request, response) -> {
      request.startAsync();
      new Thread(() -> {
        AsyncContext async = request.getAsyncContext();
        HttpServletResponse answer = (HttpServletResponse) async.getResponse();
        answer.setStatus(202);
        answer.setContentType("text/html");
        async.complete(); // commits the response: no write, no flush
      }).start();
    }));

    HttpResponse<String> response = get("/async-empty");
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.body()).isEmpty();
    TransactionData exported = onlyTransaction();
    assertThat(exported.root().status()).isEqualTo(SpanStatus.OK);
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
    assertThat(containerLog.lines()).isEmpty();
  }

  /**
   * The app takes a failed write for the client's business and completes. Which of the two sees
   * the client leave first is a race on Tomcat: the app's write (through the filter's response) or
   * the container, which reports the I/O error to the async listeners (and may hold the app's
   * blocked write until its write timeout); the transaction is {@code cancelled} either way.
   */
  @Test
  void aClientThatLeavesAnAsyncPageIsCancelledEvenWhenTheAppSwallowsTheWriteFailure() throws Exception {
    byte[] piece = ("<p>" + "z".repeat(64 * 1024 - 8) + "</p>\n").getBytes(StandardCharsets.UTF_8);
    deploy(pages("/async-big", (Page) (request, response) -> {
      AsyncContext async = request.startAsync();
      async.start(() -> {
        try {
          HttpServletResponse answer = (HttpServletResponse) async.getResponse();
          answer.setContentType("text/html");
          for (int i = 0; i < 2048; i++) answer.getOutputStream().write(piece); // 128 MB
        } catch (IOException | RuntimeException clientLeft) {
          // Swallowed, as many apps do. Once Tomcat has reported the I/O error to onError it ends
          // the request itself, and a write racing that can fail inside Tomcat with a
          // NullPointerException (its async state already recycled): the app's race, not the filter's.
        } finally {
          try {
            async.complete();
          } catch (RuntimeException endedAfterTheError) {
            // IllegalStateException, or the same NullPointerException as above.
          }
        }
      });
    }));

    String head = RawHttp.readAFewKilobytesAndLeave(base, "/async-big");
    assertThat(head).startsWith("HTTP/1.1 200");
    assertThat(exporter.await(1, Duration.ofSeconds(30))).as("the transaction of the abandoned request").hasSize(1);
    TransactionData exported = onlyTransaction();
    assertThat(exported.root().status()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 200);
    assertThat(containerLog.lines()).as("a client that leaves is no server error in the container's log either").isEmpty();
  }

  // ---- status ----

  @Test
  void sendErrorSetsTheStatus() throws Exception {
    deploy(pages("/orders/*", (Page) (request, response) -> response.sendError(404, "no such order")), ServerTimingPolicy.ALL);

    HttpResponse<String> response = get("/orders/7");
    assertThat(response.statusCode()).isEqualTo(404);
    TransactionData exported = onlyTransaction();
    assertThat(exported.root().status()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 404);
    // Added before sendError committed the response.
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
  }

  // ---- one transaction per request ----

  @Test
  void anErrorPageAfterAnExceptionStartsNoSecondTransactionAndSeesTheExceptionUnchanged() throws Exception {
    ServletException boom = new ServletException("boom");
    BlockingQueue<Object> errorSeen = new LinkedBlockingQueue<>();
    deploy(
        pages(
            "/fail", (Page) (request, response) -> {
              see("fail", request);
              throw boom;
            },
            "/error-page", (Page) (request, response) -> {
              see("error-page", request);
              errorSeen.add(request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
              html(response, "sorry");
            }),
        Map.of(500, "/error-page"),
        List.of(TracingServletFilter.create(tracer)),
        context -> {});

    HttpResponse<String> response = get("/fail");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("sorry");
    Seen failed = take();
    Seen errorPage = take();
    assertThat(errorPage.dispatch()).isEqualTo(DispatcherType.ERROR);
    assertThat(errorPage.exposed()).isSameAs(failed.exposed());
    assertThat(errorSeen.poll(5, TimeUnit.SECONDS)).isSameAs(boom);
    assertThat(escaped.poll(1, TimeUnit.SECONDS)).isSameAs(boom);
    // Tomcat logs what the servlet threw (Jetty's log goes nowhere here).
    assertThat(containerLog.lines()).allSatisfy(line -> assertThat(line).startsWith("SEVERE").contains("boom"));
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /fail");
    assertThat(exported.root().status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 500);
  }

  @Test
  void anErrorPageForSendErrorStartsNoSecondTransaction() throws Exception {
    deploy(
        pages(
            "/gone", (Page) (request, response) -> response.sendError(410),
            "/error-page", (Page) (request, response) -> {
              see("error-page", request);
              html(response, "gone");
            }),
        Map.of(410, "/error-page"),
        List.of(TracingServletFilter.create(tracer)),
        context -> {});

    HttpResponse<String> response = get("/gone");
    assertThat(response.statusCode()).isEqualTo(410);
    assertThat(take().exposed()).isInstanceOf(Span.class);
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /gone");
    assertThat(exported.root().data()).containsEntry("http.response.status_code", 410);
  }

  @Test
  void forwardsAndIncludesStartNoSecondTransaction() throws Exception {
    deploy(pages(
        "/forward", (Page) (request, response) -> request.getRequestDispatcher("/target").forward(request, response),
        "/include", (Page) (request, response) -> {
          response.setContentType("text/html");
          response.getWriter().write("<p>before</p>");
          request.getRequestDispatcher("/target").include(request, response);
        },
        "/target", (Page) (request, response) -> {
          see("target", request);
          response.setContentType("text/html");
          response.getWriter().write("<p>target</p>");
        }));

    HttpResponse<String> forwarded = get("/forward");
    Seen forward = take();
    HttpResponse<String> included = get("/include");
    Seen include = take();

    assertThat(forwarded.body()).isEqualTo("<p>target</p>");
    assertThat(included.body()).isEqualTo("<p>before</p><p>target</p>");
    assertThat(forward.dispatch()).isEqualTo(DispatcherType.FORWARD);
    assertThat(include.dispatch()).isEqualTo(DispatcherType.INCLUDE);
    assertThat(forward.current()).isSameAs(forward.exposed());
    assertThat(include.current()).isSameAs(include.exposed());
    List<TransactionData> exported = exporter.await(3, Duration.ofMillis(500));
    assertThat(exported).extracting(TransactionData::name).containsExactlyInAnyOrder("GET /forward", "GET /include");
    assertThat(exported).extracting(tx -> tx.root().spanId())
        .containsExactlyInAnyOrder(((Span) forward.exposed()).spanId(), ((Span) include.exposed()).spanId());
    assertThat(serverTimingTraces(forwarded)).hasSize(1);
    assertThat(serverTimingTraces(included)).hasSize(1);
  }

  @Test
  void aFilterRegisteredTwiceRecordsOneTransactionWithOneServerTiming() throws Exception {
    deploy(
        pages("/page", (Page) (request, response) -> {
          see("page", request);
          html(response, "<p>page</p>");
        }),
        Map.of(),
        List.of(TracingServletFilter.create(tracer), TracingServletFilter.create(tracer)),
        context -> {});

    HttpResponse<String> response = get("/page");
    Seen page = take();
    assertThat(page.current()).isSameAs(page.exposed());
    TransactionData exported = onlyTransaction();
    assertThat(response.headers().allValues(ServerTiming.HEADER)).hasSize(1);
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
  }

  // ---- Server-Timing and committed responses ----

  @Test
  void aPageStreamedInFlushedChunksGetsServerTimingBeforeItsFirstByte() throws Exception {
    String chunk = "<p>" + "x".repeat(2040) + "</p>\n";
    deploy(pages("/stream", (Page) (request, response) -> {
      response.setContentType("text/html;charset=UTF-8");
      PrintWriter out = response.getWriter();
      for (int i = 0; i < 50; i++) {
        out.print(chunk);
        out.flush(); // commits at the first chunk: the header must be there already
      }
    }));

    HttpResponse<String> response = get("/stream");
    assertThat(response.body()).isEqualTo(chunk.repeat(50));
    assertThat(response.headers().firstValue("Content-Length")).isEmpty(); // really streamed (chunked)
    TransactionData exported = onlyTransaction();
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported));
  }

  @Test
  void aPageLargerThanTheBufferGetsServerTimingBeforeTheContainerCommitsIt() throws Exception {
    byte[] piece = ("<p>" + "y".repeat(2040) + "</p>\n").getBytes(StandardCharsets.UTF_8);
    deploy(pages("/big", (Page) (request, response) -> {
      response.setBufferSize(4096);
      response.setContentType("text/html");
      for (int i = 0; i < 50; i++) response.getOutputStream().write(piece); // the container commits on the third
    }));

    HttpResponse<String> response = get("/big");
    assertThat(response.body()).hasSize(piece.length * 50);
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(onlyTransaction()));
  }

  @Test
  void aResponseCommittedBeforeItWasHtmlIsLeftAloneWithoutAnError() throws Exception {
    deploy(pages("/committed", (Page) (request, response) -> {
      response.getOutputStream().write("first ".getBytes(StandardCharsets.UTF_8));
      response.flushBuffer(); // committed, still without a content type
      response.setContentType("text/html"); // ignored by the container now
      response.getOutputStream().write("second".getBytes(StandardCharsets.UTF_8));
    }));

    HttpResponse<String> response = get("/committed");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("first second");
    assertThat(response.headers().allValues(ServerTiming.HEADER)).isEmpty();
    assertThat(escaped).isEmpty();
    assertThat(onlyTransaction().root().status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void aResetResponseGetsServerTimingAgainOnce() throws Exception {
    deploy(pages("/reset", (Page) (request, response) -> {
      html(response, "<p>draft</p>");
      response.reset(); // drops the body and every header, Server-Timing included
      response.setStatus(201);
      response.setContentType("text/html");
      response.getOutputStream().write("<p>final</p>".getBytes(StandardCharsets.UTF_8));
    }));

    HttpResponse<String> response = get("/reset");
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("<p>final</p>");
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(onlyTransaction()));
  }

  // ---- naming and registration ----

  @Test
  void pathParametersStayOutOfTheName() throws Exception {
    deploy(pages("/orders/*", (Page) (request, response) -> response.setStatus(204)));
    assertThat(get("/orders;jsessionid=SECRET42/7").statusCode()).isEqualTo(204);
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /orders/7");
    assertThat(exported.root().data().toString()).doesNotContain("SECRET42");
  }

  @Test
  void aTransactionNameFunctionReadsTheContainersRequest() throws Exception {
    HttpServerHandler named = HttpServerHandler.builder(tracer)
        .transactionName(request -> {
          // What the adapted request does not carry: the servlet's mapping, from the container's request.
          HttpServletRequest servletRequest = (HttpServletRequest) request.unwrap();
          return servletRequest.getMethod() + " " + servletRequest.getHttpServletMapping().getPattern();
        })
        .build();
    deploy(pages("/orders/*", (Page) (request, response) -> response.setStatus(204)), Map.of(),
        List.of(TracingServletFilter.create(named)), context -> {});
    assertThat(get("/orders/7").statusCode()).isEqualTo(204);
    assertThat(onlyTransaction().name()).isEqualTo("GET /orders/*");
  }

  @Test
  void aFilterDeclaredByClassFindsItsTracerInTheServletContext() throws Exception {
    deploy(
        pages("/api", (Page) (request, response) -> {
          see("api", request);
          response.setContentType("application/json");
          response.getWriter().write("{}");
        }),
        Map.of(),
        List.of(),
        context -> {
          // What web.xml does: the container instantiates the class; a listener put the tracer here.
          context.setAttribute("shop.tracer", tracer);
          FilterRegistration.Dynamic sentry = context.addFilter("sentry-trace", TracingServletFilter.class);
          sentry.setInitParameter(TracingServletFilter.TRACER_ATTRIBUTE_PARAM, "shop.tracer");
          sentry.setInitParameter(TracingServletFilter.SERVER_TIMING_PARAM, "all");
          sentry.setAsyncSupported(true);
          sentry.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), true, "/*");
        });

    HttpResponse<String> response = get("/api");
    assertThat(take().current()).isInstanceOf(Span.class);
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /api");
    assertThat(serverTimingTraces(response)).containsExactly(sentryTraceOf(exported)); // policy ALL from the init-param
  }
}
