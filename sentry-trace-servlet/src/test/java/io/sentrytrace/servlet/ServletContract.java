package io.sentrytrace.servlet;

import io.sentrytrace.http.HttpServerContract;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;

/**
 * {@link TracingServletFilter} keeps every server rule of the shared contract, in a real
 * container ({@link JettyContractTest}, {@link TomcatContractTest}). The app is a servlet; the server's own error handling is
 * a filter registered before ours.
 */
abstract class ServletContract extends HttpServerContract {
  private ServletContainer container;

  abstract ServletContainer newContainer();

  @Override
  protected URI start(Options options, App app) throws Exception {
    container = newContainer();
    Filter filter = TracingServletFilter.create(options.handler());
    return container.start(context -> deploy(context, filter, app), Map.of());
  }

  @Override
  protected void stop() throws Exception {
    container.close();
  }

  private static void deploy(ServletContext context, Filter filter, App app) {
    EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
    FilterRegistration.Dynamic errors = context.addFilter("server-errors", (req, res, chain) -> {
      try {
        chain.doFilter(req, res);
      } catch (RuntimeException e) {
        app.escaped(e);
        HttpServletResponse response = (HttpServletResponse) res;
        response.reset();
        response.setStatus(500);
        response.getOutputStream().write("error".getBytes(StandardCharsets.UTF_8));
      }
    });
    errors.setAsyncSupported(true);
    errors.addMappingForUrlPatterns(dispatches, false, "/*");
    FilterRegistration.Dynamic sentry = context.addFilter("sentry-trace", filter);
    sentry.setAsyncSupported(true);
    sentry.addMappingForUrlPatterns(dispatches, true, "/*");
    ServletRegistration.Dynamic servlet = context.addServlet("app", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Reply reply = app.handle(request.getAttribute(TracingServletFilter.SPAN_ATTRIBUTE));
        response.setStatus(reply.status);
        for (Map.Entry<String, String> header : reply.headers) response.addHeader(header.getKey(), header.getValue());
        byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < reply.repeat && body.length > 0; i++) response.getOutputStream().write(body);
      }
    });
    servlet.setAsyncSupported(true);
    servlet.addMapping("/*");
  }
}
