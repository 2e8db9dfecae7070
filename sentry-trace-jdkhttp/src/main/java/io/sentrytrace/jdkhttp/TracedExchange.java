package io.sentrytrace.jdkhttp;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import io.sentrytrace.Span;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.HttpServerResponse;
import io.sentrytrace.http.internal.HeaderValues;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import javax.net.ssl.SSLSession;

/**
 * The exchange that {@link TracingFilter} passes down the chain: the server's own, plus what it
 * cannot do by itself.
 *
 * <ul>
 *   <li>The span as a per-exchange attribute: the JDK server keeps exchange attributes in the
 *       {@link HttpContext}'s map, shared by all concurrent exchanges of that context, so a span
 *       stored there could be read by another request.
 *   <li>Right before the headers go out (only then are the handler's own values known): {@link
 *       HttpServerHandler#beforeHeaders} (CORS help on a preflight, {@code Server-Timing} on a
 *       traced response).
 *   <li>The first {@link IOException} that a write or flush of the response body threw: the
 *       client went away ({@link HttpServerHandler#finish(Span, int, Throwable, Throwable)}).
 * </ul>
 *
 * An {@link HttpsExchange} is wrapped as one, so handlers can still reach the TLS session.
 */
final class TracedExchange extends HttpExchange {
  private final HttpExchange delegate;
  private final Span span;
  private final HttpServerHandler handler;
  private OutputStream body;
  private OutputStream tracedBody;
  private volatile IOException writeFailure;

  private TracedExchange(HttpExchange delegate, Span span, HttpServerHandler handler) {
    this.delegate = delegate;
    this.span = span;
    this.handler = handler;
  }

  /**
   * {@code exchange} with {@code span} under {@link TracingFilter#SPAN_ATTRIBUTE}; a null span
   * means a CORS preflight, whose answer gets the trace headers allowed when the headers are sent.
   */
  static HttpExchange wrap(HttpExchange exchange, Span span, HttpServerHandler handler) {
    TracedExchange traced = new TracedExchange(exchange, span, handler);
    return exchange instanceof HttpsExchange ? new Secure((HttpsExchange) exchange, traced) : traced;
  }

  /** What the first failed write or flush of {@code exchange}'s body threw; null when none failed (or not ours). */
  static IOException writeFailure(HttpExchange exchange) {
    if (exchange instanceof TracedExchange) return ((TracedExchange) exchange).writeFailure;
    if (exchange instanceof Secure) return ((Secure) exchange).traced.writeFailure;
    return null;
  }

  void failedWriting(IOException e) {
    if (writeFailure == null) writeFailure = e;
  }

  @Override
  public void sendResponseHeaders(int code, long length) throws IOException {
    handler.beforeHeaders(span, new ResponseHeaders(delegate));
    delegate.sendResponseHeaders(code, length);
  }

  @Override
  public Object getAttribute(String name) {
    return TracingFilter.SPAN_ATTRIBUTE.equals(name) ? span : delegate.getAttribute(name);
  }

  /** Our attribute is read-only; every other goes to the server's exchange. */
  @Override
  public void setAttribute(String name, Object value) {
    if (!TracingFilter.SPAN_ATTRIBUTE.equals(name)) delegate.setAttribute(name, value);
  }

  @Override
  public Headers getRequestHeaders() {
    return delegate.getRequestHeaders();
  }

  @Override
  public Headers getResponseHeaders() {
    return delegate.getResponseHeaders();
  }

  @Override
  public URI getRequestURI() {
    return delegate.getRequestURI();
  }

  @Override
  public String getRequestMethod() {
    return delegate.getRequestMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return delegate.getHttpContext();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public InputStream getRequestBody() {
    return delegate.getRequestBody();
  }

  /** The server's body stream, watched for failed writes; the same wrapper while the stream is the same. */
  @Override
  public synchronized OutputStream getResponseBody() {
    OutputStream out = delegate.getResponseBody();
    if (out != body) {
      body = out;
      tracedBody = out == null ? null : new WatchedBody(out, this);
    }
    return tracedBody;
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return delegate.getRemoteAddress();
  }

  @Override
  public int getResponseCode() {
    return delegate.getResponseCode();
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return delegate.getLocalAddress();
  }

  @Override
  public String getProtocol() {
    return delegate.getProtocol();
  }

  @Override
  public void setStreams(InputStream in, OutputStream out) {
    delegate.setStreams(in, out);
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return delegate.getPrincipal();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  /** The response headers as {@link HttpServerHandler#beforeHeaders} reads and writes them. */
  private static final class ResponseHeaders implements HttpServerResponse {
    private final HttpExchange exchange;

    ResponseHeaders(HttpExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public String header(String name) {
      return HeaderValues.join(exchange.getResponseHeaders().get(name));
    }

    @Override
    public void setHeader(String name, String value) {
      exchange.getResponseHeaders().set(name, value);
    }
  }

  /**
   * The body stream; remembers the first {@link IOException} of a write or flush. Not of {@code
   * close}: closing a fixed-length body short of its length throws too, the handler's mistake.
   */
  private static final class WatchedBody extends FilterOutputStream {
    private final TracedExchange exchange;

    WatchedBody(OutputStream out, TracedExchange exchange) {
      super(out);
      this.exchange = exchange;
    }

    @Override
    public void write(int b) throws IOException {
      try {
        out.write(b);
      } catch (IOException e) {
        exchange.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        exchange.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        exchange.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** The same for an HTTPS exchange: everything goes to the {@link TracedExchange}. */
  private static final class Secure extends HttpsExchange {
    private final HttpsExchange server;
    private final TracedExchange traced;

    Secure(HttpsExchange server, TracedExchange traced) {
      this.server = server;
      this.traced = traced;
    }

    @Override
    public SSLSession getSSLSession() {
      return server.getSSLSession();
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
      traced.sendResponseHeaders(code, length);
    }

    @Override
    public Object getAttribute(String name) {
      return traced.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
      traced.setAttribute(name, value);
    }

    @Override
    public Headers getRequestHeaders() {
      return traced.getRequestHeaders();
    }

    @Override
    public Headers getResponseHeaders() {
      return traced.getResponseHeaders();
    }

    @Override
    public URI getRequestURI() {
      return traced.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
      return traced.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
      return traced.getHttpContext();
    }

    @Override
    public void close() {
      traced.close();
    }

    @Override
    public InputStream getRequestBody() {
      return traced.getRequestBody();
    }

    @Override
    public OutputStream getResponseBody() {
      return traced.getResponseBody();
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
      return traced.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
      return traced.getResponseCode();
    }

    @Override
    public InetSocketAddress getLocalAddress() {
      return traced.getLocalAddress();
    }

    @Override
    public String getProtocol() {
      return traced.getProtocol();
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
      traced.setStreams(in, out);
    }

    @Override
    public HttpPrincipal getPrincipal() {
      return traced.getPrincipal();
    }

    @Override
    public String toString() {
      return server.toString();
    }
  }
}
