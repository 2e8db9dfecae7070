package io.sentrytrace.agentit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryOptions;
import io.sentry.TraceContext;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import io.sentrytrace.test.LogRecords;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A trace through Kafka with nothing but the stock agent 2.31.1, the extension and a DSN (issue
 * 23): a producing service ({@link KafkaProducerApp}: HTTP in, a record out) and a consuming one
 * ({@link KafkaConsumerApp}), each in its own JVM under the agent with plain kafka-clients, and a
 * KRaft broker (spring-kafka-test's, on 127.0.0.1) in this JVM. The trace travels in the record's
 * headers ({@code traceparent}, {@code sentry-trace}, {@code baggage}) and the consumer's
 * transaction continues it under the producer's publish span, with the DSC frozen where the trace
 * began.
 *
 * <p>What the agent needs for that (read in its kafka-clients instrumentation, and tried here):
 * the producer's {@code "<topic> publish"} span injects every configured propagator into the
 * record's headers. On the consumer, {@code poll()} makes no span; the {@code "<topic> process"}
 * span is made by the agent's wrapper of {@code ConsumerRecords.iterator()} (and of {@code
 * records(topic)}, {@code records(partition)}), once per record, from {@code next()} to the
 * following {@code hasNext()} on the iterating thread, with the context extracted from that
 * record's headers as its parent. So the application must iterate what it polled (a for-each
 * does). {@code otel.instrumentation.messaging.experimental.receive-telemetry.enabled} must stay
 * off (its default) under the default semantic conventions: with it on, each poll gets a {@code
 * "<topic> receive"} span that starts a trace of its own, and the process spans become its
 * children with the producer's span only as a link, which Sentry does not follow (three
 * transactions, the consumer's in the wrong trace). With {@code
 * otel.semconv-stability.opt-in=messaging} as well, the process span keeps the producer's span as
 * its parent (names become {@code "send <topic>"}, {@code "process <topic>"}), and each poll adds
 * a {@code "poll <topic>"} transaction ({@code queue.receive}) in a trace of its own.
 */
class KafkaAgentIT {
  private static final String BROWSER_TRACE = "6e0c63257de34c92bf9efcd03927272e";
  private static final String BROWSER_SPAN = "a1b2c3d4e5f60718";
  private static final String BROWSER_BAGGAGE =
      "sentry-trace_id=" + BROWSER_TRACE + ",sentry-public_key=" + FakeSentry.PUBLIC_KEY
          + ",sentry-release=web%401.0,sentry-environment=prod,sentry-sample_rate=0.5,sentry-sampled=true,sentry-sample_rand=0.25";
  private static final Pattern READY = Pattern.compile("(?m)^READY$");
  /** Bounds a hang only: two JVMs under the agent start on two shared cores. */
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final AtomicInteger TOPICS = new AtomicInteger();

  /**
   * What a fresh single-node broker warns about in every run: its empty metadata log (the test kit
   * formats a new one), and the test kit closing a client twice on shutdown. Any other warning
   * fails the class.
   */
  private static final List<String> EXPECTED_BROKER_WARNINGS = List.of(
      "Performing controller activation. The metadata log appears to be empty.",
      "Attempting to close NetworkClient that has already been closed.");

  private static final List<LogRecords> brokerLogs = new ArrayList<>();
  private static EmbeddedKafkaKraftBroker broker;
  private static String bootstrap;

  @TempDir Path dir;
  private FakeSentry sentry;
  private AgentRun producer;
  private AgentRun consumer;
  private String topic;
  private int port;

  @BeforeAll
  static void startBroker() {
    // The broker logs through slf4j to java.util.logging: INFO is dropped, warnings are recorded
    // (not printed) and checked in stopBroker.
    for (String logger : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
      brokerLogs.add(LogRecords.named(logger, Level.WARNING));
    }
    broker = new EmbeddedKafkaKraftBroker(1, 1);
    // The test kit's default is localhost; the clients' listener is bound (and advertised) on
    // 127.0.0.1. The controller's socket the test kit binds itself (any address); only the broker
    // in this JVM connects to it, on localhost.
    broker.brokerProperty("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0");
    // One partition for the group offsets instead of 50: the consumer's group is ready sooner.
    broker.brokerProperty("offsets.topic.num.partitions", "1");
    // Formatting the metadata directory is announced on System.out: kept for a failed start only.
    PrintStream out = System.out;
    ByteArrayOutputStream formatting = new ByteArrayOutputStream();
    System.setOut(new PrintStream(formatting, true, StandardCharsets.UTF_8));
    try {
      broker.afterPropertiesSet();
    } catch (RuntimeException e) {
      throw new AssertionError("the broker did not start: " + formatting.toString(StandardCharsets.UTF_8), e);
    } finally {
      System.setOut(out);
    }
    String brokers = broker.getBrokersAsString();
    bootstrap = "127.0.0.1:" + brokers.substring(brokers.lastIndexOf(':') + 1);
  }

