#!/usr/bin/env bash
# Mutation check (issues #8, #21): `make mutants`. Each `run` line below is one mutant:
#   run NAME FILE FROM TO TEST-ARGS...
# every occurrence of FROM in FILE becomes TO, in a copy of src/, tests/ and pyproject.toml, and
# `pytest -x TEST-ARGS` must then fail there. scripts/mutants.py runs them (MUTANT_JOBS at a
# time, default the CPU count), prints a table mutant -> killed by / SURVIVED, and exits 1 if
# one survives, its FROM is not found, or its tests cannot run.
# Run: make mutants   or   scripts/mutants.sh [NAME...]   (only these mutants)
set -euo pipefail
cd "$(dirname "$0")/.."
specs=$(mktemp -d)
count=0
# records the mutant; they all run when this script ends (so lines added at the end count too)
run() {
  count=$((count + 1))
  printf '%s\0' "$@" > "$specs/$(printf %04d $count)"
}
finish() {
  status=$?
  if [ $status = 0 ]; then
    .venv/bin/python scripts/mutants.py "$specs" "${names[@]}" || status=$?
  fi
  rm -rf "$specs"
  exit $status
}
names=("$@")
trap finish EXIT
# (session 7) the engine mutants below name only the test file that kills them: test_compare.py
# (every shipped scenario, ~1 min) killed none of course-reversed, populated-flipped, cap-removed,
# and test_kernel.py none of the three assignment mutants (each run alone, without -x)
run course-reversed src/skyshield/engine/zones.py "    course = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64)" "    course = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64) + np.pi" tests/engine/test_reference.py
# reload-ignores-stock (ready[u] = inp.unit_ready_capacity[u] at a reload) is equivalent since
# the reserves of #9 bound every engagement's rounds by the stock left: more ready rounds than
# stock can never be fired, so no output changes. The stock bound that does the work instead:
run rounds-into-the-reserve src/skyshield/engine/kernel.py "                        stock[u] - inp.unit_reserve_floor[rep, u, inp.threat_class[i]],
                    )" "                        stock[u],
                    )" tests/engine/test_reference.py -k reserve
run paired-ci-over-n src/skyshield/metrics/summary.py "return Z95 * per_rep.std(ddof=1) / np.sqrt(n)" "return Z95 * per_rep.std(ddof=1) / n" tests/metrics/test_intervals.py -m "not slow"
run populated-flipped src/skyshield/engine/zones.py "                ok = True
                for q in range(p_off[i], p_off[i + 1]):
                    if p_lo[q] <= mid < p_hi[q]:
                        ok = False" "                ok = False
                for q in range(p_off[i], p_off[i + 1]):
                    if p_lo[q] <= mid < p_hi[q]:
                        ok = True" tests/engine/test_reference.py
run cap-removed src/skyshield/engine/kernel.py "    return 0 <= cap <= used_outside" "    return False" tests/engine/test_reference.py -k coalition
run kills-are-hits src/skyshield/metrics/summary.py 'shots[shots["kill"]]' 'shots[shots["hit"]]' tests/metrics/test_by_unit.py
run hit-after-ew-loss src/skyshield/engine/outcomes.py "    hit = raw.shot_hit & ~gone" "    hit = raw.shot_hit" tests/engine/test_shot_effects.py -k "not by_hand"
run ew-strongest-zone-summed src/skyshield/engine/ew.py "                    best = max(best, strength[z])" "                    best = best + strength[z]" tests/engine/test_ew.py
# issue #13: exports and the report
run geojson-lonlat-swapped src/skyshield/exporting/geojson.py 'return {"type": "Point", "coordinates": [float(lon), float(lat)]}' 'return {"type": "Point", "coordinates": [float(lat), float(lon)]}' tests/export/test_geojson.py
run czml-time-reversed src/skyshield/exporting/czml.py "[since, track.lon_deg[kept]" "[since[::-1], track.lon_deg[kept]" tests/export/test_time_tagged.py
run acmi-frames-reversed src/skyshield/exporting/acmi.py "[line.time_s for line in lines]))" "[-line.time_s for line in lines]))" tests/export/test_time_tagged.py
run report-drops-an-intercept-marker src/skyshield/reporting/templates/report.html.j2 "for (const f of m.geojson.features) {" 'let dropped = false; for (const f of m.geojson.features) { if (f.properties.layer === "intercept" && !dropped) { dropped = true; continue; }' tests/report/test_html.py
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
run geometry-keyed-as-flights src/skyshield/runner/geometry_cache.py "return _key(compiled, GEOMETRY_IGNORES, route_seed, n_realizations, first)" "return _key(compiled, FLIGHTS_IGNORE, route_seed, n_realizations, first)" tests/runner/test_geometry_cache.py -k delay_sweep
run geometry-key-ignores-route-seed src/skyshield/runner/geometry_cache.py 'hashlib.sha256(f"routes {route_seed} {first}+{n_realizations}|".encode())' 'hashlib.sha256(f"routes {first}+{n_realizations}|".encode())' tests/runner/test_geometry_cache.py -k two_sweeps
run routes-from-point-seed src/skyshield/runner/sweep.py "route_seed=seed," "route_seed=point.seed(seed)," tests/runner/test_geometry_cache.py -k share_routes
run draws-from-sweep-seed src/skyshield/runner/sweep.py "seed=point.seed(seed)," "seed=seed," tests/runner/test_geometry_cache.py -k share_routes
run campaign-nights-shuffled src/skyshield/campaigns/store.py '"night": np.tile(np.repeat(np.arange(nights, dtype=np.int64), k), reps),' '"night": np.repeat(np.tile(np.arange(nights, dtype=np.int64), k), reps),' tests/campaign/test_store.py -k round_trip
# issue #21: the reports loader, the fit, the back-test, scenario validation, kernel assignment
run launched-empty-read-as-0 src/skyshield/reports/load.py 'launched = parse_count(cells["launched"])' 'launched = parse_count(cells["launched"].strip() or "0")' tests/reports/test_load.py -k tiny_file
run neutralised-without-lost src/skyshield/reports/load.py '"neutralised": destroyed + reported_lost,' '"neutralised": destroyed,' tests/reports/test_load.py -k tiny_file
run fit-neutral-share-is-destroyed src/skyshield/calibration/fit.py "neutral_share = destroyed + lost" "neutral_share = destroyed" tests/calibration/test_fit.py -k likelihood
run fit-split-term-ignores-weights src/skyshield/calibration/fit.py "total += w[split] @ _betabinom_logpmf(" "total += np.ones_like(w[split]) @ _betabinom_logpmf(" tests/calibration/test_fit.py -k likelihood
run baseline-includes-the-night src/skyshield/calibration/backtest.py "before = data.nights < night" "before = data.nights <= night" tests/calibration/test_backtest.py -k baseline_forecast
run baseline-window-one-day-short src/skyshield/calibration/backtest.py 'recent = before & (data.nights >= night - np.timedelta64(BASELINE_DAYS, "D"))' 'recent = before & (data.nights > night - np.timedelta64(BASELINE_DAYS, "D"))' tests/calibration/test_backtest.py -k baseline_forecast
run score-signed-error src/skyshield/calibration/backtest.py '"mae": float(np.mean(np.abs(g["median"].to_numpy() - reported))),' '"mae": float(np.mean(g["median"].to_numpy() - reported)),' tests/calibration/test_backtest.py -k score
run train-sees-test-nights src/skyshield/calibration/backtest.py "train = data.between(start, np.datetime64(origin))" "train = data.between(start, np.datetime64(origin + timedelta(days=refit_every_days)))" tests/calibration/test_backtest.py -k later_reports
run reserve-over-stock-allowed src/skyshield/scenario/check.py "                held <= stock," "                True," tests/scenario/test_examples.py -k reserves
run range-check-dropped src/skyshield/scenario/check.py "            if flight_m > RANGE_MARGIN * _endurance_range_m(threat):" "            if flight_m < 0:" tests/scenario/test_examples.py -k absurd
run latitude-bound-dropped src/skyshield/scenario/models.py "lat_deg: Real = Field(ge=-90.0, le=90.0, allow_inf_nan=False)" "lat_deg: Real = Field(allow_inf_nan=False)" tests/scenario/test_load.py
run wave-of-zero-allowed src/skyshield/scenario/models.py "count: Integer = Field(ge=1, le=100_000)" "count: Integer = Field(ge=0, le=100_000)" tests/scenario/test_load.py tests/scenario/test_mutations.py
# engine/kernel.py step 4, the greedy assignment (being rewritten on another branch: these lines)
run assignment-worst-first src/skyshield/engine/kernel.py "neg_score[b] = -score[b]" "neg_score[b] = score[b]" tests/engine/test_reference.py
run threat-taken-twice src/skyshield/engine/kernel.py "if pending[i] >= 0 or free[plat[u]] <= 0 or ready[u] <= 0:" "if free[plat[u]] <= 0 or ready[u] <= 0:" tests/engine/test_reference.py
run score-ignores-time-to-impact src/skyshield/engine/kernel.py "/ ((flight[i] - (s - launch[i]) * dt) / dt + 1.0)" "/ 1.0" tests/engine/test_reference.py
# issue #23 item 1: an empty not_reach_goal is "split unknown", decided from the data
run empty-lost-read-as-0 src/skyshield/reports/load.py "not_reach_goal = parse_count(nrg_text) if lost_reported else None" "not_reach_goal = parse_count(nrg_text) if lost_reported else 0" tests/calibration/test_split.py -m "not slow" -k folded_split_does_not_collapse
run empty-lost-read-as-0-loader src/skyshield/reports/load.py "not_reach_goal = parse_count(nrg_text) if lost_reported else None" "not_reach_goal = parse_count(nrg_text) if lost_reported else 0" tests/reports/test_load.py -k "empty_lost or accounts_for_every_launch"
run split-from-a-date src/skyshield/calibration/fit.py '.where(frame["not_reach_goal"].notna().to_numpy(dtype=bool))' '.where((frame["night"] >= "2024-07-10").to_numpy(dtype=bool))' tests/calibration/test_split.py -m "not slow" -k "split_known_only or folded_split_does_not_collapse"
run destroyed-baseline-ignores-split src/skyshield/calibration/backtest.py 'known = data.split[:, k] if target == "destroyed" else np.ones(len(data), dtype=bool)' 'known = np.ones(len(data), dtype=bool)' tests/calibration/test_split.py tests/calibration/test_backtest.py -m "not slow" -k "baseline_forecast__destroyed or destroyed_scored_only"
# issue #23 item 11: no zero-quarter calibration
run train-until-unchecked src/skyshield/calibration/calibrate.py "    if fitted_periods(data, train_until, min_nights=min_nights):
        return" "    return" tests/calibration/test_train_until.py
