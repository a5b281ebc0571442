package dev.switchboard.standalone;

import dev.switchboard.config.ConfigException;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/** TLS for the standalone port from a PKCS#12 keystore ({@code tls.keystore}, {@code tls.keystore-password}). */
final class Tls {

    private Tls() {
    }

    static SSLEngineConfigurator serverEngine(String keystore, String password) {
        try (InputStream in = Files.newInputStream(Path.of(keystore))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            SSLEngineConfigurator engine = new SSLEngineConfigurator(context, false, false, false);
            engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return engine;
        } catch (Exception e) {
            throw new ConfigException("Invalid configuration 'tls.keystore' = '" + keystore
                    + "': cannot use it as a PKCS#12 keystore with the given tls.keystore-password (" + e.getMessage() + ")");
        }
    }
}
