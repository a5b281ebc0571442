package dev.switchboard.console;

import dev.switchboard.connection.StrictJson;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import jakarta.json.spi.JsonProvider;
import java.util.ArrayList;
import java.util.List;

/** The console's JSON both ways, as pure functions. */
public final class ConsoleCodec {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    /**
     * Longest target label, in characters. Every operator gets every label again whenever the
     * target list changes, so an unbounded label would let one target flood every operator.
     */
    public static final int MAX_LABEL = 100;
    /** A target's User-Agent is shown cut to this many characters, for the same reason. */
    public static final int MAX_AGENT = 200;

    private ConsoleCodec() {
    }

    public static ConsoleCommand decode(String json) throws ConsoleException {
        JsonObject object = parse(json);
        String type = string(object, "type", true);
        switch (type) {
            case "attach" -> {
                String role = string(object, "role", true);
                ConsoleCommand.Role parsed = switch (role) {
                    case "target" -> ConsoleCommand.Role.TARGET;
                    case "operator" -> ConsoleCommand.Role.OPERATOR;
                    default -> throw ConsoleException.badRequest("role must be target or operator");
                };
                String label = string(object, "label", false);
                if (label != null && label.codePointCount(0, label.length()) > MAX_LABEL) {
                    throw ConsoleException.badRequest("label is longer than " + MAX_LABEL + " characters");
                }
                return new ConsoleCommand.Attach(parsed, label == null ? "" : label);
            }
            case "eval" -> {
                List<String> to = null;
                JsonValue toValue = object.get("to");
                if (toValue != null && toValue != JsonValue.NULL) {
                    if (!(toValue instanceof JsonArray array)) {
                        throw ConsoleException.badRequest("'to' must be an array of target ids");
                    }
                    to = new ArrayList<>();
                    for (JsonValue id : array) {
                        if (!(id instanceof JsonString s)) {
                            throw ConsoleException.badRequest("'to' must be an array of target ids");
                        }
                        to.add(s.getString());
                    }
                }
                return new ConsoleCommand.Eval(id(object), string(object, "code", true), to);
            }
            case "result" -> {
                String value = string(object, "value", false);
                String error = string(object, "error", false);
                if (value == null && error == null) {
                    throw ConsoleException.badRequest("a result has a 'value' or an 'error'");
                }
                return new ConsoleCommand.Result(id(object), value, error);
            }
            default -> throw ConsoleException.badRequest("unknown type '" + (type.length() > 40 ? type.substring(0, 40) : type) + "'");
        }
    }

    // ---- server -> client --------------------------------------------------------------------------

    /** The User-Agent as shown to operators: at most {@link #MAX_AGENT} characters. */
    static String agent(String userAgent) {
        return userAgent.length() <= MAX_AGENT ? userAgent : userAgent.substring(0, MAX_AGENT) + "…";
    }

    static String attached(String id) {
        return JSON.createObjectBuilder().add("type", "attached").add("id", id).build().toString();
    }

    static String targets(List<ConsoleHub.TargetInfo> targets) {
        JsonArrayBuilder list = JSON.createArrayBuilder();
        for (ConsoleHub.TargetInfo t : targets) {
            list.add(JSON.createObjectBuilder().add("id", t.id()).add("label", t.label()).add("agent", t.agent())
                    .add("since", t.since()));
        }
        return JSON.createObjectBuilder().add("type", "targets").add("targets", list).build().toString();
    }

    static String pending(String id, int targets) {
        return JSON.createObjectBuilder().add("type", "pending").add("id", id).add("targets", targets).build().toString();
    }

    static String eval(String id, String code) {
        return JSON.createObjectBuilder().add("type", "eval").add("id", id).add("code", code).build().toString();
    }

    static String result(String id, String target, String value, String error) {
        JsonObjectBuilder result = JSON.createObjectBuilder().add("type", "result").add("id", id).add("target", target);
        if (error != null) {
            result.add("error", error);
        } else {
            result.add("value", value);
        }
        return result.build().toString();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static JsonObject parse(String json) throws ConsoleException {
        try {
            return StrictJson.parseObject(json);
        } catch (StrictJson.Invalid e) {
            throw ConsoleException.badRequest(e.getMessage());
        }
    }

    private static String string(JsonObject object, String field, boolean required) throws ConsoleException {
        JsonValue value = object.get(field);
        if (value == null || value == JsonValue.NULL) {
            if (required) {
                throw ConsoleException.badRequest("missing field '" + field + "'");
            }
            return null;
        }
        if (!(value instanceof JsonString s)) {
            throw ConsoleException.badRequest("field '" + field + "' must be a string");
        }
        return s.getString();
    }

    /** Request ids may be strings or numbers; they travel as strings. */
    private static String id(JsonObject object) throws ConsoleException {
        JsonValue value = object.get("id");
        if (value instanceof JsonString s) {
            return s.getString();
        }
        if (value != null && value.getValueType() == JsonValue.ValueType.NUMBER) {
            return value.toString();
        }
        throw ConsoleException.badRequest("missing field 'id'");
    }
}
