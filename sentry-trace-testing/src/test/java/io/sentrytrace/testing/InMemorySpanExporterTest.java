package io.sentrytrace.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySpanExporterTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();

  @Test
  void keepsFinishedTransactionsInOrderUntilReset() {
    tracer.startTransaction("GET /a", "http.server").finish();
    tracer.startTransaction("GET /b", "http.server").finish();

    List<TransactionData> seen = exporter.transactions();
    assertThat(seen).extracting(TransactionData::name).containsExactly("GET /a", "GET /b");
    tracer.startTransaction("GET /c", "http.server").finish();
    assertThat(seen).as("a copy, not a view").hasSize(2);

    exporter.reset();
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void awaitsTransactionsFinishedOnAnotherThread() throws Exception {
    Thread worker = new Thread(() -> tracer.startTransaction("job", "task").finish());
    worker.start();

    assertThat(exporter.await(1, Duration.ofSeconds(10))).extracting(TransactionData::name).containsExactly("job");
    worker.join();
  }

  @Test
  void awaitReturnsWhatIsThereWhenTheTimeIsUp() throws Exception {
    tracer.startTransaction("only", "task").finish();

    assertThat(exporter.await(2, Duration.ofMillis(50))).hasSize(1);
  }
}
