package dev.switchboard.connection;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;

import java.io.StringReader;
import java.util.Map;

/**
 * The JSON every text endpoint (chat, console) accepts: exactly one object, and no string — key or
 * value — holding an unpaired surrogate. JSON allows the escape {@code "\ud800"} (RFC 8259 §8.2
 * calls such strings "unpredictable"), but it has no UTF-8 form (RFC 3629 §3), so text carrying it
 * could never be sent on to anyone; it is refused here, before any state changes.
 */
public final class StrictJson {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    /** Why a text is not acceptable JSON; {@link #getMessage()} is the detail for the client. */
    public static final class Invalid extends Exception {
        Invalid(String detail) {
            super(detail, null, false, false);
        }
    }

    private StrictJson() {
    }

    public static JsonObject parseObject(String json) throws Invalid {
        JsonObject object;
        try (JsonParser parser = JSON.createParser(new StringReader(json))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw new Invalid("a message is one JSON object");
            }
            object = parser.getObject();
            if (parser.hasNext()) {
                throw new Invalid("a message is one JSON object, with nothing after it");
            }
        } catch (Invalid e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // JSON-P reports bad syntax, and nesting beyond its depth limit, as runtime errors
            throw new Invalid("not valid JSON");
        }
        requireWellFormed(object);
        return object;
    }

    private static void requireWellFormed(JsonValue value) throws Invalid {
        if (value instanceof JsonString string) {
            requireWellFormed(string.getString());
        } else if (value instanceof JsonObject object) {
            for (Map.Entry<String, JsonValue> field : object.entrySet()) {
                requireWellFormed(field.getKey());
                requireWellFormed(field.getValue());
            }
        } else if (value instanceof JsonArray array) {
            for (JsonValue item : array) {
                requireWellFormed(item);
            }
        }
    }

    private static void requireWellFormed(String text) throws Invalid {
        if (!Utf8.isWellFormed(text)) {
            throw new Invalid("a string holds an unpaired surrogate (not representable in UTF-8)");
        }
    }
}
