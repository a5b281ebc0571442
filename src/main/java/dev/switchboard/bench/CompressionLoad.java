package dev.switchboard.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Compression's cost and gain for chat (issue 18): one sender and {@code members} receivers in a
 * room, realistic chat messages at a fixed rate, each receiver uncompressed, compressed sharing a
 * frame ({@code server_no_context_takeover}) or compressed with context takeover — the server's CPU
 * time per delivered message (from /proc, its own JVM) and the bytes receivers read per message.
 * Runs interleave the modes (A B C C B A, per round) against one warm server: report the spread.
 *
 * <p>{@code java -cp switchboard-bench.jar dev.switchboard.bench.CompressionLoad [--members 100]
 * [--rate 300] [--seconds 5] [--rounds 2]}
 */
public final class CompressionLoad {

    /** How receivers offer permessage-deflate. */
    enum Mode {
        UNCOMPRESSED(null), SHARED(true), TAKEOVER(false);

        /** Whether the offer asks for server_no_context_takeover; null: no offer. */
        final Boolean serverNoContext;

        Mode(Boolean serverNoContext) {
            this.serverNoContext = serverNoContext;
        }
    }

    /** One run: deliveries, bytes read, server CPU. */
    record Run(Mode mode, long delivered, long bytes, double serverSeconds, double clientSeconds) {
        double cpuMicros() {
            return serverSeconds / delivered * 1e6;
        }

        double bytesPerMessage() {
            return bytes / (double) delivered;
        }
    }

    /** Words of chat texts: each message draws a few (a fixed seed), so texts rarely repeat whole, as in a real room. */
    private static final String[] WORDS = ("hi ok lol brb thanks yes no maybe sure sounds good see you tomorrow "
            + "lunch at noon meeting room keys deploy staging failed again migration timed out orders table login bug "
            + "fix review pushed branch merge conflict tests green red build broken coffee anyone where is the slides "
            + "this morning can you send me link please I think we should wait until after the release on friday "
            + "customer called about invoice number printer on the third floor is jammed 👍 🎉 great job everyone "
            + "who is on call tonight the dashboard shows latency spikes since 14:05 rolling back now done").split(" ");
    private static final int TEXTS = 4096;

    private static String[] texts() {
        java.util.Random random = new java.util.Random(18);
        String[] texts = new String[TEXTS];
        for (int i = 0; i < TEXTS; i++) {
            int words = 1 + random.nextInt(random.nextInt(4) == 0 ? 25 : 8);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            if (random.nextInt(5) == 0) {
                text.append(' ').append(random.nextInt(10_000));
            }
            texts[i] = text.toString();
        }
        return texts;
    }

    private static final String[] TEXT_POOL = texts();

