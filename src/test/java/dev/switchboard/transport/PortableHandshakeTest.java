package dev.switchboard.transport;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The servlet filter that stands in for Tyrus's handshake refusals and client address elsewhere. */
class PortableHandshakeTest {

    private final PortableHandshake filter = new PortableHandshake();

    /** What the filter did to the response. */
    private static final class Answer {
        final Map<String, String> headers = new LinkedHashMap<>();
        int status = 101;
        boolean reset;
        boolean committed;
        int contentLength = -1;
    }

    private static HttpServletRequest request(String upgrade) {
        return (HttpServletRequest) Proxy.newProxyInstance(PortableHandshakeTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> "Upgrade".equalsIgnoreCase((String) args[0]) ? upgrade : null;
                    case "getRemoteAddr" -> "192.0.2.7";
                    default -> null;
                });
    }

    private static HttpServletResponse response(Answer answer) {
        return (HttpServletResponse) Proxy.newProxyInstance(PortableHandshakeTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "isCommitted" -> {
                            return answer.committed;
                        }
                        case "reset" -> {
                            answer.reset = true;
                            answer.headers.clear();
                            answer.status = 200;
                        }
                        case "setStatus" -> answer.status = (Integer) args[0];
                        case "setHeader" -> answer.headers.put((String) args[0], (String) args[1]);
                        case "setContentLength" -> answer.contentLength = (Integer) args[0];
                        default -> {
                        }
                    }
                    return null;
                });
    }

    private static RuntimeException refusal(int status) {
        return new PortableHandshake.Refused(status, "refused", Map.of("Retry-After", "30", "X-Frame-Options", "DENY"));
    }

    @Test
    void theClientAddressIsLentToTheHandshakeOnlyForAnUpgrade() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("unset");
        FilterChain chain = (req, res) -> seen.set(PortableHandshake.clientAddress());
        filter.doFilter(request("websocket"), response(new Answer()), chain);
        assertEquals("192.0.2.7", seen.get());
        assertNull(PortableHandshake.clientAddress(), "gone after the request");
        filter.doFilter(request(null), response(new Answer()), chain);
        assertNull(seen.get());
    }

    @Test
    void aRefusalWrappedByTheContainerIsAnsweredWithItsStatusAndHeaders() throws Exception {
        Answer answer = new Answer();
        answer.headers.put("Upgrade", "websocket");
        FilterChain chain = (req, res) -> {
            throw new ServletException(new IllegalStateException(refusal(429)));
        };
        filter.doFilter(request("websocket"), response(answer), chain);
        assertTrue(answer.reset, "the container's 101 goes");
        assertEquals(429, answer.status);
        assertEquals(Map.of("Retry-After", "30", "X-Frame-Options", "DENY", "Connection", "close"), answer.headers);
        assertEquals(0, answer.contentLength);
    }

    @Test
    void anythingElseOrAnAnswerAlreadyGoneIsTheContainersToReport() {
        IOException broken = new IOException("broken pipe");
        IOException thrown = assertThrows(IOException.class,
                () -> filter.doFilter(request("websocket"), response(new Answer()), (req, res) -> {
                    throw broken;
                }));
        assertSame(broken, thrown);
        Answer committed = new Answer();
        committed.committed = true;
        assertThrows(RuntimeException.class, () -> filter.doFilter(request("websocket"), response(committed), (req, res) -> {
            throw refusal(403);
        }));
        assertEquals(101, committed.status);
    }
}
