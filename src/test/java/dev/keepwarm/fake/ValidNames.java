package dev.keepwarm.fake;

import java.util.regex.Pattern;

/**
 * Ollama's {@code model.Name.IsValid}: {@code [host/][namespace/]model[:tag]}, each part
 * starting with a letter, digit or underscore; dots are not allowed in a namespace, and a
 * colon only in the host.
 */
final class ValidNames {

    private static final Pattern NAME = Pattern
        .compile("^(?:(\\w[\\w.:-]{0,349})/)?(?:(\\w[\\w-]{0,79})/)?(\\w[\\w.-]{0,79})(?::(\\w[\\w.-]{0,79}))?$");

    private ValidNames() {
    }

    static boolean valid(String name) {
        return NAME.matcher(name).matches();
    }

    /** The file of a model's manifest under Ollama's models directory. */
    static String manifestPath(String name) {
        String key = ModelNames.key(name);
        int colon = key.lastIndexOf(':');
        return Blobs.MODELS_DIR + "/manifests/" + key.substring(0, colon) + "/" + key.substring(colon + 1);
    }

}
