package io.sentrytrace.spring.boot.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/** {@link ShopApplication} as a process (for the agent test): prints {@code LISTENING <port>}. */
public final class ShopMain {
  private ShopMain() {}

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(ShopApplication.class);
    app.addListeners((ApplicationListener<WebServerInitializedEvent>) e -> System.out.println("LISTENING " + e.getWebServer().getPort()));
    app.run(args);
  }
}
