"use strict";

// The API is the sample's: MapUserKeyedIdentityApi under /identity, and /me.
const api = "/identity";

// In memory only: never localStorage, never a cookie.
let tokens = null;

const $ = (id) => document.getElementById(id);

function show(text) {
  $("output").textContent = text;
}

function decodeSegment(segment) {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function render() {
  $("signed-out").hidden = tokens !== null;
  $("signed-in").hidden = tokens === null;
  if (tokens === null) {
    $("session-list").replaceChildren();
    return;
  }

  const [header, payload] = tokens.accessToken.split(".").slice(0, 2).map(decodeSegment);
  const [secretId, fingerprint, tag] = header.kid.split(".");
  $("kid-secret").textContent = secretId;
  $("kid-fingerprint").textContent = fingerprint;
  $("kid-tag").textContent = tag;
  $("session-id").textContent = payload.sid;
  $("claims").textContent = JSON.stringify({ header, payload }, null, 2);
}

// The client's half of revocation: whatever the server refuses, the page forgets.
function drop(reason) {
  tokens = null;
  render();
  show(reason);
}

async function call(method, path, body, authorized = true) {
  const headers = { "Content-Type": "application/json" };
  if (authorized && tokens !== null) {
    headers.Authorization = `Bearer ${tokens.accessToken}`;
  }

  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (response.status === 401 && authorized) {
    drop(`${method} ${path}: 401, the token is no longer valid; it was dropped. Log in again.`);
    return null;
  }

  const json = text && response.headers.get("Content-Type")?.includes("json") ? JSON.parse(text) : null;
  // A token pair stays in memory, out of the page's text.
  show(`${method} ${path}: ${response.status}\n${json?.accessToken ? "(a new token pair, kept in memory)" : text}`);
  return { status: response.status, json };
}

function credentials() {
  return { email: $("email").value.trim(), password: $("password").value };
}

$("register").addEventListener("click", () => call("POST", `${api}/register`, credentials(), false));

$("credentials").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await call("POST", `${api}/login`, credentials(), false);
  if (answer?.status === 200) {
    tokens = answer.json;
    render();
  }
});

$("me").addEventListener("click", () => call("GET", "/me"));

$("refresh").addEventListener("click", async () => {
  const answer = await call("POST", `${api}/refresh`, { refreshToken: tokens.refreshToken }, false);
  if (answer?.status === 200) {
    tokens = answer.json;
    render();
  } else if (answer !== null) {
    drop(`POST ${api}/refresh: ${answer.status}; the session is over and the tokens were dropped. Log in again.`);
  }
});

$("sessions").addEventListener("click", async () => {
  const answer = await call("GET", `${api}/manage/sessions`);
  if (answer?.status !== 200) {
    return;
  }

  const items = answer.json.map((session) => {
    const item = document.createElement("li");
    item.dataset.sessionId = session.id;
    item.textContent = `${session.id} ${session.device ?? "(no device)"} since ${session.createdAt}, last used ${session.lastUsedAt}${session.current ? " (this page)" : ""} `;
    if (!session.current) {
      const end = document.createElement("button");
      end.type = "button";
      end.textContent = "End";
      end.className = "end-session";
      end.addEventListener("click", async () => {
        const ended = await call("DELETE", `${api}/manage/sessions/${encodeURIComponent(session.id)}`);
        if (ended?.status === 204) {
          item.remove();
        }
      });
      item.append(end);
    }

    return item;
  });
  $("session-list").replaceChildren(...items);
});

$("logout").addEventListener("click", async () => {
  await call("POST", `${api}/logout`);
  drop("Logged out: the session ended on the server, and this page forgot its tokens.");
});

render();
