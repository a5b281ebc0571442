package dev.switchboard.broker;

import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.selector.filter.BooleanExpression;
import org.apache.activemq.artemis.selector.filter.FilterException;
import org.apache.activemq.artemis.selector.filter.Filterable;
import org.apache.activemq.artemis.selector.impl.SelectorParser;

/**
 * A subscription's {@code selector}: JMS message-selector syntax (Jakarta Messaging 3.1 §3.8.1.1)
 * over the message's headers, parsed and evaluated by Artemis's selector module. Two of its
 * options make it fit STOMP's all-string headers: a header that holds a decimal number compares
 * as a number with a numeric literal ({@code convert_string_expressions}), and header names may
 * contain hyphens ({@code hyphenated_props}, e.g. {@code content-type}).
 */
public final class Selector {

    private static final String OPTIONS = "convert_string_expressions:hyphenated_props:";

    private final String text;
    private final BooleanExpression expression;

    private Selector(String text, BooleanExpression expression) {
        this.text = text;
        this.expression = expression;
    }

    /** Parses a selector; a blank one selects everything (null). */
    public static Selector parse(String text) throws BrokerException {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new Selector(text, SelectorParser.parse(OPTIONS + text));
        } catch (FilterException | RuntimeException e) {
            throw BrokerException.invalid("selector '" + text + "' does not parse: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "syntax error";
        }
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    public String text() {
        return text;
    }

    /** Whether the message is selected; an expression that cannot be evaluated on it (a type mismatch) is not. */
    public boolean matches(Message message) {
        try {
            return expression.matches(new Filterable() {
                @Override
                public <T> T getBodyAs(Class<T> type) {
                    return null; // selectors see headers only
                }

                @Override
                public Object getProperty(SimpleString name) {
                    return message.header(name.toString());
                }

                @Override
                public Object getLocalConnectionId() {
                    return null;
                }
            });
        } catch (FilterException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a message may be selected at all: null (no selector) selects everything. */
    static boolean selects(Selector selector, Message message) {
        return selector == null || selector.matches(message);
    }
}