run zero-quarter-file-applied src/skyshield/calibration/calibrate.py "if read.periods or not fitted:" "if True:" tests/calibration/test_train_until.py

# issue #20: per-leg geometry
run piece-end-off-by-one src/skyshield/engine/pieces.py "        nxt = min(j + 1, vertex_offset[i + 1] - 1)" "        nxt = min(j + 2, vertex_offset[i + 1] - 1)" tests/engine/test_pieces.py tests/engine/test_flight.py
run horizon-term-dropped src/skyshield/engine/envelope.py "        + np.sqrt(TWO_K_R_M * (h if h > 0.0 else 0.0))" "        + 0.0 * np.sqrt(TWO_K_R_M * (h if h > 0.0 else 0.0))" tests/engine/test_envelope.py
run sector-half-plane-flipped src/skyshield/engine/envelope.py "    n1 = _combine(np.cos(left), east, np.sin(left), north)" "    n1 = _combine(np.sin(left), north, np.cos(left), east)" tests/engine/test_envelope.py
run shared-edge-crossing-skipped src/skyshield/geo/crossings.py "                p = edge_polygon[buf_e[c]]
                inside[p] ^= 1" "                p = edge_polygon[buf_e[c]]
                if c > 0 and buf_u[c - 1] == buf_u[c]:
                    continue
                inside[p] ^= 1" tests/geo/test_crossings.py
run raw-fire-time-not-running-max src/skyshield/engine/firetime.py "        out[m] = max(best, _piece_max(time_s, ecef_m, j, unit, v, t - time_s[j]))" "        out[m] = _f(time_s, ecef_m, j, unit, v, t - time_s[j])" tests/engine/test_firetime.py
run detection-stops-a-sensor-early src/skyshield/engine/sensors.py "                best = min(best, time_s[p] + lo[0])" "                best = min(best, time_s[p] + lo[0])
                break" tests/engine/test_sensors.py
