package dev.keepwarm.policy;

/** How a rule's keep-alive combines with the one a client sends. */
public enum Mode {

    /** Send the rule's value whatever the client sent. */
    OVERRIDE,
    /** Send the client's value when present, else the rule's. */
    FILL,
    /**
     * Take the client's value (or the rule's when absent) and clamp it into [min, max];
     * forever is infinitely long.
     */
    CLAMP,
    /**
     * Send the keep-alive learned from the model's own idle times (keepwarm.adaptive);
     * the rule's keep-alive while they are too few to trust. The client's value is
     * replaced, except an explicit unload, which follows allow-unload.
     */
    ADAPTIVE

}
