package haven.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edges docs/ARCHITECTURE.md draws, checked on the production classes (every module's main code,
 * read from the class path; the benchmarks and the testkit are imported too, so that the rule "nothing
 * in main depends on them" has something to look at).
 */
class LayoutRulesTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("haven");
    }

    private static void check(ArchRule rule) {
        rule.check(production);
    }

    @Test
    void theRulesSeeEveryProductionModule() {
        // Rules over an empty import pass for nothing: every module's main classes must be on the class path.
        for (String name : new String[] {"haven.protocol.EventCodec", "haven.mqtt.MqttLink", "haven.store.Database",
                "haven.classroom.Hub", "haven.classroom.web.KioskServer", "haven.coordinator.Ingest",
                "haven.coordinator.web.DashboardServer", "haven.cli.HavenCli", "haven.testkit.Stack"}) {
            assertTrue(production.contain(name), name + " must be imported");
        }
    }

    @Test
    void theClassroomRoleNeverDependsOnTheCoordinator() {
        check(noClasses().that().resideInAPackage("haven.classroom..")
                .should().dependOnClassesThat().resideInAPackage("haven.coordinator..")
                .because("a classroom Pi holds nothing of the school's case work (docs/ARCHITECTURE.md)"));
    }

    @Test
    void theCoordinatorNeverDependsOnTheClassroomRole() {
        check(noClasses().that().resideInAPackage("haven.coordinator..")
                .should().dependOnClassesThat().resideInAPackage("haven.classroom..")
                .because("the roles meet only in haven.protocol, the MQTT contract"));
    }

    @Test
    void theContractAndThePlatformDependOnNeitherRole() {
        check(noClasses().that().resideInAnyPackage("haven.protocol..", "haven.config..", "haven.store..", "haven.mqtt..",
                        "haven.metrics..", "haven.lifecycle..")
                .should().dependOnClassesThat().resideInAnyPackage("haven.classroom..", "haven.coordinator..", "haven.cli..",
                        "haven.demo.."));
    }

    @Test
    void onlyTheWebLayerImportsJavalin() {
        check(noClasses().that().resideOutsideOfPackages("haven.classroom.web..", "haven.coordinator.web..", "haven.bench..",
                        "haven.testkit..")
                .should().dependOnClassesThat().resideInAPackage("io.javalin.."));
    }

    @Test
    void theHubServesItsPageWithoutJavalinsStaticFiles() {
        // Javalin's class-path static files make Jetty mount the whole haven.jar as a zip file system (four
        // times, ~13 MiB of the hub's heap for its whole life); KioskFiles reads the page through the class loader.
        check(noClasses().that().resideInAPackage("haven.classroom..")
                .should().dependOnClassesThat().resideInAPackage("io.javalin.http.staticfiles..")
                .because("the hub's RSS target (docs/PERFORMANCE.md, \"footprint\")"));
    }

    @Test
    void onlyTheMqttBoundaryImportsPaho() {
        // The benchmarks measure raw Paho on purpose, beside Haven; nothing else talks to Paho directly.
        check(noClasses().that().resideOutsideOfPackages("haven.mqtt..", "haven.bench..")
                .should().dependOnClassesThat().resideInAPackage("org.eclipse.paho.."));
    }

    @Test
    void nothingInMainDependsOnTheBenchmarksOrTheTestkit() {
        check(noClasses().that().resideOutsideOfPackages("haven.bench..", "haven.testkit..")
                .should().dependOnClassesThat().resideInAnyPackage("haven.bench..", "haven.testkit.."));
    }

    @Test
    void onlyTheAppComposesBothRoles() {
        check(noClasses().that().resideOutsideOfPackages("haven.cli..", "haven.demo..", "haven.bench..", "haven.testkit..")
                .should().dependOnClassesThat().resideInAnyPackage("haven.cli..", "haven.demo.."));
    }
}
