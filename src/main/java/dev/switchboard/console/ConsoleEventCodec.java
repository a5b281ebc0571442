package dev.switchboard.console;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The console's events that cross nodes (evals, targets coming and going, answers) as the
 * cluster's grid carries them (see {@link EventCodec}). What goes to operators stays on their node.
 */
final class ConsoleEventCodec implements EventCodec {

    private static final int EVAL = 1;
    private static final int CAME = 2;
    private static final int WENT = 3;
    private static final int REPLY = 4;

    @Override
    public Encoded encode(ChannelEvent event) {
        EventBytes.Writer out = new EventBytes.Writer();
        if (event instanceof ConsoleHub.EvalRequest eval) {
            out.kind(EVAL).string(eval.internalId()).string(eval.code()).number(eval.targetIds().size());
            eval.targetIds().forEach(out::string);
        } else if (event instanceof ConsoleHub.TargetCame came) {
            out.kind(CAME).string(came.targetId());
        } else if (event instanceof ConsoleHub.TargetWent went) {
            out.kind(WENT).string(went.targetId());
        } else if (event instanceof ConsoleHub.Reply reply) {
            out.kind(REPLY).string(reply.internalId()).string(reply.targetId()).string(reply.value())
                    .string(reply.error());
        } else {
            throw new IllegalArgumentException("a console event that stays on its node: " + event.getClass());
        }
        return new Encoded(out.bytes(), null);
    }

    @Override
    public ChannelEvent decode(byte[] head, byte[] body) {
        EventBytes.Reader in = new EventBytes.Reader(head);
        int kind = in.kind();
        return switch (kind) {
            case EVAL -> {
                String internalId = in.string();
                String code = in.string();
                long count = in.number();
                if (count < 0 || count > head.length) {
                    throw new IllegalArgumentException("a truncated event");
                }
                Set<String> targets = new LinkedHashSet<>();
                for (long i = 0; i < count; i++) {
                    targets.add(in.string());
                }
                yield new ConsoleHub.EvalRequest(internalId, code, Set.copyOf(targets));
            }
            case CAME -> new ConsoleHub.TargetCame(in.string());
            case WENT -> new ConsoleHub.TargetWent(in.string());
            case REPLY -> new ConsoleHub.Reply(in.string(), in.string(), in.string(), in.string());
            default -> throw new IllegalArgumentException("not a console event: kind " + kind);
        };
    }
}
