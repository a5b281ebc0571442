package dev.switchboard.standalone;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request scanner as a pure function of the bytes, fed whole and one byte at a time. */
class HttpRequestScannerTest {

    private static HttpRequestScanner.Refusal feed(HttpRequestScanner scanner, String text, boolean byteByByte) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (!byteByByte) {
            return scanner.scan(i -> bytes[i], 0, bytes.length);
        }
        for (int i = 0; i < bytes.length; i++) {
            HttpRequestScanner.Refusal refusal = scanner.scan(j -> bytes[j], i, 1);
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    private static HttpRequestScanner scanner() {
        return new HttpRequestScanner(16 * 1024, 100);
    }

    @Test
    void pipelinedRequestsWithBodiesAreFollowedInAnySplit() {
        String requests = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /y HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nT: 1\r\n\r\n"
                + "GET /z?q={a}|b HTTP/1.0\r\n\r\n";
        for (boolean byteByByte : new boolean[] {false, true}) {
            HttpRequestScanner scanner = scanner();
            assertNull(feed(scanner, requests, byteByByte));
            assertEquals(4, scanner.completedRequests());
            assertFalse(scanner.inRequest());
        }
    }

    @Test
    void anUnfinishedRequestIsInProgressAndSoIsTheFirstBeforeAnyByte() {
        HttpRequestScanner scanner = scanner();
        assertTrue(scanner.inRequest());
        assertNull(feed(scanner, "GET / HTTP/1.1\r\nHost: a\r\n\r\nG", false));
        assertEquals(1, scanner.completedRequests());
        assertTrue(scanner.inRequest());
    }

    @Test
    void anUpgradeStopsTheScanning() {
        HttpRequestScanner scanner = scanner();
        assertNull(feed(scanner, "GET /echo HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n\r\n\u0081\u0000\0\n", false));
        assertTrue(scanner.upgraded());
        assertFalse(scanner.inRequest());
    }

    @Test
    void ambiguousFramingIsRefused() {
        String[] bad = {
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
            "PUT /echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
        };
        for (String request : bad) {
            HttpRequestScanner.Refusal refusal = feed(scanner(), request, true);
            assertEquals(400, refusal == null ? 0 : refusal.status(), request);
        }
        assertEquals(501, feed(scanner(), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false).status());
        assertEquals(505, feed(scanner(), "GET / HTTP/2.0\r\n\r\n", false).status());
    }

    @Test
    void headLimitsGive431() {
        assertEquals(431, feed(new HttpRequestScanner(64, 100), "GET / HTTP/1.1\r\nHost: a\r\nX: " + "a".repeat(64) + "\r\n\r\n", false).status());
        assertEquals(431, feed(new HttpRequestScanner(16 * 1024, 3), "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", false).status());
    }

    @Test
    void requestPathsGrizzlyCannotDecodeAreProblems() {
        assertNull(RequestPaths.problem("GET", "/css/../index.html"));
        assertNull(RequestPaths.problem("GET", "/caf%C3%A9"));
        assertNull(RequestPaths.problem("GET", "http://localhost:8080/health"));
        assertNull(RequestPaths.problem("OPTIONS", "*"));
        for (String path : new String[] {"/..", "/a/../../b", "/%2e%2e/x", "/%00", "/a%2fb", "/a%5cb", "/%c0%ae", "/%ff", "example.com:443"}) {
            assertTrue(RequestPaths.problem("GET", path) != null, path);
        }
    }
}
