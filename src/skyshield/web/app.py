"""The web application: the JSON API under ``/api`` and the page with its assets.

Errors are JSON ``{"error": "..."}`` with a 4xx status; the text is the line the CLI prints for
the same mistake (``source: field: expected X, got Y``). Only files of the package's own asset
folders are served; a path that leaves them is not found (404). Over 400 lines: every route's
handler is a closure over one application's job manager and store, in :func:`create_app`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import mimetypes
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from skyshield.errors import FieldProblem, ScenarioError, SkyshieldError
from skyshield.scenario import builtin_scenario_names, builtin_scenario_path
from skyshield.scenario.schema import scenario_json_schema
from skyshield.store import CATALOG_NAME, check_results_directory, list_runs
from skyshield.web.calibrated import calibration_document, chosen_calibration
from skyshield.web.downloads import (
    REPORT,
    DownloadTask,
    ExportRequest,
    ReportRequest,
    download_name,
    media_type,
)
from skyshield.web.inputs import (
    DEFAULT_MAX_REPLICATIONS,
    CampaignRequest,
    CompareRequest,
    NightRequest,
    PolicyRequest,
    RunRequest,
    campaign_descriptions,
    check_request,
    check_size,
    compare_policies,
    load_campaign_request,
    load_policy,
    parse_vary,
)
from skyshield.web.jobs import (
    FINAL,
    BusyError,
    CampaignTask,
    CompareTask,
    JobManager,
    NightTask,
    NotCancellableError,
    RunTask,
)
from skyshield.yamlio import MAX_BYTES_ENV, default_max_bytes, load_yaml

if TYPE_CHECKING:
    from skyshield.calibration.applied import AppliedCalibration

__all__ = ["ASSET_ROOTS", "asset_path", "builtin_descriptions", "create_app"]

# URL prefix -> the package folder its files come from: the page's own, and the report's
# vendored Leaflet (no CDN: the page works with no network)
ASSET_ROOTS: dict[str, Path] = {
    "assets": Path(str(files("skyshield.web") / "assets")),
    "vendor": Path(str(files("skyshield.reporting") / "assets")),
}
# JSON around an uploaded scenario: its escapes (a newline is two characters) and the fields
_BODY_SLACK_BYTES = 64 * 1024
_HEADERS = {
    # nothing from elsewhere: scripts, styles, images and requests from this server only
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def _borders_text() -> str:
    """Return the countries' borders the report draws (shipped with :mod:`skyshield.geo`)."""
    return (files("skyshield.geo") / "data" / "borders.geojson").read_text(encoding="utf-8")


@functools.cache
def builtin_campaigns() -> list[dict[str, Any]]:
    """Return the built-in campaigns as the page edits them (loaded once)."""
    return campaign_descriptions()


@functools.cache
def builtin_descriptions() -> list[dict[str, Any]]:
    """Return each built-in scenario's name and description (read once, not validated again).

    The shipped files are valid (their tests load them); reading the two fields of the YAML
    takes milliseconds where validating all of them takes seconds.
    """
    listed = []
    for name in builtin_scenario_names():
        data = load_yaml(builtin_scenario_path(name).read_text(encoding="utf-8"))
        listed.append({"name": name, "description": " ".join(str(data["description"]).split())})
    return listed


def _unknown(job_id: str) -> str:
    return f"expected the id of a run or comparison of this server, got {job_id!r}"


def _unknown_run(wanted: str) -> str:
    return (
        "expected the id of a complete run in the store (skyshield runs) or of a finished run "
        f"of this server, got {wanted!r}"
    )


def _check_night(replication: int, nights: int) -> None:
    """Refuse a night (replication) the stored run does not have."""
    if replication >= nights:
        expected = f"a night from 0 to {nights - 1}"
        raise ScenarioError("request", [FieldProblem("replication", expected, str(replication))])


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=_HEADERS)


def _json(data: Any, status: int = 200) -> Response:
    text = json.dumps(data, allow_nan=False)
    return Response(text, status_code=status, media_type="application/json", headers=_HEADERS)


