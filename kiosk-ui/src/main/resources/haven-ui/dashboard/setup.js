"use strict";
document.getElementById("setup-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const res = await fetch("/api/setup", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: location.hash.slice(1), name: document.getElementById("name").value,
      password: document.getElementById("password").value }),
  });
  document.getElementById("result").textContent = await res.text();
  if (res.ok) setTimeout(() => { location.href = "/"; }, 1500);
});
