package dev.switchboard.vnc;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** {@code GET vnc-targets}: {@code {"targets":["desk",…]}} — names only, never addresses. */
public final class VncTargetsServlet extends HttpServlet {

    private final VncTargets targets;

    public VncTargetsServlet(VncTargets targets) {
        this.targets = targets;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonArrayBuilder names = Json.createArrayBuilder();
        targets.names().forEach(names::add);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(Json.createObjectBuilder().add("targets", names).build().toString());
    }
}
