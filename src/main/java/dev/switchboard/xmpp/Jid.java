package dev.switchboard.xmpp;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Normalizer2;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An XMPP address, {@code [local@]domain[/resource]} (RFC 7622). The local part is compared as
 * PRECIS's UsernameCaseMapped profile takes it (RFC 8265 §3.3: width-mapped by NFKC, case-folded,
 * NFC), the domain in lower case, the resource as given (NFC). Each part is at most 1023 bytes
 * (RFC 7622 §3.2–3.4).
 */
public record Jid(String local, String domain, String resource) {

    private static final int MAX_PART_BYTES = 1023;
    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();
    private static final Normalizer2 NFC = Normalizer2.getNFCInstance();
    /** RFC 7622 §3.3.1: characters a local part may not hold. */
    private static final String LOCAL_FORBIDDEN = "\"&'/:<>@";

    /** The address, or null when it is not one. */
    public static Jid parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int slash = text.indexOf('/');
        String bare = slash < 0 ? text : text.substring(0, slash);
        String resource = slash < 0 ? null : text.substring(slash + 1);
        int at = bare.indexOf('@');
        String local = at < 0 ? null : bare.substring(0, at);
        String domain = at < 0 ? bare : bare.substring(at + 1);
        try {
            return of(local, domain, resource);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An address from its parts, each checked and normalised; throws for a part that is not allowed. */
    public static Jid of(String local, String domain, String resource) {
        return new Jid(local == null ? null : local(local), domain(domain), resource == null ? null : resource(resource));
    }

    /** A local part as it is compared (RFC 8265 UsernameCaseMapped); throws when not allowed. */
    public static String local(String local) {
        String mapped = NFC.normalize(UCharacter.foldCase(NFKC.normalize(local), true));
        if (mapped.isEmpty() || tooLong(mapped)) {
            throw new IllegalArgumentException("a local part has 1 to 1023 bytes");
        }
        for (int i = 0; i < mapped.length(); ) {
            int c = mapped.codePointAt(i);
            if (LOCAL_FORBIDDEN.indexOf(c) >= 0 || Character.isWhitespace(c) || Character.isSpaceChar(c)
                    || Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.UNASSIGNED) {
                throw new IllegalArgumentException(String.format("a local part may not hold U+%04X", c));
            }
            i += Character.charCount(c);
        }
        return mapped;
    }

    private static String domain(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1); // RFC 7622 §3.2: a trailing dot is stripped
        }
        if (lower.isEmpty() || tooLong(lower)) {
            throw new IllegalArgumentException("a domain has 1 to 1023 bytes");
        }
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c <= ' ' || "@/\"&'<>:".indexOf(c) >= 0 && !(c == ':' && lower.startsWith("["))) {
                throw new IllegalArgumentException("not a domain");
            }
        }
        return lower;
    }

    private static String resource(String resource) {
        String normal = NFC.normalize(resource);
        if (normal.isEmpty() || tooLong(normal)) {
            throw new IllegalArgumentException("a resource has 1 to 1023 bytes");
        }
        for (int i = 0; i < normal.length(); ) {
            int c = normal.codePointAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.UNASSIGNED) {
                throw new IllegalArgumentException(String.format("a resource may not hold U+%04X", c));
            }
            i += Character.charCount(c);
        }
        return normal;
    }

    private static boolean tooLong(String part) {
        return part.length() > MAX_PART_BYTES || part.getBytes(StandardCharsets.UTF_8).length > MAX_PART_BYTES;
    }

    public Jid bare() {
        return resource == null ? this : new Jid(local, domain, null);
    }

    public Jid withResource(String resource) {
        return new Jid(local, domain, resource(resource));
    }

    public boolean isBare() {
        return resource == null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (local != null) {
            out.append(local).append('@');
        }
        out.append(domain);
        if (resource != null) {
            out.append('/').append(resource);
        }
        return out.toString();
    }
}
