package io.sentrytrace.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Headless Chromium as a plain process (no WebDriver): opens one URL with a fresh profile; {@link
 * #close()} kills it and every process it started, and deletes the profile.
 */
final class Chromium implements AutoCloseable {
  private static final List<String> CANDIDATES =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");

  private final Process process;
  private final Path profile;
  final Path log;

  private Chromium(Process process, Path profile, Path log) {
    this.process = process;
    this.profile = profile;
    this.log = log;
  }

  /** The browser to use: {@code $CHROMIUM}, else the usual install paths. */
  static Optional<Path> find() {
    String env = System.getenv("CHROMIUM");
    if (env != null && !env.isBlank()) return Optional.of(Path.of(env)).filter(Files::isExecutable);
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /** Opens {@code url}; the browser's output (page console lines included) goes to {@code log}. */
  static Chromium open(Path binary, URI url, Path log) throws IOException {
    Path profile = Files.createTempDirectory("sentry-trace-chromium-");
    Files.createDirectories(log.getParent());
    List<String> command = List.of(binary.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", url.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Chromium(process, profile, log);
  }

  /** The lines the page logged to its console (CORS errors among them). */
  List<String> consoleLines() {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("CONSOLE")).collect(Collectors.toList());
    } catch (IOException e) {
      return List.of("(cannot read " + log + ": " + e + ")");
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    List<ProcessHandle> children = new ArrayList<>(process.descendants().collect(Collectors.toList()));
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    children.addAll(process.descendants().collect(Collectors.toList()));
    for (ProcessHandle child : children) {
      if (child.isAlive()) child.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
