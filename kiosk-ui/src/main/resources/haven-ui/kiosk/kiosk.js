// Classroom kiosk. Live state comes from the hub over a WebSocket; the hub's clock decides timeouts.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const SLIDE_MS = 9000;
  let state = null;
  let slides = [];
  let sections = [];
  let paginatedFor = null;
  let slideIndex = 0;
  let slideTimer = null;
  let screenTimer = null;
  let aupVersion = null;
  let computer = "";
  // The public screen keeps nothing of a pupil's choice: a new press (maybe another pupil) starts fresh.
  let pressKey = null;
  let tellMore = false;
  let hubDown = false;
  let computerOpen = false;
  // One symbol per category, all drawn by DejaVu Sans (KioskGlyphsTest).
  const CATEGORY_SYMBOLS = {
    "unkind-online": "\u2639", "saw-something-upsetting": "\u26A0", "stranger-contact": "\u2709",
    "about-an-adult": "\u2691", "other": "\u270E", "nudes-or-sextortion": "\u25A3", "self-harm": "\u2661",
    "pressure-or-coercion": "\u2298", "extremism": "\u26A1",
  };
  // More than six categories (KS3/KS4) take two columns; the keypad then opens on request.
  const MANY = 6;
  // The kiosk's own words come from /i18n/{code}.json; the English in the page is the last fallback.
  const LANGUAGE_RESET_MS = 5 * 60 * 1000;
  let languages = [];
  let defaultLanguage = "en";
  let language = "en";
  let words = {};
  let english = {};
  let pickingLanguage = false;
  let languageTimer = null;

  // English for the words this script writes itself, so the screen reads right before /i18n has loaded
  // (KioskLanguageBrowserTest checks en.json says the same).
  const BUILT_IN = {
    "connection.online": "Connected",
    "connection.offline": "Offline — tell a trusted adult",
    "connection.down": "Not working — tell a trusted adult",
    "language.button": "Language",
    "thanks.openComputer": "Which computer?",
    "thanks.closeComputer": "Back",
    "category.unkind-online": "Someone was unkind online",
    "category.saw-something-upsetting": "I saw something upsetting",
    "category.stranger-contact": "A stranger contacted me",
    "category.about-an-adult": "It's about a grown-up",
    "category.other": "Something else",
    "category.nudes-or-sextortion": "Nudes or sextortion",
    "category.self-harm": "Self-harm or suicide",
    "category.pressure-or-coercion": "Pressure or control",
    "category.extremism": "Extremism or hate",
    "signpost.childline": "Childline (free): **0800 1111**",
    "signpost.ceop": "CEOP: **ceop.police.uk**",
  };

  function t(key) {
    return words[key] ?? english[key] ?? BUILT_IN[key] ?? key;
  }

  // Message files are plain text with **bold**; everything else is escaped.
  function rich(text) {
    const escaped = text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    return escaped.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  }

  function applyWords() {
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.innerHTML = rich(t(el.dataset.i18n)); });
    document.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
    const info = languages.find((l) => l.code === language) || { code: "en", bcp47: "en-GB", dir: "ltr", name: "English" };
    document.documentElement.lang = info.bcp47;
    document.documentElement.dir = info.dir;
    for (const button of document.querySelectorAll("button.language")) {
      button.textContent = info.name;
      button.setAttribute("aria-label", `${t("language.button")}: ${info.name}`);
    }
    if (state) render(state);
  }

  async function useLanguage(code) {
    try {
      const res = await fetch(`/i18n/${encodeURIComponent(code)}.json`);
      if (!res.ok) return;
      words = await res.json();
      language = code;
      applyWords();
    } catch (e) { /* keep the words on screen */ }
  }

  async function loadLanguages() {
    try {
      const index = await (await fetch("/i18n/index.json")).json();
      english = await (await fetch("/i18n/en.json")).json();
      languages = index.languages;
      defaultLanguage = index.default;
      const list = $("language-list");
      for (const l of languages) {
        const b = document.createElement("button");
        b.type = "button";
        b.lang = l.bcp47;
        b.dir = l.dir;
        b.dataset.language = l.code;
        b.textContent = l.name;
        b.addEventListener("click", async () => {
          pickingLanguage = false;
          await useLanguage(l.code);
        });
        list.appendChild(b);
      }
      for (const button of document.querySelectorAll("button.language")) button.hidden = languages.length < 2;
      await useLanguage(defaultLanguage);
    } catch (e) { /* English from the page */ }
  }

  // The next pupil gets the school's language back after a quiet spell.
  function touched() {
    clearTimeout(languageTimer);
    languageTimer = setTimeout(() => {
      pickingLanguage = false;
      if (language !== defaultLanguage) useLanguage(defaultLanguage);
      else if (state) render(state);
    }, LANGUAGE_RESET_MS);
  }

  function show(screen) {
    for (const id of ["idle", "thanks", "acknowledged", "test", "choose", "isolated", "follow-up", "languages", "teacher"]) {
      $(id).hidden = id !== screen;
    }
    ensurePaginated();
  }

  // The AUP's sections (a heading and its rules); pages are cut from them by measuring the real box.
  function buildSections(aup) {
    const doc = new DOMParser().parseFromString(aup.html, "text/html");
    const out = [];
    let heading = null;
    for (const node of Array.from(doc.body.children)) {
      if (node.tagName === "H1" || (node.tagName === "P" && node.querySelector("em") && node.textContent.includes("Sample"))) {
        continue;
      }
      if (node.tagName === "H2") {
        heading = node.textContent;
        out.push({ heading, items: [] });
        continue;
      }
      if (!out.length) out.push({ heading: null, items: [] });
      const items = node.tagName === "UL" || node.tagName === "OL" ? Array.from(node.children).map((li) => li.innerHTML) : [node.innerHTML];
      out[out.length - 1].items.push(...items);
    }
    return out.filter((section) => section.items.length);
  }

  function fits(box) {
    return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
  }

  function escapeText(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // Pages that fit the screen as it is (800x480 or a big display), measured in the browser: rules are
  // added one by one until the next would not fit; a rule too long for one page is cut between sentences.
  function paginate() {
    const box = $("aup-slide");
    if (!sections.length || box.clientHeight === 0) return false;
    const pages = [];
    for (const section of sections) {
      let page = { heading: section.heading, items: [] };
      for (const item of section.items) {
        page.items.push(item);
        fillSlide(page);
        if (fits(box)) continue;
        page.items.pop();
        if (page.items.length) pages.push(page);
        page = { heading: section.heading, items: [item] };
        fillSlide(page);
        if (fits(box)) continue;
        const sentences = new DOMParser().parseFromString(item, "text/html").body.textContent.split(/(?<=[.!?;:])\s+/);
        let chunk = [];
        for (const sentence of sentences) {
          chunk.push(sentence);
          page = { heading: section.heading, items: [escapeText(chunk.join(" "))] };
          fillSlide(page);
          if (!fits(box) && chunk.length > 1) {
            chunk.pop();
            pages.push({ heading: section.heading, items: [escapeText(chunk.join(" "))] });
            chunk = [sentence];
            page = { heading: section.heading, items: [escapeText(sentence)] };
            fillSlide(page);
          }
          // One sentence longer than the screen: set it a little smaller (still 24 px on the touchscreen).
          if (!fits(box) && chunk.length === 1) page.dense = true;
        }
      }
      if (page.items.length) pages.push(page);
    }
    slides = pages.length ? pages : [{ heading: null, items: [] }];
    slideIndex = 0;
    paginatedFor = `${window.innerWidth}x${window.innerHeight}:${aupVersion}:${language}`;
    renderSlide();
    return true;
  }

  // The AUP in the pupil's language when the school published one (state.aupLanguages: language -> version),
  // fetched from the hub once per version; otherwise English, with a note (docs/KIOSK.md).
  let translation = null;
  let fetchingTranslation = null;
  function englishAup() {
    return state.aup ? { ...state.aup, language: "en" } : null;
  }
  function currentAup() {
    const want = (state.aupLanguages || {})[language];
    if (language === "en" || !want) return englishAup();
    if (translation && translation.language === language && translation.version === want) return translation.aup;
    fetchTranslation(language);
    return translation && translation.language === language ? translation.aup : englishAup();
  }
  async function fetchTranslation(lang) {
    if (fetchingTranslation === lang) return;
    fetchingTranslation = lang;
    try {
      const res = await fetch(`/api/kiosk/aup?lang=${encodeURIComponent(lang)}`);
      if (res.ok) {
        const aup = await res.json();
        translation = { language: lang, version: aup.version, aup };
        if (state) render(state);
      }
    } catch (e) { /* English stays on screen */ } finally { fetchingTranslation = null; }
  }

  // "Read it to me": the hub speaks the slide with espeak-ng, so it works offline on the Pi; the browser's
  // own voices are the fallback (Debian's Chromium has none offline). Offered to every key stage.
  let speaking = null;
  function readAloud() {
    if (!state) return;
    const box = $("aup-slide");
    const text = Array.from(box.querySelectorAll("h2, li")).map((e) => e.textContent).join(". ");
    if (speaking) speaking.pause();
    if (state.readAloud) {
      const shown = currentAup();
      const voice = shown && ["en", "cy", "ar", "pl", "ro", "ur", "pa"].includes(shown.language) ? shown.language : "en";
      speaking = new Audio(`/api/kiosk/speech?lang=${voice}&text=${encodeURIComponent(text.slice(0, 1000))}`);
      speaking.play().catch(() => { /* a screen with no speaker: nothing to do */ });
    } else if ("speechSynthesis" in window) {
      speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "en-GB";
      u.rate = 0.9;
      speechSynthesis.speak(u);
    }
  }

  // A simple pictogram per slide, from symbols DejaVu Sans (fonts-dejavu-core, on every Raspberry Pi OS)
  // draws; KioskGlyphsTest checks each against the font, since a missing one is an empty box on screen.
  const PICTOGRAMS = [
    [/kind|polite|respect|bully/i, "\u2665"],            // heart
    [/password|private|secret|personal|address/i, "\u26B7"], // drawn as a key (the squared key U+26BF is not in DejaVu)
    [/picture|photo|image|share/i, "\u2750"],            // frame
    [/tell|adult|report|button|help/i, "\u260E"],        // telephone: tell someone
    [/stranger|meet|know online|contact/i, "\u26A0"],    // warning
    [/ask|permission|teacher/i, "\u261D"],               // hand up (the raised hand U+270B is not in DejaVu)
  ];
  function pictogram(slide) {
    const text = (slide.heading || "") + " " + slide.items.join(" ");
    const hit = PICTOGRAMS.find(([re]) => re.test(text));
    return hit ? hit[1] : "\u263A";
  }

  function fillSlide(slide) {
    const box = $("aup-slide");
    box.textContent = "";
    box.classList.toggle("dense", Boolean(slide.dense));
    const icon = document.createElement("span");
    icon.className = "pictogram";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = pictogram(slide);
    box.appendChild(icon);
    if (slide.heading) {
      const h = document.createElement("h2");
      h.textContent = slide.heading;
      box.appendChild(h);
    }
    const ul = document.createElement("ul");
    for (const html of slide.items) {
      const li = document.createElement("li");
      li.innerHTML = html; // rendered by the hub with raw HTML escaped (commonmark escapeHtml), or escaped here
      ul.appendChild(li);
    }
    box.appendChild(ul);
  }

  function renderSlide() {
    if (!slides.length) return;
    fillSlide(slides[slideIndex % slides.length]);
    $("slide-count").textContent = slides.length > 1 ? `${(slideIndex % slides.length) + 1} / ${slides.length}` : "";
  }

  // Pagination needs the idle screen on view; it is redone when the screen size, the AUP or the language
  // changes (an Urdu page sets larger text).
  function ensurePaginated() {
    if (!$("idle").hidden && paginatedFor !== `${window.innerWidth}x${window.innerHeight}:${aupVersion}:${language}`) paginate();
  }

  function render(next) {
    // An HTTP answer built before a socket push can arrive after it: never let the older snapshot win.
    if (state && next !== state && next.boot === state.boot && next.stamp < state.stamp) return;
    state = next;
    $("room-name").textContent = `${state.room}`;
    const conn = $("connection");
    conn.className = "connection " + (state.online ? "online" : "offline");
    conn.textContent = t(state.online ? "connection.online" : "connection.offline");
    $("read-aloud").hidden = !state.aup || !(state.readAloud || "speechSynthesis" in window);
    const aup = currentAup();
    if (aup && `${aup.version}:${aup.keyStage}:${aup.language}` !== aupVersion) {
      aupVersion = `${aup.version}:${aup.keyStage}:${aup.language}`;
      $("aup-title").textContent = aup.title;
      // The AUP keeps its own language and direction: English inside an Arabic page is still left to right.
      const info = languages.find((l) => l.code === aup.language) || { bcp47: "en-GB", dir: "ltr" };
      for (const id of ["aup-title", "aup-slide"]) { $(id).lang = info.bcp47; $(id).dir = info.dir; }
      sections = buildSections(aup);
      paginatedFor = null;
    }
    $("aup-english-only").hidden = !aup || aup.language === language;
    const report = state.screen === "thanks" ? state.report : null;
    const key = report ? `${report.id}:${report.presses}` : null;
    if (key !== pressKey) {
      pressKey = key;
      tellMore = false;
      computerOpen = false;
      clearChoices();
    }
    renderCategories(state.categories || []);
    renderSignposts(state.signposts);
    // Discreet mode: the choices open only when the pupil asks; the room sees one line, "Thank you."
    const discreet = state.mode === "discreet";
    const done = Boolean(report && report.detailGiven && !tellMore);
    $("choices").hidden = done;
    $("detail-done").hidden = !done || discreet;
    const discreetQuiet = discreet && state.screen === "thanks" && !tellMore;
    $("discreet-done").hidden = !discreetQuiet || hubDown;
    $("saved-note").hidden = state.online;
    clearTimeout(screenTimer);
    const iso = state.isolation || { active: [] };
    renderIsolation(iso);
    renderHubDown();
    // The pupil's code is shown once, for a few seconds, while the hub includes it in the state.
    $("talk").hidden = !state.followUp || state.followUpAsked;
    $("talk-ack").hidden = $("talk").hidden;
    if (hubDown) {
      show("idle");
    } else if (iso.choosing) {
      show("choose");
      screenTimer = setTimeout(refresh, Math.min(1000, iso.choosing.remainingMs + 200));
    } else if (teacher.step) {
      show("teacher");
    } else if (pickingLanguage) {
      show("languages");
    } else if (state.followUpCode) {
      $("follow-up-code").textContent = state.followUpCode;
      show("follow-up");
      screenTimer = setTimeout(refresh, state.followUpRemainingMs + 200);
    } else if (state.screen !== "thanks" && iso.active.some((a) => a.recent)) {
      // A pupil's press outranks the teacher's notice; the footer banner keeps "do not touch" in view.
      show("isolated");
      screenTimer = setTimeout(refresh, 10000);
    } else {
      show(discreetQuiet ? "idle" : state.screen);
      if (state.screen !== "idle") {
        screenTimer = setTimeout(refresh, state.screenRemainingMs + 200);
      }
    }
  }

  function renderCategories(list) {
    const box = $("categories");
    const many = list.length > MANY;
    if (box.dataset.list !== list.join(",")) {
      box.dataset.list = list.join(",");
      box.textContent = "";
      for (const wire of list) {
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.category = wire;
        const icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = CATEGORY_SYMBOLS[wire] || "\u2022";
        const label = document.createElement("span");
        label.className = "label";
        b.append(icon, label);
        b.addEventListener("click", () => detail({ category: wire }));
        box.appendChild(b);
      }
    }
    // Teenagers' shorter labels where a message file has them (category.X.teen).
    for (const b of box.querySelectorAll("button")) {
      const key = `category.${b.dataset.category}`;
      b.querySelector(".label").textContent = many && (words[`${key}.teen`] || english[`${key}.teen`]) ? t(`${key}.teen`) : t(key);
    }
    $("thanks").classList.toggle("many", many);
    $("computer-toggle").hidden = !many;
    $("computer-toggle").innerHTML = rich(t(computerOpen ? "thanks.closeComputer" : "thanks.openComputer"));
    $("choose-category").hidden = many && computerOpen;
    $("choose-computer").hidden = many && !computerOpen;
  }

  function renderSignposts(list) {
    const box = $("signposts");
    box.textContent = "";
    for (const name of list || []) {
      const span = document.createElement("span");
      span.innerHTML = rich(t(`signpost.${name}`));
      box.appendChild(span);
    }
    box.hidden = !box.childElementCount;
  }

  function clearChoices() {
    computer = "";
    $("computer-number").textContent = "\u00a0";
  }

  // A dead hub cannot take a press: the screen must not keep inviting one or saying "Connected".
  function renderHubDown() {
    $("prompt").hidden = hubDown || !$("discreet-done").hidden;
    $("down-prompt").hidden = !hubDown;
    if (hubDown) {
      const conn = $("connection");
      conn.className = "connection offline";
      conn.textContent = t("connection.down");
    }
  }

  function renderIsolation(iso) {
    if (iso.choosing) {
      $("choose-seconds").textContent = String(Math.ceil(iso.choosing.remainingMs / 1000));
      const box = $("computers");
      if (box.dataset.list !== iso.choosing.computers.join(",")) {
        box.dataset.list = iso.choosing.computers.join(",");
        box.textContent = "";
        for (const name of iso.choosing.computers) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = name;
          b.dataset.machine = name;
          b.addEventListener("click", () => isolate(name));
          box.appendChild(b);
        }
      }
    }
    const list = $("isolated-list");
    list.textContent = "";
    // Many computers: one instruction and a grid of names, so the rules above stay on screen.
    const many = iso.active.length > 2;
    list.classList.toggle("many", many);
    const manual = iso.active.filter((a) => a.manual).length;
    $("unplug-all").hidden = !many || manual === 0;
    for (const a of iso.active) {
      const li = document.createElement("li");
      li.dataset.machine = a.machine;
      if (a.manual) {
        li.className = "manual";
        li.textContent = many ? a.machine : `${a.machine}: unplug its network cable now (not the power).`;
      } else {
        li.textContent = many ? `${a.machine} ✓` : `${a.machine}: cut off by the network${a.verified ? " (checked)" : ""}.`;
      }
      list.appendChild(li);
    }
    const banner = $("isolation-banner");
    banner.hidden = iso.active.length === 0;
    // Short enough for the footer however many are isolated; the isolation screen names each one.
    const names = iso.active.length > 2 ? `${iso.active.length} computers` : iso.active.map((a) => a.machine).join(", ");
    banner.textContent = iso.active.length ? `Isolated: ${names} — do not touch` : "";
  }

  async function isolate(machine) {
    const res = await fetch("/api/kiosk/isolate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ machine }),
    });
    if (res.ok) render(await res.json());
  }

  async function refresh() {
    try {
      const res = await fetch("/api/kiosk");
      if (res.ok) render(await res.json());
    } catch (e) { /* the socket reconnect will catch up */ }
  }

  async function detail(body) {
    const res = await fetch("/api/kiosk/detail", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (res.ok) {
      tellMore = false;
      clearChoices();
      render(await res.json());
    }
  }

  // A hub that hangs keeps its socket open, so the socket alone cannot tell: ask /health now and then.
  const HEALTH_MS = 5000;
  let socketOpen = false;
  async function checkHealth() {
    try {
      const res = await fetch("/health", { cache: "no-store", signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`health ${res.status}`);
      if (hubDown && socketOpen) {
        hubDown = false;
        refresh();
      }
    } catch (e) {
      if (!hubDown) {
        hubDown = true;
        if (state) render(state); else renderHubDown();
      }
    }
  }

  function connect() {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onopen = () => { socketOpen = true; };
    ws.onmessage = (msg) => {
      hubDown = false;
      render(JSON.parse(msg.data));
    };
    ws.onclose = () => {
      socketOpen = false;
      hubDown = true;
      if (state) render(state); else renderHubDown();
      setTimeout(connect, 2000);
    };
  }

  function buildPad() {
    const keys = document.querySelector(".keys");
    for (const label of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "⌫", "OK"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.setAttribute("aria-label", label === "⌫" ? "Delete" : label === "OK" ? "Send computer number" : label);
      if (label === "⌫") b.dataset.i18nLabel = "key.delete";
      if (label === "OK") Object.assign(b.dataset, { i18n: "key.ok", i18nLabel: "key.send" });
      b.addEventListener("click", () => {
        if (label === "⌫") computer = computer.slice(0, -1);
        else if (label === "OK") { if (computer) detail({ computer }); return; }
        else if (computer.length < 3) computer += label;
        $("computer-number").textContent = computer || "\u00a0";
      });
      keys.appendChild(b);
    }
  }

  $("computer-toggle").addEventListener("click", () => {
    computerOpen = !computerOpen;
    if (state) render(state);
  });
  async function askToTalk() {
    const res = await fetch("/api/kiosk/follow-up", { method: "POST" });
    if (res.ok) render(await res.json());
  }
  $("talk").addEventListener("click", askToTalk);
  for (const button of document.querySelectorAll("button.language")) {
    button.addEventListener("click", () => {
      pickingLanguage = !pickingLanguage;
      if (state) render(state);
    });
  }
  document.addEventListener("pointerdown", touched);
  $("talk-ack").addEventListener("click", askToTalk);
  $("discreet-more").addEventListener("click", () => {
    tellMore = true;
    if (state) render(state);
  });
  $("tell-more").addEventListener("click", () => {
    tellMore = true;
    if (state) render(state);
  });
  // Teacher mode (docs/KIOSK.md): the PIN or the turned key opens it; the hub keeps the PIN's hash only and
  // limits wrong tries. The token lives in this page's memory and expires on the hub after a few minutes.
  const teacher = { step: null, token: null, pin: "", timer: null };
  function teacherShow(step, message, error) {
    teacher.step = step;
    $("teacher-pin").hidden = step !== "pin";
    $("teacher-open").hidden = step !== "open";
    $("teacher-result").textContent = message || "";
    $("teacher-result").classList.toggle("error", Boolean(error));
    $("teacher-pin-typed").textContent = "\u2022".repeat(teacher.pin.length) || "\u00a0";
    const aup = state && currentAup();
    if (aup) $("teacher-aup").textContent = `On screen: ${aup.title} (${aup.keyStage.toUpperCase()}, ${aup.language}, version ${aup.version}).`;
    clearTimeout(teacher.timer);
    if (step) teacher.timer = setTimeout(teacherClose, 4 * 60 * 1000);
    if (state) render(state); else show(step ? "teacher" : "idle");
  }
  async function teacherOpen(pin) {
    const res = await fetch("/api/kiosk/teacher", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pin }),
    });
    teacher.pin = "";
    if (res.ok) {
      teacher.token = (await res.json()).token;
      teacherShow("open");
    } else {
      teacherShow("pin", res.status === 429 ? "Too many wrong PINs. Wait 15 minutes, or turn the key." : "Wrong PIN.", true);
    }
  }
  function teacherClose() {
    if (teacher.token) fetch("/api/kiosk/teacher/close", { method: "POST" }).catch(() => {});
    teacher.token = null;
    teacher.pin = "";
    teacherShow(null);
  }
  $("teacher-button").addEventListener("click", () => {
    if (teacher.step) { teacherClose(); return; }
    if (state && state.keySwitch) teacherOpen("");
    else teacherShow("pin");
  });
  $("teacher-close").addEventListener("click", teacherClose);
  $("aup-reviewed").addEventListener("click", async () => {
    const res = await fetch("/api/kiosk/teacher/aup-reviewed", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Teacher-Token": teacher.token || "" },
      body: JSON.stringify({ language }),
    });
    if (res.ok) teacherShow("open", "Recorded: you went through the AUP with the class today. Thank you.");
    else if (res.status === 401) { teacher.token = null; teacherShow("pin", "Teacher mode timed out: enter the PIN again.", true); }
    else teacherShow("open", await res.text(), true);
  });
  for (const label of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "\u232b", "OK"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.teacherKey = label;
    b.setAttribute("aria-label", label === "\u232b" ? "Delete" : label === "OK" ? "Enter PIN" : label);
    b.addEventListener("click", () => {
      if (label === "\u232b") teacher.pin = teacher.pin.slice(0, -1);
      else if (label === "OK") { if (teacher.pin) teacherOpen(teacher.pin); return; }
      else if (teacher.pin.length < 12) teacher.pin += label;
      $("teacher-pin-typed").textContent = "\u2022".repeat(teacher.pin.length) || "\u00a0";
    });
    document.querySelector(".teacher-keys").appendChild(b);
  }
  buildPad();
  $("read-aloud").addEventListener("click", readAloud);
  // A pupil can touch the rules to see the next ones.
  $("aup-slide").addEventListener("click", () => {
    if (slides.length > 1) {
      slideIndex++;
      renderSlide();
    }
  });
  window.addEventListener("resize", ensurePaginated);
  slideTimer = setInterval(() => {
    if (state && state.screen === "idle" && slides.length > 1) {
      slideIndex++;
      renderSlide();
    }
  }, SLIDE_MS);
  refresh();
  connect();
  loadLanguages();
  setInterval(checkHealth, HEALTH_MS);
})();
