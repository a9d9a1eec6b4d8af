// Opens the validator's dashboard in headless Chromium (Debian's chromium, driven by the pinned
// playwright-core) and checks what a person would see: the processed slot shown advances, the TPS
// chart is drawn with points (one above zero while the test sends load), the latency chart and the
// recent-blocks table fill in. Saves a screenshot. Prints one line per check; exit 0 when all pass,
// else 1 with the reason on the last line.
// usage: node check.mjs <dashboard url> <screenshot.png> [chromium path]
import { chromium } from "playwright-core";

const [url, screenshot, executable = process.env.CHROMIUM || "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !screenshot) {
  console.log("usage: node check.mjs <dashboard url> <screenshot.png> [chromium path]");
  process.exit(2);
}

let browser;
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

try {
  // --no-sandbox: tests run as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: executable, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url, { waitUntil: "load", timeout: 30000 });

  const slotOf = () => page.$eval("#slot-processed", (el) => Number(el.dataset.slot || "-1"));
  await page.waitForFunction(() => Number(document.querySelector("#slot-processed").dataset.slot || "-1") >= 0, null, { timeout: 30000 });
  const first = await slotOf();
  await page.waitForFunction((s) => Number(document.querySelector("#slot-processed").dataset.slot) > s, first, { timeout: 30000 });
  const second = await slotOf();
  check(second > first, `the processed slot shown advances (${first} -> ${second})`);
  const shownText = await page.$eval("#slot-processed", (el) => el.textContent);
  check(shownText.replace(/,/g, "") === String(second) || Number(shownText.replace(/,/g, "")) >= second, `the slot is on the page as text ("${shownText}")`);

  // TPS: at least 3 points drawn, one of them above zero (the test sends transfers meanwhile).
  await page.waitForFunction(() => Number(document.querySelector("#chart-tps").dataset.points) >= 3, null, { timeout: 30000 });
  const tpsPoints = await page.$eval("#chart-tps", (el) => Number(el.dataset.points));
  const canvas = await page.$eval("#chart-tps canvas", (c) => ({ w: c.width, h: c.height })).catch(() => null);
  check(tpsPoints >= 3 && canvas !== null && canvas.w > 0 && canvas.h > 0, `the TPS chart is drawn with ${tpsPoints} points (canvas ${canvas ? canvas.w + "x" + canvas.h : "missing"})`);
  const busiest = await page.waitForFunction(() => {
    const text = document.querySelector("#tps-now").textContent.replace(/,/g, "");
    return Number(text) > 0 ? Number(text) : false;
  }, null, { timeout: 60000 }).then((h) => h.jsonValue()).catch(() => 0);
  check(busiest > 0, `the TPS shown rises above zero under load (${busiest})`);
  const latencyPoints = await page.$eval("#chart-latency", (el) => Number(el.dataset.points));
  check(latencyPoints >= 1, `the latency chart has ${latencyPoints} measured points`);
  const blocks = await page.$$eval("#blocks tbody tr", (rows) => rows.length);
  check(blocks >= 1, `recent blocks listed (${blocks})`);
  const leaders = await page.$$eval("#leaders tbody tr", (rows) => rows.length);
  check(leaders >= 1, `leaders ahead listed (${leaders})`);
  const nodes = await page.$$eval("#nodes tbody tr", (rows) => rows.length);
  check(nodes >= 1, `cluster nodes listed (${nodes})`);
  // Drops: the table lists what the node's state says it dropped (the test sends malformed packets first).
  const dropsInState = await page.evaluate(async () => (await (await fetch("/dashboard/state.json?since=" + Date.now())).json()).drops.length);
  await page.waitForFunction((n) => document.querySelectorAll("#drops tbody tr").length >= Math.min(n, 1), dropsInState, { timeout: 10000 }).catch(() => {});
  const dropRows = await page.$$eval("#drops tbody tr", (rows) => rows.length);
  check(dropsInState >= 1 && dropRows >= 1, `drops by stage and reason listed (${dropRows} rows; the node reports ${dropsInState} non-zero counters)`);
  check(errors.length === 0, `no script errors on the page${errors.length ? ": " + errors[0] : ""}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot ${screenshot}`);
} catch (e) {
  console.log(`FAIL ${String(e && e.message ? e.message : e).split("\n")[0]}`);
  failures++;
} finally {
  if (browser) await browser.close();
}
console.log(`${failures === 0 ? "dashboard: all checks passed" : `dashboard: ${failures} check(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
