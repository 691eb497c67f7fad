/*
 * The approval page's own script and stylesheet, served by stepup beside the WebAuthn browser library
 * (`@simplewebauthn/browser`'s bundle), so the page loads nothing from anywhere else (its CSP allows
 * only 'self'). The script is plain ES2020 kept small enough to read here: it runs the ceremony the
 * server's options describe and posts the answer back to the page's own URL.
 */

/**
 * The page script: a button runs the ceremony (on an enrolled approver's passkeys page, an assertion
 * of an existing passkey first), one POST, the answer shown as text.
 */
export const PAGE_SCRIPT = `'use strict';
(function () {
  var data = document.getElementById('ceremony');
  var button = document.getElementById('confirm');
  var status = document.getElementById('status');
  if (!data || !button || !status) return;
  var purpose = data.getAttribute('data-purpose');
  var optionsJSON = JSON.parse(data.textContent || '{}');
  function say(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }
  var proofsData = document.getElementById('proofs');
  var proofs = proofsData ? JSON.parse(proofsData.textContent || '{}') : null;
  var lib = window.SimpleWebAuthnBrowser;
  async function send(body) {
    var answer = await fetch(window.location.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
    var result = await answer.json();
    if (answer.ok) say(result.message, 'done');
    else say(result.error_description || 'Refused.', 'refused');
  }
  // An enrolled approver confirms every change with an existing passkey first (its own challenge).
  async function prove(change) {
    if (!proofs) return undefined;
    say('Confirm with one of your passkeys first…');
    return lib.startAuthentication({ optionsJSON: proofs[change] });
  }
  async function run(buttons, work) {
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      await work();
    } catch (error) {
      say('The passkey was not used: ' + (error && error.message ? error.message : 'cancelled'), 'refused');
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }
  var all = [button].concat(Array.prototype.slice.call(document.querySelectorAll('button.remove')));
  button.addEventListener('click', function () {
    run(all, async function () {
      var body = {};
      if (purpose === 'enrol') {
        var proof = await prove('add');
        if (proof) body.proof = proof;
        say('Now create the new passkey…');
        body.response = await lib.startRegistration({ optionsJSON: optionsJSON });
      } else {
        say('Waiting for your passkey…');
        body.response = await lib.startAuthentication({ optionsJSON: optionsJSON });
        var reason = document.getElementById('reason');
        if (reason && reason.value.trim() !== '') body.reason = reason.value;
      }
      await send(body);
    });
  });
  all.slice(1).forEach(function (remove) {
    remove.addEventListener('click', function () {
      run(all, async function () {
        var id = remove.getAttribute('data-credential');
        var proof = await prove('remove:' + id);
        await send({ remove: id, response: proof });
      });
    });
  });
})();
`;

/** The page's stylesheet. */
export const PAGE_STYLE = `
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0; background: #f4f4f6; color: #1d1c1d; }
main { max-width: 46rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
  box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.kind { text-transform: uppercase; letter-spacing: .06em; font-size: .75rem; color: #616061; margin: 0; }
h1 { font-size: 1.4rem; margin: .3rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.marker { background: #c0392b; color: #fff; padding: 0 .4rem; border-radius: 4px; font-size: 1rem; vertical-align: middle; }
.policy-words { margin: 0 0 1rem; padding: .5rem .75rem; background: #eef4fb; border-left: 4px solid #1264a3; }
dl { display: grid; grid-template-columns: 9rem 1fr; gap: .3rem .8rem; margin: 0; }
dt { font-weight: 600; color: #616061; }
dd { margin: 0; overflow-wrap: anywhere; }
.code { font-family: ui-monospace, monospace; font-weight: 700; letter-spacing: .08em; }
.hint { color: #616061; font-size: .85rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f8f8f8; border: 1px solid #ddd;
  padding: .6rem; border-radius: 4px; font-size: .85rem; margin: 0; }
.agent-text { margin-top: 1.5rem; padding-top: 1rem; border-top: 2px dashed #bbb; }
.agent-text h2 { color: #8a5a00; }
.agent-text pre { background: #fffaf0; border-color: #e8c98a; }
.decide { margin-top: 1.5rem; }
textarea { width: 100%; box-sizing: border-box; margin: .3rem 0 .8rem; font: inherit; }
button { font: inherit; font-weight: 700; padding: .6rem 1.2rem; border-radius: 6px; border: 0; color: #fff; cursor: pointer; }
button.approve { background: #007a5a; }
button.deny { background: #c0392b; }
button.remove { padding: .2rem .6rem; font-size: .8rem; margin-left: .5rem; }
button:disabled { opacity: .5; cursor: default; }
#status.done { color: #007a5a; font-weight: 600; }
#status.refused { color: #c0392b; font-weight: 600; }
`;