# issue #20, session 4: the cheap bounds in front of exact solves must never pass over a result
run horizon-bound-too-tight src/skyshield/engine/envelope.py "    return float(radar_horizon_m + np.sqrt(TWO_K_R_M * h) - np.sqrt(x * x + y * y + z * z))" "    return float(radar_horizon_m - np.sqrt(x * x + y * y + z * z))" tests/engine/test_envelope.py
run edge-bound-too-tight src/skyshield/geo/crossings.py "    return bool(total + cell_sum[j0, i0] == 0)" "    return bool(total + cell_sum[j0, i0] <= 2)" tests/geo/test_crossings.py
run vincenty-terms-kept-across-latitudes src/skyshield/geo/geodesy.py "            or lat_deg[m] != lat_deg[m - 1]
" "" tests/geo/test_geodesy.py
run vincenty-terms-kept-across-bearings src/skyshield/geo/geodesy.py "            or alpha1 != bearing_rad[m - 1]
" "" tests/geo/test_geodesy.py
run reach-radar-for-every-unit src/skyshield/engine/windows.py "    reach = np.where(own_radar[:, None], np.minimum(max_r, radar), max_r)" "    reach = np.minimum(max_r, radar)" tests/engine/test_reach.py -k engagement_windows
run windows-growth-drops-the-earlier src/skyshield/engine/windows.py "            k0 = np.concatenate((k0[:w], np.empty(cap - w, dtype=np.int64)))" "            k0 = np.zeros(cap, dtype=np.int64)" tests/engine/test_reach.py -k room_for_one
run ew-zone-reject-too-tight src/skyshield/engine/ew.py "        reach = ball + chord_m[z] + _REJECT_SLACK_M" "        reach = chord_m[z] + _REJECT_SLACK_M" tests/engine/test_ew.py -k reject
run ew-knot-growth-drops-the-earlier src/skyshield/engine/ew.py "            k_time = np.concatenate((k_time[:n], np.empty(2 * k_time.shape[0] - n)))" "            k_time = np.empty(2 * k_time.shape[0])" tests/engine/test_ew.py -k grow
run reach-of-another-threat src/skyshield/engine/reach.py "            reach = distance_m[k, piece_column[q]] + half_m[q]" "            reach = distance_m[k, 0] + half_m[q]" tests/engine/test_reach.py -k per_threat
run city-index-first-place-only src/skyshield/geo/cities.py "    return {key: tuple(sorted(ks)) for key, ks in index.items()}" "    return {key: tuple(sorted(ks))[:1] for key, ks in index.items()}" tests/geo/test_cities.py
# issue 21 item 7, rough edges: each guard and the test that holds it
run output-path-not-tried src/skyshield/terminal.py '        with path.open("ab"):' '        with open(os.devnull, "ab"):' tests/test_cli_outputs.py -k unwritable
run export-suffix-ignored src/skyshield/cli/export.py "    file_format = _format_for(output, file_format)" "    file_format = file_format or ExportFormat.GEOJSON" tests/export/test_commands.py -k suffix
run interrupt-marked-failed src/skyshield/runner/sweep.py "finish_run(directory, unfinished, RunStatus.PENDING)" "finish_run(directory, unfinished, RunStatus.FAILED)" tests/runner/test_sweep.py -k interrupt
run nation-chart-colours-dropped src/skyshield/reporting/html.py 'by_unit_chart(t["by_unit"], colours)' 'by_unit_chart(t["by_unit"])' tests/report/test_html.py -k one_colour
# issue 20 item 3: the reference engine stays independent, and its speed-up decides nothing
run reference-imports-pieces src/skyshield/engine/reference.py "from skyshield.engine.sampled import Trajectories, sample_trajectories" "from skyshield.engine.sampled import Trajectories, sample_trajectories
from skyshield.engine.pieces import positions_at" tests/engine/test_reference_imports.py
run reference-reach-without-closing src/skyshield/engine/reference.py "                self.far_m[u][i] = reach + top_mps * flight" "                self.far_m[u][i] = reach" tests/engine/test_reference_reach.py
# issue #23 item 9: backtest --json nights, one per night and class
run forecast-unknown-destroyed-as-0 src/skyshield/calibration/backtest.py '"reported_destroyed": int(test.destroyed[n, k]) if test.split[n, k] else None,' '"reported_destroyed": int(np.nan_to_num(test.destroyed[n, k])),' tests/calibration/test_backtest.py -k nights_one_per_night
run forecast-quantiles-swapped src/skyshield/calibration/backtest.py 'p05, median, p95 = np.quantile(s, [0.05, 0.5, 0.95])' 'p95, median, p05 = np.quantile(s, [0.05, 0.5, 0.95])' tests/calibration/test_backtest.py -k nights_one_per_night
# issue #23 item 10: a calibrated run says so; the cruise hold is a named share of the full load
run calibration-posture-never-warns src/skyshield/calibration/applied.py "    if mine == fitted:" "    if True:" tests/calibration/test_applied.py -k posture_warnings
run run-json-calibration-dropped src/skyshield/results.py '"calibration": self.calibration_applied,' '"calibration": None,' tests/calibration/test_applied.py -k json_store
run cruise-hold-share-ignored src/skyshield/posture/laydown.py 'unit["reserve_for"] = {"cruise": math.floor(CRUISE_HOLD_SHARE * load)}' 'unit["reserve_for"] = {"cruise": load // 3}' tests/calibration/test_model.py -k cruise_hold
# issue #23 item 10 (session 7): --calibration applies the whole fitted set as the night model does
run calibration-short-not-colocated src/skyshield/calibration/transfer.py "        pk[short] = np.minimum(1.0 - (1.0 - pk[short]) ** capacity[short, None], PK_MAX)" "        pk[short] = pk[short]" tests/calibration/test_transfer.py -k colocated
run calibration-family-size-ignored src/skyshield/calibration/transfer.py "        capacity = np.maximum(sizes, 1.0)" "        capacity = np.ones_like(sizes)" tests/calibration/test_transfer.py -k colocated
run calibration-size-on-allies src/skyshield/calibration/model.py "        if family is not None and int(compiled.unit_nation[u]) == national:" "        if family is not None:" tests/calibration/test_transfer.py -k colocated
run calibration-tasking-ignored src/skyshield/calibration/transfer.py '            sizes[families == k] = size * factor if family == "short" else size' "            sizes[families == k] = size" tests/calibration/test_transfer.py -k tasked
run calibration-units-always-in-action src/skyshield/calibration/transfer.py "        if np.all(sizes >= 1.0):" "        if True:" tests/calibration/test_transfer.py -k "in_action"
run calibration-activation-by-block src/skyshield/calibration/transfer.py "np.random.default_rng([self.seed, ACTIVATION_STREAM, int(r)])" "np.random.default_rng([self.seed, ACTIVATION_STREAM, int(r - replications[0])])" tests/calibration/test_transfer.py -k in_action
run calibration-stock-rule-unwired src/skyshield/runner/montecarlo.py "    initial = None if stock is None else stock(compiled, replications)
    if engine is EngineKind.REFERENCE:
        return" "    initial = None
    if engine is EngineKind.REFERENCE:
        return" tests/calibration/test_transfer.py -k "not_in_action"
run calibration-stock-rule-unwired-per-block src/skyshield/runner/montecarlo.py "    initial = None if stock is None else stock(compiled, replications)
    if engine is EngineKind.REFERENCE:
        raw =" "    initial = None
    if engine is EngineKind.REFERENCE:
        raw =" tests/calibration/test_transfer.py -k own_routes
run calibration-cruise-losses-dropped src/skyshield/calibration/transfer.py '        rate[_class_mask(compiled, "cruise")] += self.theta.get("loss_cruise", 0.0) / 3600.0' '        rate[_class_mask(compiled, "cruise")] += 0.0' tests/calibration/test_transfer.py -k loss_rates
run calibration-ballistic-fail-per-hour src/skyshield/calibration/transfer.py "            rate[ballistic] += -np.log1p(-fail) / flight_s[ballistic]" "            rate[ballistic] += -np.log1p(-fail) / 3600.0" tests/calibration/test_transfer.py -k loss_rates
run calibration-decoys-over-named-ones src/skyshield/calibration/transfer.py "        if np.any(compiled.threat_class == ThreatClass.DECOY.position):
            return np.zeros(0, dtype=np.int64)" "        if False:
            return np.zeros(0, dtype=np.int64)" tests/calibration/test_transfer.py -k decoys
