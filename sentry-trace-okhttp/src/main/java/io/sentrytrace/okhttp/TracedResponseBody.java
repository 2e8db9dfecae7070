package io.sentrytrace.okhttp;

import io.sentrytrace.http.HttpClientExchange;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A response body that ends its exchange when it is read to its end, fails, or is closed: used
 * when no event listener reports {@code callEnd} (the interceptor added by hand, or as a network
 * interceptor). Bytes pass through untouched and unbuffered beyond what the caller asks for.
 */
final class TracedResponseBody extends ResponseBody {
  private final ResponseBody delegate;
  private final HttpClientExchange exchange;
  private final Call call;
  private BufferedSource source; // guarded by this

  TracedResponseBody(ResponseBody delegate, HttpClientExchange exchange, Call call) {
    this.delegate = delegate;
    this.exchange = exchange;
    this.call = call;
  }

  @Override
  public MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public synchronized BufferedSource source() {
    if (source == null) source = Okio.buffer(new Ending(delegate.source()));
    return source;
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      exchange.finish();
    }
  }

  private final class Ending extends ForwardingSource {
    Ending(okio.Source delegate) {
      super(delegate);
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      long read;
      try {
        read = super.read(sink, byteCount);
      } catch (IOException | RuntimeException e) {
        TracedCall.failed(exchange, call, e);
        throw e;
      }
      if (read == -1) exchange.finish();
      return read;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        exchange.finish();
      }
    }
  }
}
