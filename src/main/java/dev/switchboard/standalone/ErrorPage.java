package dev.switchboard.standalone;

import org.glassfish.grizzly.http.server.Request;

/**
 * The page a browser gets for an error the standalone server answers itself (a page that does not
 * exist: 404), in the pages' own style instead of Grizzly's, naming no server or version and
 * echoing nothing from the request.
 */
final class ErrorPage {

    private ErrorPage() {
    }

    static String html(Request request, int status, String reasonPhrase, String description, Throwable exception) {
        String title = status + " " + (status == 404 ? "Not found" : plain(reasonPhrase));
        String explanation = status == 404 ? "There is no page at this address." : "The server could not answer this request.";
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + title + " · Switchboard</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"
                + "<link rel=\"stylesheet\" href=\"/css/switchboard.css\"></head><body>"
                + "<header class=\"bar\"><a class=\"brand\" href=\"/\">Switchboard</a></header>"
                + "<main class=\"page narrow\"><h1>" + title + "</h1><p>" + explanation + "</p>"
                + "<p><a href=\"/\">All pages</a></p></main></body></html>";
    }

    /** Only letters and spaces of a reason phrase (it is Grizzly's, but nothing goes into HTML unchecked). */
    private static String plain(String text) {
        return text == null ? "" : text.replaceAll("[^A-Za-z ]", "");
    }
}
