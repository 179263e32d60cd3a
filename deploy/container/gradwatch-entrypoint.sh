#!/bin/sh
# Entry point of the launcher image: the same java command line as the ./gradwatch script at the
# repository root, without its build step (the image already holds the built jars).
set -eu
lib=/opt/gradwatch/lib
cp=""
while IFS= read -r jar; do
  [ -n "$jar" ] || continue
  cp="${cp:+$cp:}$lib/$jar"
done < "$lib/classpath.txt"

# as in ./gradwatch: OpenBLAS's idle worker threads sleep after 2^20 cycles instead of 2^28
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-20}"

# Flink (used by `gradwatch monitor` and `gradwatch demo`) on Java 17 needs these packages opened.
# shellcheck disable=SC2086
exec java ${GRADWATCH_JAVA_OPTS:-} \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED \
  -cp "$cp" dev.gradwatch.cli.GradWatchCommand "$@"