def body_limit() -> int:
    """Return the largest request body read: twice the YAML size cap (JSON escapes), plus slack."""
    return 2 * default_max_bytes() + _BODY_SLACK_BYTES


async def _read_json(request: Request) -> Any:
    """Read the request's JSON body, up to :func:`body_limit` bytes and no further.

    Raises
    ------
    _HttpError
        Not JSON (415), too large (413), or not valid JSON (400).
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        # a JSON content type also makes a cross-site form post need CORS, which is not granted
        raise _HttpError(415, f"request: expected Content-Type application/json, got {kind!r}")
    limit = body_limit()
    too_large = _HttpError(
        413,
        f"request: expected a body of at most {limit:,} bytes (a scenario of at most "
        f"{default_max_bytes():,} bytes; set {MAX_BYTES_ENV} to allow more), got more",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _HttpError(400, f"request: expected a JSON object, got {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    return "bytes that are not UTF-8"


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _rejection(exc: Exception) -> JSONResponse:
    """Refuse a submission: the request's own status, 429 when the queue is full, else 400."""
    if isinstance(exc, _HttpError):
        return _error(exc.status, exc.message)
    return _error(429 if isinstance(exc, BusyError) else 400, str(exc))


def asset_path(prefix: str, name: str) -> Path | None:
    """Return the file ``name`` of the asset folder ``prefix``, or None (absent or outside).

    The name is resolved (``..`` and symbolic links followed) and must still lie inside the
    folder: nothing else of the package or the machine is served.
    """
    root = ASSET_ROOTS.get(prefix)
    if root is None or not name:
        return None
    root = root.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        return None
    return path if path.is_file() else None


