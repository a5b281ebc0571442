#!/usr/bin/env bash
# The load tool, side by side with its peers, in one command: builds target/switchboard-bench.jar
# and target/switchboard.war, fetches Apache Artemis's binary distribution and the Payara Micro jar
# from Maven Central (once, into target/peers), and runs every scenario against Switchboard, bare
# Tyrus, Jetty and Artemis, and the WAR in Payara Micro beside the standalone server (echo,
# latency, stomp, chat, images, idle; "payara÷sb" rows). Extra arguments go to the tool (e.g.
# --seconds 10, --idle 19000, --only stomp,slow,reconnect, --json).
#
# Before and after a change, in one run: --baseline-jar JAR also starts Switchboard from that
# standalone jar and runs the stomp scenarios against both (new, baseline, baseline, new; each
# side's runs averaged), printing new ÷ baseline ratios. To build a baseline jar from a commit:
#   git clone -q . /tmp/baseline-src && git -C /tmp/baseline-src checkout -q COMMIT \
#     && (cd /tmp/baseline-src && ./mvnw -B -ntp -q -DskipTests package)
#   scripts/bench.sh --only stomp --baseline-jar /tmp/baseline-src/target/switchboard-standalone.jar
#
# Persistent STOMP against a persistent Artemis (its default journal, made by `artemis create`):
#   scripts/bench.sh --only persist,restart --runs 3
# persist: SEND persistent:true → RECEIPT to queues (1×1, 8×1, 8 producers × 16 outstanding) and
# consume-and-ACK, Switchboard at stomp.store.sync=always and =batch; restart: 100,000 persistent
# messages, kill -9, time to the first message again. Every rate also as a share of the disk's own
# fsync rate, probed in the same folder before and after. --runs N repeats each and prints the spread.
#
# The cluster (--only cluster): two Switchboard nodes (cluster=on, one Hazelcast grid on loopback)
# beside a cluster=off node and two Artemis brokers clustered by Artemis itself (static connectors,
# ON_DEMAND): STOMP fan-out with the publisher on node/broker A and the subscribers on A or split
# over A and B ("÷ artemis×2" rows), chat latency to receivers on A and on B, and presence after
# kill -9 of node B (the time until A's watchers have seen each of B's members unavailable), and
# after node B of a new pair is frozen (SIGSTOP). Each fan-out runs every side in turn and in
# reverse (--runs N times), averaged: e.g. scripts/bench.sh --only cluster --seconds 5 --runs 2
#
# What a reverse proxy costs (--only proxies): echo and a STOMP fan-out through Debian's nginx and
# HAProxy (apt-get install nginx haproxy; configured as docs/deploy.md, without TLS) beside the same
# directly, proxy ÷ direct printed.
# XMPP (--only xmpp) against Debian's Prosody as the peer (apt-get install prosody), started by the
# tool on a config of its own in a temp folder: MUC fan-out 1→100 and 1→1,000, a room half XMPP
# and half JSON chat members (Switchboard only), 1:1 chat round trips; ratios printed.
set -euo pipefail
cd "$(dirname "$0")/.."
ARTEMIS_VERSION=2.56.0
PAYARA_VERSION=6.2025.10 # the pom's payara.version, which the Payara IT runs on
./mvnw -B -q -DskipTests package
artemis=target/peers/apache-artemis-$ARTEMIS_VERSION
if [ ! -f "$artemis/lib/artemis-boot.jar" ]; then
  ./mvnw -B -q dependency:unpack -Dartifact=org.apache.artemis:apache-artemis:$ARTEMIS_VERSION:tar.gz:bin \
    -DoutputDirectory=target/peers
fi
payara=target/peers/payara-micro-$PAYARA_VERSION.jar
if [ ! -f "$payara" ]; then
  ./mvnw -B -q dependency:copy -Dartifact=fish.payara.extras:payara-micro:$PAYARA_VERSION -DoutputDirectory=target/peers
fi
if [ ! -x /usr/bin/prosody ]; then
  echo "bench.sh: no Prosody, so the xmpp scenarios run without their peer (apt-get install prosody)" >&2
fi
exec java -jar target/switchboard-bench.jar --artemis "$artemis" --payara "$payara" "$@"
