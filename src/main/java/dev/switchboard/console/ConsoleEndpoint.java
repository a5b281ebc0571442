package dev.switchboard.console;

import dev.switchboard.connection.ErrorCode;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.Identity;
import dev.switchboard.security.OperatorPolicy;
import dev.switchboard.security.SecurityPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

import java.util.Set;

/**
 * {@code console}: the remote JavaScript console. The first message says who is attaching: a
 * target (a page that lets itself be driven) or an operator (who must be allowed: see
 * {@link OperatorPolicy}; refused with {@code forbidden} and 1008). A target can never send eval.
 */
public final class ConsoleEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/console";

    private final ConsoleHub hub;
    private final FloodGuard flood;
    private final SecurityPolicy security;
    private Connection connection;
    private ConsoleHub.Peer peer;
    private ConsoleCommand.Role role;

    public ConsoleEndpoint(EndpointContext context, ConsoleHub hub, FloodGuard flood, SecurityPolicy security) {
        super(context);
        this.hub = hub;
        this.flood = flood;
        this.security = security;
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        this.connection = connection;
        this.peer = connection::sendText;
        connection.onText(this::onText);
        connection.onBinary(data -> refuse(ConsoleException.badRequest("console messages are JSON text")));
    }

    private synchronized void onText(String text) {
        if (!connection.admit(flood)) {
            return;
        }
        try {
            handle(ConsoleCodec.decode(text));
        } catch (ConsoleException e) {
            refuse(e);
        }
    }

    private void handle(ConsoleCommand command) throws ConsoleException {
        if (command instanceof ConsoleCommand.Attach attach) {
            if (role != null) {
                throw ConsoleException.badRequest("already attached");
            }
            connection.metrics().request("attach-" + attach.role().name().toLowerCase(java.util.Locale.ROOT));
            if (attach.role() == ConsoleCommand.Role.OPERATOR) {
                Identity identity = connection.identity();
                Set<String> roles = identity == null ? Set.of() : identity.roles();
                if (!OperatorPolicy.mayOperate(security.isOn(), roles, connection.remoteAddress(), connection.forwarded())
                        || !security.allows(identity, "console", "operate")) {
                    connection.reply(ErrorCode.FORBIDDEN, "operating the console is not allowed from here");
                    connection.close(1008, "not allowed to operate the console");
                    return;
                }
                role = attach.role();
                hub.attachOperator(peer);
            } else {
                role = attach.role();
                hub.attachTarget(peer, attach.label(), ConsoleCodec.agent(connection.userAgent()));
            }
            return;
        }
        if (role == null) {
            throw ConsoleException.badRequest("attach first");
        }
        if (command instanceof ConsoleCommand.Eval eval) {
            if (role != ConsoleCommand.Role.OPERATOR) {
                throw new ConsoleException(ErrorCode.FORBIDDEN, "a target cannot evaluate in other pages");
            }
            connection.metrics().request("eval");
            hub.eval(peer, eval.id(), eval.code(), eval.to());
        } else if (command instanceof ConsoleCommand.Result result) {
            if (role != ConsoleCommand.Role.TARGET) {
                throw ConsoleException.badRequest("only targets send results");
            }
            hub.result(peer, result.id(), result.value(), result.error());
        }
    }

    private void refuse(ConsoleException e) {
        connection.refuse(flood, e.code(), e.getMessage());
    }

    @Override
    protected void onDisconnect(Connection connection, CloseReason reason) {
        if (peer != null) {
            hub.detach(peer);
        }
    }
}
