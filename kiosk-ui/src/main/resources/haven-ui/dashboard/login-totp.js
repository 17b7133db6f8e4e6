// The second factor at login (docs/SECURITY.md): after a right password, staff whose role needs one type the
// code from their authenticator app, or enrol on their first login. Kept out of dashboard.js: dashboard.js hands
// over a {"totpRequired":true} answer to window.havenLoginTotp and gets the session back through `done`.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function panel() {
    let section = $("totp-panel");
    if (section) section.remove();
    section = el("section", { id: "totp-panel", "aria-labelledby": "totp-title" });
    $("login-panel").after(section);
    return section;
  }

  window.havenLoginTotp = (answer, done) => {
    $("login-panel").hidden = true;
    const section = panel();
    section.append(el("h2", { id: "totp-title" }, answer.enrolled ? "Code from your authenticator app" : "Set up your second factor"));
    if (!answer.enrolled && answer.enrol) {
      section.append(el("p", {}, "Your role needs a second factor. Add Haven to an authenticator app on your phone "
        + "(any app for time-based codes), then type the six-digit code it shows."));
      if (answer.enrol.qrSvg) {
        // Drawn by the server from the QR module matrix alone (QrSvg); shown as an image, never as markup.
        section.append(el("p", {}, "Scan this code with the app on your phone:"));
        const qr = el("img", {
          id: "totp-qr", class: "totp-qr", width: "220", height: "220",
          src: "data:image/svg+xml;base64," + btoa(answer.enrol.qrSvg),
          alt: "QR code to scan with your authenticator app",
        });
        const qrLine = el("p");
        qrLine.append(qr);
        section.append(qrLine);
      }
      const link = el("a", { id: "totp-uri", href: answer.enrol.otpauth }, "Open in an authenticator app on this device");
      const linkLine = el("p");
      linkLine.append(link);
      section.append(linkLine);
      section.append(el("p", {}, "Or type this key into the app (time-based, 6 digits, 30 seconds):"));
      const key = answer.enrol.secret.replace(/(.{4})/g, "$1 ").trim();
      section.append(el("p", { id: "totp-secret", class: "totp-secret" }, key));
    }
    const form = el("form", { id: "totp-form" });
    form.append(el("label", { for: "totp-code" }, "Six-digit code"));
    form.append(el("input", { id: "totp-code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]{6,7}", required: "" }));
    if (answer.enrolled) {
      form.append(el("label", { for: "totp-recovery" }, "Or a recovery code (if you have lost your phone)"));
      form.append(el("input", { id: "totp-recovery", autocomplete: "off", spellcheck: "false" }));
      form.querySelector("#totp-code").removeAttribute("required");
    }
    form.append(el("button", { id: "totp-button", type: "submit" }, answer.enrolled ? "Log in" : "Confirm and log in"));
    form.append(el("p", { id: "totp-error", class: "error", role: "alert" }));
    section.append(form);
    $("totp-code").focus();

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      $("totp-error").textContent = "";
      const recovery = $("totp-recovery") ? $("totp-recovery").value.trim() : "";
      const body = recovery ? { recoveryCode: recovery } : { code: $("totp-code").value.replace(/\s/g, "") };
      const res = await fetch("/api/login/totp", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin", body: JSON.stringify(body),
      });
      $("totp-code").value = "";
      if (!res.ok) {
        $("totp-error").textContent = await res.text();
        if (res.status === 401 && /log in/.test($("totp-error").textContent)) {
          section.remove();
          $("login-panel").hidden = false;
        }
        return;
      }
      const session = await res.json();
      if (session.recoveryCodes) {
        showRecoveryCodes(section, session, done);
      } else {
        section.remove();
        done(session);
      }
    });
  };

  function showRecoveryCodes(section, session, done) {
    section.replaceChildren(el("h2", { id: "totp-title" }, "Your recovery codes"));
    section.append(el("p", {}, "Each works once instead of a code from your phone. Write them down and keep them "
      + "somewhere safe, away from this computer: they are not shown again."));
    const list = el("ul", { id: "totp-recovery-codes", class: "totp-recovery-codes" });
    session.recoveryCodes.forEach((c) => list.append(el("li", {}, c)));
    section.append(list);
    const go = el("button", { id: "totp-continue", type: "button" }, "I have written them down");
    go.addEventListener("click", () => {
      section.remove();
      delete session.recoveryCodes;
      done(session);
    });
    section.append(go);
  }

  // Back from the school's sign-in (OpenID Connect) with a role that needs Haven's code: draw the code form for
  // the half-done login (its cookie goes to /api/login only), then load the dashboard afresh.
  if (location.hash === "#second-factor") {
    history.replaceState(null, "", location.pathname);
    fetch("/api/login/resume", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin", body: "{}",
    }).then(async (res) => {
      if (!res.ok) {
        $("login-error").textContent = await res.text();
        return;
      }
      window.havenLoginTotp(await res.json(), () => location.replace("/"));
    }).catch(() => {});
  }

  // Relaxed second factor: say so on the login page, for every member of staff to see. With auth.oidc set, the
  // login page also offers the school's sign-in.
  fetch("/api/login/policy", { credentials: "same-origin" }).then((r) => r.json()).then((policy) => {
    if (policy.oidc && !$("oidc-start")) {
      const line = el("p", { class: "oidc-start" });
      line.append(el("a", { id: "oidc-start", href: "/auth/oidc/start" }, "Sign in with your school account"));
      $("login-form").after(line);
    }
    if (!policy.relaxed) return;
    const roles = policy.requireTotpFor.length ? policy.requireTotpFor.join(", ") : "no role";
    const banner = el("p", { id: "totp-relaxed", class: "error", role: "note" },
      `Second factor relaxed: only ${roles} must give a code after the password (auth.requireTotpFor). `
      + (policy.requireTotpFor.length ? "" : "This is how the demo runs; a school's coordinator, head and senior staff need one."));
    $("login-panel").prepend(banner);
  }).catch(() => {});
})();
