/**
 * Jakarta Servlet (6.0+) support: {@link io.sentrytrace.servlet.TracingServletFilter} continues
 * browser and service traces in Tomcat, Jetty and every other servlet container, records each
 * request as an {@code http.server} transaction and hands the trace to pages through {@code
 * Server-Timing}. In a {@code web.xml} application, {@link
 * io.sentrytrace.servlet.TracingContextListener} makes the tracer from {@code sentry-trace.*}
 * context-params and closes it when the application stops.
 *
 * <pre>{@code
 * servletContext.addFilter("sentry-trace", TracingServletFilter.create(tracer))
 *     .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
 * }</pre>
 */
package io.sentrytrace.servlet;
