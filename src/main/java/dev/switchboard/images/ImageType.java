package dev.switchboard.images;

/** The image formats image drop accepts. */
public enum ImageType {
    PNG("image/png"), JPEG("image/jpeg"), GIF("image/gif"), WEBP("image/webp");

    private final String mime;

    ImageType(String mime) {
        this.mime = mime;
    }

    public String mime() {
        return mime;
    }
}
