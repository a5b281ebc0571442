#!/usr/bin/env bash
# The load tool, side by side with its peers, in one command: builds target/switchboard-bench.jar,
# fetches Apache Artemis's binary distribution from Maven Central (once, into target/peers), and
# runs every scenario against Switchboard, bare Tyrus, Jetty and Artemis. Extra arguments go to
# the tool (e.g. --seconds 10, --idle 19000, --only stomp,slow, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
ARTEMIS_VERSION=2.56.0
./mvnw -B -q -DskipTests package
artemis=target/peers/apache-artemis-$ARTEMIS_VERSION
if [ ! -f "$artemis/lib/artemis-boot.jar" ]; then
  ./mvnw -B -q dependency:unpack -Dartifact=org.apache.artemis:apache-artemis:$ARTEMIS_VERSION:tar.gz:bin \
    -DoutputDirectory=target/peers
fi
exec java -jar target/switchboard-bench.jar --artemis "$artemis" "$@"
