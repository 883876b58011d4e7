// Votes in the browser booth with Debian's headless Chromium, as a voter would: the e-ID
// files, the passphrase, the ballot, the review, casting; then reads what the booth shows.
// Run by e2e/tests/booth.rs: `node booth.mjs SCENARIO.json`; prints one JSON line of results.
//
// SCENARIO: { url, screenshots (folder or null), votes: [{ cert, key, passphrase, choices:
// [[n per option] per contest], again (vote again on the same page) }] }.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const scenario = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const CHROMIUM = process.env.IVOTE_CHROMIUM || '/usr/bin/chromium';

// The flags that keep Chromium off the network and out of the machine's state.
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
let page = null;
let shot = 0;
const snap = async (name) => {
  if (scenario.screenshots) {
    shot += 1;
    await page.screenshot({ path: `${scenario.screenshots}/booth-${shot}-${name}.png`, fullPage: true });
  }
};
const errorShown = async () => {
  if (await page.isVisible('#error')) {
    return { code: await page.textContent('#error-code'), message: await page.textContent('#error-message') };
  }
  return null;
};
// Waits for the selector, or for the booth's error box, whichever comes first.
const reach = async (selector, timeout) => {
  await page.waitForSelector(`${selector}:not([hidden]), #error:not([hidden])`, { timeout });
  return errorShown();
};

try {
  for (const v of scenario.votes) {
    const r = { ok: false };
    results.push(r);
    if (!v.again || !page) {
      if (page) await page.close();
      page = await browser.newPage();
      page.on('pageerror', (e) => { r.page_error = String(e); });
      await page.goto(scenario.url);
      await page.waitForSelector('body[data-ready="yes"], #error:not([hidden])', { timeout: 30000 });
      const startError = await errorShown();
      if (startError) { Object.assign(r, startError); continue; }
      await snap('sign-in');
    } else {
      await page.click('#vote-again');
    }
    await page.setInputFiles('#cert-file', v.cert);
    await page.setInputFiles('#key-file', v.key);
    await page.fill('#passphrase', v.passphrase || '');
    await page.click('#sign-in');
    let err = await reach('#screen-ballot', 30000);
    if (err) { Object.assign(r, err); await snap('refused'); continue; }
    r.voter = await page.textContent('#voter');
    r.revote_notice = (await page.isVisible('#revote')) ? await page.textContent('#revote') : null;
    await snap('ballot');
    for (const [ci, options] of v.choices.entries()) {
      for (const [oi, n] of options.entries()) {
        const input = `#c${ci}-o${oi}`;
        const type = await page.getAttribute(input, 'type');
        if (type === 'number') await page.fill(input, String(n));
        else if (n > 0) await page.check(input);
      }
    }
    // Keyboard: the review button is reached and pressed without the mouse.
    await page.focus('#review');
    await page.keyboard.press('Enter');
    err = await reach('#screen-review', 10000);
    if (err) { Object.assign(r, err); continue; }
    r.review = await page.textContent('#review-list');
    await snap('review');
    await page.click('#cast');
    err = await reach('#screen-done', 180000);
    if (err) { Object.assign(r, err); await snap('cast-refused'); continue; }
    r.ok = true;
    r.summary = await page.textContent('#done-summary');
    r.tracking = await page.textContent('#tracking-code');
    r.verification_code = await page.textContent('#verification-code');
    r.qr = await page.isVisible('#qr svg');
    r.receipt_file = await page.getAttribute('#receipt-link', 'download');
    r.seal_ms = Number(await page.getAttribute('body', 'data-seal-ms'));
    await snap('done');
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