run compare-json-calibration-dropped src/skyshield/runner/compare.py '            "calibration": self.calibration_applied,' '            "calibration": None,' tests/calibration/test_applied.py -k compare__json
run sweep-calibration-not-applied src/skyshield/runner/sweep.py "    if task.calibration is not None:" "    if False:" tests/calibration/test_applied.py -k sweep
run sweep-json-calibration-dropped src/skyshield/runner/sweep.py '            "calibration": self.plan.calibration_applied,' '            "calibration": None,' tests/calibration/test_applied.py -k sweep
# issue #23 item 3 (data half): the place table and its loader
run places-leading-and-kept src/skyshield/reports/places.py '        name = re.sub(r"^and\s+", "", part.strip()).strip()' '        name = part.strip()' tests/reports/test_places.py -k "split_places or every_name"
run places-no-point-read-as-located src/skyshield/reports/places.py '"status": "located" if located else "no point",' '"status": "located",' tests/reports/test_places.py -k unknowns_said
run places-lon-lat-swapped src/skyshield/reports/places.py '    frame = frame[list(PLACE_COLUMNS)]' '    frame = frame[list(PLACE_COLUMNS)].rename(columns={"lon_deg": "lat_deg", "lat_deg": "lon_deg"})' tests/reports/test_places.py -k country_they_name
run predictive-check-share-halved src/skyshield/calibration/check.py "            shares = neutral[:, :, k].sum(axis=1) / launched" "            shares = neutral[:, :, k].sum(axis=1) / (2 * launched)" tests/calibration/test_backtest.py -k predictive_check
# issue #22 rules of engagement: identification, threat assessment, clock, host-nation rules
run decoys-never-ignored src/skyshield/engine/kernel.py "        if mode == 0 or (mode == 1 and not inp.window_threatening[w]):" "        if mode == 1 and not inp.window_threatening[w]:" tests/engine/test_roe_identification.py -k never_engaged
run identification-skipped src/skyshield/engine/windows.py "np.maximum(offset, identification), offset)" "offset, offset)" tests/engine/test_roe_identification.py -k waits
run misidentification-skipped src/skyshield/engine/kernel.py "    elif inp.threat_drone[i] and inp.unit_require_id[u]:" "    elif False:" tests/engine/test_roe_identification.py -k never_engaged
run clock-first-track-under-zone-entry src/skyshield/engine/windows.py "        cleared[mine] = np.maximum(cleared[mine], entry + compiled.roe_delay_s[n])" "        cleared[mine] = cleared[mine]" tests/engine/test_roe_identification.py -k zone_entry
run threat-assessment-knows-target src/skyshield/engine/zones.py "    threat, lo, hi = _course_near(" "    owner = np.searchsorted(pieces.vertex_offset, cand[:, 0], side=\"right\") - 1
    cand = cand[compiled.threat_target[owner] == cand[:, 1]]
    threat, lo, hi = _course_near(" tests/engine/test_roe_identification.py -k identical
run host-rules-ignored src/skyshield/engine/compile.py "[nation_pos[u.operates_under or u.nation] for u in units]" "[nation_pos[u.nation] for u in units]" tests/engine/test_roe_identification.py -k host
# issue #22: threats falling on their own, missed interceptors coming down
run endurance-ignored src/skyshield/engine/falls.py "np.minimum(np.asarray(compiled.threat_endurance_s, dtype=np.float64), random_s)" "random_s" tests/engine/test_falls.py -k endurance
run missed-round-stops-at-intercept src/skyshield/engine/missed.py "    reach_m = np.maximum(np.asarray(max_range_m, float)[on], flown_m)" "    reach_m = flown_m" tests/engine/test_missed.py -k end_of_the_line
# issue #20: the intercept's flatness test measured against the other terms over the segment
run intercept-flat-against-b-squared src/skyshield/engine/intercept.py "    if abs(a) * d * d <= _FLAT * (abs(b) * d + abs(c)):" "    if abs(a) <= _FLAT * (b * b + abs(c) + 1.0):" tests/engine/test_intercept.py -k nearly
# issue 20, performance: the prebuilt grid's longitude range and the running maximum's walk back
run grid-longitude-too-narrow src/skyshield/engine/reach.py "                dlon = np.degrees(2.0 * np.arcsin(d / ring)) + _SLACK_DEG" "                dlon = np.degrees(d / (2.0 * _MIN_RADIUS_M)) + _SLACK_DEG" tests/engine/test_reach.py
run running-max-walks-back-too-little src/skyshield/engine/firetime.py "            if time_s[back + 1] + _SLACK_S < best:" "            if time_s[back + 1] + _SLACK_S < best + 600.0:" tests/engine/test_reach.py
# issue #22 item 1: air patrols (sortie timelines, presence, weapon choice, one engagement per aircraft)
run sortie-transit-ignored src/skyshield/engine/air.py "        on = takeoff + transit" "        on = takeoff" tests/engine/test_air.py -k sortie_plan
run station-start-ignored src/skyshield/engine/kernel.py "                if s * dt < on_at[u]:
                    continue" "                if False:
                    continue" tests/engine/test_air.py -k "presence or on_station"
run station-end-ignored src/skyshield/engine/kernel.py "                    or s * dt >= off_at[u]" "                    or False" tests/engine/test_air.py -k "presence or on_station"
run weapon-choice-inverted src/skyshield/engine/kernel.py "        return cost_a < cost_b or (cost_a == cost_b and pk_a > pk_b)" "        return cost_a > cost_b or (cost_a == cost_b and pk_a > pk_b)" tests/engine/test_air.py -k weapon_choice
run channel-per-weapon-not-per-aircraft src/skyshield/engine/kernel.py "            free[plat[u]] = inp.unit_channels[u]" "            free[plat[u]] += inp.unit_channels[u]" tests/engine/test_air.py -k one_engagement
# issue #22: an air patrol operating under its host fires under the host's rules
run patrol-host-rules-ignored src/skyshield/engine/compile.py "            + [nation_pos[n] for n in air.unit_rules_nation]," "            + [nation_pos[n] for n in air.unit_nation]," tests/engine/test_air.py -k host
run run-json-air-patrols-dropped src/skyshield/results.py '"air_patrols": [] if self.air_patrols is None else records(self.air_patrols),' '"air_patrols": [],' tests/test_schemas.py -k air_patrols
run guns-allowed-ignored src/skyshield/engine/air.py "                    allowed = guns_allowed or not weapon.gun  # the rules may bar guns" "                    allowed = True" tests/engine/test_air.py -k guns
# issue 24: skyshield serve's asset folders (path traversal) and request body cap
run serve-tooltip-not-escaped src/skyshield/web/assets/app.js '  return parts.map(escapeHtml).join("<br>");' '  return parts.join("<br>");' tests/web/test_page.py -k loads_offline
run serve-traversal-check-removed src/skyshield/web/app.py "    if not path.is_relative_to(root):
        return None" "    if False:
        return None" tests/web/test_api.py -k "assets or asset_path"
run serve-body-cap-ignored src/skyshield/web/app.py "        if len(body) > limit:" "        if False:" tests/web/test_api.py -k body_past_the_cap
run serve-saves-a-cancelled-result src/skyshield/web/jobs.py "            if job.cancel_requested:
                slot.job = None" "            if False:
                slot.job = None" tests/web/test_jobs.py
# issue #24: the policy form generated from the schema, the nights cap, the downloads
run serve-form-enum-not-a-select src/skyshield/web/assets/form.js "    if (Array.isArray(node.enum)) {" "    if (false) {" tests/web/test_form.py -k every_field
run serve-form-drops-booleans src/skyshield/web/assets/form.js '      case "boolean":
        return { kind: "boolean", node, nullable };' "" tests/web/test_form.py -k every_field
run serve-nights-cap-ignores-overrides src/skyshield/web/inputs.py "        if nights > max_replications:" "        if False:" tests/web/test_form_api.py -k cap
run serve-export-of-another-night src/skyshield/web/downloads.py "        return export(folder, self.what, replication=self.replication)" "        return export(folder, self.what)" tests/web/test_downloads.py -k export
run vary-splits-inside-brackets src/skyshield/scenario/variation.py '        elif char == "," and depth == 0:' '        elif char == ",":' tests/scenario/test_variation.py
# issue #24: the campaign view's edited schedule, the night mapped with its run
run serve-campaign-deliveries-ignored src/skyshield/web/inputs.py '    data["deliveries"] = request.deliveries' '    data["deliveries"] = data["deliveries"]' tests/web/test_campaigns.py
run export-fate-near-populated-ignored src/skyshield/exporting/geojson.py "                    near_populated=near_end[t.threat]," "                    near_populated=False," tests/export/test_geojson.py -k near_populated
run serve-night-kept-for-another-replication src/skyshield/web/jobs.py "            document = self._nights.get((run_id, replication))
            if document is None:
                return None
            self._nights.move_to_end((run_id, replication))" "            document = self._nights.get((run_id, 0))
            if document is None:
                return None
            self._nights.move_to_end((run_id, 0))" tests/web/test_server.py -k night
# issue #23 items 5 and 7: drift as a state, the Diebold-Mariano test
run state-noise-zero src/skyshield/calibration/drift.py "offset = offset + np.sqrt(q * gap) * rng.standard_normal(offset.shape)" "offset = offset + np.sqrt(0.0 * q * gap) * rng.standard_normal(offset.shape)" tests/calibration/test_drift.py -k follows_a_jump
run dm-without-newey-west-lags src/skyshield/calibration/checks.py "    for j in range(1, lags + 1):" "    for j in range(1, 1):" tests/calibration/test_checks.py -k dm_test
# issue #20, memory: every night its own routes builds each block's route sets in its worker
run own-routes-block-flies-the-first-sets src/skyshield/runner/montecarlo.py "    geometry = build_geometry(flown, route_seed, n, 1, first=first)" "    geometry = build_geometry(flown, route_seed, n, 1)" tests/runner/test_montecarlo.py -k own_routes
run own-routes-realization-column-of-the-block src/skyshield/runner/montecarlo.py '    outcomes.threats["realization"] += first' '    outcomes.threats["realization"] += 0' tests/runner/test_montecarlo.py -k own_routes
# issue #20, memory: compare and sweep with every night its own routes build per block too
run own-routes-together-blocks-fly-the-first-sets src/skyshield/runner/montecarlo.py "            geometry = cache(f, seed, n, 1, first=first)" "            geometry = cache(f, seed, n, 1)" tests/runner/test_geometry_cache.py -k own_routes
run cached-block-flies-the-first-sets src/skyshield/runner/geometry_cache.py "fly_realizations(compiled, route_seed, n_realizations, threads, first=first)" "fly_realizations(compiled, route_seed, n_realizations, threads)" tests/runner/test_geometry_cache.py -k own_routes
run own-routes-together-geometry-not-shared src/skyshield/runner/montecarlo.py "            geometry = cache(f, seed, n, 1, first=first)" "            geometry = GeometryCache()(f, seed, n, 1, first=first)" tests/runner/test_geometry_cache.py -k own_routes
run sweep-own-routes-cached-whole src/skyshield/runner/sweep.py "build=process_cache() if task.share_geometry and not own else build_geometry," "build=process_cache() if task.share_geometry else build_geometry," tests/runner/test_geometry_cache.py -k own_routes
# issue #23 item 3 (model use): a report night's scenario flies at its own targets
run night-targets-fixed-mix src/skyshield/posture/laydown.py "        night_targets = places.targets[cls]  # the night's own, or the fixed mix" "        night_targets = _city_points(TARGETS[cls])" tests/calibration/test_geography.py -k uses_its_reports_places
run night-geography-not-reaching-emulator src/skyshield/calibration/fit.py "    return NightData(nights, launched, neutralised, destroyed, tactical, geography)" "    return NightData(nights, launched, neutralised, destroyed, tactical, None)" tests/calibration/test_geography.py -k carries_each_nights_geography
run ballistic-cover-ignored src/skyshield/posture/geography.py "            share((\"ballistic\",))," "            0.375," tests/calibration/test_geography.py -k cover_and_launch_region
# issue 23 (cover): one Patriot/SAMP-T cover definition, the laydown following it, cruise features
run patriot-cover-laydown-cities src/skyshield/posture/cover.py 'PATRIOT_SITES: dict[str, str] = {"Kyiv": "2023-05-04"}' 'PATRIOT_SITES: dict[str, str] = {"Kyiv": "2023-05-04", "Odesa": "2023-05-04", "Dnipro": "2023-05-04"}' tests/calibration/test_cover.py -k one_definition
run patriot-cover-date-ignored src/skyshield/posture/cover.py "    if day is None:
        return frozenset(PATRIOT_SITES)" "    if True:
        return frozenset(PATRIOT_SITES)" tests/calibration/test_cover.py -k one_definition
run emulator-cover-own-definition src/skyshield/posture/geography.py "float(patriot_covered(*points[n], day))" "float(n in (\"Kyiv\", \"Odesa\", \"Lviv\", \"Dnipro\"))" tests/calibration/test_cover.py -k one_definition
run laydown-samp-t-at-odesa src/skyshield/posture/laydown.py '    "Odesa": (
        "iris-t-slm",' '    "Odesa": (
        "samp-t",
        "iris-t-slm",' tests/calibration/test_cover.py -k laydown
run cruise-timing-not-read src/skyshield/posture/geography.py "            *cruise_timing()," "            0.3, 0.06, 0.1," tests/calibration/test_cover.py -k cruise_features
run design-missiles-at-defaults src/skyshield/calibration/surrogate.py "_OWN_MISSILE_SITES = 0.7
_OWN_WINDOW = 0.5" "_OWN_MISSILE_SITES = 0.0
_OWN_WINDOW = 0.0" tests/calibration/test_cover.py -k design_geographies
run cruise-route-only-at-target src/skyshield/posture/geography.py "ROUTE_KM = 50.0" "ROUTE_KM = 5.0" tests/calibration/test_cover.py -k route_counts
# issue 23 (nmech): the low-cost layers' scaling exponent ignored (the fixed layer of before)
run tasking-exponent-ignored src/skyshield/calibration/model.py "tasking_factor(self.composition.drone, theta.get(\"tasking_beta\", 0.0))" "tasking_factor(self.composition.drone, 0.0)" tests/calibration/test_tasking.py -m "not slow"
# issue 23 (nmech): missiles never lost again (the fitted cruise loss dropped)
run cruise-loss-dropped src/skyshield/calibration/model.py "rate[cruise] += theta.get(\"loss_cruise\", 0.0) / 3600.0" "rate[cruise] += 0.0" tests/calibration/test_tasking.py -m "not slow"
# issue 23 (nmech): the destroyed/lost split scored for drones only again
run split-drones-only src/skyshield/calibration/fit.py "    split = data.split & (data.neutralised > 0)" "    split = data.split & (data.neutralised > 0)
    split[:, 1:] = False" tests/calibration/test_fit.py -k by_hand
# issue #22 item 1: quick reaction alert (scramble on the first track, after the scramble delay)
run scramble-delay-ignored src/skyshield/engine/air.py "    first = patrol.scramble_delay_min if patrol.on_alert else patrol.first_takeoff_min" "    first = 0.0 if patrol.on_alert else patrol.first_takeoff_min" tests/engine/test_air.py -k scramble
run scramble-alert-at-raid-start src/skyshield/engine/kernel.py "            on_at[u] += alert_s[g]
            off_at[u] += alert_s[g]" "            on_at[u] += 0.0
            off_at[u] += 0.0" tests/engine/test_air.py -k scramble
# issue #22 item 1: airborne sensors' on-station orbits (detection only while on station)
run aew-orbit-ignored src/skyshield/engine/kernel.py "                    lo = max(a.lo[q], on)" "                    lo = a.lo[q]" tests/engine/test_air.py -k aew_orbit
run aew-night-authorization-ignored src/skyshield/engine/kernel.py "                    k0 = max(k0, _authorized_step(inp, track, inp.window_unit[w], i))" "                    k0 = max(k0, 0)" tests/engine/test_air.py -k aew_orbit
run aew-orbit-ignored-by-reference src/skyshield/engine/reference.py "                            continue  # an orbiting airborne sensor off station" "                            pass" tests/engine/test_air.py -k aew_orbit
# issue #22 item 1: weapon choice waits for a cheaper adequate weapon of the same aircraft
run weapon-wait-ignored src/skyshield/engine/kernel.py "            if any_wait:" "            if False:" tests/engine/test_air.py -k waits_for
run weapon-wait-cost-inverted src/skyshield/engine/kernel.py "        if inp.unit_pk[v, cls] < adequate or inp.unit_cost_usd[v] >= inp.unit_cost_usd[u]:" "        if inp.unit_pk[v, cls] < adequate or inp.unit_cost_usd[v] <= inp.unit_cost_usd[u]:" tests/engine/test_air.py -k waits_for
run weapon-wait-ignored-by-reference src/skyshield/engine/reference.py "            return True
    return False


def _fall_s" "            return False
    return False


def _fall_s" tests/engine/test_air.py -k waits_for
# issue 23 item 2 (task): the raid-tasked low-cost surplus on the drone routes
run route-pool-always-on src/skyshield/calibration/model.py "surplus = posture_short * max(factor - 1.0, 0.0) * laydown_short" "surplus = posture_short * max(factor, 0.0) * laydown_short" tests/calibration/test_routes.py -k beta_zero
run tasked-surplus-not-on-routes src/skyshield/calibration/model.py "        out[self.route_pool] = surplus / pool" "        out[self.route_pool] = 0.0 * surplus" tests/calibration/test_routes.py -k "doubling or big_raid"
run route-units-off-the-route src/skyshield/posture/routes.py "    bearing = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64)" "    bearing = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64) + 0.2" tests/calibration/test_routes.py -k on_their_route
# issue 20 (rng): the bulk-built replication generators draw what the per-call ones draw
run seed-entropy-not-padded src/skyshield/engine/seeding.py "    run += [0] * (_POOL_SIZE - len(run))" "    run += []" tests/engine/test_seeding.py -m "not slow"
run bulk-generator-of-another-stream src/skyshield/engine/draws.py "np.ascontiguousarray(words[:, j])" "np.ascontiguousarray(words[:, j - 1])" tests/engine/test_seeding.py -m "not slow"
run exact-territory-first-block-only src/skyshield/geo/territory.py "        todo = finite[start : start + _EXACT_CHUNK]" "        todo = finite[:_EXACT_CHUNK]" tests/geo/test_territory.py -k in_blocks
run exact-territory-box-lon-flipped src/skyshield/geo/territory.py "in_box = (x >= x0) & (x <= x1)" "in_box = (x >= x0) & (x >= x1)" tests/geo/test_territory.py -k in_blocks
run route-positions-bearings-mixed src/skyshield/posture/routes.py "        np.repeat(bearing, _SAMPLES)," "        np.tile(bearing, _SAMPLES)," tests/calibration/test_routes.py -k all_routes_at_once
run seed-words-paired-big-endian src/skyshield/engine/seeding.py "    return words, words.astype(\"<u4\").view(\"<u8\").astype(np.uint64)" "    return words, words.astype(\"<u4\").view(\">u8\").astype(np.uint64)" tests/engine/test_seeding.py -m "not slow"
# issue 20 (calibspeed): numpy's PCG64 and its draws in numba, bit for bit
run pcg-exponential-tail-cut src/skyshield/engine/pcg.py "x = _EXP_R - np.log1p(-u)" "x = _EXP_R" tests/engine/test_pcg.py
# issue 23, ballistic: fired from where they reach the target; the reach feature; unnamed salvos
run ballistic-sites-not-in-reach src/skyshield/posture/laydown.py "    return near or sites" "    return sites" tests/calibration/test_ballistic.py -k fired_from
run reach-ballistic-ignores-range src/skyshield/posture/geography.py '            if distance <= RANGE_MARGIN * ranges[wave["threat"]]:' "            if True:" tests/calibration/test_ballistic.py -k reach_ballistic
run design-ballistic-at-defaults src/skyshield/calibration/surrogate.py "        if own_ballistic and pool:" "        if False:" tests/calibration/test_cover.py -k design_geographies
run aim-ignores-salvo-size src/skyshield/calibration/aim.py "        z = self.intercept + self.slope * np.log(np.maximum(launched, 1.0))" "        z = self.intercept + 0.0 * np.log(np.maximum(launched, 1.0))" tests/calibration/test_ballistic.py -k aim_unnamed
run aim-fitted-on-later-nights src/skyshield/calibration/aim.py "(data.nights < limit)" "(data.nights < limit + 3650)" tests/calibration/test_ballistic.py -k aim_unnamed
run ballistic-types-fixed-mix src/skyshield/posture/laydown.py "        weights = places.mix.get(cls) or [m[1] for m in mix]" "        weights = [m[1] for m in mix]" tests/calibration/test_ballistic.py -k types
run design-ballistic-points-out-of-reach src/skyshield/calibration/surrogate.py '            if _reaches(p, "ballistic", (*targets["ballistic"], *retarget))' "            if True" tests/calibration/test_ballistic.py -k design_geographies
# issue #23, the predictive's spread: the decomposition's parameter part, the split's own
# overdispersion (its likelihood terms, and the predictive using it)
run spread-parameter-part-dropped src/skyshield/calibration/spread.py "    parameter = means.var(axis=0)" "    parameter = 0.0 * means.var(axis=0)" tests/calibration/test_spread.py -k decompose
run dispersion-terms-ignored src/skyshield/calibration/dispersion.py '    if terms != "total" and split.any():' "    if split.any():" tests/calibration/test_spread.py -k each_their_own
run predictive-split-dispersion-ignored src/skyshield/calibration/fit.py "            rho, rho_small = split_dispersion" "            pass" tests/calibration/test_spread.py -k split_dispersion_is
# issue #20, every night its own routes: threats flying the same path every night, flown once
run leg-starts-summed-across-threats src/skyshield/engine/pieces.py "    leg_start_m = _leg_starts(first_leg.astype(np.int64), end_leg.astype(np.int64), leg_m)" "    leg_start_m = np.cumsum(leg_m) - leg_m
    leg_start_m -= leg_start_m[first_leg][leg_owner]" tests/engine/test_fixed.py
run moving-threats-taken-for-fixed src/skyshield/engine/fixed.py "inner & (compiled.threat_route_jitter_m > 0) & ~compiled.threat_ballistic" "inner & (compiled.threat_route_jitter_m > 0) & compiled.threat_ballistic" tests/engine/test_fixed.py
run merged-run-at-its-part-position src/skyshield/engine/fixed.py "lo, hi, at = int(offset[a]), int(offset[b]), int(joined[t])" "lo, hi, at = int(offset[a]), int(offset[b]), int(joined[a])" tests/engine/test_fixed.py
run target-area-chord-too-tight src/skyshield/engine/outcomes.py "    near = np.flatnonzero(chord <= radius_m + 1.0)" "    near = np.flatnonzero(chord <= radius_m - 1.0)" tests/engine/test_within.py
# issue #20 (kernel): the event loop's allocation-free orderings keep numpy's stable order
run candidate-order-merge-right-first src/skyshield/engine/kernel.py "a < mid and not _before(key[src[b]], tie[src[b]], key[src[a]], tie[src[a]])" "a < mid and _before(key[src[a]], tie[src[a]], key[src[b]], tie[src[b]])" tests/engine/test_kernel_order.py
run window-order-unstable src/skyshield/engine/kernel.py "        k = start[c] - lo
        order[first[k]] = c" "        k = start[n - 1 - c] - lo
        order[first[k]] = n - 1 - c" tests/engine/test_kernel_order.py
# session 6 (newuser): a one-wave raid with a broken wave gets one error line, not pydantic's
# cascaded "raid.waves: at least 1 item after validation, not 0"
run too-short-kept-after-bad-items src/skyshield/scenario/load.py "    return isinstance(value, list | tuple | dict) and len(value) >= minimum" "    return isinstance(value, list | tuple | dict) and len(value) > minimum" tests/scenario/test_load.py -k one_wave
run night-inputs-fall-kept src/skyshield/calibration/model.py "            fall_s=fall_times_s(compiled, draws.fall_budget),
" "" tests/calibration/test_model_inputs.py
run no-moving-threats-flown-again src/skyshield/engine/fixed.py "    if fixed.size == 0:
        return None" "    if moving.size == 0 or fixed.size == 0:
        return None" tests/engine/test_fixed_all.py
# session 6 (campaign): the raid pool's ballistic missiles fly the reports' aim, not the defaults
run campaign-ballistic-share-ignored src/skyshield/campaigns/ballistic.py "split_count(count, [covered, 1.0 - covered])" "split_count(count, [0.0, 1.0])" tests/campaign/test_ballistic.py -m "not slow"
run campaign-ballistic-default-sites src/skyshield/campaigns/ballistic.py "covered_group: tuple[str, ...] | None = own_sites" "covered_group: tuple[str, ...] | None = None" tests/campaign/test_ballistic.py -m "not slow"
run campaign-pool-ballistic-unwired src/skyshield/campaigns/build.py "ballistic=pool_ballistic(campaign, capacity.ballistic, data)," "ballistic=None," tests/campaign/test_ballistic.py
# issue #20 (routes2): geometry without redundant work, every array bit for bit
run moving-part-at-hand-is-the-fixed-one src/skyshield/engine/geometry.py "        merge_exposure(n, [(t, f[2]) for t, f in parts]),
    ), moving" "        merge_exposure(n, [(t, f[2]) for t, f in parts]),
    ), kept" tests/engine/test_fixed.py -k at_hand
