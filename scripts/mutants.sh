#!/usr/bin/env bash
# Mutation check (issue #8): each mutant is applied to a copy of src/ and tests/ in /tmp/mut;
# the tests that guard it must fail. Prints the failing tests (or "passed": a surviving mutant).
# Run: scripts/mutants.sh   (about 7 minutes)
cd "$(dirname "$0")/.."
root=$(pwd)
run() {
  name=$1; file=$2; from=$3; to=$4; shift 4
  dir=/tmp/mut/$name; rm -rf $dir; mkdir -p $dir
  cp -r src tests pyproject.toml $dir/ && find $dir -name __pycache__ -prune -exec rm -rf {} +
  python3 - "$dir/$file" "$from" "$to" <<'PY'
import sys; p, a, b = sys.argv[1:]
s = open(p).read(); assert s.count(a) >= 1, ("pattern not found", a); open(p, "w").write(s.replace(a, b))
PY
  (cd $dir && PYTHONPATH=$dir/src NUMBA_CACHE_DIR=$dir/.nb "$root"/.venv/bin/python -m pytest -q -x -p no:cacheprovider "$@" 2>&1 | grep -E "^FAILED|passed|failed" | head -5) > /tmp/mut/$name.log
  echo "== $name"; cat /tmp/mut/$name.log
}
run course-reversed src/skyshield/engine/flight.py "    return np.asarray(
        initial_bearing_rad(lon[start], lat[start], lon[start + 1], lat[start + 1]),
        dtype=np.float64,
    )" "    return np.asarray(
        initial_bearing_rad(lon[start], lat[start], lon[start + 1], lat[start + 1]) + np.pi,
        dtype=np.float64,
    )" tests/engine/test_flight.py tests/engine/test_reference.py tests/runner/test_compare.py
run reload-ignores-stock src/skyshield/engine/kernel.py "ready[u] = min(inp.unit_ready_capacity[u], stock[u])" "ready[u] = inp.unit_ready_capacity[u]" tests/engine/test_reference.py
run paired-ci-over-n src/skyshield/metrics/summary.py "return Z95 * per_rep.std(ddof=1) / np.sqrt(n)" "return Z95 * per_rep.std(ddof=1) / n" tests/metrics/test_intervals.py -m "not slow"
run populated-flipped src/skyshield/engine/windows.py "keep[np.flatnonzero(over_own)[crowded]] = False" "keep[np.flatnonzero(over_own)[~crowded]] = False" tests/engine/test_reference.py tests/runner/test_compare.py
run cap-removed src/skyshield/engine/kernel.py "    return 0 <= cap <= used_outside" "    return False" tests/engine/test_reference.py tests/runner/test_compare.py
# issue #13: exports and the report
run geojson-lonlat-swapped src/skyshield/export/geojson.py 'return {"type": "Point", "coordinates": [float(lon), float(lat)]}' 'return {"type": "Point", "coordinates": [float(lat), float(lon)]}' tests/export/test_geojson.py
run czml-time-reversed src/skyshield/export/czml.py "samples = np.column_stack([since, track.lon_deg" "samples = np.column_stack([since[::-1], track.lon_deg" tests/export/test_time_tagged.py
run acmi-frames-reversed src/skyshield/export/acmi.py "[line.time_s for line in lines]))" "[-line.time_s for line in lines]))" tests/export/test_time_tagged.py
run report-drops-an-intercept-marker src/skyshield/report/templates/report.html.j2 "for (const f of m.geojson.features) {" 'let dropped = false; for (const f of m.geojson.features) { if (f.properties.layer === "intercept" && !dropped) { dropped = true; continue; }' tests/report/test_html.py
