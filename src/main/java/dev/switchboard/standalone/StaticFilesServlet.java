package dev.switchboard.standalone;

import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.glassfish.grizzly.http.server.StaticHttpHandlerBase;
import org.glassfish.grizzly.servlet.DefaultServlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The pages, served as a servlet so that the same filters apply to them as in the WAR. */
final class StaticFilesServlet extends DefaultServlet {

    /** WebJars (stomp.js) live in jars under META-INF/resources, as servlet containers serve them. */
    private final DefaultServlet webjars = new DefaultServlet(new CLStaticHttpHandler(
            StaticFilesServlet.class.getClassLoader(), "/META-INF/resources/")) { };

    private StaticFilesServlet(StaticHttpHandlerBase files) {
        super(files);
    }

    @Override
    public void init(jakarta.servlet.ServletConfig config) throws ServletException {
        super.init(config);
        webjars.init(config);
    }

    /** WEB-INF and META-INF are the application's own, never pages (as in any servlet container). */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length()).toUpperCase(Locale.ROOT);
        if (path.startsWith("/WEB-INF") || path.startsWith("/META-INF")) {
            response.sendError(404);
            return;
        }
        if (path.startsWith("/WEBJARS/")) {
            webjars.service(request, response);
            return;
        }
        super.service(request, response);
    }

    /** Files from directories, the first that has a file wins (a checkout's src/main/webapp, the built vendor files). */
    static StaticFilesServlet fromDirectories(List<Path> directories) {
        StaticHttpHandler files = new StaticHttpHandler(directories.stream()
                .map(d -> d.toAbsolutePath().toString()).toArray(String[]::new));
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
