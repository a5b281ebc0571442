package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
import dev.switchboard.connection.Broadcast;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.RoomNames;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.Identity;
import dev.switchboard.security.OperatorPolicy;
import dev.switchboard.security.SecurityPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

/**
 * {@code chat/{room}}: translates JSON text messages into calls on the room and errors into the
 * contract's {@code error} replies. One instance per connection.
 */
public final class ChatEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/chat/{room}";

    private final ChatRooms rooms;
    private final ChatCodec codec;
    private final FloodGuard flood;
    private final SecurityPolicy security;
    private Connection connection;
    private ChatMember member;
    private String roomName;
    private ChatRoom room;
    private boolean disconnected;

    public ChatEndpoint(EndpointContext context, ChatRooms rooms, ChatCodec codec, FloodGuard flood,
                        SecurityPolicy security) {
        super(context);
        this.rooms = rooms;
        this.codec = codec;
        this.flood = flood;
        this.security = security;
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        this.connection = connection;
        this.roomName = connection.handshake().path().get("room");
        if (!RoomNames.isValid(roomName)) {
            connection.close(1008, RoomNames.BAD_ROOM_NAME);
            return;
        }
        String key = "chat:" + connection.id();
        this.member = new ChatMember() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public void send(Broadcast message) {
                connection.deliver(message);
            }
        };
        connection.onText(this::onText);
        connection.onBinary(data -> refuse(new ChatException(ErrorCode.BAD_REQUEST, "chat messages are JSON text")));
    }

    private void onText(String text) {
        if (!connection.admit(flood)) {
            return;
        }
        try {
            handle(codec.decode(text));
        } catch (ChatException e) {
            refuse(e);
        }
    }

    // Per-connection lock: the departure runs on another thread and may come while a join is being
    // handled; a join must never outlive its connection.
    private synchronized void handle(ChatCommand command) throws ChatException {
        if (disconnected) {
            return;
        }
        connection.metrics().request(ChatCodec.typeOf(command));
        if (command instanceof ChatCommand.Ping ping) {
            connection.sendText(codec.encode(new ChatEvent.Pong(ping.id())));
        } else if (command instanceof ChatCommand.Join join) {
            if (room != null) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "already joined");
            }
            if (!security.allows(connection.identity(), "chat", roomName)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "not allowed in room " + roomName);
            }
            mayUseNick(join.nick());
            ChatRoom.Joined joined = rooms.join(roomName, member, join);
            room = joined.room();
            if (joined.recovered() != null) {
                connection.metrics().recovery(joined.recovered());
            }
            connection.deliver(joined.welcomeJson());
            joined.attachment().start(); // what the room said since the welcome's offset, then live
        } else if (command instanceof ChatCommand.Say say) {
            joinedRoom().say(member, say.text());
        } else if (command instanceof ChatCommand.Whisper whisper) {
            joinedRoom().whisper(member, whisper.to(), whisper.text());
        } else if (command instanceof ChatCommand.SetPresence presence) {
            joinedRoom().setPresence(member, presence.presence(), presence.status());
        } else if (command instanceof ChatCommand.Typing) {
            joinedRoom().typing(member);
        }
    }

    /**
     * With security on a nick is the user's own name, so nobody speaks as someone else; operators
     * (who run the place) may use any nick. The name is compared as the codec normalised the nick.
     */
    private void mayUseNick(String nick) throws ChatException {
        if (!security.isOn()) {
            return;
        }
        Identity identity = connection.identity();
        if (identity != null && identity.hasRole(OperatorPolicy.OPERATOR_ROLE)) {
            return;
        }
        String own = identity == null ? null : Nicks.lookup(identity.name());
        if (!nick.equals(own)) {
            throw new ChatException(ErrorCode.FORBIDDEN, own == null ? "log in to chat"
                    : "you are logged in as " + own + ": your nick is " + own + " (only operators may choose another)");
        }
    }

    private ChatRoom joinedRoom() throws ChatException {
        if (room == null) {
            throw new ChatException(ErrorCode.NOT_JOINED, "send join first");
        }
        return room;
    }

    private void refuse(ChatException e) {
        connection.refuse(flood, e.error(), e.detail());
    }

    @Override
    protected synchronized void onDisconnect(Connection connection, CloseReason reason) {
        disconnected = true;
        if (room != null) {
            rooms.leave(room, member);
            room = null;
        }
    }
}
