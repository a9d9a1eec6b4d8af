// Fast's live dashboard: polls GET /dashboard/state.json once a second (asking only for the history
// points it has not seen), keeps the last ten minutes, and draws them with uPlot. No other requests,
// no timers that pile up: the next poll is scheduled when the previous one has finished.
(function () {
  "use strict";
  const POLL_MS = 1000;
  const RETRY_MS = 2000;
  const KEEP_POINTS = 600;
  const history = { t: [], tps: [], latencyStartMs: [], latencyFreezeMs: [], latencyMaxMs: [] };
  let since = 0;
  let tpsChart = null;
  let latencyChart = null;
  let lastDrops = null;

  const $ = (id) => document.getElementById(id);
  const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  const short = (key) => (key && key.length > 12 ? key.slice(0, 6) + "…" + key.slice(-4) : key || "");

  function chartWidth(el) {
    return Math.max(300, el.clientWidth || 600);
  }

  function makeCharts() {
    const tpsEl = $("chart-tps");
    const latEl = $("chart-latency");
    const axes = [{ stroke: "#8593a0", grid: { stroke: "#26313b" } }, { stroke: "#8593a0", grid: { stroke: "#26313b" } }];
    tpsChart = new uPlot({
      width: chartWidth(tpsEl), height: 220, axes,
      scales: { x: { time: true } },
      series: [{}, { label: "TPS", stroke: "#4fb3ff", fill: "rgba(79,179,255,0.15)", width: 1.5 }],
    }, [[], []], tpsEl);
    latencyChart = new uPlot({
      width: chartWidth(latEl), height: 220, axes,
      scales: { x: { time: true } },
      series: [{},
        { label: "slot start → confirmed", stroke: "#ffd166", width: 1.5, spanGaps: true },
        { label: "freeze → confirmed", stroke: "#06d6a0", width: 1.5, spanGaps: true },
        { label: "worst", stroke: "#ef476f", width: 1, dash: [4, 4], spanGaps: true }],
    }, [[], [], [], []], latEl);
    window.addEventListener("resize", () => {
      tpsChart.setSize({ width: chartWidth(tpsEl), height: 220 });
      latencyChart.setSize({ width: chartWidth(latEl), height: 220 });
    });
  }

  function append(h) {
    for (let i = 0; i < h.t.length; i++) {
      history.t.push(h.t[i] / 1000);
      history.tps.push(h.tps[i]);
      history.latencyStartMs.push(h.latencyStartMs[i]);
      history.latencyFreezeMs.push(h.latencyFreezeMs[i]);
      history.latencyMaxMs.push(h.latencyMaxMs[i]);
    }
    const extra = history.t.length - KEEP_POINTS;
    if (extra > 0) for (const k in history) history[k].splice(0, extra);
    if (h.t.length > 0) since = h.t[h.t.length - 1];
  }

  function drawCharts() {
    tpsChart.setData([history.t, history.tps]);
    latencyChart.setData([history.t, history.latencyStartMs, history.latencyFreezeMs, history.latencyMaxMs]);
    $("chart-tps").dataset.points = String(history.t.length);
    $("chart-latency").dataset.points = String(history.latencyStartMs.filter((v) => v !== null).length);
    const recent = history.tps.slice(-10);
    $("tps-now").textContent = recent.length ? fmt(Math.round(recent.reduce((a, b) => a + b, 0) / recent.length)) : "–";
  }

  function fillTable(id, rows, cells, rowClass) {
    const body = document.querySelector("#" + id + " tbody");
    const out = document.createDocumentFragment();
    for (const row of rows) {
      const tr = document.createElement("tr");
      if (rowClass) tr.className = rowClass(row) || "";
      for (const c of cells(row)) {
        const td = document.createElement("td");
        td.textContent = c.text;
        if (c.title) td.title = c.title;
        tr.appendChild(td);
      }
      out.appendChild(tr);
    }
    body.replaceChildren(out);
  }

  function render(s) {
    $("identity").textContent = s.identity;
    $("version").textContent = "v" + s.version;
    $("slot-processed").textContent = fmt(s.slots.processed);
    $("slot-confirmed").textContent = fmt(s.slots.confirmed);
    $("slot-finalized").textContent = fmt(s.slots.finalized);
    $("slot-processed").dataset.slot = String(s.slots.processed);
    $("tx-count").textContent = fmt(s.transactionCount);
    append(s.history);
    drawCharts();

    // Consecutive slots of one leader (its run) are one row.
    const runs = [];
    for (const l of s.leaders) {
      const last = runs[runs.length - 1];
      if (last && last.leader === l.leader && last.to + 1 === l.slot) last.to = l.slot;
      else runs.push({ from: l.slot, to: l.slot, leader: l.leader, self: l.self });
    }
    fillTable("leaders", runs, (r) => [
      { text: r.from === r.to ? fmt(r.from) : fmt(r.from) + " – " + fmt(r.to) },
      { text: short(r.leader) + (r.self ? " (this node)" : ""), title: r.leader },
    ], (r) => (r.self ? "self" : ""));
    fillTable("blocks", s.blocks, (b) => [
      { text: fmt(b.slot) }, { text: fmt(b.parent) }, { text: fmt(b.transactions) },
      { text: short(b.leader), title: b.leader },
      { text: b.blockTime ? new Date(b.blockTime * 1000).toLocaleTimeString() : "–" },
    ]);

    const now = Date.now();
    const previous = lastDrops;
    lastDrops = { at: now, counts: new Map(s.drops.map((d) => [d.stage + "/" + d.reason, d.count])) };
    const drops = s.drops.slice().sort((a, b) => b.count - a.count);
    fillTable("drops", drops, (d) => {
      let rate = "–";
      if (previous && now > previous.at) {
        const before = previous.counts.get(d.stage + "/" + d.reason) || 0;
        rate = fmt(Math.round((d.count - before) * 1000 / (now - previous.at)));
      }
      return [{ text: d.stage }, { text: d.reason }, { text: fmt(d.count) }, { text: rate }];
    });
    $("drops-none").style.display = drops.length ? "none" : "";

    $("nodes-count").textContent = s.clusterNodes > s.nodes.length ? "(" + s.nodes.length + " of " + s.clusterNodes + ")" : "(" + s.clusterNodes + ")";
    fillTable("nodes", s.nodes, (n) => [
      { text: short(n.identity) + (n.self ? " (this node)" : ""), title: n.identity },
      { text: fmt(n.slot) }, { text: fmt(n.stake) }, { text: n.gossip || "–" }, { text: n.version.split("+")[0], title: n.version },
    ], (n) => (n.self ? "self" : ""));
  }

  async function poll() {
    let delay = POLL_MS;
    try {
      const response = await fetch("/dashboard/state.json?since=" + since, { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      render(await response.json());
      $("status").textContent = "live · " + new Date().toLocaleTimeString();
      $("status").className = "status";
    } catch (e) {
      $("status").textContent = "node unreachable: " + e.message;
      $("status").className = "status error";
      delay = RETRY_MS;
    }
    setTimeout(poll, delay);
  }

  makeCharts();
  poll();
})();