run pairs-sort-reversed src/skyshield/engine/reach.py "    for e in range(m):
        k = pair_point[e]" "    for e in range(m - 1, -1, -1):
        k = pair_point[e]" tests/engine/test_reach.py
run pairs-growth-drops-the-earlier src/skyshield/engine/reach.py "            pair_piece = np.concatenate((pair_piece[:m], np.empty(cap - m, dtype=np.int64)))" "            pair_piece = np.empty(cap, dtype=np.int64)" tests/engine/test_reach.py
run ew-reject-run-misses-its-last-vertex src/skyshield/engine/ew.py "min(a + _REJECT_CHUNK + 1, end)" "min(a + _REJECT_CHUNK, end)" tests/engine/test_ew.py -k reject
run envelope-piece-end-read-from-its-start src/skyshield/engine/envelope.py "        ecef_m[p + 1, 0], ecef_m[p + 1, 1], ecef_m[p + 1, 2]," "        ecef_m[p + 1, 0], ecef_m[p + 1, 1], ecef_m[p, 2]," tests/engine/test_reach.py tests/engine/test_sensors.py
# #23's performance line: the fit's structured log-likelihood (calibration/structured.py) must
# equal the plain one: a parameter-pair term dropped, a geography x parameter term dropped, the
# rollout left out, posture_short's square differentiated wrong
run structured-parameter-pairs-dropped src/skyshield/calibration/structured.py "        pairs = (t[:, self.first] * t[:, self.second]) @ self.c" "        pairs = 0.0 * (t[:, self.first] * t[:, self.second]) @ self.c" tests/calibration/test_structured.py
run structured-geography-parameter-dropped src/skyshield/calibration/structured.py "                b[:, :, j] += np.outer(g, w[column + 2 + j])" "                pass" tests/calibration/test_structured.py
run structured-rollout-ignored src/skyshield/calibration/structured.py "theta[:, _SHORT, None] * self.rollout" "theta[:, _SHORT, None] * np.ones_like(self.rollout)" tests/calibration/test_structured.py
run structured-short-square-slope-halved src/skyshield/calibration/structured.py "short_pairs[_SHORT] *= 2.0" "short_pairs[_SHORT] *= 1.0" tests/calibration/test_structured.py
# #23's performance line: calibrate and backtest on one BLAS thread (calibration/threads.py)
run blas-threads-not-limited src/skyshield/calibration/threads.py "threadpool_limits(limits=1, user_api=\"blas\")" "threadpool_limits(limits=None, user_api=\"blas\")" tests/calibration/test_threads.py
run backtest-on-every-blas-thread src/skyshield/calibration/workflow.py "@one_blas_thread
def backtest(" "def backtest(" tests/calibration/test_threads.py
# session 7 (polish): the report's charts cut a count's interval at 0
run chart-interval-below-zero src/skyshield/reporting/charts.py 'out["ci95_low"] = out["ci95_low"].clip(lower=0.0)' 'out["ci95_low"] = out["ci95_low"]' tests/report/test_charts.py
# (session 8) a unit's rounds per target ("two missiles per target", S-300/Buk; issue 23)
run rounds-per-target-ignored src/skyshield/engine/kernel.py "                                if fired_at[e] >= inp.unit_rounds_per_target[u]:" "                                if fired_at[e] >= inp.unit_rounds_per_target[u] + 2:" tests/engine/test_reference.py -k rounds_per_target
run rounds-per-target-salvo-not-cut src/skyshield/engine/kernel.py "                        n_rounds = min(n_rounds, inp.unit_rounds_per_target[u] - fired_at[a])" "                        n_rounds = n_rounds" tests/engine/test_kernel.py -k two_missiles
run rounds-per-target-other-window-uncounted src/skyshield/engine/kernel.py "                            if inp.window_unit[win[e]] == u:" "                            if e == a:" tests/engine/test_reference.py -k rounds_per_target
run rounds-per-target-reference-ignored src/skyshield/engine/reference.py "                    if 0 < c.unit_rounds_per_target[u] <= fired_at.get((u, i), 0):" "                    if False:" tests/engine/test_reference.py -k rounds_per_target
run rounds-per-target-not-loaded src/skyshield/catalog/load.py '            rounds_per_target=int(si.get("rounds_per_target", 0)),' '            rounds_per_target=0,' tests/engine/test_kernel.py -k two_missiles
run kml-replay-ignores-altitude src/skyshield/exporting/tracks.py "            error = np.maximum(np.hypot(off_m[:, 0], off_m[:, 1]), np.abs(off_m[:, 2]))" "            error = np.hypot(off_m[:, 0], off_m[:, 1])" tests/export/test_replay.py
# session 7 (polish2): CZML and ACMI keep the samples their replay needs (Cesium's in ECEF)
run czml-replay-geographic src/skyshield/exporting/czml.py "replay_samples(track, replay=Replay.ECEF)" "replay_samples(track)" tests/export/test_time_tagged.py -k cesium
run ecef-replay-ignores-altitude src/skyshield/exporting/tracks.py "error = np.linalg.norm(off_m, axis=1)" "error = np.linalg.norm(off_m[:, :2], axis=1)" tests/export/test_replay.py
run acmi-writes-every-frame src/skyshield/exporting/acmi.py "enumerate(replay_samples(t).tolist())" "enumerate(range(t.time_s.shape[0]))" tests/export/test_time_tagged.py -k acmi
# session 7 (polish2): a calibrated run reads its calibration file once, and passes it on
run api-run-reads-the-calibration-again src/skyshield/api.py "    adjust = calibration_adjustment(applied, _seed(loaded, seed))" "    adjust = calibration_adjustment(calibration, _seed(loaded, seed))" tests/calibration/test_applied.py -k once
run cli-run-passes-the-calibration-path-on src/skyshield/cli/run.py "            calibration=applied," "            calibration=calibration," tests/calibration/test_applied.py -k once
run rounds-per-target-counts-engagements src/skyshield/engine/kernel.py "                                fired_at[e] += n_rounds" "                                fired_at[e] += inp.unit_rounds[u]" tests/engine/test_kernel.py -k counts_rounds
run rounds-per-target-reference-counts-engagements src/skyshield/engine/reference.py "                    fired_at[u, i] = fired_at.get((u, i), 0) + n_rounds" "                    fired_at[u, i] = fired_at.get((u, i), 0) + int(c.unit_rounds_per_engagement[u])" tests/engine/test_kernel.py -k counts_rounds
run rounds-per-target-not-scaled-in-the-fit src/skyshield/calibration/model.py "                np.ceil(c.unit_rounds_per_target * capacity).astype(np.int64)" "                np.array(c.unit_rounds_per_target, dtype=np.int64)" tests/calibration/test_model.py -k rounds_per_target
run rounds-per-target-not-scaled-in-a-run src/skyshield/calibration/transfer.py "            unit_rounds_per_target=readonly(_scaled(compiled.unit_rounds_per_target, capacity))," "            unit_rounds_per_target=compiled.unit_rounds_per_target," tests/calibration/test_transfer.py -k family_size
# (session 8) ships fire Kalibr from the night's places at sea, bombers Kh-101 from those on land
run cruise-types-from-every-named-place src/skyshield/posture/laydown.py "                sites = _sites_of_platform(threat, sites, places) or mix_sites" "                sites = sites" tests/calibration/test_geography.py -k ships_fire
run cruise-platform-inverted src/skyshield/posture/laydown.py "if sea == (threat in LAUNCHED_AT_SEA)" "if sea != (threat in LAUNCHED_AT_SEA)" tests/calibration/test_geography.py -k ships_fire
# session 8 (webcal): `serve --calibration` applies the server's calibration to web runs
run serve-run-ignores-its-calibration src/skyshield/web/app.py "                    calibration=chosen_calibration(calibration, run.calibrated)," "                    calibration=None," tests/web/test_calibrated.py -m "not slow" -k "run_calibration_does"
run serve-compare-ignores-its-calibration src/skyshield/web/jobs.py "            progress=stage,
            calibration=self.calibration," "            progress=stage," tests/web/test_calibrated.py -m "not slow" -k "compares"
# session 9: fighter patrols against the strategic cruise missiles (posture.fighters; issue 23)
run fighters-not-flown src/skyshield/posture/laydown.py "    if fighters:  # the fighters flown" "    if False:  # the fighters flown" tests/calibration/test_fighters.py
run fighter-stations-on-the-border src/skyshield/posture/fighters.py "    clear = np.flatnonzero(standoff >= FRONT_STANDOFF_KM * KM_TO_M)" "    clear = np.arange(standoff.size)" tests/calibration/test_fighters.py
run fighter-pairs-uncapped src/skyshield/posture/fighters.py "    return min(math.ceil(missiles / CRUISE_PER_PAIR), MAX_PAIRS)" "    return math.ceil(missiles / CRUISE_PER_PAIR)" tests/calibration/test_fighters.py
run fighters-engage-drones-too src/skyshield/posture/fighters.py '                "engages": ["cruise"],' '                "engages": ["cruise", "drone"],' tests/calibration/test_fighters.py
run fighters-on-station-at-launch src/skyshield/posture/fighters.py "        first = min(first, start + flight)" "        first = min(first, start)" tests/calibration/test_fighters.py
run aircraft-outside-the-families src/skyshield/calibration/model.py "        family = AIR_FAMILY if aircraft[u] else FAMILY_OF_SYSTEM.get(key)" "        family = None if aircraft[u] else FAMILY_OF_SYSTEM.get(key)" tests/calibration/test_fighters.py
run aircraft-drawn-per-weapon src/skyshield/calibration/model.py "                )[:, platform]," "                )[:, np.arange(platform.size) % (int(platform.max(initial=-1)) + 1)]," tests/calibration/test_fighters.py
run calibrated-aircraft-drawn-per-weapon src/skyshield/calibration/transfer.py ".reshape(len(replications), sizes.size)[:, compiled.unit_platform]" ".reshape(len(replications), sizes.size)" tests/calibration/test_fighters.py
run aircraft-multiplied-above-one src/skyshield/calibration/model.py "    return np.minimum(np.asarray(family_size, dtype=np.float64), 1.0)" "    return np.asarray(family_size, dtype=np.float64)" tests/calibration/test_fighters.py
run fighters-one-sortie src/skyshield/posture/fighters.py "        sorties = max(math.ceil((off_s - on_s) / plane.time_on_station_s), 1)" "        sorties = 1" tests/calibration/test_fighters.py
run fighters-passage-of-any-line src/skyshield/posture/fighters.py '        if wave["threat"] not in STRATEGIC_CRUISE or wave["launch_site"] != route.site:' '        if wave["threat"] not in STRATEGIC_CRUISE:' tests/calibration/test_fighters.py
run fighter-station-nearer-the-target src/skyshield/posture/fighters.py "    first = min(STATION_BEFORE_TARGET_KM, 0.5 * length / KM_TO_M)" "    first = min(STATION_BEFORE_TARGET_KM - 20.0, 0.5 * length / KM_TO_M)" tests/calibration/test_fighters.py
run fighters-fly-from-the-farthest-base src/skyshield/posture/fighters.py "    return list(AIR_BASES.values())[int(np.argmin(distance))]" "    return list(AIR_BASES.values())[int(np.argmax(distance))]" tests/calibration/test_fighters.py
run fighters-passage-of-any-target src/skyshield/posture/fighters.py '        if route.target not in wave["targets"]:' '        if False:' tests/calibration/test_fighters.py
run campaign-aircraft-drawn-per-weapon src/skyshield/campaigns/simulate.py "        return rng.random((size, c.n_units))[:, c.unit_platform] < chance" "        return rng.random((size, c.n_units)) < chance" tests/campaign/test_simulate.py -k in_action
run fighters-wait-for-a-cheaper-weapon src/skyshield/posture/fighters.py '                "wait_for_cheaper_weapon": False,' '                "wait_for_cheaper_weapon": True,' tests/calibration/test_fighters.py
run campaign-fighters-every-night src/skyshield/campaigns/simulate.py "            chance = np.where(self.aircraft, chance * share[:, None], chance)" "            chance = chance" tests/campaign/test_simulate.py -k in_action
# (session 10) the default targets take their weights
run target-weights-ignored src/skyshield/posture/laydown.py "                shares = split_count(n_site, [places.target_weight(cls, t) for t in reachable])" "                shares = split_count(n_site, [1.0 for t in reachable])" tests/calibration/test_geography.py -k weights
run targets-grouped-not-interleaved src/skyshield/posture/routes.py "    return [name for _, name, _ in sorted(slots)]" "    return [name for name, n in sorted(counts.items()) for _ in range(n)]" tests/calibration/test_geography.py -k interleave
run named-targets-take-default-weights src/skyshield/posture/laydown.py "            weights[cls] = dict.fromkeys(own, 1.0)" "            weights[cls] = {}" tests/calibration/test_geography.py -k weights
run focus-ignores-target-weights src/skyshield/posture/geography.py "        parts = [float(np.sum(target_shares(g) ** 2)) for g in mine]" "        parts = [1.0 / len(places.targets[g]) for g in mine]" tests/calibration/test_geography.py -k weigh
run defence-ignores-target-weights src/skyshield/posture/geography.py "            float(np.average([value(n) for n in places.targets[g]], weights=target_shares(g)))" "            float(np.mean([value(n) for n in places.targets[g]]))" tests/calibration/test_geography.py -k weigh
run reach-counts-targets-not-missiles src/skyshield/posture/geography.py "                aimed += sent * patriot_covered(lon, lat, day)" "                aimed += patriot_covered(lon, lat, day)" tests/calibration/test_ballistic.py -k counts
run route-cruise-ignores-target-weights src/skyshield/posture/geography.py "        return float(np.average(per_target, weights=target_shares(group))) / float(units.sum())" "        return float(np.mean(per_target)) / float(units.sum())" tests/calibration/test_geography.py -k weigh
run default-targets-fall-back-out-of-range src/skyshield/posture/laydown.py "        reachable = _reachable(point, _city_points(TARGETS[cls]), range_m)" "        reachable = list(TARGETS[cls])" tests/calibration/test_geography.py -k fall_back
run split-count-deals-zero-weights src/skyshield/posture/routes.py "    if not total > 0 or min(weights) < 0:  # an all-zero split would deal NaN" "    if False:" tests/calibration/test_geography.py -k split_count
run range-warning-per-dealt-target src/skyshield/scenario/check.py "            if target in wave.targets[:j]:  # a target dealt again (weighted lists): warned once" "            if False:" tests/scenario/test_examples.py -k dealt
# issue #23 (session 11): interval coverage of counts by the randomised PIT
run pit-coverage-inclusive src/skyshield/calibration/checks.py "    return max(0.0, min(at_or_below, high) - max(below, low)) / width" "    return float(below <= high and at_or_below >= low)" tests/calibration/test_checks.py -k central_pit
run pit-baseline-without-the-lump src/skyshield/calibration/backtest.py "            float(binom.cdf(reported - 1, launched, share))," "            float(binom.cdf(reported, launched, share))," tests/calibration/test_backtest.py -k binomial_baseline
run pit-model-without-the-lump src/skyshield/calibration/backtest.py "                                float(np.mean(s < reported[n, k]))," "                                float(np.mean(s <= reported[n, k]))," tests/calibration/test_backtest.py -k coverage_near
run pit-coverage-of-the-baseline src/skyshield/calibration/backtest.py '                "pit_coverage_90": _mean_of_column(g, "pit_90"),' '                "pit_coverage_90": _mean_of_column(g, "b_pit_90"),' tests/calibration/test_checks.py -k score
# issue #23 (session 11): a calibration's warnings
run prior-edge-flags-physical-floors src/skyshield/calibration/model.py "        if p.low != 0 and r[\"p5\"] <= p.low + margin:" "        if r[\"p5\"] <= p.low + margin:" tests/calibration/test_applied.py -k prior_edge
run calibration-warnings-every-quarter src/skyshield/calibration/calibrate.py '            missed = self.check[(self.check["quarter"] == latest.start) & ~self.check["inside_90"]]' '            missed = self.check[~self.check["inside_90"]]' tests/calibration/test_applied.py -k calibration_warnings
