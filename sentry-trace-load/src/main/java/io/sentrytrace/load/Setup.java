package io.sentrytrace.load;

import com.sun.net.httpserver.Filter;

/** One configuration of the service: how (or whether) it traces, and its downstream clients. */
interface Setup extends AutoCloseable {
  String name();

  /** The server filter that records the request, or null. */
  Filter filter();

  DownstreamClient client(ClientKind kind);

  /** Whether downstream calls must carry the incoming request's trace. */
  boolean propagates();

  /** Sends what is queued (part of the measured cost); bounded. */
  void flush();

  /** What the exporter did, for the report. */
  String exportSummary();

  @Override
  void close();
}
