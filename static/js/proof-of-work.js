/* Proof of work for anonymous answers (core/proof_of_work.py): find a nonce such that
   SHA-256("<challenge>:<nonce>") starts with `bits` zero bits, then send the form. Runs only in the
   browser, sends nothing anywhere else. Without JavaScript (or without Web Crypto, outside HTTPS)
   the form is sent as is and the server applies its tighter no-proof limit. */
(function () {
  "use strict";
  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { bits += 1; b <<= 1; }
      break;
    }
    return bits;
  }
  async function solve(challenge, bits) {
    var encoder = new TextEncoder();
    for (var nonce = 0; nonce < 1e8; nonce++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + nonce));
      if (zeroBits(new Uint8Array(digest)) >= bits) { return String(nonce); }
    }
    return "";
  }
  document.querySelectorAll("form[data-pow-challenge]").forEach(function (form) {
    if (!(window.crypto && crypto.subtle && window.TextEncoder)) { return; }
    var challenge = form.getAttribute("data-pow-challenge");
    var bits = parseInt(form.getAttribute("data-pow-bits"), 10);
    var field = form.querySelector("input[name=pow_nonce]");
    var pending = solve(challenge, bits).then(function (nonce) { field.value = nonce; });
    form.addEventListener("submit", function (event) {
      if (field.value) { return; }
      event.preventDefault();
      var submitter = event.submitter || null;
      var status = form.querySelector("[data-pow-status]");
      if (status) { status.hidden = false; }
      pending.then(function () {
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      });
    });
  });
})();