    private final EventLoopGroup loops = new NioEventLoopGroup(2, new DefaultThreadFactory("compression-load", true));

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        int members = Integer.parseInt(option(list, "--members", "100"));
        int rate = Integer.parseInt(option(list, "--rate", "300"));
        Duration measure = Duration.ofSeconds(Long.parseLong(option(list, "--seconds", "5")));
        int rounds = Integer.parseInt(option(list, "--rounds", "2"));
        CompressionLoad load = new CompressionLoad();
        List<Run> runs = new ArrayList<>();
        List<String> options = new ArrayList<>(List.of("-Xms1g", "-Xmx1g"));
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("switchboard.")) {
                options.add("-D" + k + "=" + v); // e.g. -Dswitchboard.transport.fast-path=off
            }
        });
        try (ServerProcess server = ServerProcess.start("switchboard", options)) {
            for (Mode mode : Mode.values()) {
                load.run(server, mode, members, rate, Duration.ofSeconds(5)); // JIT warm-up, not counted
            }
            List<Mode> order = new ArrayList<>(List.of(Mode.values()));
            for (int round = 0; round < rounds; round++) {
                List<Mode> there = new ArrayList<>(order);
                List<Mode> back = new ArrayList<>(order);
                java.util.Collections.reverse(back);
                there.addAll(back);
                for (Mode mode : there) {
                    Run run = load.run(server, mode, members, rate, measure);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "%-12s %8d delivered  %6.1f B/message  server %5.2f µs/delivery%n",
                            mode, run.delivered(), run.bytesPerMessage(), run.cpuMicros());
                }
            }
        } finally {
            load.loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "chat 1→%d at %d messages/s, %d runs each%n", members, rate, 2 * rounds);
        System.out.println("| receivers | bytes per message (min–max) | server µs per delivery (median, min–max) |");
        System.out.println("|---|---|---|");
        for (Mode mode : Mode.values()) {
            double[] bytes = runs.stream().filter(r -> r.mode() == mode).mapToDouble(Run::bytesPerMessage).sorted().toArray();
            double[] cpu = runs.stream().filter(r -> r.mode() == mode).mapToDouble(Run::cpuMicros).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %.1f–%.1f | %.2f (%.2f–%.2f) |%n", mode.name().toLowerCase(Locale.ROOT),
                    bytes[0], bytes[bytes.length - 1], median(cpu), cpu[0], cpu[cpu.length - 1]);
        }
        System.exit(0);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    Run run(ServerProcess server, Mode mode, int members, int rate, Duration measure) throws Exception {
        String url = server.wsBase() + "chat/compression-" + System.nanoTime();
        AtomicLong delivered = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<Channel> receivers = new ArrayList<>();
        Channel sender = null;
        try {
            for (int i = 0; i < members; i++) {
                receivers.add(connect(url, mode.serverNoContext, bytes, text -> {
                    if (text.startsWith("{\"type\":\"message\"")) {
                        delivered.incrementAndGet();
                    } else if (text.startsWith("{\"type\":\"welcome\"")) {
                        welcomes.incrementAndGet();
                    }
                }));
            }
            sender = connect(url, null, new AtomicLong(), text -> { });
            for (int i = 0; i < members; i++) {
                receivers.get(i).writeAndFlush(new TextWebSocketFrame("{\"type\":\"join\",\"nick\":\"m" + i + "\"}"));
            }
            sender.writeAndFlush(new TextWebSocketFrame("{\"type\":\"join\",\"nick\":\"sender\"}"));
            awaitAtLeast(welcomes, members);
            sender.writeAndFlush(new TextWebSocketFrame("{\"type\":\"message\",\"text\":\"barrier\"}"));
            awaitAtLeast(delivered, members); // the joins' presence backlog is out of the way
            delivered.set(0);
            bytes.set(0);
            double server0 = XmppLoad.Cpu.seconds(server.pid());
            double client0 = XmppLoad.Cpu.clientSeconds();
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long sent = 0;
            for (long due = start; due < start + measure.toNanos(); due += interval) {
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(Math.max(1, Math.min(due - System.nanoTime(), 200_000)));
                }
                String text = TEXT_POOL[(int) (sent % TEXTS)];
                sender.writeAndFlush(new TextWebSocketFrame("{\"type\":\"message\",\"text\":\"" + text + "\"}"));
                sent++;
            }
            awaitAtLeast(delivered, sent * members);
            double serverSeconds = XmppLoad.Cpu.seconds(server.pid()) - server0;
            double clientSeconds = XmppLoad.Cpu.clientSeconds() - client0;
            return new Run(mode, delivered.get(), bytes.get(), serverSeconds, clientSeconds);
        } finally {
            for (Channel receiver : receivers) {
                receiver.close();
            }
            if (sender != null) {
                sender.close();
            }
        }
    }

    private static void awaitAtLeast(AtomicLong counter, long target) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < target) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("only " + counter.get() + " of " + target);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** A chat connection; {@code serverNoContext} null: no permessage-deflate offer. */
    private Channel connect(String url, Boolean serverNoContext, AtomicLong bytesRead,
                            java.util.function.Consumer<String> texts) throws Exception {
        URI uri = URI.create(url);
        CompletableFuture<Channel> open = new CompletableFuture<>();
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
                .allowExtensions(serverNoContext != null).maxFramePayloadLength(1 << 20).handshakeTimeoutMillis(30_000)
                .build();
        new Bootstrap().group(loops).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof ByteBuf buf) {
                                    bytesRead.addAndGet(buf.readableBytes());
                                }
                                ctx.fireChannelRead(msg);
                            }
                        });
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024));
                        if (serverNoContext != null) {
                            ch.pipeline().addLast(new WebSocketClientExtensionHandler(
                                    new PerMessageDeflateClientExtensionHandshaker(6, false, 15, false, serverNoContext)));
                        }
                        ch.pipeline().addLast(new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(1 << 20),
                                new SimpleChannelInboundHandler<WebSocketFrame>() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                                        if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                            open.complete(ctx.channel());
                                        }
                                        super.userEventTriggered(ctx, event);
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                        if (frame instanceof TextWebSocketFrame text) {
                                            texts.accept(text.text());
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        open.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                }).connect(uri.getHost(), uri.getPort()).addListener(done -> {
                    if (!done.isSuccess()) {
                        open.completeExceptionally(done.cause());
                    }
                });
        return open.get(30, TimeUnit.SECONDS);
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }
}
