package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A server process this tool started: where it answers, and its process for CPU, RSS and heap. */
interface MeasuredServer {

    long pid();

    int port();

    /** {@code ws://127.0.0.1:PORT/CONTEXT/}, with the trailing slash. */
    String wsBase();

    /** The server's resident set, from /proc (0 where there is none). */
    default long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
