#!/usr/bin/env bash
# Mutation check (issue #8): each mutant is applied to a copy of src/ and tests/ in /tmp/mut;
# the tests that guard it must fail. Prints the failing tests (or "passed": a surviving mutant).
# Run: scripts/mutants.sh   (about 7 minutes; the #12 mutants about 9 more)
#      scripts/mutants.sh NAME...   (only these mutants)
cd "$(dirname "$0")/.."
root=$(pwd)
only=" $* "
run() {
  name=$1; file=$2; from=$3; to=$4; shift 4
  if [ "$only" != "  " ] && [[ "$only" != *" $name "* ]]; then return; fi
  dir=/tmp/mut/$name; rm -rf $dir; mkdir -p $dir
  cp -r src tests pyproject.toml $dir/ && find $dir -name __pycache__ -prune -exec rm -rf {} +
  python3 - "$dir/$file" "$from" "$to" <<'PY'
import sys; p, a, b = sys.argv[1:]
s = open(p).read(); assert s.count(a) >= 1, ("pattern not found", a); open(p, "w").write(s.replace(a, b))
PY
  (cd $dir && PYTHONPATH=$dir/src NUMBA_CACHE_DIR=$dir/.nb "$root"/.venv/bin/python -m pytest -q -x -p no:cacheprovider "$@" 2>&1 | grep -E "^FAILED|passed|failed" | head -5) > /tmp/mut/$name.log
  echo "== $name"; cat /tmp/mut/$name.log
}
run course-reversed src/skyshield/engine/zones.py "    course = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64)" "    course = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64) + np.pi" tests/runner/test_compare.py tests/engine/test_reference.py
run reload-ignores-stock src/skyshield/engine/kernel.py "ready[u] = min(inp.unit_ready_capacity[u], stock[u])" "ready[u] = inp.unit_ready_capacity[u]" tests/engine/test_reference.py
run paired-ci-over-n src/skyshield/metrics/summary.py "return Z95 * per_rep.std(ddof=1) / np.sqrt(n)" "return Z95 * per_rep.std(ddof=1) / n" tests/metrics/test_intervals.py -m "not slow"
run populated-flipped src/skyshield/engine/zones.py "                ok = True
                for q in range(p_off[i], p_off[i + 1]):
                    if p_lo[q] <= mid < p_hi[q]:
                        ok = False" "                ok = False
                for q in range(p_off[i], p_off[i + 1]):
                    if p_lo[q] <= mid < p_hi[q]:
                        ok = True" tests/engine/test_reference.py tests/runner/test_compare.py
run cap-removed src/skyshield/engine/kernel.py "    return 0 <= cap <= used_outside" "    return False" tests/engine/test_reference.py tests/runner/test_compare.py
run kills-are-hits src/skyshield/metrics/summary.py 'shots[shots["kill"]]' 'shots[shots["hit"]]' tests/metrics/test_by_unit.py
run hit-after-ew-loss src/skyshield/engine/outcomes.py "    hit = raw.shot_hit & ~gone" "    hit = raw.shot_hit" tests/engine/test_shot_effects.py -k "not by_hand"
run ew-strongest-zone-summed src/skyshield/engine/ew.py "                        best = max(best, strength[z])" "                        best = best + strength[z]" tests/engine/test_ew.py
# issue #20: the per-leg geometry
run piece-end-off-by-one src/skyshield/engine/pieces.py "        nxt = min(j + 1, vertex_offset[i + 1] - 1)" "        nxt = min(j + 2, vertex_offset[i + 1] - 1)" tests/engine/test_pieces.py tests/engine/test_flight.py
run horizon-term-dropped src/skyshield/engine/envelope.py "        + np.sqrt(TWO_K_R_M * (h if h > 0.0 else 0.0))" "        + 0.0 * np.sqrt(TWO_K_R_M * (h if h > 0.0 else 0.0))" tests/engine/test_envelope.py
run sector-half-plane-flipped src/skyshield/engine/envelope.py "        n1 = np.cos(left) * east - np.sin(left) * north" "        n1 = np.sin(left) * north - np.cos(left) * east" tests/engine/test_envelope.py
run shared-edge-crossing-skipped src/skyshield/geo/crossings.py "                p = edge_polygon[buf_e[c]]
                inside[p] ^= 1" "                p = edge_polygon[buf_e[c]]
                if c > 0 and buf_u[c - 1] == buf_u[c]:
                    continue
                inside[p] ^= 1" tests/geo/test_crossings.py
