package io.sentrytrace.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The load tests' command line.
 *
 * <pre>{@code
 * java -jar sentry-trace-load/target/sentry-trace-load.jar cost   # the cost of a traced request
 * java -jar sentry-trace-load/target/sentry-trace-load.jar soak   # a million requests, failing Sentry
 * java -jar sentry-trace-load/target/sentry-trace-load.jar transport   # CPU per envelope sent, per transport
 * java -jar sentry-trace-load/target/sentry-trace-load.jar grid   # delivered/offered with Sentry 0-150 ms away
 * java -jar sentry-trace-load/target/sentry-trace-load.jar grid-tls   # the same over HTTPS (h2 or HTTP/1.1), per transport
 * java -jar sentry-trace-load/target/sentry-trace-load.jar soak-export   # the exporter for 10 min, Sentry failing in turns
 * }</pre>
 */
public final class Load {
  private Load() {}

  /** {@code cost [--clients okhttp,apache,jdk] [--rounds 4] [--seconds 5] [--warmup 1] [--connections 32] [--aa]}
   * or {@code soak [--requests 1000000] [--concurrency 64] [--max-minutes 25] [--ci]}
   * or {@code transport [--transports urlconnection,jdk,okhttp] [--sends 20000] [--warmup 5000] [--rounds 3]}
   * or {@code grid [--delays 0,25,150] [--rates 100,1000,5000] [--seconds 5] [--configs sentry-trace,sentry-java]
   * [--producers 4] [--warmup 1]}
   * or {@code grid-tls [--delays 25,150] [--rates 1000,300] [--seconds 5]
   * [--transports urlconnection,jdk,jdk-h2,okhttp,apache] [--producers 4] [--warmup 1] [--cold]}
   * or {@code soak-export [--minutes 10] [--delay 50] [--rate 500] [--ok-seconds 20] [--bad-seconds 10]
   * [--retry-after 5] [--producers 4]}. */
  public static void main(String[] args) throws Exception {
    // The stand-ins speak plain http, where the JDK keeps 5 idle connections per host unless told
    // otherwise: as many as the exporter's senders (the README says so for a self-hosted Sentry).
    if (System.getProperty("http.maxConnections") == null) System.setProperty("http.maxConnections", "64");
    System.setProperty("java.util.logging.config.file", "/dev/null"); // instrumentation warnings stay quiet
    java.util.logging.LogManager.getLogManager().reset();
    PrintStream out = System.out;
    if (args.length == 0 || args[0].equals("--help")) {
      out.println("usage: cost [--clients okhttp,apache,jdk] [--rounds N] [--seconds S] [--warmup S] [--connections N] [--aa] [--configs none,sentry-trace,sentry-java,sentry-trace-okhttp-transport,sentry-trace-jdk-transport]");
      out.println("       soak [--requests N] [--concurrency N] [--max-minutes M] [--leak-every N] [--wrap-workers] [--ci]");
      out.println("       transport [--transports " + TransportCost.DEFAULT_TRANSPORTS + "] [--sends N] [--warmup N] [--rounds N]");
      out.println("       grid [--delays 0,25,150] [--rates 100,1000,5000] [--seconds S] [--configs sentry-trace,sentry-java] [--producers N] [--warmup S]");
      out.println("       grid-tls [--delays 25,150] [--rates 1000,300] [--seconds S] [--transports " + String.join(",", TlsExportGrid.TRANSPORTS) + "] [--producers N] [--warmup S] [--cold]");
      out.println("       soak-export [--minutes M] [--delay MS] [--rate N] [--ok-seconds S] [--bad-seconds S] [--retry-after S] [--producers N]");
      out.println("       agent-startup [--rounds N] [--agent JAR] [--extension JAR] [--single-file JAR]");
      return;
    }
    Args a = new Args(args);
    out.printf(Locale.ROOT, "JVM %s %s; %d CPUs; load average %.2f; allocation: %s%n",
        System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        ProcessMeter.allocationMethod());
    boolean ok;
    if (args[0].equals("cost")) {
      List<ClientKind> clients = new ArrayList<>();
      for (String c : a.get("--clients", "okhttp,apache,jdk").split(",")) clients.add(ClientKind.of(c.trim()));
      CostRun.Options o = new CostRun.Options(clients, Integer.parseInt(a.get("--rounds", "4")),
          Double.parseDouble(a.get("--seconds", "5")), Double.parseDouble(a.get("--warmup", "1")),
          Integer.parseInt(a.get("--connections", "32")), a.has("--aa"),
          List.of(a.get("--configs", "none,sentry-trace,sentry-java").split(",")));
      Map<ClientKind, List<CostRun.Totals>> result;
      try (Rig rig = new Rig(o.connections())) {
        result = new CostRun(rig, o, out).run();
      }
      ok = CostRun.print(result, o, out);
    } else if (args[0].equals("soak")) {
      Soak.Options d = a.has("--ci") ? Soak.Options.ci() : Soak.Options.million();
      Soak.Options o = new Soak.Options(Long.parseLong(a.get("--requests", "" + d.requests())),
          Integer.parseInt(a.get("--concurrency", "" + d.concurrency())), d.okSeconds(), d.stallSeconds(),
          d.badSeconds(), Integer.parseInt(a.get("--leak-every", "" + d.leakEvery())),
          Double.parseDouble(a.get("--max-minutes", "" + d.maxMinutes())), a.has("--wrap-workers"));
      Soak.Result r = new Soak(o, out).run();
      Soak.print(r, out);
      ok = r.passed();
    } else if (args[0].equals("transport")) {
      TransportCost.Options o = new TransportCost.Options(
          List.of(a.get("--transports", TransportCost.DEFAULT_TRANSPORTS).split(",")),
          Integer.parseInt(a.get("--sends", "20000")), Integer.parseInt(a.get("--warmup", "5000")),
          Integer.parseInt(a.get("--rounds", "3")));
      ok = TransportCost.print(new TransportCost(o, out).run(), out);
    } else if (args[0].equals("grid")) {
      ExportGrid.Options d = ExportGrid.Options.full();
      ExportGrid.Options o = new ExportGrid.Options(ints(a.get("--delays", "0,25,150")), ints(a.get("--rates", "100,1000,5000")),
          Double.parseDouble(a.get("--seconds", "" + d.seconds())),
          List.of(a.get("--configs", String.join(",", d.configs())).split(",")),
          Integer.parseInt(a.get("--producers", "" + d.producers())),
          Double.parseDouble(a.get("--warmup", "" + d.warmupSeconds())));
      List<ExportGrid.Cell> cells = new ExportGrid(o, out).run();
      ExportGrid.print(cells, o, out);
      ok = cells.stream().allMatch(c -> c.producerErrors() == 0);
    } else if (args[0].equals("grid-tls")) {
      TlsExportGrid.Options d = TlsExportGrid.Options.full();
      TlsExportGrid.Options o = new TlsExportGrid.Options(ints(a.get("--delays", "25,150")), ints(a.get("--rates", "1000,300")),
          Double.parseDouble(a.get("--seconds", "" + d.seconds())),
          List.of(a.get("--transports", String.join(",", d.transports())).split(",")),
          Integer.parseInt(a.get("--producers", "" + d.producers())),
          Double.parseDouble(a.get("--warmup", "" + d.warmupSeconds())), a.has("--cold"));
      List<TlsExportGrid.Cell> cells = new TlsExportGrid(o, out).run();
      TlsExportGrid.print(cells, o, out);
      ok = cells.stream().allMatch(c -> c.producerErrors() == 0);
    } else if (args[0].equals("soak-export")) {
      ExportSoak.Options d = ExportSoak.Options.tenMinutes();
      ExportSoak.Options o = new ExportSoak.Options(Double.parseDouble(a.get("--minutes", "" + d.minutes())),
          Integer.parseInt(a.get("--delay", "" + d.delayMillis())), Integer.parseInt(a.get("--rate", "" + d.rate())),
          Double.parseDouble(a.get("--ok-seconds", "" + d.okSeconds())),
          Double.parseDouble(a.get("--bad-seconds", "" + d.badSeconds())),
          Integer.parseInt(a.get("--retry-after", "" + d.retryAfterSeconds())),
          Integer.parseInt(a.get("--producers", "" + d.producers())));
      ExportSoak.Result r = new ExportSoak(o, out).run();
      ExportSoak.print(r, out);
      ok = r.passed();
    } else if (args[0].equals("agent-startup")) {
      AgentStartup.Options d = AgentStartup.Options.defaults();
      AgentStartup.Options o = new AgentStartup.Options(Path.of(a.get("--agent", d.agent().toString())),
          Path.of(a.get("--extension", d.extension().toString())), Path.of(a.get("--single-file", d.singleFile().toString())),
          Integer.parseInt(a.get("--rounds", "" + d.rounds())));
      ok = new AgentStartup(o, out).run().allAnswered();
    } else {
      throw new IllegalArgumentException("unknown command " + args[0] + " (cost, soak, transport, grid, grid-tls, soak-export, agent-startup)");
    }
    out.printf(Locale.ROOT, "load average at the end: %.2f%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(ok ? 0 : 1);
  }

  private static List<Integer> ints(String csv) {
    List<Integer> values = new ArrayList<>();
    for (String v : csv.split(",")) values.add(Integer.parseInt(v.trim()));
    return values;
  }

  private static final class Args {
    private final String[] args;

    Args(String[] args) {
      this.args = args;
    }

    boolean has(String flag) {
      for (String s : args) if (s.equals(flag)) return true;
      return false;
    }

    String get(String flag, String fallback) {
      for (int i = 0; i < args.length - 1; i++) if (args[i].equals(flag)) return args[i + 1];
      return fallback;
    }
  }
}
