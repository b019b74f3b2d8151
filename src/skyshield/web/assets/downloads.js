// Downloads of a stored run: its report (HTML) and one night's exports, in the formats
// `skyshield export` writes; the server writes them as the CLI does (GET /api/runs/{id}/report,
// GET /api/runs/{id}/export?format=F&replication=R).
"use strict";

const downloads = (() => {
  const FORMATS = ["geojson", "czml", "kml", "acmi"];

  // links to a run's report and its night `replication` in every export format
  function links(runId, replication = 0) {
    const base = `/api/runs/${encodeURIComponent(runId)}`;
    const box = document.createElement("span");
    box.className = "downloads";
    box.dataset.run = runId;
    const link = (href, text, what) => {
      const a = document.createElement("a");
      a.href = href;
      a.download = "";
      a.textContent = text;
      a.dataset.download = what;
      a.title = "written by the server as the command line writes it; a report takes a few seconds";
      return a;
    };
    box.append(link(`${base}/report?replication=${replication}`, "report (HTML)", "report"));
    for (const format of FORMATS) {
      box.append(" · ", link(`${base}/export?format=${format}&replication=${replication}`, format, format));
    }
    return box;
  }

  return { FORMATS, links };
})();
