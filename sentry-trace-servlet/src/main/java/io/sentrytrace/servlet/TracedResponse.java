package io.sentrytrace.servlet;

import io.sentrytrace.Span;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.HttpServerResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collection;

/**
 * The response that {@link TracingServletFilter} passes down the chain: the container's own,
 * plus the headers the filter adds right before the response is committed, when the app's own
 * values (its {@code Content-Type}, {@code Server-Timing}, CORS headers) are known. With servlets
 * the app writes its headers during the chain, and a response is committed by its first flushed
 * byte, so the moments just before are: the first write, a flush, {@code flushBuffer}, {@code
 * sendError}, {@code sendRedirect}, closing the body, and the end of the chain (checked by the
 * filter). A response already committed then is left alone: no header is ever set on one (the
 * container would ignore it, or throw).
 *
 * What it adds is {@link HttpServerHandler#beforeHeaders}'s: {@code Server-Timing} on a traced
 * response ({@code span} non-null), the CORS help on a preflight ({@code span} null).
 *
 * <p>It also keeps the first {@link IOException} that a write or flush of the body stream (or
 * {@code flushBuffer}) threw, whatever the app then did with it: the client went away ({@link
 * HttpServerHandler#finish(Span, int, Throwable, Throwable)}). The container's writer swallows its
 * errors, so a page written with {@code getWriter()} shows none.
 */
final class TracedResponse extends HttpServletResponseWrapper {
  private final Span span;
  private final HttpServerHandler handler;
  /** The header is set, or the response was found committed: nothing more to do (until a reset). */
  private boolean settled;
  /** The body's first write was seen (later writes need no check). */
  private boolean written;
  private ServletOutputStream stream;
  private TracedStream tracedStream;
  private PrintWriter writer;
  private TracedWriter tracedWriter;
  /** Written by whichever thread writes the body, read by the one that finishes the transaction. */
  private volatile IOException writeFailure;

  TracedResponse(HttpServletResponse response, Span span, HttpServerHandler handler) {
    super(response);
    this.span = span;
    this.handler = handler;
  }

  /** Adds the filter's header unless it is there or the response is committed. Never throws. */
  void beforeCommit() {
    if (settled) return;
    try {
      HttpServletResponse response = (HttpServletResponse) getResponse();
      settled = response.isCommitted() || handler.beforeHeaders(span, new ResponseHeaders(response));
    } catch (RuntimeException e) {
      settled = true; // once is enough: the response goes on without the header
      TracingServletFilter.LOG.failed(e);
    }
  }

  /** The first I/O error of a body write or flush; null when none failed. */
  IOException writeFailure() {
    return writeFailure;
  }

  private void failedWriting(IOException e) {
    if (writeFailure == null) writeFailure = e;
  }

  /** Called by the body streams before each write; checks the first one only. */
  void beforeWrite() {
    if (!written) {
      written = true;
      beforeCommit();
    }
  }

  /** A header's values as one list, as HTTP joins them; null when absent. */
  static String joined(Collection<String> values) {
    if (values == null || values.isEmpty()) return null;
    return values.size() == 1 ? values.iterator().next() : String.join(",", values);
  }

  /** The container's response headers as {@link HttpServerHandler#beforeHeaders} reads and writes them. */
  private static final class ResponseHeaders implements HttpServerResponse {
    private final HttpServletResponse response;

    ResponseHeaders(HttpServletResponse response) {
      this.response = response;
    }

    @Override
    public String header(String name) {
      return joined(response.getHeaders(name));
    }

    @Override
    public void setHeader(String name, String value) {
      response.setHeader(name, value);
    }

    /**
     * The servlet API's own view of the type; whether {@code getHeader("Content-Type")} shows a
     * type set with {@code setContentType} is up to the container.
     */
    @Override
    public String contentType() {
      return response.getContentType();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    ServletOutputStream out = super.getOutputStream();
    if (out != stream) {
      stream = out;
      tracedStream = new TracedStream(out, this);
    }
    return tracedStream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    PrintWriter out = super.getWriter();
    if (out != writer) {
      writer = out;
      tracedWriter = new TracedWriter(out, this);
    }
    return tracedWriter;
  }

  @Override
  public void flushBuffer() throws IOException {
    beforeCommit();
    try {
      super.flushBuffer();
    } catch (IOException e) {
      failedWriting(e);
      throw e;
    }
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    beforeCommit();
    super.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    beforeCommit();
    super.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    beforeCommit();
    super.sendRedirect(location);
  }

  // The three below are Servlet 6.1's; on a 6.0 container nothing calls them.

  @Override
  public void sendRedirect(String location, int sc) throws IOException {
    beforeCommit();
    super.sendRedirect(location, sc);
  }

  @Override
  public void sendRedirect(String location, boolean clearBuffer) throws IOException {
    beforeCommit();
    super.sendRedirect(location, clearBuffer);
  }

  @Override
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    beforeCommit();
    super.sendRedirect(location, sc, clearBuffer);
  }

  /** A reset drops every header, ours too: check again before the new answer is committed. */
  @Override
  public void reset() {
    super.reset();
    settled = false;
    written = false;
  }

  /** The container's body stream, with a check before the first byte and before each flush. */
  private static final class TracedStream extends ServletOutputStream {
    private final ServletOutputStream delegate;
    private final TracedResponse response;

    TracedStream(ServletOutputStream delegate, TracedResponse response) {
      this.delegate = delegate;
      this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
      response.beforeWrite();
      try {
        delegate.write(b);
      } catch (IOException e) {
        response.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void write(byte[] b) throws IOException {
      response.beforeWrite();
      try {
        delegate.write(b);
      } catch (IOException e) {
        response.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      response.beforeWrite();
      try {
        delegate.write(b, off, len);
      } catch (IOException e) {
        response.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      response.beforeCommit();
      try {
        delegate.flush();
      } catch (IOException e) {
        response.failedWriting(e);
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      response.beforeCommit();
      delegate.close();
    }

    @Override
    public boolean isReady() {
      return delegate.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      delegate.setWriteListener(listener);
    }
  }

  /**
   * The container's writer, with the same checks. {@code print}, {@code printf} and {@code append}
   * all end in the three {@code write} methods; {@code println()} alone writes its line separator
   * straight through, which commits nothing by itself.
   */
  private static final class TracedWriter extends PrintWriter {
    private final PrintWriter delegate;
    private final TracedResponse response;

    TracedWriter(PrintWriter delegate, TracedResponse response) {
      super(delegate);
      this.delegate = delegate;
      this.response = response;
    }

    @Override
    public void write(int c) {
      response.beforeWrite();
      super.write(c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
      response.beforeWrite();
      super.write(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      response.beforeWrite();
      super.write(s, off, len);
    }

    @Override
    public void flush() {
      response.beforeCommit();
      super.flush();
    }

    @Override
    public void close() {
      response.beforeCommit();
      super.close();
    }

    /** The container's writer swallows its I/O errors; ask it too. */
    @Override
    public boolean checkError() {
      return super.checkError() || delegate.checkError();
    }
  }
}
