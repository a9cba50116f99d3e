// The clerk's web console: a surface of `meetstream serve` (docs/control-api.md is the contract).
// Plain modern JavaScript, no framework, no build step, nothing fetched from anywhere but serve.
//
// What it keeps to:
// - the server is the authority: every action is a POST, every answer (refusal or error) is
//   shown as the server words it; buttons that cannot apply now are only dimmed as a hint;
// - private, public and end ask first, in an in-page dialog, and only after GET /api/check has
//   said the action would be accepted; for public and end the default answer is No;
// - live updates come over the WebSocket; when it cannot open the page polls /api/state, and
//   when nothing answers the page says so at the top instead of showing a stale state as live.
"use strict";

(() => {
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const POLL_EVERY = 2000;       // ms, when the WebSocket cannot be used
  const PREVIEW_EVERY = 1000;    // ms between program pictures
  const STALE_AFTER = 4000;      // ms without a state: the connection is lost
  const WS_SILENT_AFTER = 5000;  // ms without a WebSocket message: reopen it (serve sends one a second)
  const BACKOFF = [500, 1000, 2000, 4000, 8000, 10000];
  const MEMBERS_SHOWN = 60;
  const YES_ARMED_AFTER = 400;   // ms: a double tap on a button must not land on Yes

  // The actions (labels, keys, questions) are served by meetstream (GET api/actions, the one
  // table every surface is built from); which are allowed now, and why not, come with each state.
  // This page copies neither: it draws them.
  let TABLE = {};  // name -> {label, key, confirm: {question, detail, yes, defaultNo} | null}
  let KEYS = {};   // key -> name

  function learnActions(list) {
    TABLE = Object.fromEntries(list.map((a) => [a.name, a]));
    KEYS = Object.fromEntries(list.filter((a) => a.key).map((a) => [a.key, a.name]));
  }

  function label(action) {
    return (TABLE[action] && TABLE[action].label) || action;
  }

  const $ = (selector) => document.querySelector(selector);
  const ui = {
    body: document.body,
    banner: $("#banner"), committee: $("#committee"), room: $("#room"), clock: $("#clock"), conn: $("#conn"),
    message: $("#message"), result: $("#result"),
    preview: $("#preview"), previewNote: $("#preview-note"),
    nowItem: $("#now-item"), nowSpeaker: $("#now-speaker"), nextItem: $("#next-item"),
    agenda: $("#agenda"), search: $("#member-search"), memberCount: $("#member-count"), members: $("#members"),
    oneoffForm: $("#oneoff-form"), oneoff: $("#oneoff"), oneoffNow: $("#oneoff-now"),
    healthObs: $("#health-obs"), healthStream: $("#health-stream"), healthYoutube: $("#health-youtube"),
    healthProgram: $("#health-program"), problems: $("#problems"), lastActions: $("#last-actions"),
    standingOrder: $("#standing-order"), standingWords: $("#standing-order-words"), standingDown: $("#standing-order-down"),
    dialog: $("#confirm"), confirmQuestion: $("#confirm-question"), confirmDetail: $("#confirm-detail"),
    confirmHint: $("#confirm-hint"), confirmYes: $("#confirm-yes"), confirmNo: $("#confirm-no"),
  };

  let state = null;
  let stateAt = 0;
  let busy = 0;

  // --- talking to serve -----------------------------------------------------------------------

  function headers(extra) {
    const h = { Accept: "application/json", ...extra };
    if (TOKEN) h.Authorization = `Bearer ${TOKEN}`;
    return h;
  }

  // One call to serve: {ok, status, data, error}; never throws.
  async function request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method, cache: "no-store",
        headers: headers(body !== undefined ? { "Content-Type": "application/json" } : {}),
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      return {
        ok: false, status: 0, data: {},
        error: "cannot reach meetstream serve (the network or the server is down): if it was done after all, the banner shows it once the connection is back",
      };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (err) {
      data = {};
    }
    if (response.status === 401) {
      return { ok: false, status: 401, data, error: "the token is missing or wrong: open the console with the link that ends ?token=… (ask whoever runs meetstream serve)" };
    }
    const ok = response.ok && data.ok !== false;
    return { ok, status: response.status, data, error: ok ? null : (data.error || `meetstream serve answered ${response.status}`) };
  }

  // A refusal as this page says it: its {fix} slot names the buttons that help (meetstream.core.rules).
  function refusalWords(refusal) {
    const named = (list) => (list || []).map((a) => TABLE[a] && (TABLE[a].refer || TABLE[a].label)).filter(Boolean).join(" or ");
    return String(refusal.reason || "").replace("{fix}", named(refusal.fix)).replace("{also}", named(refusal.also))
      .replace(" ()", "").replace("()", "");
  }

  function words(answer) {
    if (answer && answer.data && answer.data.refusal) return refusalWords(answer.data.refusal);
    return String((answer && answer.error) || "");
  }

  function say(problem) {
    ui.message.textContent = typeof problem === "string" ? problem : words(problem);
    ui.message.hidden = false;
  }

  function done(line, summary) {
    ui.message.hidden = true;
    ui.message.textContent = "";
    ui.result.textContent = line || "";
    // End's summary is several lines (the same lines the command line prints): shown whole.
    ui.result.classList.toggle("summary", Boolean(summary));
  }

  function setBusy(delta) {
    busy += delta;
    ui.body.toggleAttribute("data-busy", busy > 0);
    ui.body.setAttribute("aria-busy", busy > 0 ? "true" : "false");
  }

  // The same action (and body) again while it is still on its way is a double tap: dropped, so
  // a hurried Next never skips an item.
  const inFlight = new Set();

  async function cue(action, body) {
    const key = `${action} ${JSON.stringify(body || {})}`;
    if (inFlight.has(key)) return { ok: false, status: 0, data: {}, error: null, ignored: true };
    inFlight.add(key);
    setBusy(+1);
    ui.result.textContent = `${label(action)}…`;
    try {
      const answer = await request("POST", `api/cue/${action}`, body || {});  // always JSON: the server takes nothing else
      if (answer.data.state) applyState(answer.data.state);
      if (answer.ok) done(answer.data.message, answer.data.end);
      else {
        ui.result.textContent = "";
        say(answer);
      }
      return answer;
    } finally {
      inFlight.delete(key);
      setBusy(-1);
    }
  }

  async function check(action, params) {
    const query = new URLSearchParams(params || {}).toString();
    return request("GET", `api/check/${action}${query ? `?${query}` : ""}`);
  }

  // An action from a button or a key: those that ask are checked first, then asked.
  async function act(action) {
    if (TABLE[action] && TABLE[action].resolves) return openResolution(action);
    if (TABLE[action] && TABLE[action].confirm) return ask(action);
    const button = document.querySelector(`button[data-action="${action}"]`);
    if (button && button.getAttribute("aria-disabled") === "true") {
      // Only a hint: let the server say why (or, if the hint was stale, do it).
      const answer = await check(action);
      if (!answer.ok) return say(answer);
    }
    return cue(action);
  }

  let asking = false;

  async function ask(action) {
    if (asking) return;  // one question at a time
    asking = true;
    try {
      const answer = await check(action);
      if (!answer.ok) return say(answer);
      ui.message.hidden = true;
      if (await confirmDialog(TABLE[action].confirm)) await cue(action);
      else ui.result.textContent = `${label(action)}: not done (answered No)`;
    } finally {
      asking = false;
    }
  }

  // --- the confirmation dialog ----------------------------------------------------------------

  let answerDialog = null;
  let questions = 0;

  function confirmDialog(q) {
    return new Promise((resolve) => {
      answerDialog = (yes) => {
        answerDialog = null;
        if (ui.dialog.open) ui.dialog.close();
        resolve(yes);
      };
      ui.dialog.dataset.tone = q.tone;
      ui.dialog.dataset.default = q.defaultNo ? "no" : "yes";
      ui.confirmQuestion.textContent = q.question;
      ui.confirmDetail.textContent = q.detail;
      ui.confirmYes.textContent = q.yes;
      ui.confirmNo.textContent = "No";
      ui.confirmHint.textContent = q.defaultNo
        ? "Enter, Esc or a tap outside answers No. y answers Yes."
        : "Enter answers Yes. Esc, n or a tap outside answers No.";
      // For public and end, Yes is armed only shortly after the question shows: the second tap
      // of a double tap on the button must not land on Yes. Private (the safe way) is not delayed.
      const asked = ++questions;
      ui.confirmYes.disabled = q.defaultNo;
      ui.dialog.showModal();
      (q.defaultNo ? ui.confirmNo : ui.confirmYes).focus();
      if (q.defaultNo) {
        setTimeout(() => {
          if (asked === questions) ui.confirmYes.disabled = false;
        }, YES_ARMED_AFTER);
      }
    });
  }

  ui.confirmYes.addEventListener("click", () => answerDialog && answerDialog(true));
  ui.confirmNo.addEventListener("click", () => answerDialog && answerDialog(false));
  ui.dialog.addEventListener("cancel", (event) => {  // Esc
    event.preventDefault();
    if (answerDialog) answerDialog(false);
  });
  ui.dialog.addEventListener("click", (event) => {  // a tap on the backdrop, outside the box
    if (event.target === ui.dialog && answerDialog) answerDialog(false);
  });
  ui.dialog.addEventListener("close", () => answerDialog && answerDialog(false));

  // --- drawing the state ----------------------------------------------------------------------

  const drawn = {};
  function changed(part, value) {
    const key = JSON.stringify(value);
    if (drawn[part] === key) return false;
    drawn[part] = key;
    return true;
  }

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "dataset") Object.assign(node.dataset, value);
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  // Lists are rebuilt only when what they show changes, keeping the focused entry focused.
  function rebuild(list, entries, focusKey) {
    const focused = document.activeElement && list.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    list.replaceChildren(...entries);
    if (focused !== null) {
      const again = [...list.querySelectorAll("button")].find((b) => focusKey(b) === focused);
      if (again) again.focus();
    }
  }

  function applyState(s) {
    if (!s || typeof s !== "object") return;
    // An older answer arriving late must not undo a newer one (a restarted serve counts from 0 again).
    if (state && s.version < state.version && Date.now() - stateAt < 3000) return;
    state = s;
    stateAt = Date.now();
    connection.heard();
    draw();
  }

  function draw() {
    const s = state;
    const stateName = s.state || "unknown";
    ui.body.dataset.state = stateName;
    setText(ui.banner, s.banner || stateName.toUpperCase());
    ui.banner.style.backgroundColor = s.colour || "";
    document.title = `${s.banner || stateName} · meetstream`;
    const m = s.meeting;
    setText(ui.committee, m ? `${m.committee}${m.start_local ? ` · ${formatStart(m.start_local)}` : ""}` : "No meeting in session");
    setText(ui.room, s.room ? `Room: ${s.room}` : "");

    setText(ui.nowSpeaker, s.speaker || "—");
    const next = s.next_item;
    if (changed("next", next)) {
      // "5. … — marked exempt (paragraph 3): goes private unless the meeting resolves to stay public"
      ui.nextItem.replaceChildren(next ? next.title : "End of the agenda", (next && standingBadge(next)) || "",
        next && next.standing ? h("span", { class: "standing", "data-testid": "next-standing" }, ` — ${next.standing}`) : "");
    }
    if (changed("nowStanding", s.item)) {
      ui.nowItem.replaceChildren(s.item ? s.item.title : "No item yet", (s.item && standingBadge(s.item)) || "",
        s.item && s.item.standing ? h("span", { class: "standing", "data-testid": "now-standing" }, ` — ${s.item.standing}`) : "");
    }

    drawChamber(s.chamber);
    drawAgenda(s.agenda || []);
    drawMembers();
    drawHealth(s.health || {});
    drawLastActions(s.last_actions || []);
    drawHints(s);
  }

  // An item's privacy at a glance: armed (goes private unless the meeting resolves otherwise), a
  // public item with an exempt appendix, or what the meeting resolved. The words are the server's.
  function standingBadge(item, short) {
    if (item.resolved === "public") return h("span", { class: "badge stays", title: item.standing || "" }, "stays public");
    if (item.armed) return h("span", { class: "badge exempt", title: item.standing || "" },
      item.resolved === "exclude" ? (short ? "excluded" : "excluded: goes PRIVATE") : (short ? "exempt" : "exempt: goes PRIVATE"));
    if (item.appendix) return h("span", { class: "badge appendix", title: item.standing || "" }, "exempt appendix");
    return null;
  }

  // The chamber's microphones (a room with a microphone system): who is on, who waits, and
  // whether the automatic director is on. The words and names are data: textContent only.
  function drawChamber(c) {
    const panel = $("#chamber-panel");
    const button = $("#auto");
    panel.hidden = !c;
    button.hidden = !c;
    if (!c || !changed("chamber", c)) return;
    button.setAttribute("aria-pressed", c.auto ? "true" : "false");
    button.classList.toggle("primary", Boolean(c.auto));
    setText($("#chamber-auto"), c.auto ? (c.held_by_officer ? "AUTO (your cue holds)" : "AUTO") : "manual");
    const problem = $("#chamber-problem");
    problem.hidden = !c.problem;
    setText(problem, c.problem || "");
    $("#chamber-seats").replaceChildren(...(c.seats || []).map((seat) => h("li", {
      class: `seat ${seat.state}`, dataset: { mic: seat.mic, state: seat.state },
    }, h("span", { class: "mic" }, seat.mic), " ", seat.member || "(no name)", " ",
    h("span", { class: `badge mic-${seat.state}` }, seat.state === "off" ? "off" : seat.state.toUpperCase()))));
    $("#chamber-queue").replaceChildren(...(c.queue || []).map((q) => h("li", {}, q.member || `seat ${q.mic}`)));
  }

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function formatStart(iso) {
    // start_local is already in the council's zone: show its wall-clock date and time as written.
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d)/.exec(iso || "");
    return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}, ${m[4]}` : String(iso);
  }

  function drawAgenda(agenda) {
    if (!changed("agenda", agenda)) return;
    const entries = agenda.map((item) => h("li", {
      dataset: { number: item.number }, class: [item.current ? "current" : "", item.exempt ? "exempt" : ""].join(" ").trim(),
    }, h("button", {
      type: "button", class: "agenda-item", "aria-current": item.current ? "step" : null,
      "data-testid": `agenda-${item.number}`,
    },
    h("span", { class: "title" }, item.title),
    item.current ? h("span", { class: "badge now" }, "NOW") : null,
    standingBadge(item, true))));
    rebuild(ui.agenda, entries, (node) => node.closest("li") && node.closest("li").dataset.number);
    const current = ui.agenda.querySelector("li.current");
    if (current && !ui.agenda.contains(document.activeElement)) keepInView(current);
  }

  // Scroll the agenda's own panel (where it scrolls: the landscape layout) to show `node`;
  // never the page, which on a phone would jump away from where the clerk is.
  function keepInView(node) {
    let box = node.parentElement;
    while (box && box !== document.body) {
      const style = getComputedStyle(box);
      if (/(auto|scroll)/.test(style.overflowY) && box.scrollHeight > box.clientHeight) break;
      box = box.parentElement;
    }
    if (!box || box === document.body) return;
    const b = box.getBoundingClientRect();
    const n = node.getBoundingClientRect();
    if (n.top < b.top) box.scrollTop -= b.top - n.top + 8;
    else if (n.bottom > b.bottom) box.scrollTop += n.bottom - b.bottom + 8;
  }

  function matching(members, query) {
    const terms = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return members;
    return members.filter((m) => {
      const haystack = `${m.name} ${m.display} ${m.lower_third || ""}`.toLocaleLowerCase();
      return terms.every((t) => haystack.includes(t));
    });
  }

  function drawMembers() {
    const s = state;
    if (!s) return;
    const members = s.members || [];
    const query = ui.search.value.trim();
    const found = matching(members, query);
    const shown = found.slice(0, MEMBERS_SHOWN);
    const allowed = !((s.allowed || {}).speaker || {}).by_state;
    const speakerIsMember = members.some((m) => m.display === s.speaker);
    setText(ui.oneoffNow, s.speaker && !speakerIsMember ? `Speaking now: ${s.speaker} (one-off)` : "");
    if (!changed("members", [shown, s.speaker, allowed, found.length])) return;
    let count;
    if (!members.length) count = "No members listed for this meeting.";
    else if (!found.length) count = `No member matches “${query}”. Use the one-off speaker box below.`;
    else if (found.length > shown.length) count = `Showing ${shown.length} of ${found.length}: type more of the name.`;
    else count = query ? `${found.length} of ${members.length} members match.` : `${members.length} members.`;
    setText(ui.memberCount, count);
    const entries = shown.map((m) => {
      const speaking = m.display === s.speaker;
      const role = (m.lower_third || "").startsWith(`${m.display}, `) ? m.lower_third.slice(m.display.length + 2) : "";
      return h("li", { class: speaking ? "speaking" : "" }, h("button", {
        type: "button", class: "member", dataset: { member: m.name }, "aria-current": speaking ? "true" : null,
        "aria-disabled": allowed ? null : "true",
      }, h("span", { class: "name" }, m.display), role ? h("span", { class: "role" }, role) : null,
      speaking ? h("span", { class: "badge now" }, "speaking") : null));
    });
    rebuild(ui.members, entries, (node) => node.dataset.member);
  }

  function drawHealth(health) {
    setText(ui.healthObs, health.obs || "—");
    ui.healthObs.classList.toggle("bad", Boolean(health.obs && health.obs !== "connected" && health.obs !== "not checked yet"));
    let stream = health.streaming ? "live" : "not streaming";
    if (health.streaming && health.kbps !== null && health.kbps !== undefined) stream += `, ${health.kbps} kbps`;
    if (health.reconnecting) stream = "reconnecting";
    setText(ui.healthStream, stream);
    ui.healthStream.classList.toggle("bad", Boolean(health.reconnecting));
    setText(ui.healthYoutube, health.youtube || "—");
    setText(ui.healthProgram, health.program || "—");
    // The standing order reached: the council's words, as data (textContent only), and the time down.
    const so = health.standing_order;
    ui.standingOrder.hidden = !so;
    ui.body.toggleAttribute("data-standing-order", Boolean(so));
    if (so) {
      setText(ui.standingWords, String(so.words));
      setText(ui.standingDown, `Webcast down since ${so.down_since} (${so.minutes} min): ${(so.why || []).join("; ")}`);
    }
    const problems = health.problems || [];
    if (changed("problems", problems)) {
      ui.problems.replaceChildren(...(problems.length
        ? problems.map((p) => h("li", { class: "problem" }, p))
        : [h("li", { class: "fine" }, "No problems seen")]));
    }
    ui.body.toggleAttribute("data-problems", problems.length > 0);
  }

  function drawLastActions(actions) {
    if (!changed("actions", actions)) return;
    ui.lastActions.replaceChildren(...actions.map((a) => h("li", {}, h("time", {}, a.at), " ", a.text)));
  }

  function drawHints(s) {
    const refusals = s.allowed || {};
    for (const button of document.querySelectorAll("#controls button[data-action], #controls button[data-hint]")) {
      const refusal = refusals[button.dataset.action || button.dataset.hint];
      // Dimmed when the session's state refuses it; otherwise (an exempt item, the end of the
      // agenda) a tap asks and the page says why.
      if (refusal && refusal.by_state) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
      if (refusal) button.title = refusalWords(refusal);
      else button.removeAttribute("title");
    }
    const agendaAllowed = !(refusals.item && refusals.item.by_state);
    for (const button of ui.agenda.querySelectorAll("button")) {
      if (agendaAllowed) button.removeAttribute("aria-disabled");
      else button.setAttribute("aria-disabled", "true");
    }
  }

  // --- the connection: WebSocket, else polling; says so when neither answers -----------------

  const connection = {
    ws: null,
    wsOpen: false,
    wsHeard: 0,
    attempt: 0,
    polling: false,
    pollGeneration: 0,
    pollTimer: null,
    retryTimer: null,
    pollFailed: false,
    mode: "connecting",

    url() {
      const base = new URL("api/ws", location.href);
      base.protocol = location.protocol === "https:" ? "wss:" : "ws:";
      base.search = TOKEN ? `token=${encodeURIComponent(TOKEN)}` : "";
      return base.href;
    },

    open() {
      let ws;
      try {
        ws = new WebSocket(this.url());
      } catch (err) {
        this.dropped(false);
        return;
      }
      this.ws = ws;
      let heard = false;
      ws.addEventListener("message", (event) => {
        heard = true;
        this.wsOpen = true;
        this.wsHeard = Date.now();
        this.attempt = 0;
        this.stopPolling();
        try {
          applyState(JSON.parse(event.data));
        } catch (err) {
          // not a state: ignore it (the next one comes within a second)
        }
      });
      ws.addEventListener("close", () => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.wsOpen = false;
        this.dropped(heard);
      });
      ws.addEventListener("error", () => ws.close());
    },

    dropped(hadOpened) {
      // Whatever happened, poll meanwhile (if serve answers HTTP, the page stays live), and try
      // the WebSocket again, later each time.
      this.startPolling();
      if (hadOpened) this.attempt = 0;
      const wait = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
      this.attempt += 1;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.retryNow(), wait);
      this.update();
    },

    retryNow() {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (!this.ws) this.open();
    },

    startPolling() {
      if (this.polling) return;
      this.polling = true;
      const generation = ++this.pollGeneration;
      const poll = async () => {
        const answer = await request("GET", "api/state");
        if (!this.polling || generation !== this.pollGeneration) return;  // the WebSocket took over meanwhile
        if (answer.status === 401) say(answer.error);
        else if (answer.ok) {
          applyState(answer.data);
          // serve answers again after an outage: try the WebSocket now, not at the end of the backoff
          if (this.pollFailed && !this.ws) this.retryNow();
        }
        this.pollFailed = !answer.ok;
        this.pollTimer = setTimeout(poll, POLL_EVERY);
      };
      this.pollTimer = setTimeout(poll, 0);
    },

    stopPolling() {
      this.polling = false;
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    },

    heard() {
      this.update();
    },

    // Called on every state and once a second: what the top line says about the connection.
    update() {
      const now = Date.now();
      if (this.wsOpen && now - this.wsHeard > WS_SILENT_AFTER && this.ws) {
        this.ws.close();  // silent for too long: reopen (the close handler does)
      }
      let mode;
      if (stateAt && now - stateAt <= STALE_AFTER) mode = this.wsOpen ? "live" : "polling";
      else mode = stateAt ? "lost" : "connecting";
      this.mode = mode;
      ui.body.dataset.conn = mode;
      let text;
      if (mode === "live") text = "Live";
      else if (mode === "polling") text = "Live (polling every 2 s)";
      else if (mode === "lost") {
        // Words that stay the same while it lasts: screen readers hear it once, not every second.
        const at = new Date(stateAt).toLocaleTimeString("en-GB");
        text = `Connection lost — retrying. Last update at ${at}: what is shown may be out of date.`;
      } else {
        text = "Connecting to meetstream serve — retrying…";
      }
      setText(ui.conn, text);
    },
  };

  // --- the program picture ----------------------------------------------------------------------

  let previewUrl = null;
  async function refreshPreview() {
    if (!document.hidden) {
      try {
        const response = await fetch(`api/preview.jpg?t=${Date.now()}`, { cache: "no-store", headers: headers({ Accept: "image/jpeg" }) });
        if (response.ok && (response.headers.get("Content-Type") || "").startsWith("image/")) {
          const blob = await response.blob();
          const url = URL.createObjectURL(blob);
          await new Promise((resolve) => {
            ui.preview.onload = resolve;
            ui.preview.onerror = resolve;
            ui.preview.src = url;
          });
          if (previewUrl) URL.revokeObjectURL(previewUrl);
          previewUrl = url;
          ui.preview.dataset.at = String(Date.now());
          ui.preview.classList.remove("stale");
          setText(ui.previewNote, "Program preview, about once a second");
        } else {
          let why = `preview unavailable (${response.status})`;
          try {
            why = (await response.json()).error || why;
          } catch (err) { /* not JSON */ }
          ui.preview.classList.add("stale");
          setText(ui.previewNote, `${why}: the last picture is shown`);
        }
      } catch (err) {
        ui.preview.classList.add("stale");
        setText(ui.previewNote, "no preview: meetstream serve is not answering");
      }
    }
    setTimeout(refreshPreview, PREVIEW_EVERY);
  }

  // --- input --------------------------------------------------------------------------------------

  document.querySelector("#controls").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) act(button.dataset.action);
  });

  ui.agenda.addEventListener("click", async (event) => {
    const li = event.target.closest("li[data-number]");
    if (!li) return;
    if (li.classList.contains("current")) {
      ui.result.textContent = `Item ${li.dataset.number} is already the current item`;
      return;
    }
    await cue("item", { number: li.dataset.number });
  });

  ui.members.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-member]");
    if (button) cue("speaker", { name: button.dataset.member });
  });

  ui.search.addEventListener("input", () => drawMembers());
  ui.search.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      ui.search.value = "";
      drawMembers();
      ui.search.blur();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const buttons = ui.members.querySelectorAll("button[data-member]");
      if (buttons.length === 1) buttons[0].click();
      else if (buttons.length > 1) say(`${buttons.length} members match: type more, or tap one`);
    } else if (event.key === "ArrowDown") {
      const first = ui.members.querySelector("button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  ui.oneoffForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ui.oneoff.value.trim();
    if (!text) {
      say("type the speaker's name and role first, e.g. Mr J Brown, Applicant");
      ui.oneoff.focus();
      return;
    }
    const answer = await cue("speaker", { oneoff: text });
    if (answer.ok) ui.oneoff.value = "";
  });
  ui.oneoff.addEventListener("keydown", (event) => {
    if (event.key === "Escape") ui.oneoff.blur();
  });

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    // Shift+X and Shift+K are resolutions of their own: a capital is only lowered when it is no key.
    const key = event.key.length === 1 && !KEYS[event.key] ? event.key.toLowerCase() : event.key;
    if (ui.dialog.open) {
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (key === "y" && !ui.confirmYes.disabled && answerDialog) {
        event.preventDefault();
        answerDialog(true);
      } else if (key === "n" && answerDialog) {
        event.preventDefault();
        answerDialog(false);
      }
      return;  // Enter and Esc are the dialog's own (Enter presses the focused button)
    }
    if (vote.dialog.open || resolution.dialog.open || typing(event.target)) return;
    if (key === "v" && !event.repeat) {
      event.preventDefault();
      openVote();
    } else if (key === "/") {
      event.preventDefault();
      ui.search.focus();
      ui.search.select();
    } else if (key === "o") {
      event.preventDefault();
      ui.oneoff.focus();
    } else if (KEYS[key] && KEYS[key] !== "vote" && !event.repeat) {
      event.preventDefault();
      act(KEYS[key]);
    }
  });

  // --- recording a vote: a form in a dialog; the server checks it, a refusal keeps what was typed

  const vote = {
    dialog: $("#vote-dialog"), form: $("#vote-form"), error: $("#vote-error"), motion: $("#vote-motion"),
    for: $("#vote-for"), against: $("#vote-against"), abstain: $("#vote-abstain"), result: $("#vote-result"),
    named: $("#vote-named"),
  };

  function openVote() {
    if (!state || !state.item) return say("No agenda item is current: move to the item the vote is on first");
    $("#vote-heading").textContent = `Record a vote on item ${state.item.number}`;
    const chosen = {};
    for (const select of vote.named.querySelectorAll("select")) chosen[select.dataset.member] = select.value;
    vote.named.replaceChildren(...(state.members || []).map((m, i) => h("li", {},
      h("label", { for: `vote-member-${i}` }, m.display),
      h("select", { id: `vote-member-${i}`, dataset: { member: m.name } },
        ...[["", "—"], ["for", "For"], ["against", "Against"], ["abstain", "Abstain"]].map(([value, text]) => {
          const option = h("option", { value }, text);
          option.selected = chosen[m.name] === value;
          return option;
        })))));
    vote.error.hidden = true;
    vote.dialog.showModal();
    vote.motion.focus();
  }

  vote.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const named = {};
    for (const select of vote.named.querySelectorAll("select")) if (select.value) named[select.dataset.member] = select.value;
    const body = {
      motion: vote.motion.value, for: vote.for.value, against: vote.against.value, abstain: vote.abstain.value || "0",
      result: vote.result.value, ...(Object.keys(named).length ? { named } : {}),
    };
    $("#vote-record").disabled = true;
    try {
      const answer = await request("POST", "api/cue/vote", body);
      if (answer.data.state) applyState(answer.data.state);
      if (answer.ok) {
        vote.dialog.close();
        vote.form.reset();
        done(answer.data.message);
      } else {
        vote.error.textContent = words(answer);
        vote.error.hidden = false;
      }
    } finally {
      $("#vote-record").disabled = false;
    }
  });
  $("#vote-cancel").addEventListener("click", () => vote.dialog.close());
  $("#vote-open").addEventListener("click", openVote);

  // --- a resolution of the meeting: exclude the public, or stay public (with why) --------------
  // The form, then GET /api/check with what was typed (bad input comes back to the form), then the
  // action's own question from the table (staying public defaults to No), then the POST.

  const resolution = {
    dialog: $("#resolution-dialog"), form: $("#resolution-form"), error: $("#resolution-error"),
    items: $("#resolution-items"), paragraph: $("#resolution-paragraph"), reason: $("#resolution-reason"),
    reasonText: $("#resolution-reason-text"), action: null,
  };

  function openResolution(action) {
    const refusal = state && state.allowed && state.allowed[action];
    if (refusal) return say({ data: { refusal } });
    resolution.action = action;
    const a = TABLE[action];
    $("#resolution-heading").textContent = a.label;
    $("#resolution-help").textContent = a.help;
    $("#resolution-go").textContent = `${a.label}…`;
    // The current item, or (staying public, excluding) the next armed one when the current is public.
    const pick = [state && state.item, state && state.next_item].find((it) => it && (a.resolves === "public" ? it.armed : true));
    resolution.items.value = pick ? pick.number : "";
    resolution.paragraph.value = pick && pick.paragraphs ? pick.paragraphs.join(", ") : "";
    $("#resolution-paragraph-row").hidden = a.resolves !== "exclude";
    $("#resolution-reason-row").hidden = a.resolves !== "public";
    resolution.reason.value = "";
    resolution.reasonText.value = "";
    resolution.reasonText.hidden = true;
    resolution.error.hidden = true;
    resolution.dialog.showModal();
    resolution.items.focus();
  }

  function resolutionBody() {
    const a = TABLE[resolution.action];
    const body = { [a.arg]: resolution.items.value.trim() };
    if (a.resolves === "exclude") body.paragraph = resolution.paragraph.value.trim();
    if (a.resolves === "public") {
      body.reason = resolution.reason.value === "other" ? resolution.reasonText.value.trim() : resolution.reason.value;
    }
    return body;
  }

  resolution.reason.addEventListener("change", () => {
    resolution.reasonText.hidden = resolution.reason.value !== "other";
    if (!resolution.reasonText.hidden) resolution.reasonText.focus();
  });

  resolution.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = resolution.action;
    const body = resolutionBody();
    $("#resolution-go").disabled = true;
    try {
      const answer = await check(action, body);
      if (!answer.ok) {
        resolution.error.textContent = words(answer);
        resolution.error.hidden = false;
        return;
      }
      resolution.dialog.close();
      if (await confirmDialog(TABLE[action].confirm)) await cue(action, body);
      else ui.result.textContent = `${label(action)}: not done (answered No)`;
    } finally {
      $("#resolution-go").disabled = false;
    }
  });
  $("#resolution-cancel").addEventListener("click", () => resolution.dialog.close());
  $("#exclude-open").addEventListener("click", () => act("exclude"));
  $("#stay-public-open").addEventListener("click", () => act("stay-public"));

  // --- start ------------------------------------------------------------------------------------

  function tick() {
    connection.update();
    const now = new Date();
    setText(ui.clock, now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }));
  }

  // The table first (labels, keys, questions), then the live state.
  request("GET", "api/actions").then((answer) => {
    if (answer.ok) learnActions(answer.data.actions || []);
    else if (answer.status === 401) say(answer.error);
  });
  connection.open();
  // If the WebSocket has said nothing shortly after opening, ask once over HTTP so the page fills.
  setTimeout(() => {
    if (!stateAt) request("GET", "api/state").then((answer) => {
      if (answer.ok) applyState(answer.data);
      else if (answer.status === 401) say(answer.error);
    });
  }, 1500);
  setInterval(tick, 1000);
  tick();
  refreshPreview();
})();
