package dev.keepwarm.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package-by-feature layout holds: no cycles, and the policy knows nothing of the web. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keepwarm");

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("dev.keepwarm.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void policyDependsOnNeitherTheProxyNorSpringWeb() {
        noClasses().that().resideInAPackage("dev.keepwarm.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.keepwarm.proxy..",
                        "org.springframework.web..", "org.springframework.http..", "reactor..", "tools.jackson..",
                        "com.fasterxml.jackson..", "io.netty..")
                .check(CLASSES);
    }
}
