package dev.keepwarm.policy;

import java.util.Locale;

/**
 * An enum shown in headers, logs and metric tags by its name in lower case
 * ({@code UNLOAD_REFUSED} -> {@code unload_refused}).
 */
public interface Tagged {

    /** The constant's name, as every enum has it. */
    String name();

    /** The name in lower case. */
    default String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

}
