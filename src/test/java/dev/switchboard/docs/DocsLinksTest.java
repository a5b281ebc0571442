package dev.switchboard.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README and docs/ link only inside the repository, and every link they make leads somewhere. */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyLinkInTheReadmeAndDocsIsARelativePathThatExists() throws Exception {
        List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(documents::add);
        }
        assertTrue(Files.exists(Path.of("docs", "protocol.md")), "the protocol reference is in the repository");
        List<String> bad = new ArrayList<>();
        for (Path document : documents) {
            Matcher m = LINK.matcher(Files.readString(document));
            while (m.find()) {
                String target = m.group(1);
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                if (target.contains("://") || target.startsWith("//") || target.contains("../shared")) {
                    bad.add(document + ": " + target + " leads outside the repository");
                } else if (!file.isEmpty() && !Files.exists(document.getParent() == null ? Path.of(file)
                        : document.getParent().resolve(file))) {
                    bad.add(document + ": " + target + " does not exist");
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