  @AfterAll
  static void stopBroker() {
    try {
      if (broker != null) broker.destroy();
    } finally {
      brokerLogs.forEach(LogRecords::close);
    }
    for (LogRecords log : brokerLogs) {
      assertThat(log.lines()).as("the broker's warnings")
          .allSatisfy(line -> assertThat(EXPECTED_BROKER_WARNINGS).anySatisfy(expected -> assertThat(line).contains(expected)));
    }
  }

  @BeforeEach
  void startApps() throws Exception {
    topic = "orders-" + TOPICS.incrementAndGet();
    broker.addTopics(topic);
    sentry = FakeSentry.start();
    producer = AgentRun.start(dir, sentry, "checkout", List.of("sentry-trace.release=checkout@1.0", "sentry-trace.environment=staging"),
        KafkaProducerApp.class, bootstrap, topic);
    consumer = AgentRun.start(dir, sentry, "fulfillment",
        List.of("sentry-trace.release=fulfillment@2.0", "sentry-trace.environment=staging"),
        KafkaConsumerApp.class, bootstrap, topic, "fulfillment-" + topic);
    port = producer.awaitPort(WAIT);
    consumer.awaitLine(READY, WAIT);
  }

  @AfterEach
  void stopApps() {
    if (producer != null) producer.close();
    if (consumer != null) consumer.close();
    if (sentry != null) sentry.close();
  }

