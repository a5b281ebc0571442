package dev.switchboard.broker.store;

/** The store could not do what was asked; the message names the problem (and the folder). */
public final class StoreException extends Exception {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