run raw-fire-time-not-running-max src/skyshield/engine/firetime.py "        out[m] = max(best, _piece_max(time_s, ecef_m, j, unit, v, t - time_s[j]))" "        out[m] = _f(time_s, ecef_m, j, unit, v, t - time_s[j])" tests/engine/test_firetime.py
run detection-stops-a-sensor-early src/skyshield/engine/sensors.py "                best = min(best, time_s[p] + lo[0])" "                best = min(best, time_s[p] + lo[0])
                break" tests/engine/test_sensors.py
# issue #13: exports and the report
run geojson-lonlat-swapped src/skyshield/export/geojson.py 'return {"type": "Point", "coordinates": [float(lon), float(lat)]}' 'return {"type": "Point", "coordinates": [float(lat), float(lon)]}' tests/export/test_geojson.py
run czml-time-reversed src/skyshield/export/czml.py "samples = np.column_stack([since, track.lon_deg" "samples = np.column_stack([since[::-1], track.lon_deg" tests/export/test_time_tagged.py
run acmi-frames-reversed src/skyshield/export/acmi.py "[line.time_s for line in lines]))" "[-line.time_s for line in lines]))" tests/export/test_time_tagged.py
run report-drops-an-intercept-marker src/skyshield/report/templates/report.html.j2 "for (const f of m.geojson.features) {" 'let dropped = false; for (const f of m.geojson.features) { if (f.properties.layer === "intercept" && !dropped) { dropped = true; continue; }' tests/report/test_html.py
# results store and sweeps (#12)
run skip-completed-removed src/skyshield/runner/sweep.py "skipped = _complete_points(directory, plan)" "skipped = set()" tests/runner/test_sweep.py -k resume
run seed-by-point-order src/skyshield/runner/sweep.py "seed=point.seed(seed)," "seed=seed + len(tasks)," tests/runner/test_sweep.py -k whatever
run write-in-place-no-rename src/skyshield/store/atomic.py 'fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARKER}")' 'fd, temporary = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), str(path)' tests/store/test_atomic.py
run complete-before-files src/skyshield/runner/sweep.py "            again=True,
        )
" "            again=True,
        )
        finish_run(directory, [t.run_id for t in tasks], RunStatus.COMPLETE)
" tests/store/test_resume.py
run different-raids-refused src/skyshield/runner/compare.py 'for field in ("monte_carlo", "engine"):' 'for field in ("raid", "monte_carlo", "engine"):' tests/runner/test_compare.py -k unpaired
run ids-not-resolved src/skyshield/scenario/variation.py 'matches = [i for i in ids if node[i].get("id") == key]' "matches = []" tests/runner/test_compare.py -k list_items
# sweeps share routes and geometry (#12): a wrong cache hit is a silent wrong result
run geometry-key-ignores-delay src/skyshield/runner/geometry_cache.py '        "optimal_assignment",' '        "optimal_assignment",
        "roe_delay_s",' tests/runner/test_geometry_cache.py -k delay_sweep
run geometry-keyed-as-flights src/skyshield/runner/geometry_cache.py "return _key(compiled, GEOMETRY_IGNORES, route_seed, n_realizations)" "return _key(compiled, FLIGHTS_IGNORE, route_seed, n_realizations)" tests/runner/test_geometry_cache.py -k delay_sweep
run geometry-key-ignores-route-seed src/skyshield/runner/geometry_cache.py 'hashlib.sha256(f"routes {route_seed} {n_realizations}|".encode())' 'hashlib.sha256(f"routes {n_realizations}|".encode())' tests/runner/test_geometry_cache.py -k two_sweeps
run routes-from-point-seed src/skyshield/runner/sweep.py "route_seed=seed," "route_seed=point.seed(seed)," tests/runner/test_geometry_cache.py -k share_routes
run draws-from-sweep-seed src/skyshield/runner/sweep.py "seed=point.seed(seed)," "seed=seed," tests/runner/test_geometry_cache.py -k share_routes
run campaign-nights-shuffled src/skyshield/campaign/store.py '"night": np.tile(np.repeat(np.arange(nights, dtype=np.int64), k), reps),' '"night": np.repeat(np.tile(np.arange(nights, dtype=np.int64), k), reps),' tests/campaign/test_store.py -k round_trip
