package dev.switchboard.images;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.bus.Position;
import dev.switchboard.bus.Replay;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.bus.Since;
import dev.switchboard.connection.Broadcast;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Image drop's rooms, each a channel ({@code images:ROOM}) whose log is the room's history:
 * bounded by {@code images.history} images per room and {@code images.history-bytes} over all
 * rooms (the oldest image anywhere goes first), forgotten {@code images.empty-room-ttl} after the
 * room's last member left. A newcomer is attached before the log is read, so it gets each image
 * exactly once — in its history or live — and history always first.
 */
public final class ImageRooms {

    /** An accepted image as its room's channel carries it; {@code senderKey} names the member it came from. */
    record Posted(String id, String from, ImageType type, byte[] data, long ts, String senderKey)
            implements ChannelEvent {
        @Override
        public boolean retained() {
            return true;
        }

        @Override
        public long bytes() {
            return data.length + 128L;
        }
    }

    /**
     * A member's place in a room: the caller sends {@code welcome}, then {@code history} (each an
     * image's two frames), then starts the attachment for live images.
     */
    public record Entered(FanOut.Attachment attachment, String welcome, List<Broadcast> history, Boolean recovered) {
    }

    /** The description-plus-bytes pair, the key of its one encoding per image. */
    private static final String FRAMES = "images-frames";

    private final MessageBus bus;
    private final FanOut fanOut;
    private final int historyLimit;
    private final int maxBytes;
    private final LongSupplier clock;
    private final MessageIds ids = new MessageIds();

    public ImageRooms(MessageBus bus, FanOut fanOut, int historyLimit, int maxBytes, LongSupplier clock) {
        this.bus = bus;
        this.fanOut = fanOut;
        this.historyLimit = historyLimit;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * How images cross between the nodes of a cluster: the description on the room's log, the
     * bytes beside it (a grid map that evicts, never the log).
     */
    public static final EventCodec CODEC = new EventCodec() {
        @Override
        public Encoded encode(ChannelEvent event) {
            Posted image = (Posted) event;
            return new Encoded(new EventBytes.Writer().string(image.id()).string(image.from())
                    .string(image.type().name()).number(image.ts()).string(image.senderKey()).bytes(), image.data());
        }

        @Override
        public ChannelEvent decode(byte[] head, byte[] body) {
            if (body == null) {
                throw new IllegalArgumentException("the image's bytes are no longer held");
            }
            EventBytes.Reader in = new EventBytes.Reader(head);
            return new Posted(in.string(), in.string(), ImageType.valueOf(in.string()), body, in.number(), in.string());
        }
    };

    /** A room's channel on the bus. */
    public static String channel(String room) {
        return "images:" + room;
    }

    /**
     * A member enters; {@code out} gets every image posted after its welcome, except its own.
     * {@code since} ({@code EPOCH:OFFSET}, or null) asks for exactly the images after that offset.
     */
    public Entered enter(String room, String memberKey, String since, Consumer<Broadcast> out) {
        String channel = channel(room);
        FanOut.Attachment attachment = fanOut.attach(channel, delivery -> {
            if (!memberKey.equals(((Posted) delivery.event().event()).senderKey())) {
                out.accept(delivery.encoded(FRAMES, ImageRooms::frames));
            }
        });
        try {
            Position at = attachment.position();
            Replay replay = bus.replay(channel, Since.parse(since), at, historyLimit);
            Boolean recovered = since == null ? null : Boolean.TRUE.equals(replay.recovered()); // unparsable: false
            String welcome = ImageMessages.welcome(room, replay.events().size(), maxBytes, at.epoch(), at.offset(),
                    recovered);
            return new Entered(attachment, welcome, replay.events().stream().map(ImageRooms::frames).toList(), recovered);
        } catch (RuntimeException e) {
            attachment.close(); // an entry that fails leaves nothing attached
            throw e;
        }
    }

    /** Whether the room's fan-out is too far behind to take another image now (see {@link FanOut#overloaded}). */
    public boolean busy(String room) {
        return fanOut.overloaded(channel(room));
    }

    /** An image the room took: its id and its place in the room ({@code offset}, for the sender's own recovery). */
    public record Accepted(String id, long offset) {
    }

    /** Stores an accepted image and sends it to every other member. */
    public Accepted publish(String room, String from, ImageType type, byte[] bytes, String senderKey) {
        String id = ids.next();
        Sequenced posted = bus.publish(channel(room), new Posted(id, from, type, bytes, clock.getAsLong(), senderKey));
        return new Accepted(id, posted == null ? 0 : posted.offset());
    }

    private static Broadcast frames(Sequenced sequenced) {
        Posted image = (Posted) sequenced.event();
        return new Broadcast(List.of(
                Broadcast.Text.of(ImageMessages.image(image.id(), image.from(), image.type(), image.data().length,
                        image.ts(), sequenced.offset())),
                new Broadcast.Binary(image.data())));
    }
}
