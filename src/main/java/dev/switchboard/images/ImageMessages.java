package dev.switchboard.images;

import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;

/** The text messages of image drop, as the contract spells them. */
final class ImageMessages {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    private ImageMessages() {
    }

    /** The contract's welcome, plus {@code maxBytes} (an extension) so a page can say what it accepts. */
    static String welcome(String room, int history, int maxBytes, String epoch, long offset, Boolean recovered) {
        JsonObjectBuilder welcome = JSON.createObjectBuilder().add("type", "welcome").add("room", room)
                .add("history", history).add("maxBytes", maxBytes).add("epoch", epoch).add("offset", offset);
        if (recovered != null) {
            welcome.add("recovered", recovered);
        }
        return welcome.build().toString();
    }

    static String image(String id, String from, ImageType type, int bytes, long ts, long offset) {
        return JSON.createObjectBuilder().add("type", "image").add("id", id).add("from", from).add("mime", type.mime())
                .add("bytes", bytes).add("ts", ts).add("offset", offset).build().toString();
    }

    /** The contract's ack, plus {@code offset} (an extension): the sender's own place to recover from. */
    static String ack(String id, ImageType type, int bytes, long offset) {
        return JSON.createObjectBuilder().add("type", "ack").add("id", id).add("mime", type.mime()).add("bytes", bytes)
                .add("offset", offset).build().toString();
    }

}
