package dev.keepwarm.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and certificates it issued, made at test time with the JDK's keytool and
 * written as PEM files (what a {@code spring.ssl.bundle.pem} bundle reads) under a
 * temporary directory. Made once per JVM: each keytool run starts a JVM.
 */
public final class TestPki {

    private static final String PASSWORD = "changeit";

    private static final class Holder {

        static final TestPki PKI = new TestPki();

    }

    private final Path dir;

    private final Path caCertificate;

    private final Issued server;

    private final Issued otherHost;

    private final Issued client;

    private final Issued selfSignedClient;

    private TestPki() {
        try {
            dir = Files.createTempDirectory("keepwarm-pki");
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=keepwarm test CA", "-ext", "bc:c", "-keystore",
                    "ca.p12");
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
            caCertificate = dir.resolve("ca.pem");
            server = issue("server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost", "serverAuth");
            otherHost = issue("other-host", "CN=ollama.elsewhere.example", "san=dns:ollama.elsewhere.example",
                    "serverAuth");
            client = issue("client", "CN=keepwarm", null, "clientAuth");
            selfSignedClient = selfSigned("self-signed-client", "CN=keepwarm self-signed");
        }
        catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test certificates", e);
        }
    }

    /** The one PKI of this JVM. */
    public static TestPki get() {
        return Holder.PKI;
    }

    /** The CA's certificate (PEM): what a trust store of the bundle holds. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    public Issued server() {
        return server;
    }

    /** A server certificate the CA issued for another name only. */
    public Issued otherHost() {
        return otherHost;
    }

    /** A client certificate the CA issued. */
    public Issued client() {
        return client;
    }

    /** A client certificate that no CA issued. */
    public Issued selfSignedClient() {
        return selfSignedClient;
    }

    /** A new directory for files a test changes. */
    public Path newDirectory() throws IOException {
        return Files.createTempDirectory(dir, "files");
    }

    /** The CA's certificate object. */
    public X509Certificate caX509() {
        return read(caCertificate);
    }

    private Issued issue(String alias, String dname, String san, String usage)
            throws IOException, GeneralSecurityException {
        String store = alias + ".p12";
        keytool("-genkeypair", "-alias", alias, "-dname", dname, "-keystore", store);
        keytool("-certreq", "-alias", alias, "-keystore", store, "-file", alias + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12",
                "-infile", alias + ".csr", "-outfile", alias + ".pem", "-ext", "eku=" + usage));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(gencert.toArray(String[]::new));
        return written(alias, store);
    }

    private Issued selfSigned(String alias, String dname) throws IOException, GeneralSecurityException {
        String store = alias + ".p12";
        keytool("-genkeypair", "-alias", alias, "-dname", dname, "-ext", "eku=clientAuth", "-keystore", store);
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store, "-file", alias + ".pem");
        return written(alias, store);
    }

    /** The key as PKCS#8 PEM beside the certificate (keytool cannot export a key). */
    private Issued written(String alias, String store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(store))) {
            keys.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) keys.getKey(alias, PASSWORD.toCharArray());
        Path keyFile = dir.resolve(alias + "-key.pem");
        Files.writeString(keyFile,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n",
                StandardCharsets.US_ASCII);
        Path certificate = dir.resolve(alias + ".pem");
        return new Issued(certificate, keyFile, key, read(certificate));
    }

    private static X509Certificate read(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt"));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * A certificate and its key, as PEM files and as objects.
     *
     * @param certificate the certificate's PEM file
     * @param privateKey the key's PEM file (PKCS#8)
     * @param key the key
     * @param x509 the certificate
     */
    public record Issued(Path certificate, Path privateKey, PrivateKey key, X509Certificate x509) {

        /**
         * Copies both files into {@code dir} as cert.pem and key.pem, each replaced at
         * once.
         */
        public void copyTo(Path dir) throws IOException {
            Path certificateCopy = Files.copy(certificate, dir.resolve(".cert.pem.new"),
                    StandardCopyOption.REPLACE_EXISTING);
            Path keyCopy = Files.copy(privateKey, dir.resolve(".key.pem.new"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(keyCopy, dir.resolve("key.pem"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(certificateCopy, dir.resolve("cert.pem"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }

    }

}
