package dev.keepwarm.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * keepwarm's classes as ArchUnit reads them, imported once per test JVM for every rule
 * that needs them.
 */
final class KeepwarmClasses {

    private KeepwarmClasses() {
    }

    /** Main code only. */
    static JavaClasses main() {
        return Main.CLASSES;
    }

    /** Test code only. */
    static JavaClasses tests() {
        return Tests.CLASSES;
    }

    private static final class Main {

        static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keepwarm");

    }

    private static final class Tests {

        static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
            .importPackages("dev.keepwarm");

    }

}
