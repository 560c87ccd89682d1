// browser-check.js — load pages in headless Chromium and check them.
// Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
//
// Usage: node --experimental-websocket browser-check.js [--width N]
//            [--screenshot-dir DIR] URL...
// Speaks the DevTools protocol to Debian's /usr/bin/chromium (no npm
// packages). For every URL prints TAP lines:
//   the page answers 200 and fires load
//   no console errors, uncaught exceptions or failed requests
//   every <img> loaded (complete, naturalWidth > 0)
//   every internal link (same origin) answers 200
// and saves DIR/<n>-<last path part>.png as a full-page screenshot.
// Environment: CHROMIUM (default /usr/bin/chromium).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
let width = 1200, shotDir = null;
const urls = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--width') width = parseInt(args[++i], 10);
  else if (args[i] === '--screenshot-dir') shotDir = args[++i];
  else urls.push(args[i]);
}
if (urls.length === 0) {
  console.error('usage: browser-check.js [--width N] [--screenshot-dir DIR] URL...');
  process.exit(2);
}

let n = 0, failed = 0;
function ok(cond, desc, detail) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
  if (!cond) {
    failed++;
    if (detail) for (const l of String(detail).split('\n')) console.log(`# ${l}`);
  }
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-check-'));
const chrome = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--hide-scrollbars',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });
let chromeErr = '';
chrome.stderr.on('data', (d) => { chromeErr += d; });

// Stop Chromium, wait for it to go, then remove its profile.
async function cleanup() {
  if (chrome.exitCode === null && chrome.signalCode === null) {
    const gone = new Promise((r) => chrome.once('exit', r));
    chrome.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (chrome.exitCode === null && chrome.signalCode === null) chrome.kill('SIGKILL');
  }
  for (let i = 0; i < 5; i++) {
    try { fs.rmSync(profile, { recursive: true, force: true }); return; } catch (e) { await sleep(200); }
  }
  console.log(`# could not remove ${profile}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function devtoolsUrl() {
  const f = path.join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 300; i++) {
    try {
      const [port, p] = fs.readFileSync(f, 'utf8').split('\n');
      if (port && p) return `ws://127.0.0.1:${port}${p}`;
    } catch (e) { /* not yet */ }
    await sleep(100);
  }
  throw new Error('chromium did not start: ' + chromeErr.slice(-2000));
}

// A minimal DevTools protocol client over one browser connection.
class Cdp {
  constructor(ws) {
    this.ws = ws; this.id = 0; this.pending = new Map(); this.handlers = [];
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.id && this.pending.has(m.id)) {
        const { resolve, reject } = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) reject(new Error(JSON.stringify(m.error))); else resolve(m.result);
      } else if (m.method) {
        for (const h of this.handlers) h(m);
      }
    };
  }
  send(method, params = {}, sessionId) {
    const id = ++this.id;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.ws.send(JSON.stringify(msg));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (this.pending.has(id)) {
          this.pending.delete(id);
          reject(new Error(`timeout: ${method}`));
        }
      }, 30000);
    });
  }
}

async function checkPage(cdp, url, index) {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const problems = [];
  let status = 0, loaded = false;
  const onEvent = (m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params;
    if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
      problems.push('console: ' + p.args.map((a) => a.value ?? a.description).join(' '));
    else if (m.method === 'Runtime.exceptionThrown')
      problems.push('exception: ' + (p.exceptionDetails.exception?.description || p.exceptionDetails.text));
    else if (m.method === 'Log.entryAdded' && p.entry.level === 'error')
      problems.push(`log: ${p.entry.text} ${p.entry.url || ''}`);
    else if (m.method === 'Network.loadingFailed')
      problems.push(`request failed: ${p.errorText} (${p.requestId})`);
    else if (m.method === 'Network.responseReceived') {
      if (p.type === 'Document' && p.response.url === url) status = p.response.status;
      if (p.response.status >= 400) problems.push(`HTTP ${p.response.status}: ${p.response.url}`);
    } else if (m.method === 'Page.loadEventFired') loaded = true;
  };
  cdp.handlers.push(onEvent);
  for (const d of ['Page', 'Runtime', 'Log', 'Network'])
    await cdp.send(`${d}.enable`, {}, sessionId);
  await cdp.send('Emulation.setDeviceMetricsOverride',
    { width, height: 900, deviceScaleFactor: 1, mobile: width < 600 }, sessionId);
  await cdp.send('Page.navigate', { url }, sessionId);
  for (let i = 0; i < 300 && !loaded; i++) await sleep(100);
  await sleep(300);   // late console messages
  ok(loaded && status === 200, `${url} loads (HTTP ${status})`);

  const ev = await cdp.send('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => ({
      imgs: [...document.images].map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth })),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
      title: document.title,
      height: Math.ceil(document.documentElement.scrollHeight),
      overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
    }))()`,
  }, sessionId);
  const info = ev.result.value;
  ok(problems.length === 0, `${url}: no console errors or failed requests`, problems.join('\n'));
  const bad = info.imgs.filter((i) => !i.ok);
  ok(bad.length === 0, `${url}: all ${info.imgs.length} images loaded with naturalWidth > 0`,
    bad.map((i) => 'broken: ' + i.src).join('\n'));
  ok(!info.overflow, `${url}: no horizontal overflow at ${width} px`);
  const origin = new URL(url).origin;
  const internal = [...new Set(info.links.filter((l) => l.startsWith(origin)).map((l) => l.split('#')[0]))];
  const badLinks = [];
  for (const l of internal) {
    try {
      const r = await fetch(l);
      if (r.status !== 200) badLinks.push(`${r.status} ${l}`);
    } catch (e) { badLinks.push(`${e.message} ${l}`); }
  }
  ok(badLinks.length === 0, `${url}: all ${internal.length} internal links answer 200`, badLinks.join('\n'));
  if (shotDir) {
    const h = Math.min(Math.max(info.height, 300), 8000);
    await cdp.send('Emulation.setDeviceMetricsOverride',
      { width, height: h, deviceScaleFactor: 1, mobile: width < 600 }, sessionId);
    await sleep(200);
    const shot = await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId);
    const name = new URL(url).pathname.replace(/\/$/, '/index.html').split('/').slice(-2).join('-');
    const file = path.join(shotDir, `${index}-${width}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
    fs.writeFileSync(file, Buffer.from(shot.data, 'base64'));
    console.log(`# screenshot ${file}`);
  }
  cdp.handlers = cdp.handlers.filter((h) => h !== onEvent);
  await cdp.send('Target.closeTarget', { targetId });
}

(async () => {
  let code = 0;
  try {
    const ws = new WebSocket(await devtoolsUrl());
    await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
    const cdp = new Cdp(ws);
    console.log(`1..${urls.length * 5}`);
    for (let i = 0; i < urls.length; i++) await checkPage(cdp, urls[i], i + 1);
    ws.close();
    code = failed === 0 ? 0 : 1;
  } catch (e) {
    console.log(`Bail out! ${e.message}`);
    code = 1;
  }
  await cleanup();
  process.exit(code);
})();
