package dev.keepwarm.warmer;

/** Why the warmer pings a model. */
public enum PingPurpose implements dev.keepwarm.policy.Tagged {

    /** To load it, or to re-arm a keep-alive that is not the rule's. */
    WARM,
    /**
     * To check a model /api/ps lists as pinned: a crashed runner stays listed (Ollama
     * #17428/#17509), and only a request makes Ollama notice and reload it, so keepwarm
     * asks before a user does.
     */
    VERIFY

}
