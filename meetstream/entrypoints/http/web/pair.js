// The pairing page: shown instead of the console to a browser meetstream serve does not know yet.
// The code is exchanged for a device cookie (HttpOnly, SameSite=Strict: this script never sees
// it); then the console is loaded and its same-origin requests carry the cookie by themselves.
"use strict";

(function () {
  const form = document.getElementById("pair-form");
  const code = document.getElementById("code");
  const name = document.getElementById("name");
  const error = document.getElementById("pair-error");
  const button = form.querySelector("button");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();  // the page's policy allows no form submission: JSON only, below
    const typed = code.value.replace(/[\s-]/g, "");
    if (!/^\d{4,12}$/.test(typed)) {
      error.textContent = "Type the digits of the code meetstream serve shows.";
      code.focus();
      return;
    }
    button.disabled = true;
    error.textContent = "";
    try {
      const response = await fetch("api/pair", {
        method: "POST", cache: "no-store", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ code: typed, name: name.value }),
      });
      let data = {};
      try { data = await response.json(); } catch (err) { data = {}; }
      if (response.ok && data.ok) {
        location.replace(new URL("./", location.href).pathname);  // the console, without any ?token=
        return;
      }
      error.textContent = data.error || `meetstream serve answered ${response.status}`;
    } catch (err) {
      error.textContent = "Cannot reach meetstream serve: is it running, and is this the PC's address?";
    }
    button.disabled = false;
    code.select();
  });
})();
