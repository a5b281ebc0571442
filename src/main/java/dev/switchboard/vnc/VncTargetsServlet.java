package dev.switchboard.vnc;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** {@code GET vnc-targets}: {@code {"targets":["desk",…]}} — names only, never addresses. */
public final class VncTargetsServlet extends HttpServlet {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final VncTargets targets;

    public VncTargetsServlet(VncTargets targets) {
        this.targets = targets;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonArrayBuilder names = JSON.createArrayBuilder();
        targets.names().forEach(names::add);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(JSON.createObjectBuilder().add("targets", names).build().toString());
    }
}
