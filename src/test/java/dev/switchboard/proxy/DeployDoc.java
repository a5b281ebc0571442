package dev.switchboard.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy configurations of docs/deploy.md, as the tests run them: the fenced block after a
 * {@code <!-- NAME: ... -->} marker, with the few values a test must change (ports, paths,
 * timeouts) replaced — each replacement must find its text, so the document and the test
 * cannot drift apart unnoticed.
 */
final class DeployDoc {

    private String text;

    private DeployDoc(String text) {
        this.text = text;
    }

    static DeployDoc block(String marker) {
        String doc;
        try {
            doc = Files.readString(Path.of("docs", "deploy.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("<!-- " + Pattern.quote(marker) + ":[^>]*-->\\s*```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(doc);
        if (!m.find()) {
            throw new AssertionError("docs/deploy.md has no block marked " + marker);
        }
        return new DeployDoc(m.group(1));
    }

    /** Replaces the literal {@code from} (which must be there) with {@code to}. */
    DeployDoc replace(String from, String to) {
        if (!text.contains(from)) {
            throw new AssertionError("docs/deploy.md's block no longer contains '" + from + "':\n" + text);
        }
        text = text.replace(from, to);
        return this;
    }

    /** Replaces every match of {@code regex} (at least one) with {@code to}, taken literally. */
    DeployDoc replaceAll(String regex, String to) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE | Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError("docs/deploy.md's block no longer matches '" + regex + "':\n" + text);
        }
        text = m.replaceAll(Matcher.quoteReplacement(to));
        return this;
    }

    String text() {
        return text;
    }
}
