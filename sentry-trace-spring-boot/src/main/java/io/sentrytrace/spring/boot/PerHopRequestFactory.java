package io.sentrytrace.spring.boot;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A request factory whose HTTP client is instrumented itself (the JDK client through {@code
 * TracingHttpClient}, HttpClient 5 through {@code TracingExecInterceptor} before its protocol
 * stage), so the trace headers are decided for each redirect hop. When the call comes through
 * {@link TracingClientHttpRequestInterceptor}, the client takes it over: the interceptor's headers
 * come off again and only the client's spans are recorded.
 */
final class PerHopRequestFactory implements ClientHttpRequestFactory, DisposableBean {
  private final ClientHttpRequestFactory delegate;

  PerHopRequestFactory(ClientHttpRequestFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
    ClientHttpRequest request = delegate.createRequest(uri, httpMethod);
    TracingClientHttpRequestInterceptor.Handoff handoff = TracingClientHttpRequestInterceptor.takeOver();
    return handoff == null ? request : new HandedOverRequest(request, handoff);
  }

  @Override
  public void destroy() throws Exception {
    if (delegate instanceof DisposableBean disposable) disposable.destroy();
  }

  @Override
  public String toString() {
    return "PerHopRequestFactory[" + delegate + "]";
  }

  /** The factory's request; just before it is sent, the caller's own trace headers are back. */
  private static final class HandedOverRequest implements ClientHttpRequest {
    private final ClientHttpRequest delegate;
    private final TracingClientHttpRequestInterceptor.Handoff handoff;

    HandedOverRequest(ClientHttpRequest delegate, TracingClientHttpRequestInterceptor.Handoff handoff) {
      this.delegate = delegate;
      this.handoff = handoff;
    }

    @Override
    public ClientHttpResponse execute() throws IOException {
      handoff.restore(delegate.getHeaders());
      return delegate.execute();
    }

    @Override
    public OutputStream getBody() throws IOException {
      return delegate.getBody();
    }

    @Override
    public HttpMethod getMethod() {
      return delegate.getMethod();
    }

    @Override
    public URI getURI() {
      return delegate.getURI();
    }

    @Override
    public Map<String, Object> getAttributes() {
      return delegate.getAttributes();
    }

    @Override
    public HttpHeaders getHeaders() {
      return delegate.getHeaders();
    }
  }
}
