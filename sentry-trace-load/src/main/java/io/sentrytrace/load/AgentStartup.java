package io.sentrytrace.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the extension adds to a service's start under the stock OpenTelemetry agent: {@link
 * AgentStartupApp} started in a child JVM, in rounds that rotate the order of four configurations
 * (no agent; the agent with its exporters off; the agent with the extension and a DSN; the
 * single-file agent and a DSN), each timed from the process start until it listens and until its
 * first {@code /checkout} (a traced server request with a traced downstream call) is answered.
 * The extension's transactions go to a {@link StandInSentry} on loopback; each round ends with
 * SIGTERM, so the agent's shutdown flushes them, and the count per configuration is printed.
 */
final class AgentStartup {
  record Options(Path agent, Path extension, Path singleFile, int rounds) {
    static Options defaults() {
      Path dir = Path.of("sentry-trace-load", "target", "javaagent");
      return new Options(dir.resolve("opentelemetry-javaagent.jar"), dir.resolve("sentry-trace-opentelemetry-agent.jar"),
          dir.resolve("sentry-trace-opentelemetry-javaagent.jar"), 10);
    }
  }

  record Start(double listeningMillis, double firstAnswerMillis, int status) {}

  /** The timings per configuration, in the order of the table, and the transactions each sent. */
  record Result(Map<String, List<Start>> starts, Map<String, Long> transactions) {
    boolean allAnswered() {
      return starts.values().stream().flatMap(List::stream).allMatch(s -> s.status() == 200);
    }
  }

  private final Options options;
  private final PrintStream out;

  AgentStartup(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Result run() throws Exception {
    for (Path p : List.of(options.agent(), options.extension(), options.singleFile())) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException(p + " does not exist: build with `mvn -pl sentry-trace-load -am package -DskipTests` first");
      }
    }
    Map<String, List<Start>> result = new LinkedHashMap<>();
    Map<String, Long> transactions = new LinkedHashMap<>();
    try (StandInSentry sentry = new StandInSentry(Duration.ZERO, 16, 100_000); Downstream downstream = new Downstream(4)) {
      Map<String, List<String>> configs = configs(sentry.dsn());
      configs.keySet().forEach(k -> result.put(k, new ArrayList<>()));
      List<String> order = new ArrayList<>(configs.keySet());
      for (int round = 0; round < options.rounds(); round++) {
        for (String name : order) {
          long before = sentry.transactionItems.get();
          result.get(name).add(start(configs.get(name), downstream.url()));
          // The agent flushes on SIGTERM before the process ends; the stand-in has counted once start() returns.
          transactions.merge(name, sentry.transactionItems.get() - before, Long::sum);
        }
        out.printf(Locale.ROOT, "   round %d/%d done (%s)%n", round + 1, options.rounds(), String.join(", ", order));
        Collections.rotate(order, 1);
      }
    }
    print(result, transactions);
    return new Result(result, transactions);
  }

  private Map<String, List<String>> configs(String dsn) {
    String agent = "-javaagent:" + options.agent().toAbsolutePath();
    Map<String, List<String>> configs = new LinkedHashMap<>();
    configs.put("no agent", List.of());
    configs.put("agent, exporters none", List.of(agent, "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
        "-Dotel.logs.exporter=none"));
    configs.put("agent + extension + DSN", List.of(agent, "-Dotel.javaagent.extensions=" + options.extension().toAbsolutePath(),
        "-Dsentry-trace.dsn=" + dsn, "-Dsentry-trace.traces-sample-rate=1.0"));
    configs.put("single-file agent + DSN", List.of("-javaagent:" + options.singleFile().toAbsolutePath(),
        "-Dsentry-trace.dsn=" + dsn, "-Dsentry-trace.traces-sample-rate=1.0"));
    return configs;
  }

  private static Start start(List<String> jvmOptions, String downstream) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dotel.service.name=startup");
    command.add("-cp");
    command.add(Path.of(AgentStartupApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    command.add(AgentStartupApp.class.getName());
    command.add(downstream);
    long t0 = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (output) {
              if (output.length() < 64 * 1024) output.append(line).append('\n');
            }
            if (line.startsWith("LISTENING ")) port.complete(Integer.parseInt(line.substring(10).trim()));
          }
          port.completeExceptionally(new IOException("the app ended without listening"));
        } catch (IOException | RuntimeException e) {
          port.completeExceptionally(e);
        }
      }, "agent-startup-output");
      reader.setDaemon(true);
      reader.start();
      int p;
      try {
        p = port.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        synchronized (output) {
          throw new IllegalStateException("the app did not listen within 120 s: " + output, e);
        }
      }
      long listening = System.nanoTime();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/checkout"))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("the app did not stop within 60 s of SIGTERM");
      reader.join(10_000);
      return new Start((listening - t0) / 1e6, (answered - t0) / 1e6, answer.statusCode());
    } finally {
      process.destroyForcibly();
    }
  }

  private void print(Map<String, List<Start>> result, Map<String, Long> transactions) {
    out.println();
    out.println("| configuration | listening after (ms, median) | min | first answer after (ms, median) | min | first request alone (ms, median) | non-200 | transactions at the stand-in |");
    out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, List<Start>> e : result.entrySet()) {
      List<Start> starts = e.getValue();
      out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d |%n", e.getKey(),
          median(starts.stream().mapToDouble(Start::listeningMillis).toArray()),
          starts.stream().mapToDouble(Start::listeningMillis).min().orElse(Double.NaN),
          median(starts.stream().mapToDouble(Start::firstAnswerMillis).toArray()),
          starts.stream().mapToDouble(Start::firstAnswerMillis).min().orElse(Double.NaN),
          median(starts.stream().mapToDouble(s -> s.firstAnswerMillis() - s.listeningMillis()).toArray()),
          starts.stream().filter(s -> s.status() != 200).count(), transactions.getOrDefault(e.getKey(), 0L));
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    if (v.length == 0) return Double.NaN;
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
