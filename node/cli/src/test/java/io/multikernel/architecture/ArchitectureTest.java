package io.multikernel.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the arrows of {@link Layers} on the production classes of every module, and shows that the
 * rules catch a back arrow: the same rules over a planted {@code launcher -> cli} import fail, and
 * over a planted service and admin server that import each other (and the kernel loop).
 */
class ArchitectureTest
{
    private static final String ROOT = "io.multikernel";
    private static final String FIXTURE_ROOT = ROOT + ".architecture.fixture";
    private static final String SERVICE_FIXTURE_ROOT = ROOT + ".architecture.servicefixture";
    private static JavaClasses production;

    @BeforeAll
    static void importClasses()
    {
        production = new ClassFileImporter()
            .withImportOption(ArchitectureTest::isProduction)
            .importPackages(ROOT);
    }

    @TestFactory
    List<DynamicTest> everyArrowPointsDown()
    {
        assertThat(production.contain(io.multikernel.node.cli.MkCommand.class)).as("CLI classes imported").isTrue();
        assertThat(production.contain(io.multikernel.node.core.CoreAgent.class)).as("kernel classes imported").isTrue();
        return Layers.rules(ROOT).stream()
            .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(production)))
            .toList();
    }

    @Test
    void aLauncherThatImportsTheCliFailsTheRules()
    {
        final JavaClasses planted = new ClassFileImporter().importPackages(FIXTURE_ROOT);
        assertThat(planted.size()).as("fixture classes").isGreaterThanOrEqualTo(2);
        final List<String> violated = Layers.rules(FIXTURE_ROOT).stream()
            .filter(rule -> rule.allowEmptyShould(true).evaluate(planted).hasViolation())
            .map(ArchRule::getDescription)
            .toList();
        assertThat(violated).containsExactly("the launcher does not know the CLI or the benchmarks");
        final EvaluationResult result = Layers.rules(FIXTURE_ROOT).get(0).allowEmptyShould(true).evaluate(planted);
        assertThat(result.getFailureReport().toString()).contains("fixture.node.launcher.BackArrow")
            .contains("fixture.node.cli.SomeCommand");
    }

    @Test
    void aServiceAndAnAdminServerThatKnowEachOtherFailTheRules()
    {
        final JavaClasses planted = new ClassFileImporter().importPackages(SERVICE_FIXTURE_ROOT);
        assertThat(planted.size()).as("fixture classes").isGreaterThanOrEqualTo(4);
        final List<String> violated = Layers.rules(SERVICE_FIXTURE_ROOT).stream()
            .filter(rule -> rule.allowEmptyShould(true).evaluate(planted).hasViolation())
            .map(ArchRule::getDescription)
            .toList();
        assertThat(violated).containsExactly(
            "services know neither the admin server nor the kernel loop",
            "the admin server knows neither the services nor the kernel loop");
        final String report = Layers.rules(SERVICE_FIXTURE_ROOT).stream()
            .map(rule -> rule.allowEmptyShould(true).evaluate(planted).getFailureReport().toString())
            .reduce("", String::concat);
        assertThat(report).contains("servicefixture.node.replication.KeyValueAdmin")
            .contains("servicefixture.node.admin.Server").contains("servicefixture.node.core.KernelLoop");
    }

    private static boolean isProduction(final com.tngtech.archunit.core.importer.Location location)
    {
        return new ImportOption.DoNotIncludeTests().includes(location) &&
            !location.contains("-tests.jar") && !location.contains("/test-classes/");
    }
}
