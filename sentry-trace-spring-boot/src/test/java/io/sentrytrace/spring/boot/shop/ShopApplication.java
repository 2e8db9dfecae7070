package io.sentrytrace.spring.boot.shop;

import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** A small Boot service: one order endpoint calls a downstream stock service and an @Async audit. */
@SpringBootApplication
@EnableAsync
public class ShopApplication {

  @RestController
  static class Orders {
    private final RestClient stock;
    private final RestClient simpleStock;
    private final RestTemplate legacyStock;
    private final Audit audit;

    Orders(RestClient.Builder builder, RestTemplateBuilder templates, Audit audit, @Value("${downstream.url}") String downstream) {
      this.stock = builder.clone().baseUrl(downstream).build();
      // The application's own factory: only the interceptor can trace it.
      this.simpleStock = builder.clone().baseUrl(downstream).requestFactory(new SimpleClientHttpRequestFactory()).build();
      this.legacyStock = templates.rootUri(downstream).build();
      this.audit = audit;
    }

    @GetMapping("/orders/{id}")
    String order(@PathVariable("id") String id) {
      String stockAnswer = stock.get().uri("/stock?sku={id}", id).retrieve().body(String.class);
      String audited = audit.audit(id).join();
      return "order " + id + ": " + stockAnswer + ", " + audited;
    }

    @GetMapping("/simple/{id}")
    String simple(@PathVariable("id") String id) {
      return simpleStock.get().uri("/stock?sku={id}", id).retrieve().body(String.class);
    }

    @GetMapping("/legacy/{id}")
    String legacy(@PathVariable("id") String id) {
      return legacyStock.getForObject("/stock?sku={id}", String.class, id);
    }

    @GetMapping("/redirect/{via}")
    String redirect(@PathVariable("via") String via) {
      RestClient client = via.equals("simple") ? simpleStock : stock;
      return client.get().uri("/moved").retrieve().body(String.class);
    }

    @GetMapping("/meta/{id}")
    String meta(@RequestAttribute(name = "sentryTraceMetaTags", required = false) String metaTags) {
      return String.valueOf(metaTags);
    }
  }

  @Service
  public static class Audit {
    private final ObjectProvider<Tracer> tracer;

    Audit(ObjectProvider<Tracer> tracer) {
      this.tracer = tracer;
    }

    @Async
    public CompletableFuture<String> audit(String id) {
      Tracer t = tracer.getIfAvailable();
      Span parent = t == null ? null : t.currentSpan();
      if (parent != null) parent.startChild("task", "audit order " + id).finish();
      return CompletableFuture.completedFuture("audited on " + (isVirtual() ? "virtual" : "platform") + " thread");
    }

    private static boolean isVirtual() {
      try {
        return (boolean) MethodHandles.lookup()
            .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class))
            .invoke(Thread.currentThread());
      } catch (NoSuchMethodException | IllegalAccessException e) {
        return false; // Java 17
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
