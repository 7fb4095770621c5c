package dev.keepwarm.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
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

    /**
     * Background work has one owner that disposes it at shutdown (STYLE.md, "Reactive hygiene"): a
     * {@code subscribe()} anywhere else starts work nobody can stop, and {@code block()} stalls an event loop.
     */
    @Test
    void onlyTheWarmersSubscriptionsOwnerSubscribesAndNothingBlocks() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.keepwarm.warmer.Subscriptions")
                .should().callMethodWhere(reactiveCall("subscribe"))
                .because("background work is owned by dev.keepwarm.warmer.Subscriptions, which disposes it at shutdown")
                .check(CLASSES);
        noClasses().should().callMethodWhere(reactiveCall("block"))
                .orShould().callMethodWhere(reactiveCall("blockFirst"))
                .orShould().callMethodWhere(reactiveCall("blockLast"))
                .check(CLASSES);
    }

    private static DescribedPredicate<JavaMethodCall> reactiveCall(String name) {
        return DescribedPredicate.describe(name + "() on a Reactor or Reactive Streams type",
                call -> call.getName().equals(name)
                        && (call.getTargetOwner().isAssignableTo("org.reactivestreams.Publisher")
                                || call.getTargetOwner().getPackageName().startsWith("reactor.")));
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
