package io.sentrytrace.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import jdk.javadoc.doclet.Doclet;
import jdk.javadoc.doclet.DocletEnvironment;
import jdk.javadoc.doclet.Reporter;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What users consume: the BOM lists exactly the published modules (every reactor module that does
 * not set {@code maven.deploy.skip}), at the reactor's version, and every public type of those
 * modules has javadoc. The javadoc build's doclint leaves out the "missing" group (it would want a
 * comment on every getter), so this is where a type without one fails the build. Types in an
 * {@code internal} package are public for our other modules only: the javadoc jars leave them out,
 * and their comment must start by saying so.
 */
class PublishedModulesTest {
  private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

  @Test
  void bomManagesEveryPublishedModuleAndNothingElse() throws Exception {
    Set<String> published = new TreeSet<>();
    Element root = pom(ROOT.resolve("pom.xml"));
    for (Element module : children(child(root, "modules"), "module")) {
      Element pom = pom(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
      String packaging = text(pom, "packaging", "jar");
      boolean skipsDeploy = Boolean.parseBoolean(text(child(pom, "properties"), "maven.deploy.skip", "false"));
      if (packaging.equals("jar") && !skipsDeploy) {
        published.add(text(pom, "artifactId", null));
      }
    }

    assertThat(published).contains("sentry-trace-core", "sentry-trace-http", "sentry-trace-testing").doesNotContain("sentry-trace-it",
        "sentry-trace-demo", "sentry-trace-jmh");
    assertThat(bomArtifacts()).containsExactlyInAnyOrderElementsOf(published);
  }

  @Test
  void bomHasNoParentAndTheReactorsCoordinates() throws Exception {
    Element bom = pom(ROOT.resolve("sentry-trace-bom/pom.xml"));
    Element root = pom(ROOT.resolve("pom.xml"));

    // An imported BOM brings its parents' dependencyManagement along: ours manages test libraries.
    assertThat(child(bom, "parent")).isNull();
    assertThat(text(bom, "groupId", null)).isEqualTo(text(root, "groupId", null));
    assertThat(text(bom, "version", null)).isEqualTo(text(root, "version", null));
    for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      assertThat(text(dependency, "groupId", null)).isEqualTo(text(root, "groupId", null));
      assertThat(text(dependency, "version", null)).isEqualTo("${project.version}");
    }
  }

  /**
   * Maven Central takes a pom only with a license, scm and developers: the parent declares them for
   * every module, and the BOM, which has no parent, again. The license is the LICENSE file's.
   */
  @Test
  void publishedPomsCarryTheLicenseScmAndDevelopersCentralRequires() throws Exception {
    String license = Files.readString(ROOT.resolve("LICENSE"));
    assertThat(license).contains("Apache License", "Version 2.0, January 2004");
    for (String pomPath : List.of("pom.xml", "sentry-trace-bom/pom.xml")) {
      Element pom = pom(ROOT.resolve(pomPath));
      assertThat(text(child(child(pom, "licenses"), "license"), "name", null)).as(pomPath).isEqualTo("Apache-2.0");
      assertThat(text(child(pom, "scm"), "url", null)).as(pomPath).startsWith("https://");
      assertThat(text(child(pom, "scm"), "connection", null)).as(pomPath).startsWith("scm:git:");
      assertThat(children(child(pom, "developers"), "developer")).as(pomPath).isNotEmpty();
      assertThat(text(pom, "url", null)).as(pomPath).startsWith("https://");
      assertThat(text(pom, "description", null)).as(pomPath).isNotBlank();
    }
    // Every published module takes them from the parent (none overrides them with less).
    for (String artifact : bomArtifacts()) {
      Element pom = pom(ROOT.resolve(artifact).resolve("pom.xml"));
      assertThat(text(child(pom, "parent"), "artifactId", null)).as(artifact).isEqualTo("sentry-trace-parent");
      assertThat(child(pom, "licenses")).as(artifact).isNull();
    }
  }

  @Test
  void everyPublicTypeOfAPublishedModuleHasJavadoc() throws Exception {
    List<Path> sources = new ArrayList<>();
    for (String artifact : bomArtifacts()) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(artifact).resolve("src/main/java"))) {
        files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
      }
    }
    assertThat(sources).hasSizeGreaterThan(10);

    DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javadoc.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      // Surefire's own class path is a manifest-only jar; the real one is in this property.
      String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      TypesWithoutJavadoc.found = null;
      TypesWithoutJavadoc.internalNotMarked = null;
      boolean ok = javadoc.getTask(null, files, diagnostics, TypesWithoutJavadoc.class,
          List.of("-classpath", classPath, "-quiet"), files.getJavaFileObjectsFromPaths(sources)).call();
      assertThat(ok).as("javadoc: %s", diagnostics.getDiagnostics()).isTrue();
    }

    assertThat(TypesWithoutJavadoc.found).as("public and protected types without javadoc").isNotNull().isEmpty();
    assertThat(TypesWithoutJavadoc.internalNotMarked)
        .as("public types of internal packages whose javadoc does not start with \"%s\"", NOT_API)
        .isNotNull()
        .isEmpty();
  }

  private static final String NOT_API = "Not API: may change without notice.";

  /** Collects the documented (public and protected) types that have no doc comment. */
  public static final class TypesWithoutJavadoc implements Doclet {
    static volatile Set<String> found;
    static volatile Set<String> internalNotMarked;

    @Override
    public void init(Locale locale, Reporter reporter) {}

    @Override
    public String getName() {
      return "TypesWithoutJavadoc";
    }

    @Override
    public Set<? extends Option> getSupportedOptions() {
      return Set.of();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latest();
    }

    @Override
    public boolean run(DocletEnvironment environment) {
      found = ElementFilter.typesIn(environment.getIncludedElements()).stream()
          .filter(type -> environment.getDocTrees().getDocCommentTree(type) == null)
          .map(TypeElement::getQualifiedName)
          .map(Object::toString)
          .collect(Collectors.toCollection(TreeSet::new));
      internalNotMarked = ElementFilter.typesIn(environment.getIncludedElements()).stream()
          .filter(type -> type.getNestingKind() == NestingKind.TOP_LEVEL)
          .filter(type -> isInternal(environment.getElementUtils().getPackageOf(type).getQualifiedName().toString()))
          .filter(type -> {
            var comment = environment.getDocTrees().getDocCommentTree(type);
            return comment == null || !comment.toString().startsWith(NOT_API);
          })
          .map(TypeElement::getQualifiedName)
          .map(Object::toString)
          .collect(Collectors.toCollection(TreeSet::new));
      return true;
    }

    private static boolean isInternal(String packageName) {
      return packageName.endsWith(".internal") || packageName.contains(".internal.");
    }
  }

  private static Set<String> bomArtifacts() throws Exception {
    Element bom = pom(ROOT.resolve("sentry-trace-bom/pom.xml"));
    return children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency").stream()
        .map(d -> text(d, "artifactId", null))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Element pom(Path file) throws Exception {
    assertThat(file).isRegularFile();
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static String text(Element parent, String name, String absent) {
    Element e = child(parent, name);
    return e == null ? absent : e.getTextContent().trim();
  }
}
