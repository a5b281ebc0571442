package dev.switchboard.standalone;

import dev.switchboard.security.UserStore;
import dev.switchboard.security.scram.ScramHash;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashPasswordTest {

    @Test
    void theEntryItPrintsParsesBackAndServesEveryMechanism() throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream("s3cret pass\n".getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            HashPassword.main(new String[0]);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        String entry = printed.toString(StandardCharsets.UTF_8).trim();
        assertTrue(entry.matches("\\{bcrypt}\\$2a\\$12\\$[^{]+\\{scram-sha-256}10000\\$[^{]+\\{scram-sha-1}10000\\$[^{]+"), entry);
        UserStore users = UserStore.parse(List.of("alice:" + entry + ":user"), null);
        assertTrue(users.verify("alice", "s3cret pass").isPresent());
        assertFalse(users.verify("alice", "s3cret pas").isPresent());
        for (ScramHash hash : ScramHash.values()) {
            assertTrue(users.scramUser("alice", hash).orElseThrow().secret().matches("s3cret pass"), hash.mechanism());
        }
        assertEquals(1, users.size());
    }
}
