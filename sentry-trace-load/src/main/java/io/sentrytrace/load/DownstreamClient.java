package io.sentrytrace.load;

/** One GET to the downstream, body read; the HTTP status. */
@FunctionalInterface
interface DownstreamClient {
  int get(String url) throws Exception;
}
