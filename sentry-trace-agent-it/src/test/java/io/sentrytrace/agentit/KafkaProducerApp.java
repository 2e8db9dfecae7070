package io.sentrytrace.agentit;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producing service {@link KafkaAgentIT} runs under the stock agent: a JDK {@code HttpServer}
 * whose {@code /checkout?order=<id>} sends one record (key: the order) to the topic {@code
 * args[1]} on the brokers {@code args[0]} with plain kafka-clients, waits for the broker's ack and
 * answers 200. No OpenTelemetry, Sentry or Spring code: the agent traces the request and the send
 * and puts the trace into the record's headers. Prints {@code LISTENING <port>} and runs until the
 * JVM is stopped.
 */
public final class KafkaProducerApp {
  /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");

  private KafkaProducerApp() {}

  public static void main(String[] args) throws Exception {
    // kafka-clients logs its whole configuration at INFO; warnings still show (and fail the test).
    KAFKA_LOG.setLevel(Level.WARNING);
    String topic = args[1];
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "checkout");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());

    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/checkout", exchange -> {
      String query = exchange.getRequestURI().getQuery();
      String order = query != null && query.startsWith("order=") ? query.substring("order=".length()) : "none";
      int status = 200;
      String body;
      try {
        RecordMetadata sent = producer.send(new ProducerRecord<>(topic, order, "checkout of order " + order)).get(30, TimeUnit.SECONDS);
        body = "sent " + order + " to " + sent.topic() + "-" + sent.partition() + "@" + sent.offset();
      } catch (Exception e) {
        status = 500;
        body = e.toString();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
    System.out.println("LISTENING " + server.getAddress().getPort());
  }
}
