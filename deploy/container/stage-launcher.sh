#!/usr/bin/env bash
# Stages the launcher for deploy/container/Containerfile.launcher: copies the launcher jar and
# every jar listed in launcher/target/classpath.txt (written by `mvn package` through
# maven-dependency-plugin build-classpath) into launcher/target/container-lib/, numbered so that
# the classpath order is kept and equal file names from different groups cannot collide, and
# writes container-lib/classpath.txt with the file names in order.
# Run from anywhere after `mvn -DskipTests package` at the repository root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$root/launcher/target"
cp_file="$target/classpath.txt"
out="$target/container-lib"

launcher_jar=""
for j in "$target"/launcher-*.jar; do
  case "$j" in
    *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;;
  esac
  [ -f "$j" ] || continue
  if [ -n "$launcher_jar" ]; then
    echo "stage-launcher: more than one launcher jar in launcher/target: $launcher_jar $j" >&2
    exit 1
  fi
  launcher_jar="$j"
done
if [ -z "$launcher_jar" ] || [ ! -f "$cp_file" ]; then
  echo "stage-launcher: launcher/target/launcher-*.jar or launcher/target/classpath.txt is missing;" >&2
  echo "stage-launcher: run 'mvn -DskipTests package' at the repository root first" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
: > "$out/classpath.txt"
n=0
add() {
  local src="$1" name
  if [ -d "$src" ]; then
    echo "stage-launcher: classpath entry is a directory, not a jar: $src" >&2
    echo "stage-launcher: run 'mvn -DskipTests package' (not only compile) so that every module has a jar" >&2
    exit 1
  fi
  if [ ! -f "$src" ]; then
    echo "stage-launcher: classpath entry does not exist: $src" >&2
    exit 1
  fi
  n=$((n + 1))
  name="$(printf '%03d' "$n")-$(basename "$src")"
  cp "$src" "$out/$name"
  printf '%s\n' "$name" >> "$out/classpath.txt"
}

add "$launcher_jar"
classpath="$(cat "$cp_file")"
IFS=':' read -r -a entries <<< "$classpath"
for e in "${entries[@]}"; do
  [ -n "$e" ] && add "$e"
done
echo "stage-launcher: staged $n jars in ${out#"$root"/}"
