package io.sentrytrace.demo;

import io.sentrytrace.demo.shop.Bundle;
import java.nio.file.Path;
import java.time.Duration;

/** The demo's command-line flags. */
record DemoOptions(
    boolean help,
    boolean once,
    int shopPort,
    int apiPort,
    int collectorPort,
    int inventoryPort,
    int paymentsPort,
    int shippingPort,
    Path bundle,
    boolean corsHelp,
    Duration traceWait) {

  static final String USAGE = String.join("\n",
      "usage: java -jar sentry-trace-demo.jar [--once] [options]",
      "",
      "Starts a traced shop (page + checkout), three downstream services, a cross-origin api and a",
      "local collector playing Sentry's envelope endpoint, all on 127.0.0.1.",
      "",
      "  --once                 play the browser once (GET /, read the meta tags, POST /api/checkout),",
      "                         print the trace the collector assembled, exit 0 if it connected, else 1",
      "  --shop-port=N          the shop page (default 8080); 0 = any free port",
      "  --api-port=N           the cross-origin api (default 8081)",
      "  --collector-port=N     the collector and its /traces page (default 8082)",
      "  --inventory-port=N     downstream services (default 0: any free port)",
      "  --payments-port=N",
      "  --shipping-port=N",
      "  --bundle=PATH          the @sentry/browser bundle to serve as /sentry.js",
      "                         (default: the one built by " + Bundle.HOW_TO_BUILD + ")",
      "  --no-cors-help         switch the api's trace filter CORS help off (the page's cross-origin",
      "                         request then fails its preflight)",
      "  --wait=SECONDS         --once: how long to wait for the trace (default 15)",
      "  --help");

  /**
   * Parses the flags.
   *
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  static DemoOptions parse(String... args) {
    boolean help = false;
    boolean once = false;
    int shop = 8080;
    int api = 8081;
    int collector = 8082;
    int inventory = 0;
    int payments = 0;
    int shipping = 0;
    Path bundle = null;
    boolean corsHelp = true;
    Duration wait = Duration.ofSeconds(15);
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? null : arg.substring(eq + 1);
      switch (name) {
        case "--help": case "-h": help = true; break;
        case "--once": once = flag(name, value); break;
        case "--no-cors-help": corsHelp = !flag(name, value); break;
        case "--shop-port": shop = port(name, value); break;
        case "--api-port": api = port(name, value); break;
        case "--collector-port": collector = port(name, value); break;
        case "--inventory-port": inventory = port(name, value); break;
        case "--payments-port": payments = port(name, value); break;
        case "--shipping-port": shipping = port(name, value); break;
        case "--bundle": bundle = Path.of(required(name, value)); break;
        case "--wait": wait = Duration.ofSeconds(number(name, value, 1, 600)); break;
        default: throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new DemoOptions(help, once, shop, api, collector, inventory, payments, shipping, bundle, corsHelp, wait);
  }

  private static boolean flag(String name, String value) {
    if (value != null) throw new IllegalArgumentException(name + " takes no value");
    return true;
  }

  private static String required(String name, String value) {
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " needs a value: " + name + "=...");
    return value;
  }

  private static int port(String name, String value) {
    return number(name, value, 0, 65535);
  }

  private static int number(String name, String value, int min, int max) {
    String v = required(name, value);
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got \"" + v + "\"");
    }
  }
}
