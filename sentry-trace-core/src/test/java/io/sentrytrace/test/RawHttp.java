package io.sentrytrace.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a raw socket, for what a well-behaved client never does. */
public final class RawHttp {
  private RawHttp() {}

  /**
   * Asks {@code base} for {@code path} over a raw socket, reads the first 4 KB of the answer (status
   * line, headers and the start of the body) and closes the connection with the rest unread, as a
   * browser does when its tab is closed. Returns what it read, as Latin-1.
   */
  public static String readAFewKilobytesAndLeave(URI base, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout(10_000); // bounds each read
      String request = "GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] read = new byte[4096];
      int n = 0;
      InputStream in = socket.getInputStream();
      while (n < read.length) { // at most 4,096 reads
        int r = in.read(read, n, read.length - n);
        if (r < 0) break;
        n += r;
      }
      assertThat(n).as("bytes read before leaving").isEqualTo(read.length);
      return new String(read, 0, n, StandardCharsets.ISO_8859_1);
    }
  }
}
