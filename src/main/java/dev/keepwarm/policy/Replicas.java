package dev.keepwarm.policy;

import java.util.Locale;

/**
 * How many hosts a warm rule is kept warm on: issue 13's {@code replicas}, a count of at
 * least 1 (default 1) or {@code all}, every healthy host.
 *
 * @param count the hosts wanted; {@link Integer#MAX_VALUE} stands for {@link #ALL}
 */
public record Replicas(int count) {

    /** The default: one host. */
    public static final Replicas ONE = new Replicas(1);

    /** Every healthy host. */
    public static final Replicas ALL = new Replicas(Integer.MAX_VALUE);

    public Replicas {
        if (count < 1) {
            throw new IllegalArgumentException("replicas must be at least 1 or \"all\", not " + count);
        }
    }

    /** {@code all} (any case) or a whole number of at least 1. */
    public static Replicas parse(String text) {
        String value = text.strip();
        if (value.toLowerCase(Locale.ROOT).equals("all")) {
            return ALL;
        }
        try {
            return new Replicas(Integer.parseInt(value));
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("replicas must be at least 1 or \"all\", not \"" + text + "\"", ex);
        }
    }

    /** How configuration binds {@code replicas: 2} or {@code replicas: all}. */
    public static Replicas valueOf(String text) {
        return parse(text);
    }

    /** How configuration binds a YAML number. */
    public static Replicas valueOf(Integer count) {
        if (count < 1) {
            throw new IllegalArgumentException("replicas must be at least 1 or \"all\", not " + count);
        }
        return new Replicas(count);
    }

    /** Whether this is {@link #ALL}. */
    public boolean isAll() {
        return this.count == Integer.MAX_VALUE;
    }

    /**
     * The copies wanted among this many healthy hosts: the count, or for {@link #ALL}
     * every one of them and at least one, so a rule with no healthy host still misses a
     * copy.
     */
    public int wanted(int healthyHosts) {
        return isAll() ? Math.max(1, healthyHosts) : this.count;
    }

    @Override
    public String toString() {
        return isAll() ? "all" : Integer.toString(this.count);
    }

}
