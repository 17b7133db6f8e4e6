package haven.bench;

import haven.classroom.Aup;
import haven.classroom.Hub;
import haven.protocol.HubStatus;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thousands of hubs' MQTT sessions on one selector thread, for the hubs scenario. Each session does on
 * the wire what a hub's MqttLink does: CONNECT (MQTT 3.1.1, clean session, 30 s keepalive, the offline
 * status as retained QoS 1 Last Will), SUBSCRIBE to its cmd/+ topics, PUBLISH its online status retained
 * at QoS 1, PINGREQ every keepalive, and PUBACK any command. Paho needs four threads per connection
 * (receiver, sender, callback, ping timer) and this machine allows 32,768 threads in all, so 10,000 Paho
 * clients cannot exist here; the broker and coordinator cannot tell these sessions from Paho's.
 */
final class LightHubFleet implements AutoCloseable {
    private static final int MAX_HANDSHAKES = 256;

    private final InetSocketAddress broker;
    private final int keepAliveSeconds;
    private final Clock clock;
    private final Selector selector;
    private final List<Session> sessions = new ArrayList<>();
    private final AtomicInteger online = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger pings = new AtomicInteger();
    private final Thread loop;
    private volatile int target;
    private volatile boolean running = true;
    private int handshaking;

    private final class Session {
        final int index;
        final RoomId room;
        final SocketChannel channel;
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
        ByteBuffer in = ByteBuffer.allocate(256);
        SelectionKey key;
        boolean connected;
        boolean statusAcked;
        long lastSentNanos;

        Session(int index, SocketChannel channel) {
            this.index = index;
            this.room = new RoomId(BenchConfigs.SITE, BenchConfigs.room("fleet", index + 1));
            this.channel = channel;
        }
    }

    LightHubFleet(InetSocketAddress broker, int keepAliveSeconds, Clock clock) throws IOException {
        this.broker = broker;
        this.keepAliveSeconds = keepAliveSeconds;
        this.clock = clock;
        this.selector = Selector.open();
        this.loop = Thread.ofPlatform().name("hub-fleet").daemon(true).start(this::run);
    }

    /** Opens sessions until {@code n} exist (it never closes any). */
    void grow(int n) {
        target = Math.max(target, n);
        selector.wakeup();
    }

    int online() {
        return online.get();
    }

    int failed() {
        return failed.get();
    }

    int pings() {
        return pings.get();
    }

    private void run() {
        long nextPingCheck = System.nanoTime();
        while (running) {
            try {
                while (sessions.size() < target && handshaking < MAX_HANDSHAKES) {
                    open(sessions.size());
                }
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    Session s = (Session) key.attachment();
                    try {
                        if (key.isValid() && key.isConnectable()) {
                            s.channel.finishConnect();
                            s.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            key.interestOps(SelectionKey.OP_READ);
                            send(s, connect(s));
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(s);
                        }
                        if (key.isValid() && key.isWritable()) {
                            flush(s);
                        }
                    } catch (IOException | RuntimeException e) {
                        fail(s);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextPingCheck) {
                    pingIdle();
                    nextPingCheck = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
            } catch (IOException e) {
                failed.incrementAndGet();
            }
        }
    }

    private void open(int index) {
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            Session s = new Session(index, channel);
            sessions.add(s);
            handshaking++;
            s.key = channel.register(selector, SelectionKey.OP_CONNECT, s);
            if (channel.connect(broker)) {
                s.key.interestOps(SelectionKey.OP_READ);
                send(s, connect(s));
            }
        } catch (IOException e) {
            failed.incrementAndGet();
            sessions.add(null);
        }
    }

    private void fail(Session s) {
        if (s.key != null) {
            s.key.cancel();
        }
        try {
            s.channel.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!s.statusAcked) {
            handshaking--;
        } else {
            online.decrementAndGet();
        }
        failed.incrementAndGet();
    }

    private void pingIdle() throws IOException {
        long due = System.nanoTime() - TimeUnit.SECONDS.toNanos(keepAliveSeconds);
        for (Session s : sessions) {
            if (s != null && s.connected && s.channel.isOpen() && s.lastSentNanos <= due) {
                send(s, new byte[] {(byte) 0xC0, 0});
                pings.incrementAndGet();
            }
        }
    }

