package dev.switchboard.standalone;

import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.glassfish.grizzly.http.server.StaticHttpHandlerBase;
import org.glassfish.grizzly.servlet.DefaultServlet;

import java.nio.file.Path;

/** The pages, served as a servlet so that the same filters apply to them as in the WAR. */
final class StaticFilesServlet extends DefaultServlet {

    private StaticFilesServlet(StaticHttpHandlerBase files) {
        super(files);
    }

    /** Files from a directory (a source checkout's src/main/webapp). */
    static StaticFilesServlet fromDirectory(Path directory) {
        StaticHttpHandler files = new StaticHttpHandler(directory.toAbsolutePath().toString());
        files.setFileCacheEnabled(false);
        return new StaticFilesServlet(files);
    }

    /** Files packed into the standalone jar under {@code webapp/}. */
    static StaticFilesServlet fromClasspath(ClassLoader loader, String prefix) {
        CLStaticHttpHandler files = new CLStaticHttpHandler(loader, prefix);
        files.setFileCacheEnabled(false);
        return new StaticFilesServlet(files);
    }
}
