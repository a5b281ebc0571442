package dev.switchboard.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.io.ByteArrayOutputStream;

/**
 * A real WebSocket client (the JDK's java.net.http) that collects whole messages in a queue and
 * records how the connection closed.
 */
public final class WsClient implements AutoCloseable {

    /**
     * One client for every test connection: each {@link HttpClient} holds a selector (three file
     * descriptors) until it is garbage-collected, which made tests that count descriptors flaky.
     */
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** A received message: text or binary. */
    public record Message(String text, byte[] binary) {
        public boolean isText() {
            return text != null;
        }
    }

    /** How the server closed: code and reason. */
    public record Close(int code, String reason) {
    }

    private final WebSocket socket;
    private final BlockingQueue<Message> messages;
    private final CompletableFuture<Close> closed;

    private WsClient(WebSocket socket, BlockingQueue<Message> messages, CompletableFuture<Close> closed) {
        this.socket = socket;
        this.messages = messages;
        this.closed = closed;
    }

    public static WsClient connect(URI uri) {
        return connect(uri, java.util.Map.of());
    }

    public static WsClient connect(URI uri, String origin) {
        return connect(uri, origin == null ? java.util.Map.of() : java.util.Map.of("Origin", origin));
    }

    /** Connects with extra handshake headers (Origin, Authorization, Cookie, Sec-WebSocket-Protocol, …). */
    public static WsClient connect(URI uri, java.util.Map<String, String> headers) {
        return connect(CLIENT, uri, headers);
    }

    /** Connects through the given client (one that trusts a test certificate, for {@code wss}). */
    public static WsClient connect(HttpClient client, URI uri, java.util.Map<String, String> headers) {
        BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        CompletableFuture<Close> closed = new CompletableFuture<>();
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
                String[] offered = value.split("\\s*,\\s*");
                builder.subprotocols(offered[0], java.util.Arrays.copyOfRange(offered, 1, offered.length));
            } else {
                builder.header(name, value);
            }
        });
        WebSocket socket = builder.buildAsync(uri, new Collector(messages, closed)).join();
        return new WsClient(socket, messages, closed);
    }

    /** The HTTP status a refused handshake got (fails when the handshake succeeds). */
    public static int refusedStatus(URI uri, String origin) {
        return refusal(uri, origin == null ? java.util.Map.of() : java.util.Map.of("Origin", origin)).statusCode();
    }

    /** The HTTP response of a refused handshake (fails when the handshake succeeds). */
    public static java.net.http.HttpResponse<?> refusal(URI uri, java.util.Map<String, String> headers) {
        WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
                String[] offered = value.split("\\s*,\\s*");
                builder.subprotocols(offered[0], java.util.Arrays.copyOfRange(offered, 1, offered.length));
            } else {
                builder.header(name, value);
            }
        });
        try {
            WebSocket socket = builder.buildAsync(uri, new Collector(new LinkedBlockingQueue<>(), new CompletableFuture<>())).join();
            socket.abort();
            throw new AssertionError("handshake to " + uri + " succeeded");
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse();
            }
            throw e;
        }
    }

    public WsClient sendText(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public WsClient sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
        return this;
    }

    /**
     * Sends a message the server is expected to refuse by closing: the close may come while the
     * message is still being written (the standalone server judges a frame by its header), and
     * then the rest is not sent. Await the close code next.
     */
    public WsClient sendRefused(String text) {
        socket.sendText(text, true).exceptionally(cutOff -> null).join();
        return this;
    }

    /**
     * The close after {@link #sendRefused}: the server's code, or 1006 when this client's own write
     * failed on the closed connection before it read the server's close frame (the JDK client then
     * reports an error, not the close). Tests check the server's count of its close code as well.
     */
    public int awaitRefusalCode() throws InterruptedException {
        return awaitClose().code();
    }

    /** {@link #sendRefused(String)} for a binary message. */
    public WsClient sendRefused(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).exceptionally(cutOff -> null).join();
        return this;
    }

    public Message next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    public Message next(Duration timeout) throws InterruptedException {
        Message message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + timeout.toSeconds() + " s");
        }
        return message;
    }

    public String nextText() throws InterruptedException {
        Message message = next();
        if (!message.isText()) {
            throw new AssertionError("expected text, got " + message.binary().length + " binary bytes");
        }
        return message.text();
    }

    /** The messages already received and not yet taken, without waiting. */
    public java.util.List<Message> drain() {
        java.util.List<Message> all = new java.util.ArrayList<>();
        messages.drainTo(all);
        return all;
    }

    /** Waits for the server to close the connection. */
    public Close awaitClose() throws InterruptedException {
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("connection not closed by the server within 10 s", e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public void closeNormally() {
        socket.sendClose(1000, "done").join();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<Message> messages;
        private final CompletableFuture<Close> closed;
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Collector(BlockingQueue<Message> messages, CompletableFuture<Close> closed) {
            this.messages = messages;
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(new Message(text.toString(), null));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                messages.add(new Message(null, binary.toByteArray()));
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Close(1006, String.valueOf(error)));
        }
    }
}
