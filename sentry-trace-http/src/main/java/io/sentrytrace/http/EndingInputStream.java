package io.sentrytrace.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body that reports when the exchange is over: at its end (a read returns -1), when it
 * is closed, or when a read or the close fails. Bytes pass through untouched; nothing is buffered.
 * Adapters wrap a client's body stream with it so the {@code http.client} span covers the body.
 *
 * <pre>{@code
 * InputStream body = new EndingInputStream(response.body(), exchange); // exchange: an HttpClientExchange
 * }</pre>
 *
 * <p>SPI for client adapter authors: {@link HttpClientExchange} implements its {@link End}.
 */
public final class EndingInputStream extends FilterInputStream {
  /**
   * What an {@link EndingInputStream} reports; {@link HttpClientExchange} is one. Both are called
   * at most as often as the stream ends or fails: the receiver keeps only the first.
   */
  public interface End {
    /** The body was read to its end or closed. */
    void finish();

    /** Reading or closing the body failed with {@code error}. */
    void failed(Throwable error);
  }

  private final End end;

  /** {@code in}, reporting its end to {@code end}. */
  public EndingInputStream(InputStream in, End end) {
    super(in);
    this.end = end;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = super.read();
    } catch (IOException | RuntimeException e) {
      end.failed(e);
      throw e;
    }
    if (b < 0) end.finish();
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n;
    try {
      n = super.read(buffer, offset, length);
    } catch (IOException | RuntimeException e) {
      end.failed(e);
      throw e;
    }
    if (n < 0) end.finish();
    return n;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } catch (IOException | RuntimeException e) {
      end.failed(e);
      throw e;
    }
    end.finish();
  }
}
