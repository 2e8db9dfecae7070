package io.sentrytrace.servlet.webapp;

import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.servlet.TracingServletFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * The README's {@code web.xml} recipe before the library shipped a listener: the application's
 * own listener makes the tracer and exporter and sets the attribute, and nothing closes them.
 * Deployed from {@code WEB-INF/classes} by {@code WebAppRedeployTest}, which shows that Tomcat
 * reports its threads on undeploy.
 */
public class ReadmeRecipeListener implements ServletContextListener {
  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    String dsn = context.getInitParameter("sentry-trace.dsn");
    // No shutdown hook: at the test JVM's exit it would run this stopped application's code.
    EnvelopeExporter exporter = EnvelopeExporter.builder(dsn).shutdownHook(false).build();
    Tracer tracer = Tracer.builder().dsn(dsn).tracesSampleRate(1.0).exporter(exporter).build();
    context.setAttribute(TracingServletFilter.TRACER_ATTRIBUTE, tracer);
  }
}
