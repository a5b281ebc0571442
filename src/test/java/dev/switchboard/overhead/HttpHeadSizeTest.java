package dev.switchboard.overhead;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpHeadSizeTest {

    @Test
    void requestHeadIsStartLineFieldsAndBlankLine() {
        String head = "GET /overhead/poll HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
        assertEquals(head.length(), HttpHeadSize.request("GET", "/overhead/poll", "HTTP/1.1",
                List.of(Map.entry("Host", "a"), Map.entry("Accept", "*/*"))));
    }

    @Test
    void responseHeadIsStatusLineFieldsAndBlankLine() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        assertEquals(head.length(), HttpHeadSize.response("HTTP/1.1", 200, "OK", List.of(Map.entry("Content-Length", "5"))));
    }
}
