// Keyboard-first record review. Enter accepts and moves on, typing replaces, F2 = illegible/absent,
// Esc = undo, Ctrl+Enter = save and open the next record. No framework, no network beyond this app.
(function () {
  "use strict";
  const cfgNode = document.getElementById("review-config");
  const cfg = cfgNode ? JSON.parse(cfgNode.textContent) : {};
  const form = document.getElementById("saveform");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const rows = Array.from(form.querySelectorAll(".field"));
  const flaggedRows = rows.filter((r) => r.classList.contains("flagged"));
  const errors = {};       // field key -> message from the validators
  let pending = 0;         // validation requests in flight (the benchmark waits on this)
  let timer = null;        // debounce before validating what is being typed
  window.reviewBusy = () => pending > 0 || timer !== null;
  window.reviewTimings = [];  // validation round trips in ms, read by `sohoa bench review`

  const input = (row) => row.querySelector("input:not([type=hidden])");
  const stateOf = (row) => row.querySelector("input[type=hidden]");
  const msgOf = (row) => row.querySelector(".msg");

  function setState(row, state) {
    stateOf(row).value = state;
    row.classList.remove("pending", "accepted", "changed", "illegible");
    row.classList.add(state);
  }

  function highlight(row) {
    document.querySelectorAll(".pagewrap").forEach((w) => {
      const on = w.dataset.page === row.dataset.page;
      w.hidden = !on;
      const hl = w.querySelector(".hl");
      if (!on || !row.dataset.box) { hl.hidden = true; return; }
      const img = w.querySelector("img");
      const [x, y, bw, bh] = row.dataset.box.split(",").map(Number);
      const W = Number(img.dataset.w), H = Number(img.dataset.h);
      Object.assign(hl.style, {left: (100 * x / W) + "%", top: (100 * y / H) + "%",
                               width: (100 * bw / W) + "%", height: (100 * bh / H) + "%"});
      hl.hidden = false;
    });
    rows.forEach((r) => r.classList.toggle("current", r === row));
  }

  function nextOpen(from) {
    // The next flagged field after `from` still waiting for a decision, wrapping round.
    const start = flaggedRows.indexOf(from);
    for (let k = 1; k <= flaggedRows.length; k++) {
      const r = flaggedRows[(start + k) % flaggedRows.length];
      if (stateOf(r).value === "pending" || errors[r.dataset.key]) return r;
    }
    return null;
  }

  function go(row) {
    if (row) { input(row).focus(); } else { const b = document.getElementById("savebtn"); if (b) b.focus(); }
  }

  function currentValues() {
    const values = {};
    rows.forEach((r) => { values[r.dataset.key] = input(r).value; });
    return values;
  }

  function validateSoon() {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; validateNow(); }, 120);
  }

  async function validateNow() {
    pending++;
    const started = performance.now();
    try {
      const resp = await fetch(cfg.validate, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({values: currentValues()}),
      });
      if (!resp.ok) return;
      const data = await resp.json();
      window.reviewTimings.push(performance.now() - started);
      rows.forEach((r) => {
        const key = r.dataset.key;
        const m = data.errors[key];
        if (m) { errors[key] = m; } else { delete errors[key]; }
        if (stateOf(r).value !== "pending" || m) msgOf(r).textContent = m || "";
        r.classList.toggle("error", Boolean(m));
      });
    } finally { pending--; }
  }

  function accept(row) {
    const inp = input(row);
    if (stateOf(row).value !== "illegible") {
      setState(row, inp.value === inp.dataset.original ? "accepted" : "changed");
    }
    if (errors[row.dataset.key]) row.dataset.confirmed = "1";  // accepted despite the validator: explicit
    go(nextOpen(row));
  }

  let saving = false;
  function save() {
    if (saving) return;
    const blocking = flaggedRows.find((r) => errors[r.dataset.key] && !r.dataset.confirmed
                                        && stateOf(r).value !== "illegible");
    if (blocking) {
      msgOf(blocking).textContent = errors[blocking.dataset.key] +
        " — sửa, hoặc nhấn Enter để vẫn chấp nhận (fix it, or press Enter to accept anyway).";
      input(blocking).focus();
      return;
    }
    flaggedRows.forEach((r) => { if (stateOf(r).value === "pending") setState(r, "accepted"); });
    rows.forEach((r) => { if (r.dataset.confirmed) form.append(Object.assign(document.createElement("input"),
      {type: "hidden", name: "c:" + r.dataset.key, value: "1"})); });
    saving = true;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  rows.forEach((row) => {
    const inp = input(row);
    inp.addEventListener("focus", () => { inp.select(); highlight(row); });
    inp.addEventListener("input", () => {
      delete row.dataset.confirmed;
      setState(row, inp.value === inp.dataset.original ? "pending" : "changed");
      validateSoon();
    });
    inp.addEventListener("keydown", (ev) => {
      if (ev.isComposing) return;  // an input method (Telex/VNI) is still composing a syllable
      if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); accept(row); }
      else if (ev.key === "F2") {
        ev.preventDefault();
        inp.value = "";
        setState(row, "illegible");
        msgOf(row).textContent = "Không đọc được / không có (illegible or absent)";
        validateSoon();
        go(nextOpen(row));
      } else if (ev.key === "Escape") {
        inp.value = inp.dataset.original;
        delete row.dataset.confirmed;
        setState(row, row.classList.contains("flagged") ? "pending" : "accepted");
        validateSoon();
        inp.select();
      }
    });
  });

  // A click or Enter on the save button goes through the same checks; save() then submits without a submitter.
  form.addEventListener("submit", (ev) => { if (ev.submitter) { ev.preventDefault(); save(); } });

  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); if (!cfg.readonly) save(); }
  });

  flaggedRows.forEach((r) => {
    r.classList.add("pending");
    if (r.dataset.error) { errors[r.dataset.key] = r.dataset.error; r.classList.add("error"); }
  });
  if (!cfg.readonly) go(flaggedRows[0] || null);
})();
