package io.sentrytrace.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.demo.shop.Bundle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void defaultsToFixedPortsForThePagesAndAnyPortForTheDownstreams() {
    DemoOptions o = DemoOptions.parse();

    assertThat(o.once()).isFalse();
    assertThat(o.corsHelp()).isTrue();
    assertThat(new int[] {o.shopPort(), o.apiPort(), o.collectorPort()}).containsExactly(8080, 8081, 8082);
    assertThat(new int[] {o.inventoryPort(), o.paymentsPort(), o.shippingPort()}).containsOnly(0);
    assertThat(o.traceWait()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void readsEveryFlag() {
    DemoOptions o = DemoOptions.parse("--once", "--no-cors-help", "--shop-port=1", "--api-port=2", "--collector-port=3",
        "--inventory-port=4", "--payments-port=5", "--shipping-port=6", "--bundle=x.js", "--wait=7");

    assertThat(o.once()).isTrue();
    assertThat(o.corsHelp()).isFalse();
    assertThat(new int[] {o.shopPort(), o.apiPort(), o.collectorPort(), o.inventoryPort(), o.paymentsPort(), o.shippingPort()})
        .containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(o.bundle()).hasToString("x.js");
    assertThat(o.traceWait()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void rejectsUnknownFlagsAndBadValues() {
    assertThatThrownBy(() -> DemoOptions.parse("--port=1")).hasMessage("unknown option --port=1");
    assertThatThrownBy(() -> DemoOptions.parse("--shop-port=http")).hasMessage("--shop-port must be a number, got \"http\"");
    assertThatThrownBy(() -> DemoOptions.parse("--once=yes")).hasMessage("--once takes no value");
    assertThatThrownBy(() -> DemoOptions.parse("--bundle")).hasMessage("--bundle needs a value: --bundle=...");
    assertThatThrownBy(() -> DemoOptions.parse("--wait=0")).hasMessage("--wait must be between 1 and 600, got 0");
  }

  @Test
  void missingBundleFileIsAnError() {
    assertThatThrownBy(() -> Bundle.locate(java.nio.file.Path.of("target", "no-such-bundle.js")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bundle: no such file");
  }
}
