package io.sentrytrace.envelope;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocketFactory;

/**
 * The JDK's TLS socket factory, keeping hold of the sockets it makes, so that the watchdog can
 * close them. {@code HttpURLConnection.disconnect()} cannot end a read of the response body: it
 * waits for the stream's lock, which the blocked read holds until the next byte comes. Closing the
 * socket ends the read at once.
 */
final class TrackingSocketFactory extends SSLSocketFactory {
  private final SSLSocketFactory delegate;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  TrackingSocketFactory(SSLSocketFactory delegate) {
    this.delegate = delegate;
  }

  SSLSocketFactory delegate() {
    return delegate;
  }

  /**
   * Closes every socket made here that is still open: the one of the request being ended, and any
   * idle in the keep-alive cache (a factory serves one request at a time: a new connection
   * replaces them).
   */
  void closeAll() {
    for (Socket s : sockets) {
      sockets.remove(s);
      try {
        s.setSoTimeout(1); // as the JDK does: SSLSocket.close() may wait that long to read the peer's close
      } catch (IOException | RuntimeException ignored) {
        // closed already
      }
      try {
        s.close();
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      }
    }
  }

  private <S extends Socket> S track(S socket) {
    sockets.removeIf(Socket::isClosed); // keeps the set as small as the connections alive
    sockets.add(socket);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return track(delegate.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
    return track(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return track(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return track(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return track(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return track(delegate.createSocket(address, port, localAddress, localPort));
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }
}
