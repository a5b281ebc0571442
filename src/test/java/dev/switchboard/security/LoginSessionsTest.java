package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginSessionsTest {

    private final AtomicLong now = new AtomicLong();
    private final LoginSessions sessions = new LoginSessions(Duration.ofHours(1), now::get);

    @Test
    void oneUserHoldsABoundedNumberOfSessionsAndANewLoginEndsTheOldest() {
        Identity alice = new Identity("alice", Set.of());
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < LoginSessions.MAX_PER_USER + 5; i++) {
            now.addAndGet(1_000);
            tokens.add(sessions.open(alice));
        }
        long live = tokens.stream().filter(t -> sessions.find(t).isPresent()).count();
        assertEquals(LoginSessions.MAX_PER_USER, live);
        assertTrue(sessions.find(tokens.get(0)).isEmpty(), "the oldest went first");
        assertTrue(sessions.find(tokens.get(tokens.size() - 1)).isPresent());
        String bob = sessions.open(new Identity("bob", Set.of()));
        assertTrue(sessions.find(bob).isPresent(), "another user is unaffected");
        assertTrue(sessions.find(tokens.get(tokens.size() - 1)).isPresent());
    }

    @Test
    void expiredSessionsAreGone() {
        String token = sessions.open(new Identity("alice", Set.of()));
        now.addAndGet(Duration.ofHours(2).toNanos());
        assertTrue(sessions.find(token).isEmpty());
    }
}
