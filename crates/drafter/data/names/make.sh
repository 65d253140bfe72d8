#!/usr/bin/env bash
# Rebuilds the name gazetteer, the surrogates' names and the common-word list the redactor reads
# (see README.md beside this script). Needs pip and Debian's scowl package:
#   apt-get install scowl && bash crates/drafter/data/names/make.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The US Census Bureau's 1990 name files, as the PyPI package `names` 0.3.0 ships them.
pip download --quiet --no-deps --no-binary :all: -d "$work" names==0.3.0
tar -xzf "$work"/names-0.3.0.tar.gz -C "$work"
census="$work/names-0.3.0/names"
# One lower-case name a line, each once: the thousand most frequent by rank (the
# census files are sorted by frequency) for surrogates, and all of them in byte
# order for the recogniser's binary search.
awk '{ n = tolower($1); if (!(n in seen)) { seen[n] = 1; print n } }' \
    "$census/dist.female.first" "$census/dist.male.first" > "$work/given"
awk '{ print tolower($1) }' "$census/dist.all.last" > "$work/family"
for list in given family; do
    head -n 1000 "$work/$list" > "$here/$list-by-rank.txt"
    LC_ALL=C sort -u "$work/$list" > "$here/$list.txt"
done

# SCOWL's words of sizes 10, 20 and 35 (the common ones), in the spellings common
# to every English and in the American and British ones ("traveling",
# "travelling"), lower-case words only, sorted.
scowl=/usr/share/dict/scowl
for variant in english american british; do
    cat "$scowl/$variant-words.10" "$scowl/$variant-words.20" "$scowl/$variant-words.35"
done \
    | iconv -f latin1 -t utf-8 | grep -E '^[a-z]+$' | LC_ALL=C sort -u > "$here/common.txt"
wc -l "$here"/*.txt