  @Test
  void theConsumerContinuesTheBrowsersTraceUnderThePublishSpanWithTheBrowsersDsc() throws Exception {
    HttpResponse<String> response = checkout("1", Map.of("sentry-trace", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1", "baggage", BROWSER_BAGGAGE));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Matcher headers = consumer.awaitLine(recordOf("1"), WAIT);
    Map<String, FakeSentry.Request> transactions = stopAndCollectTransactions();

    // The producer continues the browser's trace: its span the parent, its DSC frozen.
    ReceivedEnvelope checkout = only(transactions, "http.server");
    assertThat(checkout.traceContext()).containsEntry("trace_id", BROWSER_TRACE).containsEntry("parent_span_id", BROWSER_SPAN);
    assertThat(checkout.dsc()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    String publish = publishSpanId(checkout);

    // The record carries the trace from the publish span, in both formats, and the frozen DSC.
    assertThat(headers.group(1)).isEqualTo(BROWSER_TRACE + "-" + publish + "-1");
    assertThat(Baggage.parse(headers.group(2)).sentryValues()).isEqualTo(checkout.dsc());
    assertThat(headers.group(3)).matches(sampled(BROWSER_TRACE, publish));

    // The consumer's transaction continues it under the publish span, with the same DSC.
    ReceivedEnvelope fulfillment = only(transactions, "queue.process");
    assertThat(fulfillment.traceContext()).containsEntry("trace_id", BROWSER_TRACE).containsEntry("parent_span_id", publish);
    assertThat(fulfillment.payload).containsEntry("transaction", topic + " process").containsEntry("release", "fulfillment@2.0");
    assertThat(fulfillment.dsc()).isEqualTo(checkout.dsc());
    assertThat(fulfillment.spans()).isEmpty();
    assertQuiet();
  }

  @Test
  void aRequestWithoutHeadersStartsATraceThatReachesTheConsumerWithTheProducersDsc() throws Exception {
    HttpResponse<String> response = checkout("2", Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Matcher headers = consumer.awaitLine(recordOf("2"), WAIT);
    Map<String, FakeSentry.Request> transactions = stopAndCollectTransactions();

    // The producer starts the trace: the DSC is its own (its release and environment).
    ReceivedEnvelope checkout = only(transactions, "http.server");
    String trace = (String) checkout.traceContext().get("trace_id");
    assertThat(trace).matches("[0-9a-f]{32}").isNotEqualTo(BROWSER_TRACE);
    assertThat(checkout.traceContext()).doesNotContainKey("parent_span_id");
    assertThat(checkout.dsc())
        .containsEntry("trace_id", trace)
        .containsEntry("public_key", FakeSentry.PUBLIC_KEY)
        .containsEntry("release", "checkout@1.0")
        .containsEntry("environment", "staging")
        .containsEntry("sample_rate", "1")
        .containsEntry("sampled", "true")
        .containsKey("sample_rand");
    String publish = publishSpanId(checkout);
    assertThat(headers.group(1)).isEqualTo(trace + "-" + publish + "-1");
    assertThat(Baggage.parse(headers.group(2)).sentryValues()).isEqualTo(checkout.dsc());
    assertThat(headers.group(3)).matches(sampled(trace, publish));

    // The consumer continues it: the producer's DSC, not one of its own (its release differs).
    ReceivedEnvelope fulfillment = only(transactions, "queue.process");
    assertThat(fulfillment.traceContext()).containsEntry("trace_id", trace).containsEntry("parent_span_id", publish);
    assertThat(fulfillment.dsc()).isEqualTo(checkout.dsc());

    // Sentry's own SDK reads the consumer's envelope the same way.
    JsonSerializer serializer = new JsonSerializer(new SentryOptions());
    SentryEnvelope envelope = serializer.deserializeEnvelope(new ByteArrayInputStream(transactions.get(eventId(fulfillment)).body));
    TraceContext dsc = envelope.getHeader().getTraceContext();
    assertThat(dsc.getTraceId().toString()).isEqualTo(trace);
    assertThat(dsc.getPublicKey()).isEqualTo(FakeSentry.PUBLIC_KEY);
    assertThat(dsc.getRelease()).isEqualTo("checkout@1.0");
    assertThat(dsc.getSampled()).isEqualTo("true");
    List<SentryTransaction> sent = new ArrayList<>();
    for (SentryEnvelopeItem item : envelope.getItems()) {
      SentryTransaction t = item.getTransaction(serializer);
      if (t != null) sent.add(t);
    }
    assertThat(sent).singleElement().satisfies(t -> {
      assertThat(t.getTransaction()).isEqualTo(topic + " process");
      assertThat(t.getRelease()).isEqualTo("fulfillment@2.0");
      assertThat(t.getContexts().getTrace().getOperation()).isEqualTo("queue.process");
      assertThat(t.getContexts().getTrace().getTraceId().toString()).isEqualTo(trace);
      assertThat(t.getContexts().getTrace().getParentSpanId().toString()).isEqualTo(publish);
      assertThat(t.getContexts().getTrace().getData()).containsEntry("messaging.system", "kafka")
          .containsEntry("messaging.destination.name", topic);
    });
    assertQuiet();
  }

  private HttpResponse<String> checkout(String order, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/checkout?order=" + order))
        .timeout(WAIT);
    headers.forEach(request::header);
    return HttpClient.newBuilder().connectTimeout(WAIT).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A W3C {@code traceparent} of that span, sampled (the SDK may set the random flag too). */
  private static String sampled(String trace, String span) {
    return "00-" + trace + "-" + span + "-[0-9a-f][13579bdf]";
  }

  /** The line the consumer prints for the record of {@code order}: its headers as groups 1 to 3. */
  private static Pattern recordOf(String order) {
    return Pattern.compile("RECORD " + order + " sentry-trace=(\\S+) baggage=(\\S+) traceparent=(\\S+)");
  }

  /**
   * Stops both apps (SIGTERM: the agent flushes what is left) and returns the transactions Sentry
   * got, by event id (a retried envelope counts once): exactly the producer's and the consumer's.
   */
  private Map<String, FakeSentry.Request> stopAndCollectTransactions() throws Exception {
    producer.stop();
    consumer.stop();
    Map<String, FakeSentry.Request> transactions = new LinkedHashMap<>();
    List<String> described = new ArrayList<>();
    for (FakeSentry.Request r : sentry.requests()) {
      ReceivedEnvelope e = r.envelope();
      if (e.payloads("transaction").isEmpty()) continue;
      transactions.put(eventId(e), r);
      described.add(e.payload.get("transaction") + " " + e.traceContext() + " spans: " + e.spans());
    }
    assertThat(transactions).as("%s%n%s%n%s", String.join("\n", described), producer.output(), consumer.output()).hasSize(2);
    return transactions;
  }

  private static String eventId(ReceivedEnvelope e) {
    return (String) e.header.get("event_id");
  }

  private static ReceivedEnvelope only(Map<String, FakeSentry.Request> transactions, String op) throws IOException {
    List<ReceivedEnvelope> withOp = new ArrayList<>();
    for (FakeSentry.Request r : transactions.values()) {
      ReceivedEnvelope e = r.envelope();
      if (op.equals(e.traceContext().get("op"))) withOp.add(e);
    }
    assertThat(withOp).as(op).hasSize(1);
    return withOp.get(0);
  }

  /** The producer's one child span: the agent's publish span of the record. */
  private String publishSpanId(ReceivedEnvelope checkout) {
    assertThat(checkout.spans()).as(checkout.payload.toString()).singleElement().satisfies(s -> {
      assertThat(s).containsEntry("op", "queue.publish").containsEntry("description", topic + " publish")
          .containsEntry("parent_span_id", checkout.traceContext().get("span_id"));
      @SuppressWarnings("unchecked")
      Map<String, Object> data = (Map<String, Object>) s.get("data");
      assertThat(data).containsEntry("messaging.system", "kafka").containsEntry("messaging.destination.name", topic);
    });
    return (String) checkout.spans().get(0).get("span_id");
  }

  /** Neither app printed a stack trace, a warning or slf4j's notice; the extension set itself up. */
  private void assertQuiet() throws IOException {
    for (AgentRun app : List.of(producer, consumer)) {
      assertThat(app.output())
          .contains("sentry-trace: sentry-trace.dsn is set")
          .doesNotContain("Exception", "WARNING", "SEVERE", " WARN ", " ERROR ", "SLF4J");
    }
  }
}
