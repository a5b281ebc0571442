package dev.switchboard.proxy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at test time with the JDK's keytool,
 * written as the PEM files proxies read, with an HTTP client that trusts only it.
 */
final class TestCertificate {

    final Path certificate;
    final Path key;
    /** Certificate and key in one file, as HAProxy wants them. */
    final Path combined;
    final HttpClient client;

    private TestCertificate(Path certificate, Path key, Path combined, HttpClient client) {
        this.certificate = certificate;
        this.key = key;
        this.combined = combined;
        this.client = client;
    }

    static TestCertificate makeIn(Path folder) throws Exception {
        Path store = folder.resolve("proxy.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "proxy", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(keytool.getInputStream().readAllBytes()));
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        Certificate cert = keys.getCertificate("proxy");
        Key privateKey = keys.getKey("proxy", "changeit".toCharArray());
        String certPem = pem("CERTIFICATE", cert.getEncoded());
        String keyPem = pem("PRIVATE KEY", privateKey.getEncoded()); // PKCS#8
        Path certificate = Files.writeString(folder.resolve("proxy.crt"), certPem);
        Path key = Files.writeString(folder.resolve("proxy.key"), keyPem);
        Path combined = Files.writeString(folder.resolve("proxy.pem"), certPem + keyPem);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("proxy", cert);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        return new TestCertificate(certificate, key, combined, client);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
