// The staff dashboard (templates/dashboard.html). The page works without this file (server-rendered
// tables, a GET form); with it, charts are drawn (Chart.js from /static/vendor/) and the page stays
// current: /dashboard/stream sends a `version` event whenever reporting applied events, and we fetch
// /api/v1/dashboard with the page's own filters and redraw charts, tables and figures in place.
// No inline scripts anywhere (the CSP forbids them): the page passes URLs in data- attributes.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;

  var COLORS = {
    mrr: "#0b6e4f", new: "#2e9d6f", reactivation: "#7cc8a4", expansion: "#1d6fa5",
    contraction: "#e0a030", churn: "#c0392b", recognized: "#0b6e4f", invoiced: "#1d6fa5",
    collected: "#7a5cc2", deferred: "#e0a030", committed: "#1d6fa5", expected: "#0b6e4f",
    best: "#7cc8a4", actual: "#7a5cc2", bar: "#1d6fa5", negative: "#c0392b"
  };
  var NUMERIC = { money: true, pct: true, int: true };
  var charts = {};
  var shownVersion = Number(root.dataset.version) || 0;
  var loading = false, wanted = 0;

  // "mrr.-1.arr": the last month's ARR; "aging.buckets": a list.
  function at(data, path) {
    return path.split(".").reduce(function (v, key) {
      if (v === null || v === undefined) return v;
      return key === "-1" ? v[v.length - 1] : v[key];
    }, data);
  }

  // As the server shows it (domain/dashboard.py `shown`).
  function show(value, kind) {
    if (value === null || value === undefined) return "\u2013";
    if (kind === "month") return String(value).slice(0, 7);
    if (kind === "money" || kind === "pct") value = cents(value);
    if (kind === "pct") return value + " %";
    if (kind === "bool") return value ? "yes" : "no";
    return String(value);
  }

  // "0" → "0.00", "31.5" → "31.50" on the decimal string itself (no float rounding).
  function cents(value) {
    var s = String(value), m = /^(-?\d+)(?:\.(\d*))?$/.exec(s);
    if (!m || (m[2] || "").length >= 2) return s;
    return m[1] + "." + ((m[2] || "") + "00").slice(0, 2);
  }

  function num(v) { return v === null || v === undefined ? null : Number(v); }
  function pick(rows, key, sign) { return rows.map(function (r) { return num(r[key]) * (sign || 1); }); }
  function label(key) { return key.charAt(0).toUpperCase() + key.slice(1).replace(/_/g, " "); }

  function fillTable(table, d) {
    var columns = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.dataset; });
    var rows = at(d, table.dataset.source) || [];
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = body.insertRow();
      columns.forEach(function (c) {
        var td = tr.insertCell(), text = show(row[c.key], c.kind);
        if (NUMERIC[c.kind]) td.className = "num";
        if (c.link) {
          var a = document.createElement("a");
          a.href = c.link.replace(/\{(\w+)\}/g, function (_, k) { return encodeURIComponent(row[k]); });
          a.textContent = text;
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
      });
    });
    if (!rows.length) {
      var td = body.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = "empty";
      td.textContent = "No figures for these filters.";
    }
    table.replaceChild(body, table.tBodies[0]);
  }

  function fillText(d) {
    document.querySelectorAll("table[data-source]").forEach(function (t) { fillTable(t, d); });
    document.querySelectorAll("[data-field]").forEach(function (el) {
      el.textContent = show(at(d, el.dataset.field), el.dataset.kind || "money");
    });
  }

  function bars(rows, keys, opts) {
    return keys.map(function (k) {
      return Object.assign({ type: "bar", label: label(k), data: pick(rows, k), backgroundColor: COLORS[k] }, opts || {});
    });
  }
  function lines(rows, keys, opts) {
    return keys.map(function (k) {
      return Object.assign({ type: "line", label: label(k), data: pick(rows, k), borderColor: COLORS[k],
        backgroundColor: COLORS[k], tension: 0, pointRadius: 2 }, opts || {});
    });
  }
  function months(rows) { return rows.map(function (r) { return String(r.month).slice(0, 7); }); }
  function starts(rows) { return rows.map(function (r) { return String(r.start); }); }

  // Each canvas: its chart from the dashboard's JSON.
  var BUILD = {
    "chart-mrr": function (d) {
      var up = bars(d.mrr, ["new", "reactivation", "expansion"], { stack: "moves", yAxisID: "moves" });
      var down = ["contraction", "churn"].map(function (k) {
        return { type: "bar", label: label(k), data: pick(d.mrr, k, -1), backgroundColor: COLORS[k], stack: "moves", yAxisID: "moves" };
      });
      return {
        labels: months(d.mrr),
        datasets: lines(d.mrr, ["mrr"], { label: "MRR", yAxisID: "y", order: 0, borderWidth: 3 }).concat(up, down),
        scales: {
          y: { position: "left", title: { display: true, text: "MRR" } },
          moves: { position: "right", stacked: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Movements" } },
          x: { stacked: true }
        }
      };
    },
    "chart-retention": function (d) {
      var keys = ["gross_mrr_churn_pct", "net_mrr_churn_pct", "customer_churn_pct", "nrr_pct", "grr_pct"];
      return {
        labels: ["Gross MRR churn", "Net MRR churn", "Customer churn", "NRR", "GRR"],
        datasets: [{ type: "bar", label: "%", data: keys.map(function (k) { return num(d.retention[k]); }), backgroundColor: COLORS.bar }],
        indexAxis: "y", legend: false
      };
    },
    "chart-revenue": function (d) {
      return { labels: months(d.revenue),
        datasets: lines(d.revenue, ["deferred"]).concat(bars(d.revenue, ["recognized", "invoiced", "collected"])) };
    },
    "chart-billed": function (d) {
      var ds = bars(d.revenue, ["invoiced", "collected"]);
      ds[0].label = "Billed";
      return { labels: months(d.revenue), datasets: ds };
    },
    "chart-forecast-monthly": function (d) { return forecast(d.forecast.monthly, true); },
    "chart-forecast-weekly": function (d) { return forecast(d.forecast.weekly, false); },
    "chart-aging": function (d) {
      var rows = d.aging.buckets;
      var values = pick(rows, "amount").concat([num(d.aging.unapplied)]);
      return {
        labels: rows.map(function (b) { return b.bucket; }).concat(["unapplied"]),
        datasets: [{ type: "bar", label: "Open amount", data: values,
          backgroundColor: values.map(function (v) { return v < 0 ? COLORS.negative : COLORS.bar; }) }],
        legend: false
      };
    },
    "chart-renewals": function (d) {
      return { labels: d.renewals.windows.map(function (w) { return "Within " + w.days + " days"; }),
        datasets: bars(d.renewals.windows, ["arr"], { label: "ARR", backgroundColor: COLORS.bar }), legend: false };
    },
    "chart-churn": function (d) {
      return { labels: months(d.churn), datasets: bars(d.churn, ["churn", "contraction"], { stack: "lost" }),
        scales: { x: { stacked: true }, y: { stacked: true } } };
    },
    "chart-top": function (d) {
      return { labels: d.top_customers.map(function (c) { return c.name; }),
        datasets: bars(d.top_customers, ["arr"], { label: "ARR", backgroundColor: COLORS.bar }), indexAxis: "y", legend: false };
    }
  };

  // The scenarios often coincide: dashes tell the lines apart where they overlap.
  var DASHES = { committed: [], expected: [8, 4], best: [2, 3] };
  function forecast(rows, monthly) {
    var scenarios = lines(rows, ["committed", "expected", "best"], { order: 0 });
    scenarios.forEach(function (s, i) { s.borderDash = DASHES[["committed", "expected", "best"][i]]; });
    return { labels: monthly ? rows.map(function (r) { return String(r.start).slice(0, 7); }) : starts(rows),
      datasets: scenarios.concat(bars(rows, ["actual"], { label: "Collected", order: 1 })) };
  }

  function drawCharts(d) {
    if (!window.Chart) return;
    Object.keys(BUILD).forEach(function (id) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      var spec = BUILD[id](d);
      if (charts[id]) {
        charts[id].data.labels = spec.labels;
        charts[id].data.datasets = spec.datasets;
        charts[id].update("none");
        return;
      }
      charts[id] = new window.Chart(canvas, {
        type: "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          indexAxis: spec.indexAxis || "x",
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { display: spec.legend !== false } },
          scales: spec.scales || {}
        }
      });
    });
  }

  function say(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }

  // Fetch the figures for `version` (a fetch started after the version was seen includes it).
  function refresh(version) {
    wanted = Math.max(wanted, version || 0);
    if (loading) return;
    loading = true;
    var target = wanted;
    fetch(root.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("the dashboard answered " + r.status);
        return r.json();
      })
      .then(function (d) {
        shownVersion = Math.max(shownVersion, target, d.version);
        root.dataset.version = String(shownVersion);
        fillText(d);
        drawCharts(d);
      })
      .catch(function (err) { say("status-live", "Could not update the figures (" + err.message + "); retrying on the next change."); })
      .then(function () {
        loading = false;
        if (wanted > shownVersion) refresh(wanted);
      });
  }

  function onVersion(v) {
    say("status-version", String(v.version));
    say("status-lag", v.lag >= 0 ? v.lag + " events behind" : "lag unknown");
    var rebuilding = document.getElementById("status-rebuilding");
    if (rebuilding) rebuilding.hidden = !v.rebuilding;
    if (v.version > shownVersion) refresh(v.version);
  }

  function listen() {
    if (!window.EventSource) { say("status-live", "This browser has no live updates: reload for new figures."); return; }
    var status = document.getElementById("dashboard-status");
    var events = new EventSource(root.dataset.stream);
    events.addEventListener("open", function () {
      say("status-live", "Live: new figures appear as they arrive.");
      status.classList.add("live");
    });
    events.addEventListener("version", function (e) { onVersion(JSON.parse(e.data)); });
    events.addEventListener("unavailable", function () { say("status-live", "Reporting is unavailable; waiting for it."); });
    events.addEventListener("error", function () {
      status.classList.remove("live");
      say("status-live", events.readyState === EventSource.CLOSED
        ? "Live updates stopped (signed out?): reload the page." : "Reconnecting\u2026");
    });
    window.addEventListener("pagehide", function () { events.close(); });
  }

  refresh(0);
  listen();
})();
