package io.sentrytrace.spring.boot;

import io.sentrytrace.MetaTags;
import io.sentrytrace.Span;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.resource.ResourceHttpRequestHandler;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Renames the request's transaction to {@code METHOD <route template>} with source {@code route}
 * once a handler mapping has matched ({@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}), and
 * then puts its meta tags into the request. Static resources (Boot maps {@code /**} to them, and
 * every unmapped URL ends there as a 404) keep their {@code METHOD /path} name with source {@code
 * url}: a {@code /**} pattern names no route.
 */
final class RouteNameInterceptor implements HandlerInterceptor {
  private static final InstrumentationLog LOG = InstrumentationLog.of(RouteNameInterceptor.class, "Spring MVC");

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    // Never fails the request: the worst case is a transaction that keeps its URL name.
    try {
      if (!(request.getAttribute(HttpServerHandler.SPAN_ATTRIBUTE) instanceof Span tx) || !tx.isTransaction()) {
        return true;
      }
      if (!(handler instanceof ResourceHttpRequestHandler)) {
        String route = route(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE));
        if (route != null) {
          tx.setName(request.getMethod() + " " + request.getContextPath() + route, TransactionNameSource.ROUTE);
        }
      }
      // After the rename: the meta tags freeze the trace's DSC, which then carries the route.
      if (request.getAttribute(SentryTraceServletAutoConfiguration.META_TAGS_ATTRIBUTE) == null) {
        request.setAttribute(SentryTraceServletAutoConfiguration.META_TAGS_ATTRIBUTE, MetaTags.render(tx));
      }
    } catch (RuntimeException e) {
      LOG.failed(e);
    }
    return true;
  }

  /** The pattern as a string: Spring MVC stores a {@code PathPattern} or, with the legacy matcher, a String. */
  private static String route(Object pattern) {
    if (pattern instanceof PathPattern p) return p.getPatternString();
    if (pattern instanceof String s && !s.isEmpty()) return s;
    return null;
  }
}
