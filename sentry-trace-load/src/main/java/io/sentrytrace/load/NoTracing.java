package io.sentrytrace.load;

import com.sun.net.httpserver.Filter;

/** The baseline: no filter, plain clients. */
final class NoTracing implements Setup {
  private final BaseClients base;

  NoTracing(BaseClients base) {
    this.base = base;
  }

  @Override public String name() { return "no tracing"; }
  @Override public Filter filter() { return null; }
  @Override public DownstreamClient client(ClientKind kind) { return base.untraced(kind); }
  @Override public boolean propagates() { return false; }
  @Override public void flush() {}
  @Override public String exportSummary() { return "-"; }
  @Override public void close() {}
}
