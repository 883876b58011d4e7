// The booth's screens. Every check and all cryptography is in the WebAssembly module (the
// voter app's own code, voter-app/web/src/lib.rs); this file only fetches, shows and asks.
import init, { Booth } from './ivote_voter_web.js';

const $ = (id) => document.getElementById(id);
const SCREENS = ['screen-eid', 'screen-ballot', 'screen-review', 'screen-progress', 'screen-done'];
const now = () => Date.now() / 1000;

let booth = null;
let api = '';
let ballot = null;
let values = null;
let timer = null;

function show(id) {
  for (const s of SCREENS) $(s).hidden = s !== id;
  const heading = $(id).querySelector('h2');
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

// Errors from the module and from the collector are both `{code, message}`; the message
// says what to do next.
function fail(e, backTo) {
  let err;
  try { err = JSON.parse(typeof e === 'string' ? e : e.message); } catch (_) { err = null; }
  if (!err || !err.code) err = { code: 'app.unexpected', message: String(e && e.message || e) };
  $('error-message').textContent = err.message;
  $('error-code').textContent = err.code;
  $('error').hidden = false;
  if (backTo) show(backTo);
  $('error').scrollIntoView();
}

function clearError() { $('error').hidden = true; }

async function call(method, path, body, type) {
  let resp;
  try {
    resp = await fetch(api + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body,
    });
  } catch (e) {
    throw new Error(JSON.stringify({
      code: 'collector.unreachable',
      message: `the collector at ${api || location.origin} cannot be reached (${e.message}); check your internet connection and try again (a new vote replaces any earlier one)`,
    }));
  }
  if (!resp.ok) {
    const text = await resp.text();
    try {
      const e = JSON.parse(text);
      if (e.code) throw new Error(JSON.stringify({ code: e.code, message: e.message }));
    } catch (parsed) { if (parsed.message.startsWith('{')) throw parsed; }
    throw new Error(JSON.stringify({ code: 'collector.bad_response', message: `the collector answered HTTP ${resp.status} without an error code; try again later, and tell the election officials if it persists` }));
  }
  return resp;
}

