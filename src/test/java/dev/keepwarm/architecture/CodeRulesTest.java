package dev.keepwarm.architecture;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Calls the code must not make (STYLE.md, "Reactive hygiene" and "Tests").
 * {@link ArchitectureTest} already forbids {@code subscribe()} outside
 * {@code warmer.Subscriptions} and {@code block()}, {@code blockFirst()} and
 * {@code blockLast()} everywhere in main code; the rules here cover what those leave
 * open.
 */
class CodeRulesTest {

    private static final JavaClasses MAIN = KeepwarmClasses.main();

    private static final JavaClasses TESTS = KeepwarmClasses.tests();

    /**
     * The rest of Reactor's blocking API, which stalls an event loop just as
     * {@code block()} does.
     */
    @Test
    void mainCodeCallsNoOtherBlockingReactorMethod() {
        noClasses().should()
            .callMethodWhere(reactorCall(List.of("blockOptional", "toIterable", "toStream")))
            .because("a blocked event loop stalls every connection on it; compose the publisher instead")
            .check(MAIN);
    }

    /**
     * Code that depends on time takes a Clock or a Reactor delay; nothing in main code
     * has to block a thread.
     */
    @Test
    void mainCodeNeverSleeps() {
        noClasses().should()
            .callMethodWhere(DescribedPredicate.describe("Thread.sleep or TimeUnit.sleep",
                    call -> call.getName().equals("sleep") && (call.getTargetOwner().isEquivalentTo(Thread.class)
                            || call.getTargetOwner().isEquivalentTo(TimeUnit.class))))
            .because("a sleeping event loop stalls every connection on it; use Mono.delay or a Clock")
            .check(MAIN);
    }

    /**
     * {@code subscribeWith} starts work as {@code subscribe()} does, so it has the same
     * single owner.
     */
    @Test
    void onlyTheWarmersSubscriptionsOwnerSubscribesWith() {
        noClasses().that()
            .doNotHaveFullyQualifiedName("dev.keepwarm.warmer.Subscriptions")
            .should()
            .callMethodWhere(reactorCall(List.of("subscribeWith")))
            .because("background work is owned by dev.keepwarm.warmer.Subscriptions, which disposes it at shutdown")
            .check(MAIN);
    }

    /**
     * A StepVerifier verification without a Duration waits forever on a publisher that
     * never ends, and the whole build hangs instead of failing one test:
     * {@code .expectComplete().verify(Duration.ofSeconds(5))}.
     */
    @Test
    void testsBoundEveryStepVerifierVerification() {
        noClasses().should()
            .callMethodWhere(DescribedPredicate.describe(
                    "an unbounded StepVerifier verification (verifyComplete(), verifyError*(), verify() without Duration)",
                    CodeRulesTest::unboundedVerification))
            .because("an unbounded verification hangs the build on a publisher that never terminates")
            .check(TESTS);
    }

    private static boolean unboundedVerification(JavaMethodCall call) {
        if (!call.getTargetOwner().getName().startsWith("reactor.test.StepVerifier")) {
            return false;
        }
        String name = call.getName();
        boolean noArguments = call.getTarget().getRawParameterTypes().isEmpty();
        return name.equals("verifyComplete") || name.startsWith("verifyError")
                || (noArguments && (name.equals("verify") || name.equals("verifyThenAssertThat")));
    }

    private static DescribedPredicate<JavaMethodCall> reactorCall(List<String> names) {
        return DescribedPredicate.describe(String.join("/", names) + "() on a Reactor or Reactive Streams type",
                call -> names.contains(call.getName())
                        && (call.getTargetOwner().isAssignableTo("org.reactivestreams.Publisher")
                                || call.getTargetOwner().getPackageName().startsWith("reactor.")));
    }

}
