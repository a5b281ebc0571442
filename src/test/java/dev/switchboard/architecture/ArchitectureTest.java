package dev.switchboard.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package boundaries of docs/architecture: features stand beside each other and meet only on
 * the shared packages (connection, bus, security, ops, config); the load tool and its libraries
 * stay out of the product; Grizzly's and Tyrus's internals are used in one place each.
 */
class ArchitectureTest {

    private static final String[] FEATURES = {"echo", "chat", "images", "stomp", "vnc", "console", "overhead", "xmpp"};
    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard", "org.glassfish.tyrus.container.grizzly.server");
    }

    @Test
    void noFeatureReachesIntoAnother() {
        for (String feature : FEATURES) {
            String[] others = java.util.Arrays.stream(FEATURES).filter(f -> !f.equals(feature))
                    .filter(f -> !(feature.equals("xmpp") && f.equals("chat"))) // see the next rule
                    .map(f -> "dev.switchboard." + f + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("dev.switchboard." + feature + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("a feature publishes to or reads from the bus, never another feature's core")
                    .check(product);
        }
    }

    /**
     * XMPP's group chat is the chat rooms (contract: one member list, one history, one stream): the
     * rooms are shared by two edges, the JSON endpoint and XMPP. XMPP uses the rooms' API, never the
     * JSON edge, and the rooms never know XMPP.
     */
    @Test
    void xmppIsASecondEdgeOfTheChatRoomsNotOfTheJsonChat() {
        noClasses().that().resideInAPackage("dev.switchboard.xmpp..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.switchboard.chat.ChatEndpoint")
                .because("XMPP occupants join the rooms themselves, as ChatMembers that encode at their own edge")
                .check(product);
        noClasses().that().resideInAPackage("dev.switchboard.chat..")
                .should().dependOnClassesThat().resideInAPackage("dev.switchboard.xmpp..")
                .because("the rooms know members, not protocols")
                .check(product);
    }

    @Test
    void theBusCarriesDomainEventsAndKnowsNoFeatureNorConnection() {
        String[] outside = java.util.stream.Stream.concat(java.util.Arrays.stream(FEATURES),
                        java.util.stream.Stream.of("connection", "transport", "standalone", "security"))
                .map(p -> "dev.switchboard." + p + "..").toArray(String[]::new);
        noClasses().that().resideInAPackage("dev.switchboard.bus..")
                .should().dependOnClassesThat().resideInAnyPackage(outside)
                .because("channels carry domain events, never wire bytes or connections: each edge encodes")
                .check(product);
    }

    @Test
    void theBrokerCoreKnowsNoProtocolNorConnection() {
        String[] outside = java.util.stream.Stream.concat(java.util.Arrays.stream(FEATURES),
                        java.util.stream.Stream.of("connection", "transport", "standalone", "security"))
                .map(p -> "dev.switchboard." + p + "..").toArray(String[]::new);
        noClasses().that().resideInAPackage("dev.switchboard.broker..")
                .should().dependOnClassesThat().resideInAnyPackage(outside)
                .because("the broker core is what STOMP sessions (and later a cluster) sit on: it knows no frames")
                .check(product);
    }

    @Test
    void productCodeNeverUsesTheLoadToolNettyOrJetty() {
        noClasses().that().resideOutsideOfPackage("dev.switchboard.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.switchboard.bench..", "io.netty..",
                        "org.eclipse.jetty..")
                .because("the load tool and its libraries ship only in switchboard-bench.jar")
                .check(product);
    }

    @Test
    void onlyTheStandaloneLauncherAndTheTransportAdapterUseGrizzlyOrTyrusInternals() {
        noClasses().that().resideOutsideOfPackages("dev.switchboard.standalone..", "dev.switchboard.transport..",
                        "dev.switchboard.bench..", "org.glassfish.tyrus.container.grizzly.server..")
                .should().dependOnClassesThat().resideInAnyPackage("org.glassfish.grizzly..", "org.glassfish.tyrus..")
                .because("the WAR runs on whatever Tyrus the server has: internals live behind one adapter")
                .check(product);
    }

    @Test
    void onlyTheClusterPackageTouchesHazelcastAndNoFeatureKnowsIt() {
        noClasses().that().resideOutsideOfPackage("dev.switchboard.cluster..")
                .should().dependOnClassesThat().resideInAnyPackage("com.hazelcast..")
                .because("with cluster=off no Hazelcast class may load (GlassFish and WildFly have none)")
                .check(product);
        noClasses().that().resideInAnyPackage(java.util.Arrays.stream(FEATURES).map(f -> "dev.switchboard." + f + "..")
                        .toArray(String[]::new))
                .should().dependOnClassesThat().resideInAPackage("dev.switchboard.cluster..")
                .because("a feature's shared state sits behind its own port; the cluster implements it")
                .check(product);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.switchboard.(*)..").should().beFreeOfCycles().check(product);
    }
}
