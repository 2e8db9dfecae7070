package io.sentrytrace.jmh;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.List;
import java.util.Map;

/** The inputs every side of a comparison gets, so that the rows of a pair measure the same work. */
final class Inputs {
  private Inputs() {}

  static final String TRACE_ID = "771a43a4192642f0b136d5159a501700";
  static final String SPAN_ID = "b6b5d6b3a2a14f3c";
  static final String SENTRY_TRACE_SAMPLED = TRACE_ID + "-" + SPAN_ID + "-1";
  static final String SENTRY_TRACE_DEFERRED = TRACE_ID + "-" + SPAN_ID;
  /** A W3C traceparent sent as sentry-trace by mistake: the invalid value a server really sees. */
  static final String SENTRY_TRACE_INVALID = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
  static final String TRACEPARENT_SAMPLED = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
  /** The mirror mistake: a sentry-trace value sent as traceparent. */
  static final String TRACEPARENT_INVALID = SENTRY_TRACE_SAMPLED;

  /** Two literal hosts, as most configurations have them. */
  static final List<String> LITERAL_TARGETS = List.of("api.example.com", "localhost");

  /** The default: every URL. */
  static final List<String> ALL_TARGETS = List.of(".*");

  /** Four literal hosts and four regexes. */
  static final List<String> MIXED_TARGETS =
      List.of(
          "localhost",
          "payments.internal",
          "auth.example.org",
          "127.0.0.1",
          "^https://api\\.example\\.com/v[0-9]+/.*",
          "^https?://([a-z0-9-]+\\.)*shop\\.example\\.net(:[0-9]+)?/.*",
          ".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*",
          "^https://cdn[0-9]*\\.example\\.io/assets/.*");

  /** 16 URLs, the first 8 match {@link #LITERAL_TARGETS}, the last 8 do not. */
  static final String[] LITERAL_URLS = {
    "https://api.example.com/v1/users/42",
    "http://localhost:8080/orders",
    "https://api.example.com/v2/search?q=shoes&page=2",
    "http://localhost/health",
    "https://api.example.com/graphql",
    "http://localhost:3000/api/cart",
    "https://api.example.com/v1/checkout/session",
    "https://eu.api.example.com/v1/ping",
    "https://www.google-analytics.com/g/collect?v=2&tid=G-XXXXXXX",
    "https://fonts.googleapis.com/css2?family=Inter:wght@400;700",
    "https://api.stripe.com/v1/charges",
    "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX",
    "https://sentry.io/api/0/projects/acme/shop/",
    "https://s3.amazonaws.com/acme-uploads/avatars/42.png",
    "https://shop.example.net/cart",
    "http://orders.svc.cluster.local:8080/v1/orders",
  };

  /**
   * 16 URLs: the first 4 match a literal of {@link #MIXED_TARGETS}, the next 4 only a regex, the
   * last 8 nothing (some of them nearly match a regex).
   */
  static final String[] MIXED_URLS = {
    "http://localhost:8080/orders",
    "http://payments.internal/v1/charge",
    "https://auth.example.org/oauth/token",
    "http://127.0.0.1:9000/metrics",
    "https://api.example.com/v2/search?q=shoes&page=2",
    "https://eu.shop.example.net/cart/checkout",
    "http://orders.svc.cluster.local:8080/v1/orders",
    "https://cdn3.example.io/assets/app.8f3a1c.js",
    "https://api.example.com/health",
    "https://shop.example.com/cart",
    "https://www.google-analytics.com/g/collect?v=2&tid=G-XXXXXXX",
    "https://fonts.googleapis.com/css2?family=Inter:wght@400;700",
    "https://api.stripe.com/v1/charges",
    "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX",
    "https://cdn.example.io/fonts/inter.woff2",
    "https://s3.amazonaws.com/acme-uploads/avatars/42.png",
  };

  /** How many of each URL array match their targets. */
  static final int MATCHING_URLS = 8;

  /** The members of {@link #BAGGAGE} that are not Sentry's, in order. */
  static final String THIRD_PARTY_BAGGAGE = "othervendor=t61rcWkgMzE,acme=k%3Dv;prop=1";

  /** 8 {@code sentry-} members (two percent-encoded) and 2 of other vendors. */
  static final String BAGGAGE =
      "othervendor=t61rcWkgMzE,"
          + "sentry-trace_id=" + TRACE_ID + ","
          + "sentry-public_key=49d0f7386ad645858ae85020e393bef3,"
          + "sentry-release=shop%401.4.0,"
          + "sentry-environment=production,"
          + "sentry-transaction=GET%20%2Fcheckout,"
          + "sentry-sample_rate=0.25,"
          + "sentry-sample_rand=0.1234567,"
          + "sentry-sampled=true,"
          + "acme=k%3Dv;prop=1";

  /** The Sentry values of {@link #BAGGAGE}, decoded. */
  static final Map<String, String> BAGGAGE_SENTRY_VALUES =
      Map.of(
          "trace_id", TRACE_ID,
          "public_key", "49d0f7386ad645858ae85020e393bef3",
          "release", "shop@1.4.0",
          "environment", "production",
          "transaction", "GET /checkout",
          "sample_rate", "0.25",
          "sample_rand", "0.1234567",
          "sampled", "true");

  /** OpenTelemetry's view of a header map. */
  static final TextMapGetter<Map<String, String>> MAP_GETTER =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;
}
