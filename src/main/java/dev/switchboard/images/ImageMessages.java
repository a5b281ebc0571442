package dev.switchboard.images;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

/** The text messages of image drop, as the contract spells them. */
final class ImageMessages {

    private ImageMessages() {
    }

    /** The contract's welcome, plus {@code maxBytes} (an extension) so a page can say what it accepts. */
    static String welcome(String room, int history, int maxBytes, String epoch, long offset, Boolean recovered) {
        JsonObjectBuilder welcome = Json.createObjectBuilder().add("type", "welcome").add("room", room)
                .add("history", history).add("maxBytes", maxBytes).add("epoch", epoch).add("offset", offset);
        if (recovered != null) {
            welcome.add("recovered", recovered);
        }
        return welcome.build().toString();
    }

    static String image(String id, String from, ImageType type, int bytes, long ts, long offset) {
        return Json.createObjectBuilder().add("type", "image").add("id", id).add("from", from).add("mime", type.mime())
                .add("bytes", bytes).add("ts", ts).add("offset", offset).build().toString();
    }

    static String ack(String id, ImageType type, int bytes) {
        return Json.createObjectBuilder().add("type", "ack").add("id", id).add("mime", type.mime()).add("bytes", bytes)
                .build().toString();
    }

}