async function fileBytes(input) {
  const f = input.files[0];
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

async function takeChallenge() {
  const c = await (await call('POST', '/challenge')).text();
  booth.take_challenge(c, now());
}

async function signIn(ev) {
  ev.preventDefault();
  clearError();
  try {
    const cert = await fileBytes($('cert-file'));
    const key = await fileBytes($('key-file'));
    const voter = booth.open_key_file(cert.bytes, cert.name, key.bytes, key.name, $('passphrase').value, now());
    $('passphrase').value = '';
    await takeChallenge();
    const query = booth.voter_info_query();
    const info = await (await call('POST', '/voter-info', query, 'application/json')).text();
    ballot = JSON.parse(booth.take_voter_info(info));
    renderBallot(voter);
    show('screen-ballot');
  } catch (e) { fail(e, 'screen-eid'); }
}

function renderBallot(voter) {
  $('voter').textContent = `Voter ${voter}, district: ${ballot.district}`;
  $('revote').hidden = !ballot.revote_notice;
  $('revote').textContent = ballot.revote_notice || '';
  $('test-vote').hidden = !ballot.test_notice;
  $('test-vote').textContent = ballot.test_notice || '';
  const root = $('contests');
  root.replaceChildren();
  ballot.contests.forEach((c, ci) => {
    const fs = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = `${c.title} (${c.rule})`;
    fs.append(legend);
    c.options.forEach((o, oi) => {
      const id = `c${ci}-o${oi}`;
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.id = id;
      input.dataset.contest = ci;
      input.dataset.option = oi;
      if (c.marking) {
        input.type = c.single ? 'radio' : 'checkbox';
        input.name = `contest-${ci}`;
      } else {
        input.type = 'number';
        input.min = '0';
        input.value = '0';
      }
      label.htmlFor = id;
      label.append(input, ' ', o.party ? `${o.name}, ${o.party}` : o.name);
      fs.append(label);
    });
    root.append(fs);
  });
}

function readChoices() {
  return ballot.contests.map((c, ci) => c.options.map((_, oi) => {
    const input = $(`c${ci}-o${oi}`);
    if (c.marking) return input.checked ? 1 : 0;
    const n = Number.parseInt(input.value, 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }));
}

function review(ev) {
  ev.preventDefault();
  clearError();
  values = readChoices();
  const list = $('review-list');
  list.replaceChildren();
  ballot.contests.forEach((c, ci) => {
    const h = document.createElement('h3');
    h.textContent = c.title;
    const ul = document.createElement('ul');
    c.options.forEach((o, oi) => {
      const v = values[ci][oi];
      if (!v) return;
      const li = document.createElement('li');
      const name = o.party ? `${o.name}, ${o.party}` : o.name;
      li.textContent = c.marking ? name : `${name}: ${v}`;
      ul.append(li);
    });
    if (!ul.children.length) {
      const li = document.createElement('li');
      li.textContent = '(nothing chosen)';
      ul.append(li);
    }
    list.append(h, ul);
  });
  show('screen-review');
}

const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

async function cast() {
  clearError();
  show('screen-progress');
  try {
    if (booth.challenge_expiring(now())) {
      $('progress-step').textContent = 'Asking the collector for a fresh challenge…';
      await takeChallenge();
    }
    $('progress-step').textContent = 'Encrypting your vote and proving it is valid…';
    await frame();
    const started = performance.now();
    const submission = booth.seal(JSON.stringify(values));
    const sealMs = performance.now() - started;
    $('progress-step').textContent = 'Sending your signed, encrypted ballot…';
    const receipt = new Uint8Array(await (await call('POST', '/submit', submission, 'application/octet-stream')).arrayBuffer());
    $('progress-step').textContent = 'Checking the collector\'s receipt…';
    const done = JSON.parse(booth.take_receipt(receipt));
    done.seal_ms = sealMs;
    showDone(done, receipt);
  } catch (e) { fail(e, 'screen-review'); }
}

function showDone(d, receipt) {
  document.body.dataset.sealMs = String(Math.round(d.seal_ms));
  $('done-summary').textContent = `This is your vote number ${d.voter_seq}; it is ballot ${d.leaf_index} in the collector's log.`;
  $('tracking-code').textContent = d.tracking_code;
  const link = $('receipt-link');
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([receipt], { type: 'application/octet-stream' }));
  link.download = d.receipt_file;
  $('verify-until').textContent = d.verify_until;
  $('verify-max').textContent = String(d.verify_max);
  $('qr').innerHTML = d.qr_svg;
  $('verification-code').textContent = d.verification_code;
  clearInterval(timer);
  const tick = () => {
    const left = Math.max(0, Math.floor(d.verify_until_unix - now()));
    $('verify-timer').textContent = left > 0
      ? `${Math.floor(left / 60)} min ${String(left % 60).padStart(2, '0')} s`
      : 'no time';
    if (left === 0) clearInterval(timer);
  };
  tick();
  timer = setInterval(tick, 1000);
  show('screen-done');
}

function voteAgain() {
  clearError();
  clearInterval(timer);
  $('qr').replaceChildren();
  $('verification-code').textContent = '';
  show('screen-eid');
}

async function start() {
  try {
    await init();
    const config = await (await fetch('booth.json')).json();
    api = (config.collector || '').replace(/\/$/, '');
    const pkg = await (await call('GET', '/package')).text();
    const lang = new URLSearchParams(location.search).get('lang') || '';
    booth = new Booth(pkg, config.officials_key || '', config.context || '', lang);
    document.documentElement.lang = booth.language();
    $('title').textContent = booth.title();
    $('subtitle').textContent = 'The election package is verified against the officials\' key.';
    $('eid-form').addEventListener('submit', signIn);
    $('ballot-form').addEventListener('submit', review);
    $('cast').addEventListener('click', cast);
    $('change').addEventListener('click', () => show('screen-ballot'));
    $('vote-again').addEventListener('click', voteAgain);
    document.body.dataset.ready = 'yes';
    show('screen-eid');
  } catch (e) {
    $('subtitle').textContent = 'The booth could not start.';
    fail(e);
  }
}

start();
