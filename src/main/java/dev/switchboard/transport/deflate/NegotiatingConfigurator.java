package dev.switchboard.transport.deflate;

import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.Optional;

/**
 * An endpoint's configurator with permessage-deflate negotiated our way: the client's offers are
 * tried in its order of preference and the first one the server can meet wins (RFC 7692 §5: "the
 * server ... accept[s] one"; Tyrus's own takes the first offer, whatever it asks). Everything else
 * is the endpoint's own configurator.
 */
final class NegotiatingConfigurator extends ServerEndpointConfig.Configurator {

    private final ServerEndpointConfig.Configurator delegate;
    private final Compression compression;
    private final int maxMessageBytes;

    NegotiatingConfigurator(ServerEndpointConfig.Configurator delegate, Compression compression, int maxMessageBytes) {
        this.delegate = delegate;
        this.compression = compression;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        boolean offered = installed.stream().anyMatch(e -> DeflateOffer.NAME.equals(e.getName()));
        if (!offered || requested == null) {
            return List.of();
        }
        for (Extension offer : requested) {
            if (!DeflateOffer.NAME.equals(offer.getName())) {
                continue;
            }
            Optional<DeflateOffer.Agreement> agreement = DeflateOffer.accept(offer.getParameters(),
                    compression.serverNoContextTakeover());
            if (agreement.isPresent()) {
                return List.of(compression.connection(agreement.get(), maxMessageBytes));
            }
        }
        return List.of(); // no offer the server can meet: the connection goes uncompressed
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return delegate.getNegotiatedSubprotocol(supported, requested);
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return delegate.checkOrigin(originHeaderValue);
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        delegate.modifyHandshake(config, request, response);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        return delegate.getEndpointInstance(endpointClass);
    }
}
