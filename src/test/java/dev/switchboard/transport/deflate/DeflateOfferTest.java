package dev.switchboard.transport.deflate;

import jakarta.websocket.Extension;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeflateOfferTest {

    private static List<Extension.Parameter> offer(String... nameValues) {
        List<Extension.Parameter> parameters = new ArrayList<>();
        for (String nameValue : nameValues) {
            int eq = nameValue.indexOf('=');
            String name = eq < 0 ? nameValue : nameValue.substring(0, eq);
            String value = eq < 0 ? null : nameValue.substring(eq + 1);
            parameters.add(new Extension.Parameter() {
                public String getName() {
                    return name;
                }

                public String getValue() {
                    return value;
                }
            });
        }
        return parameters;
    }

    @Test
    void aPlainOfferIsAcceptedWithContextTakeoverBothWays() {
        DeflateOffer.Agreement agreement = DeflateOffer.accept(offer()).orElseThrow();
        assertFalse(agreement.serverNoContextTakeover());
        assertFalse(agreement.clientNoContextTakeover());
        assertEquals("permessage-deflate", agreement.header());
    }

    @Test
    void noContextTakeoverIsHonouredAndAnsweredBothWays() {
        DeflateOffer.Agreement agreement = DeflateOffer.accept(
                offer("server_no_context_takeover", "client_no_context_takeover")).orElseThrow();
        assertTrue(agreement.serverNoContextTakeover());
        assertTrue(agreement.clientNoContextTakeover());
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover", agreement.header());
    }

    @Test
    void aServerWindowJavaCannotProduceDeclinesTheOffer() {
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("server_max_window_bits=10")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("server_max_window_bits=14")));
    }

    @Test
    void aServerWindowOfFifteenIsMet() {
        assertTrue(DeflateOffer.accept(offer("server_max_window_bits=15")).isPresent());
    }

    @Test
    void theClientsWindowLimitIsLeftOutOfTheAnswer() {
        assertEquals("permessage-deflate", DeflateOffer.accept(offer("client_max_window_bits")).orElseThrow().header());
        assertEquals("permessage-deflate", DeflateOffer.accept(offer("client_max_window_bits=10")).orElseThrow().header());
    }

    @Test
    void invalidOrUnknownOrDuplicateParametersDeclineTheOffer() {
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("client_max_window_bits=7")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("client_max_window_bits=016")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("server_max_window_bits")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("server_no_context_takeover=1")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("x_webkit_thing")));
        assertEquals(Optional.empty(), DeflateOffer.accept(offer("client_no_context_takeover", "client_no_context_takeover")));
    }

    @Test
    void aQuotedValueCounts() {
        assertTrue(DeflateOffer.accept(offer("server_max_window_bits=\"15\"")).isPresent());
    }
}
