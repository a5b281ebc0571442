package dev.switchboard.xmpp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JidTest {

    @Test
    void parsesTheThreeParts() {
        Jid jid = Jid.parse("alice@example.org/desk top");
        assertEquals("alice", jid.local());
        assertEquals("example.org", jid.domain());
        assertEquals("desk top", jid.resource());
        assertEquals("alice@example.org/desk top", jid.toString());
        assertEquals(Jid.parse("alice@example.org"), jid.bare());
        assertTrue(Jid.parse("example.org").local() == null);
    }

    @Test
    void theLocalPartIsCaseFoldedAndWidthMappedTheDomainLowerCased() {
        assertEquals(Jid.parse("alice@example.org"), Jid.parse("ALICE@Example.ORG."));
        assertEquals("alice", Jid.parse("ａｌｉｃｅ@example.org").local()); // full-width letters (RFC 8265 width mapping)
    }

    @Test
    void aResourceMayHoldSlashesAndAtSigns() {
        assertEquals("a/b@c", Jid.parse("alice@example.org/a/b@c").resource());
    }

    @Test
    void refusesWhatRfc7622Forbids() {
        assertNull(Jid.parse(""));
        assertNull(Jid.parse("@example.org"));
        assertNull(Jid.parse("al ice@example.org"));
        assertNull(Jid.parse("al<ice@example.org"));
        assertNull(Jid.parse("alice@"));
        assertNull(Jid.parse("alice@example.org/"));
        assertNull(Jid.parse("alice@exa mple.org"));
        assertNull(Jid.parse("a\u0000b@example.org"));
        assertNull(Jid.parse("x".repeat(1024) + "@example.org"));
    }
}
