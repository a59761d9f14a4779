#!/usr/bin/env bash
# Fetch the Apache Kafka broker + tools jars from Maven Central into a cache
# folder and print that folder ("lib", to be used as `java -cp 'lib/*'`) as the
# last line on stdout. Idempotent: does nothing when the cache is complete.
#
#   AVTAL_KAFKA_VERSION  Kafka version (default: <kafka.version> in pom.xml)
#   AVTAL_KAFKA_CACHE    cache root (default: <repo>/.avtal/kafka);
#                        jars go to $AVTAL_KAFKA_CACHE/<version>/lib
#   AVTAL_KAFKA_MVN_ARGS extra arguments for mvn (e.g. "-o" to stay offline)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pom="$here/pom.xml"

version="${AVTAL_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n1)}"
if [ -z "$version" ]; then
    echo "fetch.sh: cannot determine the Kafka version" >&2
    exit 1
fi
cache="${AVTAL_KAFKA_CACHE:-$repo/.avtal/kafka}"
dir="$cache/$version"
lib="$dir/lib"
# The stamp changes whenever pom.xml or the version changes -> refetch.
stamp="$version $(sha256sum "$pom" | cut -c1-16)"

is_complete() {
    [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$stamp" ] \
        && [ -f "$lib/kafka_2.13-$version.jar" ]
}

if is_complete; then
    echo "$lib"
    exit 0
fi

mkdir -p "$dir"
# Serialise concurrent fetches of the same version.
exec 9>"$dir/.lock"
flock 9
if is_complete; then
    echo "$lib"
    exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
    echo "fetch.sh: mvn not found (install Maven 3.8+ and Java 17+)" >&2
    exit 1
fi

tmp="$dir/lib.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
echo "fetch.sh: fetching Kafka $version jars with Maven into $lib" >&2
# shellcheck disable=SC2086  # AVTAL_KAFKA_MVN_ARGS is a word list on purpose
mvn -q -B ${AVTAL_KAFKA_MVN_ARGS:-} -f "$pom" -Dkafka.version="$version" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2  # mvn -q prints bare colour codes
if [ ! -f "$tmp/kafka_2.13-$version.jar" ]; then
    echo "fetch.sh: Maven finished but kafka_2.13-$version.jar is missing" >&2
    exit 1
fi
rm -rf "$lib"
mv "$tmp" "$lib"
echo "$stamp" >"$dir/.complete"
echo "$lib"
