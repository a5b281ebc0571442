package dev.switchboard.transport.deflate;

import jakarta.websocket.Extension;
import org.glassfish.tyrus.core.extension.ExtendedExtension;
import org.glassfish.tyrus.core.frame.Frame;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * permessage-deflate on one connection, as a Tyrus extension: the frames between the wire and the
 * session go through here, each way (RFC 7692 §6). Made per connection by
 * {@link NegotiatingConfigurator} with what the handshake agreed, so the state lives here, not in
 * Tyrus's extension context. RSV1 goes on the first frame of a compressed message only.
 *
 * <p>Tyrus swallows what an extension throws (and then rejects the still-compressed frame with
 * 1002), so a refusal is said as a frame instead: the close frame Tyrus itself would have made for
 * a message too big (1009), handled the same way as its own. Data frames after that are dropped
 * (handed on as an empty pong, which no one answers); control frames pass.
 */
final class PerMessageDeflate implements ExtendedExtension {

    private static final byte CONTINUATION = 0x0;
    private static final byte CLOSE = 0x8;
    private static final byte PONG = 0xA;

    private final DeflateOffer.Agreement agreement;
    private final MessageDeflater deflater;
    private final MessageInflater inflater;
    /** Without server context takeover: the compressor whose frames this connection may share; else null. */
    private final SharedDeflater shared;
    /** The message being received is compressed (its first frame had RSV1). Read handler thread only. */
    private boolean receivingCompressed;
    private volatile boolean refused;

    PerMessageDeflate(DeflateOffer.Agreement agreement, MessageDeflater deflater, MessageInflater inflater,
                      SharedDeflater shared) {
        this.agreement = agreement;
        this.deflater = deflater;
        this.inflater = inflater;
        this.shared = shared;
    }

    @Override
    public Frame processIncoming(ExtensionContext context, Frame frame) {
        if (frame.isControlFrame()) {
            return frame; // §6: never compressed; an RSV1 here is Tyrus's to refuse (1002)
        }
        if (refused) {
            return emptyPong(); // the data that follows a refusal is not inflated (the peer's close still counts)
        }
        boolean first = frame.getOpcode() != CONTINUATION;
        if (first) {
            receivingCompressed = frame.isRsv1();
        } else if (frame.isRsv1()) {
            return frame; // §6.1: RSV1 belongs on the first frame only; Tyrus refuses it (1002)
        }
        if (!receivingCompressed) {
            return frame;
        }
        MessageInflater.Result result = inflater.frame(first, frame.isFin(), frame.getPayloadData(),
                (int) frame.getPayloadLength());
        if (result instanceof MessageInflater.Inflated inflated) {
            byte[] payload = inflated.payload();
            return Frame.builder(frame).rsv1(false).payloadData(payload).payloadLength(payload.length).build();
        }
        refused = true;
        deflater.release();
        if (result instanceof MessageInflater.TooBig tooBig) {
            return close(1009, "message too big: inflates past " + tooBig.limit() + " bytes");
        }
        return close(1007, ((MessageInflater.Corrupt) result).why());
    }

    @Override
    public Frame processOutgoing(ExtensionContext context, Frame frame) {
        if (frame.isControlFrame()) {
            return frame;
        }
        MessageDeflater.Out out = deflater.frame(frame.getOpcode() != CONTINUATION, frame.isFin(),
                frame.getPayloadData(), (int) frame.getPayloadLength());
        if (out == null) {
            return frame;
        }
        return Frame.builder(frame).rsv1(out.rsv1()).payloadData(out.payload()).payloadLength(out.payload().length)
                .build();
    }

    @Override
    public List<Extension.Parameter> onExtensionNegotiation(ExtensionContext context,
                                                            List<Extension.Parameter> requested) {
        return agreement.response(); // what goes into the answer's Sec-WebSocket-Extensions
    }

    @Override
    public void onHandshakeResponse(ExtensionContext context, List<Extension.Parameter> responseParameters) {
        // a client's hook: the server has nothing to learn from its own answer
    }

    /** The session closed: the compressor and decompressor go now (native memory). */
    @Override
    public void destroy(ExtensionContext context) {
        deflater.release();
        inflater.release();
    }

    @Override
    public String getName() {
        return DeflateOffer.NAME;
    }

    @Override
    public List<Extension.Parameter> getParameters() {
        return agreement.response();
    }

    SharedDeflater shared() {
        return shared;
    }

    DeflateOffer.Agreement agreement() {
        return agreement;
    }

    private static Frame close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)]; // §5.5: a control frame's payload is at most 125 bytes
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return Frame.builder().fin(true).opcode(CLOSE).payloadData(payload).payloadLength(payload.length).build();
    }

    private static Frame emptyPong() {
        return Frame.builder().fin(true).opcode(PONG).payloadData(new byte[0]).payloadLength(0).build();
    }
}
