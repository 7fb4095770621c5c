package dev.keepwarm.proxy;

/** The {@code status} tag of an HTTP status code, without a new string per request. */
final class StatusTags {

    private static final String[] STATUSES = new String[600];

    static {
        for (int code = 100; code < STATUSES.length; code++) {
            STATUSES[code] = String.valueOf(code).intern();
        }
    }

    private StatusTags() {
    }

    static String of(int code) {
        return code >= 100 && code < STATUSES.length ? STATUSES[code] : String.valueOf(code);
    }

}
