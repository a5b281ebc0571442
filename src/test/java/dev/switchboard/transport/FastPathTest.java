package dev.switchboard.transport;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the adapter finds under a session, on stand-ins shaped like Tyrus's classes (a session's
 * {@code asyncRemote}, its {@code webSocket}, a public {@code sendRawFrame}) and like the things a
 * container may lack. The real Tyrus is {@link FastPathWireTest}'s.
 */
public class FastPathTest {

    /** Tyrus 2.1.4+: a public raw writer whose future is a CompletableFuture. */
    public static class Socket {
        final List<ByteBuffer> written = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> future = new CompletableFuture<>();

        public CompletableFuture<Void> sendRawFrame(ByteBuffer frame) {
            written.add(frame);
            return future;
        }
    }

    /** Tyrus before 2.1.4: the future is a plain Future. */
    public static class OldSocket {
        public Future<Void> sendRawFrame(ByteBuffer frame) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A socket with no raw writer at all. */
    public static class PlainSocket {
        public void sendText(String text) {
        }
    }

    /** Not public: nothing to reach from outside its package. */
    static class HiddenSocket {
        public CompletableFuture<Void> sendRawFrame(ByteBuffer frame) {
            return CompletableFuture.completedFuture(null);
        }
    }

    static class Remote {
        final Socket webSocket; // TyrusRemoteEndpoint.webSocket is package-private too

        Remote(Socket webSocket) {
            this.webSocket = webSocket;
        }
    }

    static class FakeSession {
        private final Object asyncRemote;

        FakeSession(Object asyncRemote) {
            this.asyncRemote = asyncRemote;
        }
    }

    // one class per shape of session: the adapter learns a kind of session once
    static final class TyrusLike extends FakeSession {
        TyrusLike(Socket socket) {
            super(new Remote(socket));
        }
    }

    static final class OldTyrusLike extends FakeSession {
        OldTyrusLike() {
            super(new OldRemote(new OldSocket()));
        }
    }

    static final class OldRemote {
        final OldSocket webSocket;

        OldRemote(OldSocket webSocket) {
            this.webSocket = webSocket;
        }
    }

    static final class NoRawWriter extends FakeSession {
        NoRawWriter() {
            super(new PlainRemote());
        }
    }

    static final class PlainRemote {
        final PlainSocket webSocket = new PlainSocket();
    }

    static final class HiddenWriter extends FakeSession {
        HiddenWriter() {
            super(new HiddenRemote());
        }
    }

    static final class HiddenRemote {
        final HiddenSocket webSocket = new HiddenSocket();
    }

    static final class NoSocketField extends FakeSession {
        NoSocketField() {
            super(new Object());
        }
    }

    static final class NotTyrus {
    }

    @Test
    void aTyrusSessionWithoutExtensionsWritesRawFrames() throws Exception {
        Socket socket = new Socket();
        FrameWriter writer = FastPath.resolve(new TyrusLike(socket), List.of(), true);
        assertNotNull(writer, FastPath.unavailable(new TyrusLike(socket)));
        ByteBuffer frame = ServerFrames.frame(ServerFrames.TEXT, new byte[] {'h', 'i'});
        CompletableFuture<?> written = writer.write(frame);
        assertSame(frame, socket.written.get(0));
        assertTrue(!written.isDone(), "done when the container says so, not before");
        socket.future.complete(null);
        assertTrue(written.isDone());
    }

    @Test
    void theKillSwitchSendsEverySessionThroughTheJakartaApi() {
        assertNull(FastPath.resolve(new TyrusLike(new Socket()), List.of(), false));
    }

    @Test
    void aSessionThatNegotiatedAnExtensionGetsFramesOfItsOwn() {
        assertNull(FastPath.resolve(new TyrusLike(new Socket()), List.of("permessage-deflate"), true));
    }

    @Test
    void aContainerThatIsNotTyrusUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new NotTyrus(), List.of(), true));
        assertTrue(FastPath.unavailable(new NotTyrus()).contains("not a Tyrus session"));
    }

    @Test
    void aRemoteEndpointWithoutItsWebSocketUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new NoSocketField(), List.of(), true));
        assertTrue(FastPath.unavailable(new NoSocketField()).contains("no webSocket field"));
    }

    @Test
    void aTyrusWithoutSendRawFrameUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new NoRawWriter(), List.of(), true));
        assertTrue(FastPath.unavailable(new NoRawWriter()).contains("sendRawFrame"));
    }

    @Test
    void aTyrusWhoseFutureIsNotACompletableFutureUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new OldTyrusLike(), List.of(), true));
        assertTrue(FastPath.unavailable(new OldTyrusLike()).contains("CompletableFuture"));
    }

    @Test
    void aRawWriterThatIsNotPublicUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new HiddenWriter(), List.of(), true));
        assertTrue(FastPath.unavailable(new HiddenWriter()).contains("not public"));
    }

    @Test
    void aSessionWhoseRemoteEndpointIsGoneUsesTheJakartaApi() {
        assertNull(FastPath.resolve(new FakeSession(null), List.of(), true));
        assertEquals("the session has no remote endpoint", FastPath.unavailable(new FakeSession(null)));
    }
}