def create_app(
    store: Path,
    *,
    slots: int = 1,
    max_queued: int = 4,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    allowed_hosts: Sequence[str] | None = None,
    calibration: AppliedCalibration | None = None,
) -> Starlette:
    """Build the application: its job manager starts with it and stops with it.

    ``store``: the results directory every run is saved in (created if new; refused at once if
    it cannot be one). ``slots``: worker processes; ``max_queued``: jobs that may wait before a
    request is refused as busy. ``allowed_hosts``: the Host names answered (None: any); a
    server on loopback answers only its own names, so a web page cannot reach it by pointing
    a host name of its own at 127.0.0.1. ``calibration``: read once by ``serve --calibration``
    (:func:`skyshield.calibration.applied.applied_calibration`); every run and comparison
    applies it as ``run --calibration`` does, unless its request says ``"calibrated": false``
    (:func:`skyshield.web.calibrated.chosen_calibration`).
    """
    check_results_directory(store)
    manager = JobManager(store, slots=slots, max_queued=max_queued)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        manager.start()
        try:
            yield
        finally:
            await run_in_threadpool(manager.close)

    async def scenarios(request: Request) -> Response:
        return _json({"scenarios": await run_in_threadpool(builtin_descriptions)})

    async def submit(request: Request, kind: str) -> Response:
        try:
            body = await _read_json(request)
            if kind == "run":
                run = check_request(RunRequest, body, max_replications=max_replications)
                policy = await run_in_threadpool(load_policy, run)
                check_size(run.replications, (policy.scenario,), max_replications=max_replications)
                task: RunTask | CompareTask = RunTask(
                    policy.scenario,
                    run.replications,
                    run.seed,
                    run.route_sets,
                    first_night=True,
                    calibration=chosen_calibration(calibration, run.calibrated),
                )
                name, warnings = policy.scenario.name, policy.warnings
            else:
                compare = check_request(CompareRequest, body, max_replications=max_replications)
                variations = parse_vary(compare.vary)
                policies = await run_in_threadpool(compare_policies, compare)
                scenarios = tuple(p.scenario for p in policies)
                check_size(compare.replications, scenarios, max_replications=max_replications)
                task = CompareTask(
                    scenarios,
                    variations,
                    compare.replications,
                    compare.seed,
                    compare.route_sets,
                    calibration=chosen_calibration(calibration, compare.calibrated),
                )
                name = " vs ".join(s.name for s in scenarios)
                warnings = tuple(w for p in policies for w in p.warnings)
            job = manager.submit(task, name=name, warnings=warnings)
        except (_HttpError, BusyError, SkyshieldError) as exc:
            return _rejection(exc)
        return _json({"id": job.id}, status=202)

    async def post_night(request: Request) -> Response:
        try:
            body = await _read_json(request)
            night = check_request(NightRequest, body, max_replications=max_replications)
            nights = (await run_in_threadpool(stored_runs)).get(night.run_id)
            if nights is None:
                raise ScenarioError(
                    "request",
                    [FieldProblem("run_id", "a complete run in the store", repr(night.run_id))],
                )
            _check_night(night.replication, nights)
            job = manager.mapped_night(night.run_id, night.replication)
            if job is None:
                task = NightTask(store, night.run_id, night.replication)
                job = manager.submit(task, name=f"{night.run_id} night {night.replication}")
        except (_HttpError, BusyError, SkyshieldError) as exc:
            return _rejection(exc)
        return _json({"id": job.id}, status=202)

    async def post_campaign(request: Request) -> Response:
        try:
            body = await _read_json(request)
            asked = check_request(CampaignRequest, body, max_replications=max_replications)
            loaded = await run_in_threadpool(load_campaign_request, asked)
            task = CampaignTask(loaded, asked.replications, asked.seed)
            job = manager.submit(task, name=loaded.name)
        except (_HttpError, BusyError, SkyshieldError) as exc:
            return _rejection(exc)
        return _json({"id": job.id}, status=202)

    async def get_calibration(request: Request) -> Response:
        return _json(calibration_document(calibration))

    async def campaigns(request: Request) -> Response:
        return _json({"campaigns": await run_in_threadpool(builtin_campaigns)})

    def stored_runs() -> dict[str, int]:
        """Return the store's complete single runs (kind ``run``: with nights) and their nights."""
        if not (store / CATALOG_NAME).exists():
            return {}
        frame = list_runs(store)
        done = frame[(frame["kind"] == "run") & (frame["status"] == "complete")]
        return {str(r.run_id): int(r.replications) for r in done.itertuples()}

    schema_text: list[str] = []  # generated once, on the first request

    async def schema(request: Request) -> Response:
        if not schema_text:
            schema_text.append(json.dumps(scenario_json_schema(), allow_nan=False))
        return Response(schema_text[0], media_type="application/json", headers=_HEADERS)

    async def post_policy(request: Request) -> Response:
        try:
            body = await _read_json(request)
            asked = check_request(PolicyRequest, body, max_replications=max_replications)
            policy = await run_in_threadpool(load_policy, asked)
        except (_HttpError, SkyshieldError) as exc:
            return _rejection(exc)
        values = policy.scenario.model_dump(mode="json")
        return _json({"scenario": values, "warnings": list(policy.warnings)})

    async def download(request: Request, export: bool) -> Response:
        wanted = request.path_params["id"]
        try:
            query: ExportRequest | ReportRequest = check_request(
                ExportRequest if export else ReportRequest, dict(request.query_params)
            )
            nights = await run_in_threadpool(stored_runs)
            status = manager.status(wanted)
            run_id = wanted if status is None else status["run_id"]
            if run_id not in nights:
                return _error(404, _unknown_run(wanted))
            _check_night(query.replication, nights[run_id])
            what = query.format.value if isinstance(query, ExportRequest) else REPORT
            task = DownloadTask(store, run_id, what, query.replication)
            job = manager.submit(task, name=download_name(run_id, what, query.replication))
        except (_HttpError, BusyError, SkyshieldError) as exc:
            return _rejection(exc)
        while (status := manager.status(job.id)) is not None and status["state"] not in FINAL:
            await asyncio.sleep(0.05)
        manager.forget(job.id)
        if status is None or status["state"] != "done":
            message = "the server stopped" if status is None else status["error"] or "cancelled"
            return _error(503 if status is None or status["error"] is None else 500, message)
        headers = {
            **_HEADERS,
            "Content-Disposition": f'attachment; filename="{status["name"]}"',
        }
        text: str = status["result"]["text"]
        return Response(text.encode("utf-8"), media_type=media_type(what), headers=headers)

    async def get_report(request: Request) -> Response:
        return await download(request, export=False)

    async def get_export(request: Request) -> Response:
        return await download(request, export=True)

    async def borders(request: Request) -> Response:
        return Response(_borders_text(), media_type="application/geo+json", headers=_HEADERS)

    async def post_run(request: Request) -> Response:
        return await submit(request, "run")

    async def post_compare(request: Request) -> Response:
        return await submit(request, "compare")

    async def get_job(request: Request) -> Response:
        job_id = request.path_params["id"]
        status = manager.status(job_id)
        if status is None:
            return _error(404, _unknown(job_id))
        return _json(status)

    async def delete_job(request: Request) -> Response:
        job_id = request.path_params["id"]
        try:
            status = await run_in_threadpool(manager.cancel, job_id)
        except NotCancellableError as exc:
            return _error(409, str(exc))
        if status is None:
            return _error(404, _unknown(job_id))
        return _json(status)

    async def list_jobs(request: Request) -> Response:
        def stored() -> list[dict[str, Any]]:
            if not (store / CATALOG_NAME).exists():
                return []  # nothing saved yet
            frame = list_runs(store)
            rows: list[dict[str, Any]] = json.loads(
                frame.to_json(orient="records", date_format="iso")
            )
            return rows

        return _json({"jobs": manager.statuses(), "stored": await run_in_threadpool(stored)})

    async def page(request: Request) -> Response:
        return _asset("assets", "index.html")

    async def asset(request: Request) -> Response:
        prefix = request.url.path.split("/")[1]
        return _asset(prefix, request.path_params["name"])

    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    routes = [
        Route("/", page, methods=["GET"]),
        Route("/api/scenarios", scenarios, methods=["GET"]),
        Route("/api/calibration", get_calibration, methods=["GET"]),
        Route("/api/schema", schema, methods=["GET"]),
        Route("/api/policies", post_policy, methods=["POST"]),
        Route("/api/runs/{id}/report", get_report, methods=["GET"]),
        Route("/api/runs/{id}/export", get_export, methods=["GET"]),
        Route("/api/runs", post_run, methods=["POST"]),
        Route("/api/runs", list_jobs, methods=["GET"]),
        Route("/api/runs/{id}", get_job, methods=["GET"]),
        Route("/api/runs/{id}", delete_job, methods=["DELETE"]),
        Route("/api/compares", post_compare, methods=["POST"]),
        Route("/api/nights", post_night, methods=["POST"]),
        Route("/api/nights/{id}", get_job, methods=["GET"]),
        Route("/api/nights/{id}", delete_job, methods=["DELETE"]),
        Route("/api/borders", borders, methods=["GET"]),
        Route("/api/campaigns", campaigns, methods=["GET"]),
        Route("/api/campaigns", post_campaign, methods=["POST"]),
        Route("/api/campaigns/{id}", get_job, methods=["GET"]),
        Route("/api/campaigns/{id}", delete_job, methods=["DELETE"]),
        Route("/api/compares/{id}", get_job, methods=["GET"]),
        Route("/api/compares/{id}", delete_job, methods=["DELETE"]),
        *(Route(f"/{prefix}/{{name:path}}", asset, methods=["GET"]) for prefix in ASSET_ROOTS),
    ]
    handlers = {404: _not_found, 405: _not_allowed}
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers
    )
    app.state.manager = manager
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, f"expected a page or an /api address, got {request.url.path!r}")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, f"{request.url.path}: expected another method, got {request.method}")


def _asset(prefix: str, name: str) -> Response:
    path = asset_path(prefix, name)
    if path is None:
        return _error(404, f"expected a file of the page, got {name!r}")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers=_HEADERS)
