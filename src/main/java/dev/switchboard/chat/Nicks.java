package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;

/**
 * What a nick may be, and when two nicks are the same one. A nick is taken in NFKC form (UAX #15),
 * so full-width or ligature spellings become the plain letters; it may not hold control, format
 * (zero-width space, soft hyphen, BOM) or bidi-control characters (RTL override, isolates), which
 * make a name look like another; and two nicks are the same when their UTS #39 confusable
 * skeletons match, ignoring case — Cyrillic {@code аdmin} is {@code ADMIN}.
 */
final class Nicks {

    static final int MAX_LENGTH = 32;

    private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();
    private static final SpoofChecker SKELETONS = new SpoofChecker.Builder().build();

    private Nicks() {
    }

    /** The nick as it will be shown: NFKC, validated. */
    static String normalise(String nick) throws ChatException {
        String normal = NFKC.normalize(nick);
        int length = normal.codePointCount(0, normal.length());
        if (length < 1 || length > MAX_LENGTH || normal.isBlank()) {
            throw bad("nick must be 1 to " + MAX_LENGTH + " characters");
        }
        if (!normal.equals(normal.strip())) {
            throw bad("nick must not start or end with spaces");
        }
        for (int i = 0; i < normal.length(); ) {
            int c = normal.codePointAt(i);
            if (Character.isISOControl(c)) {
                throw bad("nick must not contain control characters");
            }
            int type = Character.getType(c);
            // Cf covers zero-width characters, soft hyphen, BOM and every bidi control (U+202A–E, U+2066–9)
            if (type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE || UCharacter.hasBinaryProperty(c, com.ibm.icu.lang.UProperty.BIDI_CONTROL)
                    || UCharacter.hasBinaryProperty(c, com.ibm.icu.lang.UProperty.DEFAULT_IGNORABLE_CODE_POINT)) {
                throw bad(String.format("nick must not contain invisible or format characters (U+%04X)", c));
            }
            i += Character.charCount(c);
        }
        return normal;
    }

    /** A nick as a client names another member (a private message's {@code to}): only normalised. */
    static String lookup(String nick) {
        return NFKC.normalize(nick);
    }

    /** Two nicks are the same nick exactly when their keys are equal. */
    static String key(String normalisedNick) {
        String folded = UCharacter.foldCase(normalisedNick, true);
        return UCharacter.foldCase(SKELETONS.getSkeleton(folded), true);
    }

    private static ChatException bad(String detail) {
        return new ChatException(ErrorCode.BAD_REQUEST, detail);
    }
}
