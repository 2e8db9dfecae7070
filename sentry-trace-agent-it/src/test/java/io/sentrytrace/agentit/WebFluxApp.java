package io.sentrytrace.agentit;

import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The service {@link WebFluxAgentIT} runs under the stock Java agent: Spring Boot with WebFlux on
 * Reactor Netty, whose {@code GET /orders/{id}} hops to another thread and calls {@code args[0]}
 * with {@code WebClient}, passing its {@code ref} query parameter on. No OpenTelemetry or
 * sentry-trace code: the agent instruments server, scheduler hop and client, the extension does the
 * rest. Only the auto-configurations WebFlux needs are imported, so that whatever else the test
 * class path holds (other apps of this module) stays off. Prints {@code LISTENING <port>}.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({
  PropertyPlaceholderAutoConfiguration.class,
  NettyReactiveWebServerAutoConfiguration.class,
  HttpHandlerAutoConfiguration.class,
  WebFluxAutoConfiguration.class,
  CodecsAutoConfiguration.class,
  WebClientAutoConfiguration.class
})
@Import(WebFluxApp.Orders.class)
public class WebFluxApp {

  public static void main(String[] args) {
    // This module's class path has one slf4j provider, to java.util.logging (see the pom), and the
    // Kafka broker's log4j-core, which Boot would otherwise pick: log through java.util.logging.
    System.setProperty("org.springframework.boot.logging.LoggingSystem",
        "org.springframework.boot.logging.java.JavaLoggingSystem");
    SpringApplication app = new SpringApplication(WebFluxApp.class);
    app.setBannerMode(Banner.Mode.OFF);
    app.setLogStartupInfo(false);
    app.setDefaultProperties(Map.of(
        "server.address", "127.0.0.1",
        "server.port", "0",
        "downstream.url", args[0]));
    app.run(args);
  }

  @EventListener
  void listening(ReactiveWebServerInitializedEvent event) {
    System.out.println("LISTENING " + event.getWebServer().getPort());
  }

  @RestController
  static class Orders {
    private final WebClient downstream;
    private final String url;

    Orders(WebClient.Builder builder, @Value("${downstream.url}") String url) {
      this.downstream = builder.build();
      this.url = url;
    }

    // Names spelled out: the test sources are compiled without -parameters.
    @GetMapping("/orders/{id}")
    Mono<String> order(@PathVariable("id") String id, @RequestParam(name = "ref", defaultValue = "") String ref) {
      // The hop: the call is made on a boundedElastic thread, not on the Netty event loop.
      return Mono.just(id)
          .publishOn(Schedulers.boundedElastic())
          .flatMap(order -> downstream.get()
              .uri(url + "?order={order}&ref={ref}", order, ref)
              .exchangeToMono(r -> r.releaseBody().thenReturn("downstream said " + r.statusCode().value())));
    }
  }
}
