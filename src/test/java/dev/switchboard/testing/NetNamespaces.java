package dev.switchboard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network namespaces for a network cut between nodes (pure iproute2, needs root): each namespace
 * has a veth pair to a bridge in the root namespace, on a /24 no interface or route of this host
 * uses, so a test in the root namespace reaches every node ({@code .1} is the bridge, node i is
 * {@code .(i+2)}). {@link #cut} blackholes node-to-node routes inside both namespaces, {@link #heal}
 * deletes them. {@link #close()} deletes everything, also after a half-made setup.
 */
public final class NetNamespaces implements AutoCloseable {

    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final String id;
    private final String subnet;
    private final List<String> names = new ArrayList<>();
    private final String bridge;

    private NetNamespaces(String id, String subnet) {
        this.id = id;
        this.subnet = subnet;
        this.bridge = "sbb" + id;
    }

    /** Why namespaces cannot be made here (not root, no {@code ip netns}), or null when they can. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (user is " + System.getProperty("user.name") + ")";
        }
        try {
            Result list = run(List.of("ip", "netns", "list"));
            return list.code == 0 ? null : "`ip netns list` failed: " + list.output;
        } catch (IOException e) {
            return "no `ip` command (install iproute2): " + e.getMessage();
        }
    }

    /** {@code count} namespaces on one new bridge. */
    public static NetNamespaces create(int count) throws IOException {
        // interface names are at most 15 bytes: "sbb" / "sbv" / "sbp" + this short id + an index
        String id = Long.toString(ProcessHandle.current().pid() % 10_000, 36) + SERIAL.incrementAndGet();
        NetNamespaces spaces = new NetNamespaces(id, freeSubnet());
        try {
            spaces.ip("link", "add", spaces.bridge, "type", "bridge");
            spaces.ip("addr", "add", spaces.subnet + ".1/24", "dev", spaces.bridge);
            spaces.ip("link", "set", spaces.bridge, "up");
            for (int i = 0; i < count; i++) {
                String name = "switchboard-" + id + "-" + i;
                String veth = "sbv" + id + "x" + i;
                String peer = "sbp" + id + "x" + i;
                spaces.ip("netns", "add", name);
                spaces.names.add(name);
                spaces.ip("link", "add", veth, "type", "veth", "peer", "name", peer);
                spaces.ip("link", "set", peer, "netns", name);
                spaces.ip("link", "set", veth, "master", spaces.bridge);
                spaces.ip("link", "set", veth, "up");
                spaces.ip("-n", name, "addr", "add", spaces.address(i) + "/24", "dev", peer);
                spaces.ip("-n", name, "link", "set", peer, "up");
                spaces.ip("-n", name, "link", "set", "lo", "up");
            }
            return spaces;
        } catch (IOException | RuntimeException e) {
            spaces.close();
            throw e;
        }
    }

    /** A 10.x.y.0/24 that no address or route of this host is in. */
    private static String freeSubnet() throws IOException {
        String taken = run(List.of("ip", "-o", "addr")).output + run(List.of("ip", "route")).output;
        for (int attempt = 0; attempt < 100; attempt++) {
            String subnet = "10." + ThreadLocalRandom.current().nextInt(200, 254) + "." + ThreadLocalRandom.current().nextInt(1, 254);
            if (!taken.contains(subnet + ".")) {
                return subnet;
            }
        }
        throw new IllegalStateException("no free 10.x.y.0/24 here");
    }

    /** Node i's address, reachable from the root namespace. */
    public String address(int i) {
        return subnet + "." + (i + 2);
    }

    /** The prefix that runs a command inside namespace i. */
    public List<String> exec(int i) {
        return List.of("ip", "netns", "exec", names.get(i));
    }

    /** Cuts traffic between nodes i and j (both ways); each stays reachable from the root namespace. */
    public void cut(int i, int j) throws IOException {
        ip("-n", names.get(i), "route", "add", "blackhole", address(j) + "/32");
        ip("-n", names.get(j), "route", "add", "blackhole", address(i) + "/32");
    }

    /** Undoes {@link #cut}. */
    public void heal(int i, int j) throws IOException {
        ip("-n", names.get(i), "route", "del", "blackhole", address(j) + "/32");
        ip("-n", names.get(j), "route", "del", "blackhole", address(i) + "/32");
    }

    @Override
    public void close() {
        for (String name : names) {
            quietly("netns", "del", name); // takes its veth ends with it
        }
        names.clear();
        quietly("link", "del", bridge);
    }

    private void quietly(String... args) {
        try {
            run(command(args));
        } catch (IOException ignored) {
            // nothing to delete
        }
    }

    private void ip(String... args) throws IOException {
        Result result = run(command(args));
        if (result.code != 0) {
            throw new IOException(String.join(" ", command(args)) + " failed (" + result.code + "): " + result.output);
        }
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return command;
    }

    private record Result(int code, String output) {
    }

    private static Result run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end");
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
