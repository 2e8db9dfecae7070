package io.sentrytrace.http;

/**
 * A response whose headers are about to be sent, as {@link HttpServerHandler#beforeHeaders} reads
 * and writes them. SPI for server adapter authors: an adapter maps its server's response onto it
 * at the last moment its headers can still change (the JDK server's {@code sendResponseHeaders},
 * a servlet response's first write, flush or {@code sendError}). An exception thrown here is
 * caught by the handler.
 *
 * <pre>{@code
 * Headers headers = exchange.getResponseHeaders();  // com.sun.net.httpserver
 * handler.beforeHeaders(transaction, new HttpServerResponse() {
 *   public String header(String name) { List<String> v = headers.get(name); return v == null ? null : String.join(",", v); }
 *   public void setHeader(String name, String value) { headers.set(name, value); }
 * });
 * exchange.sendResponseHeaders(code, length);
 * }</pre>
 */
public interface HttpServerResponse {
  /**
   * The response header {@code name} (case-insensitive) as the app set it, its lines joined with
   * {@code ","}; null when absent.
   */
  String header(String name);

  /** Sets the header {@code name} to {@code value}, replacing every line of it. */
  void setHeader(String name, String value);

  /** The response's {@code Content-Type}; null when the app set none. */
  default String contentType() {
    return header("Content-Type");
  }
}
