#!/usr/bin/env bash
# Whole-process timing of `jsna-gap apportion` against the same job done
# with PySAL tobler (benches/tobler_process.py), run in turn N times each;
# prints every run's wall time (s) and peak memory (MB) from /usr/bin/time,
# then the medians and their ratio.
#
#   cargo build --release
#   python3 -m venv /tmp/tobler-venv && /tmp/tobler-venv/bin/pip install tobler
#   benches/compare_tobler.sh [N] [FROM FROM_CODE TO TO_CODE]
#
# The default case is LSOA 2011 (34,753) -> CCG April 2021 (106) with the
# mid-2020 LSOA populations as the values. Give another FROM/TO pair (any
# format) for the growth curve, e.g. the MSOA 2011 layer or the LSOA layer
# itself as TO.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
DATA=${JSNA_GAP_DATA:-../shared/data}
FROM=${2:-$DATA/boundaries/lsoa/geographr_boundaries_lsoa11_LSOA_DEC_2011_EW_BSC_simplified.geojson}
FROM_CODE=${3:-lsoa11_code}
TO=${4:-$DATA/boundaries/health/CCG_APR_2021_EN_BUC.geojson}
TO_CODE=${5:-AREACD}
VALUES=$DATA/population/demographr_population20_lsoa11.csv
PYTHON=${PYTHON:-/tmp/tobler-venv/bin/python}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

ours=(target/release/jsna-gap apportion --from "$FROM" --from-code "$FROM_CODE" --to "$TO" --to-code "$TO_CODE"
      --values "$VALUES" --code-column lsoa11_code --value-column total_population --out "$OUT/ours.csv")
theirs=("$PYTHON" benches/tobler_process.py "$FROM" "$FROM_CODE" "$TO" "$TO_CODE"
        "$VALUES" lsoa11_code total_population "$OUT/tobler.csv")

# One run: "wall_seconds peak_megabytes".
measure() {
    /usr/bin/time -f '%e %M' -o "$OUT/time" "$@" >/dev/null 2>&1
    awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$OUT/time"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure "${ours[@]}" >/dev/null    # warm the file cache
measure "${theirs[@]}" >/dev/null
: >"$OUT/ours.runs"; : >"$OUT/tobler.runs"
for i in $(seq "$N"); do
    measure "${ours[@]}" >>"$OUT/ours.runs"
    measure "${theirs[@]}" >>"$OUT/tobler.runs"
done
echo "run  jsna-gap(s) MB   tobler(s) MB"
paste -d' ' "$OUT/ours.runs" "$OUT/tobler.runs" | nl -w3 -s'  '
a=$(cut -d' ' -f1 "$OUT/ours.runs" | median)
b=$(cut -d' ' -f1 "$OUT/tobler.runs" | median)
m=$(cut -d' ' -f2 "$OUT/ours.runs" | median)
echo "median wall: jsna-gap $a s, tobler $b s; tobler/jsna-gap = $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", b / a}')x; jsna-gap peak memory $m MB"
