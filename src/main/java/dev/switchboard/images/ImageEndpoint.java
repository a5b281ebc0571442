package dev.switchboard.images;

import dev.switchboard.bus.FanOut;
import dev.switchboard.connection.ErrorCode;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.RoomNames;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.SecurityPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.EndpointConfig;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@code images/{room}}: a binary message is an image for every other member of the room. The
 * connection's transport limit sits 1 MiB above {@code images.max-bytes}, so an image that is too
 * large gets a {@code too-large} error and only far larger messages close with 1009.
 */
public final class ImageEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/images/{room}";
    public static final int TRANSPORT_MARGIN = 1024 * 1024;
    private static final String ANONYMOUS = "anonymous";

    private final ImageRooms rooms;
    private final ImageDecoder decoder = new ImageDecoder();
    private final int maxBytes;
    private final FloodGuard flood;
    private final SecurityPolicy security;
    private Connection connection;
    private String from = ANONYMOUS;
    private String room;
    private String key;
    private FanOut.Attachment entry;

    public ImageEndpoint(EndpointContext context, ImageRooms rooms, int maxBytes, FloodGuard flood,
                         SecurityPolicy security) {
        super(context);
        this.rooms = rooms;
        this.maxBytes = maxBytes;
        this.flood = flood;
        this.security = security;
    }

    @Override
    protected synchronized void onConnect(Connection connection, EndpointConfig config) {
        this.connection = connection;
        this.room = connection.handshake().path().get("room");
        if (!RoomNames.isValid(room)) {
            connection.close(1008, RoomNames.BAD_ROOM_NAME);
            return;
        }
        this.key = "images:" + connection.id();
        if (security.isOn()) {
            from = connection.identity().name();
        }
        if (!security.allows(connection.identity(), "images", room)) {
            // not a member: sees nothing, and every upload is refused
            connection.reply(ErrorCode.FORBIDDEN, "not allowed in room " + room);
            connection.onBinary(data -> refuse(ErrorCode.FORBIDDEN, "not allowed in room " + room));
            connection.onText(text -> connection.admit(flood, () -> { }));
            return;
        }
        List<String> sinces = connection.handshake().query().get("since");
        String since = sinces == null || sinces.isEmpty() ? null : sinces.get(0);
        ImageRooms.Entered entered = rooms.enter(room, key, since, connection::deliver);
        entry = entered.attachment();
        if (entered.recovered() != null) {
            connection.metrics().recovery(entered.recovered());
        }
        connection.sendText(entered.welcome());
        entered.history().forEach(connection::deliver);
        entry.start(); // live images from the welcome's offset on
        connection.onBinary(this::onImage);
        connection.onText(text -> connection.admit(flood, () -> { })); // ignored, as the contract says, but rate-limited
    }

    private void onImage(ByteBuffer data) {
        if (!connection.admit(flood)) {
            return;
        }
        int size = data.remaining();
        if (size > maxBytes) {
            refuse(ErrorCode.TOO_LARGE, ImageSizes.tooLarge(size, maxBytes));
            return;
        }
        ImageDecoder.Image image;
        try {
            image = decoder.decode(data);
        } catch (DecodeException e) {
            refuse(ErrorCode.NOT_AN_IMAGE, "not a PNG, JPEG, GIF or WebP image");
            return;
        }
        if (rooms.busy(room)) {
            refuse(ErrorCode.RATE_LIMITED, "the room is busy delivering; try again in a moment");
            return;
        }
        connection.metrics().request(image.type().mime());
        ImageRooms.Accepted accepted = rooms.publish(room, from, image.type(), image.bytes(), key);
        connection.sendText(ImageMessages.ack(accepted.id(), image.type(), image.bytes().length, accepted.offset()));
    }

    private void refuse(ErrorCode code, String detail) {
        connection.refuse(flood, code, detail);
    }

    @Override
    protected synchronized void onDisconnect(Connection connection, CloseReason reason) {
        if (entry != null) {
            entry.close();
            entry = null;
        }
    }
}