    private void read(Session s) throws IOException {
        if (!s.in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(s.in.capacity() * 2);
            s.in.flip();
            bigger.put(s.in);
            s.in = bigger;
        }
        int n = s.channel.read(s.in);
        if (n < 0) {
            throw new IOException("broker closed the connection");
        }
        s.in.flip();
        while (s.in.remaining() >= 2) {
            s.in.mark();
            int header = s.in.get() & 0xFF;
            int length = 0;
            int shift = 0;
            boolean complete = false;
            while (s.in.hasRemaining()) {
                int b = s.in.get() & 0xFF;
                length |= (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
            }
            if (!complete || s.in.remaining() < length) {
                s.in.reset();
                break;
            }
            byte[] body = new byte[length];
            s.in.get(body);
            packet(s, header, body);
        }
        s.in.compact();
    }

    private void packet(Session s, int header, byte[] body) throws IOException {
        switch (header >> 4) {
            case 2 -> { // CONNACK
                if (body.length < 2 || body[1] != 0) {
                    throw new IOException("connection refused, code " + (body.length < 2 ? -1 : body[1]));
                }
                s.connected = true;
                send(s, subscribe(1, Topics.commands(s.room)));
                send(s, publishRetained(2, Topics.status(s.room), status(true)));
            }
            case 4 -> { // PUBACK
                int id = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                if (id == 2 && !s.statusAcked) {
                    s.statusAcked = true;
                    handshaking--;
                    online.incrementAndGet();
                }
            }
            case 3 -> { // PUBLISH: a command; acknowledge QoS 1 as the hub does after handling it
                int qos = (header >> 1) & 3;
                if (qos > 0) {
                    int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                    send(s, new byte[] {0x40, 2, body[2 + topicLength], body[3 + topicLength]});
                }
            }
            default -> {
                // SUBACK, PINGRESP
            }
        }
    }

    private void send(Session s, byte[] packet) throws IOException {
        s.lastSentNanos = System.nanoTime();
        s.pending.add(ByteBuffer.wrap(packet));
        flush(s);
    }

    private void flush(Session s) throws IOException {
        while (!s.pending.isEmpty()) {
            ByteBuffer head = s.pending.peek();
            s.channel.write(head);
            if (head.hasRemaining()) {
                s.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            s.pending.poll();
        }
        if (s.key.isValid()) {
            s.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private byte[] status(boolean isOnline) {
        Aup aup = Aup.sample("ks2");
        return new HubStatus(isOnline, clock.instant(), Hub.VERSION, aup.keyStage(), aup.version(), List.of(), null, 0).encode();
    }

    private byte[] connect(Session s) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4});
        // clean session 0x02 | will 0x04 | will QoS 1 0x08 | will retain 0x20
        body.write(0x2E);
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        utf(body, "haven-hub-" + s.room.site() + "-" + s.room.room());
        utf(body, Topics.status(s.room));
        byte[] will = status(false);
        body.write(will.length >> 8);
        body.write(will.length & 0xFF);
        body.writeBytes(will);
        return packet(0x10, body.toByteArray());
    }

    private static byte[] subscribe(int id, String filter) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(id >> 8);
        body.write(id & 0xFF);
        utf(body, filter);
        body.write(1);
        return packet(0x82, body.toByteArray());
    }

    private static byte[] publishRetained(int id, String topic, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        utf(body, topic);
        body.write(id >> 8);
        body.write(id & 0xFF);
        body.writeBytes(payload);
        return packet(0x33, body.toByteArray());
    }

    private static void utf(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    private static byte[] packet(int header, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(header);
        int length = body.length;
        do {
            int b = length % 128;
            length /= 128;
            out.write(length > 0 ? b | 0x80 : b);
        } while (length > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Sends DISCONNECT on every session (no Last Will) and closes them. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Session s : sessions) {
            if (s == null) {
                continue;
            }
            try {
                if (s.connected && s.channel.isOpen()) {
                    s.channel.write(ByteBuffer.wrap(new byte[] {(byte) 0xE0, 0}));
                }
                s.channel.close();
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
