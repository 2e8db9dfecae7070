package io.sentrytrace.jdkhttp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A response reached through redirects the wrapper followed itself, linked to the redirect response
 * before it, as the JDK client links its own: {@link #previousResponse()} is that redirect (its
 * body null), whose own previous response is the one before, down to the first hop's.
 */
final class FollowedResponse<T> implements HttpResponse<T> {
  private final HttpResponse<T> response;
  private final HttpResponse<T> previous;

  FollowedResponse(HttpResponse<T> response, HttpResponse<T> previous) {
    this.response = response;
    this.previous = previous;
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public HttpRequest request() {
    return response.request();
  }

  @Override
  public Optional<HttpResponse<T>> previousResponse() {
    return Optional.of(previous);
  }

  @Override
  public HttpHeaders headers() {
    return response.headers();
  }

  @Override
  public T body() {
    return response.body();
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return response.sslSession();
  }

  @Override
  public URI uri() {
    return response.uri();
  }

  @Override
  public HttpClient.Version version() {
    return response.version();
  }

  @Override
  public String toString() {
    return response.toString();
  }
}
