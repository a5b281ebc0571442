package dev.switchboard.stomp;

import dev.switchboard.connection.Broadcast;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A STOMP client of a broker without a server: frames in as text ({@code ^@} for NUL), frames out decoded. */
final class TestStompClient implements StompSession.Transport {

    private final List<Broadcast.Frame> raw = new ArrayList<>();
    final StompSession session;
    volatile int closedWith;

    TestStompClient(StompBroker broker) {
        session = broker.open(this, StompSecurity.open());
    }

    /** A client connected with STOMP 1.2, and {@code client-id} when not null. */
    static TestStompClient connected(StompBroker broker, String clientId) throws StompException {
        TestStompClient client = new TestStompClient(broker);
        client.in("CONNECT\naccept-version:1.2\nhost:x\n" + (clientId == null ? "" : "client-id:" + clientId + "\n")
                + "\n^@");
        assertEquals(StompCommand.CONNECTED, client.frames().get(0).command());
        client.clear();
        return client;
    }

    @Override
    public synchronized void send(Broadcast.Frame frame) {
        raw.add(frame);
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code;
    }

    @Override
    public long lastHeardNanos() {
        return System.nanoTime();
    }

    TestStompClient in(String frames) throws StompException {
        session.receive(ByteBuffer.wrap(frames.replace("^@", "\0").getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    synchronized List<StompFrame> frames() {
        List<StompFrame> frames = new ArrayList<>();
        StompDecoder decoder = new StompDecoder(Integer.MAX_VALUE, 1000, 100000);
        decoder.version(StompVersion.V1_2);
        for (Broadcast.Frame frame : raw) {
            byte[] bytes = frame instanceof Broadcast.Text t ? t.text().getBytes(StandardCharsets.UTF_8)
                    : ((Broadcast.Binary) frame).data();
            try {
                frames.addAll(decoder.decode(ByteBuffer.wrap(bytes)));
            } catch (StompException e) {
                throw new AssertionError(e);
            }
        }
        return frames;
    }

    List<StompFrame> messages() {
        return frames().stream().filter(f -> f.command() == StompCommand.MESSAGE).collect(Collectors.toList());
    }

    List<String> bodies() {
        return messages().stream().map(StompFrame::bodyText).collect(Collectors.toList());
    }

    /** ACKs a MESSAGE by its STOMP 1.2 {@code ack} header. */
    TestStompClient ack(StompFrame message) throws StompException {
        return in("ACK\nid:" + message.header("ack") + "\n\n^@");
    }

    synchronized void clear() {
        raw.clear();
    }
}
