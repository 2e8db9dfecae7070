package io.sentrytrace.agentit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The consuming service {@link KafkaAgentIT} runs under the stock agent: plain kafka-clients
 * subscribed to the topic {@code args[1]} on the brokers {@code args[0]} in the group {@code
 * args[2]}, polling in a loop and processing each record by iterating the polled {@code
 * ConsumerRecords}; the agent wraps that iteration, one process span per record (see {@link
 * KafkaAgentIT} for why it must be the iteration). Prints {@code READY} once partitions are
 * assigned and, for each record, {@code RECORD <key> sentry-trace=<..> baggage=<..>
 * traceparent=<..>}: the headers the record arrived with. SIGTERM wakes the poll and closes the
 * consumer (it leaves the group) before the JVM ends.
 */
public final class KafkaConsumerApp {
  /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");

  private KafkaConsumerApp() {}

  public static void main(String[] args) throws Exception {
    // kafka-clients logs its whole configuration at INFO; warnings still show (and fail the test).
    KAFKA_LOG.setLevel(Level.WARNING);
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, args[2]);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      consumer.wakeup();
      try {
        closed.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    consumer.subscribe(List.of(args[1]), new ConsumerRebalanceListener() {
      private boolean ready;

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!ready && !partitions.isEmpty()) {
          ready = true;
          System.out.println("READY");
        }
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
    });
    try {
      while (true) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        // The iteration, not poll(), is what the agent traces: each record's span runs from next()
        // to the following hasNext(), with the producer's span (from the headers) as its parent.
        for (ConsumerRecord<String, String> record : records) process(record);
      }
    } catch (WakeupException stopping) {
      // SIGTERM: leave the group and end.
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
      closed.countDown();
    }
  }

  private static void process(ConsumerRecord<String, String> record) {
    System.out.println("RECORD " + record.key() + " sentry-trace=" + header(record, "sentry-trace") + " baggage="
        + header(record, "baggage") + " traceparent=" + header(record, "traceparent"));
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
