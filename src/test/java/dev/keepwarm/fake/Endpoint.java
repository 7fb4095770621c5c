package dev.keepwarm.fake;

import tools.jackson.databind.node.ObjectNode;

/**
 * The two native generation endpoints, which differ in request struct, capability verb
 * and content field.
 */
enum Endpoint {

    GENERATE("api.GenerateRequest", "generate"), CHAT("api.ChatRequest", "chat");

    private final String goStruct;

    private final String verb;

    Endpoint(String goStruct, String verb) {
        this.goStruct = goStruct;
        this.verb = verb;
    }

    String goStruct() {
        return goStruct;
    }

    /** As in Ollama's {@code "M" does not support generate}. */
    String verb() {
        return verb;
    }

    /**
     * Puts generated text where this endpoint's response carries it: "response" or
     * "message".
     */
    void putContent(ObjectNode response, String text) {
        if (this == GENERATE) {
            response.put("response", text);
        }
        else {
            response.putObject("message").put("role", "assistant").put("content", text);
        }
    }

}
