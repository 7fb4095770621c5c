package dev.keepwarm.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package-by-feature layout holds: every package edge points one way
 * (CONTRIBUTING.md, "Package graph"), and the policy knows nothing of the web.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = KeepwarmClasses.main();

    /**
     * policy <- fleet <- ollama <- proxy <- warmer <- metrics <- actuator, with access
     * beside the proxy and adaptive beside the fleet. The proxy knows routes and bytes:
     * what it needs of the warmer and the meters are its own interfaces (ResidencyGuard,
     * HostRouter, ProxyObserver, ProxyGate), implemented above it.
     */
    @Test
    void everyPackageEdgePointsOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("policy")
            .definedBy("dev.keepwarm.policy..")
            .layer("fleet")
            .definedBy("dev.keepwarm.fleet..")
            .layer("adaptive")
            .definedBy("dev.keepwarm.adaptive..")
            .layer("ollama")
            .definedBy("dev.keepwarm.ollama..")
            .layer("proxy")
            .definedBy("dev.keepwarm.proxy..")
            .layer("warmer")
            .definedBy("dev.keepwarm.warmer..")
            .layer("metrics")
            .definedBy("dev.keepwarm.metrics..")
            .layer("access")
            .definedBy("dev.keepwarm.access..")
            .layer("actuator")
            .definedBy("dev.keepwarm.actuator..")
            .whereLayer("actuator")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("access")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("metrics")
            .mayOnlyBeAccessedByLayers("actuator")
            .whereLayer("warmer")
            .mayOnlyBeAccessedByLayers("metrics", "actuator")
            .whereLayer("proxy")
            .mayOnlyBeAccessedByLayers("warmer", "metrics", "access")
            .whereLayer("ollama")
            .mayOnlyBeAccessedByLayers("proxy", "warmer", "metrics", "actuator")
            .whereLayer("fleet")
            .mayOnlyBeAccessedByLayers("proxy", "warmer", "metrics", "actuator")
            .whereLayer("adaptive")
            .mayOnlyBeAccessedByLayers("proxy", "warmer", "metrics", "actuator")
            .check(CLASSES);
    }

    /**
     * The fleet's placement and routing are decisions only: no I/O, no framework, nothing
     * but the policy's names.
     */
    @Test
    void fleetDecisionsDependOnNothingButThePolicy() {
        classes().that()
            .resideInAPackage("dev.keepwarm.fleet..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.keepwarm.fleet..", "dev.keepwarm.policy..", "java..", "org.jspecify..")
            .check(CLASSES);
    }

    /**
     * Adaptive keep-alive's histogram, decision and memory budget are decisions only: no
     * I/O, no framework, no clock, nothing but the policy's names.
     */
    @Test
    void adaptiveDecisionsDependOnNothingButThePolicy() {
        classes().that()
            .resideInAPackage("dev.keepwarm.adaptive..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.keepwarm.adaptive..", "dev.keepwarm.policy..", "java..", "org.jspecify..")
            .check(CLASSES);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("dev.keepwarm.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * Background work has one owner that disposes it at shutdown (STYLE.md, "Reactive
     * hygiene"): a {@code subscribe()} anywhere else starts work nobody can stop, and
     * {@code block()} stalls an event loop.
     */
    @Test
    void onlyTheWarmersSubscriptionsOwnerSubscribesAndNothingBlocks() {
        noClasses().that()
            .doNotHaveFullyQualifiedName("dev.keepwarm.warmer.Subscriptions")
            .should()
            .callMethodWhere(reactiveCall("subscribe"))
            .because("background work is owned by dev.keepwarm.warmer.Subscriptions, which disposes it at shutdown")
            .check(CLASSES);
        noClasses().should()
            .callMethodWhere(reactiveCall("block"))
            .orShould()
            .callMethodWhere(reactiveCall("blockFirst"))
            .orShould()
            .callMethodWhere(reactiveCall("blockLast"))
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
        noClasses().that()
            .resideInAPackage("dev.keepwarm.policy..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.keepwarm.proxy..", "org.springframework.web..", "org.springframework.http..",
                    "reactor..", "tools.jackson..", "com.fasterxml.jackson..", "io.netty..")
            .check(CLASSES);
    }

}
