{% load static %}// The service worker: the app opens without a connection (the pages last seen, or a page that
// says so) and its own files come from the device. Only GET requests are ever answered from
// the cache; everything a person sends goes to the server (the quick log keeps its own queue).
"use strict";
const VERSION = "{{ version }}";
const SHELL = `shell-${VERSION}`;
const PAGES = "pages";
const OFFLINE = "{% url 'offline' %}";
// The JavaScript's words in the reader's language (/jsi18n/): kept like a page (the
// network first), so a page opened offline still speaks its language.
const CATALOGUE = "{% url 'javascript_catalogue' %}";
const ASSETS = [OFFLINE, {% for url in assets %}"{{ url }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
// Pages never kept: signing in and out, the admin, the API, exports, webhooks (a secret).
const NEVER = [/^\/accounts\//, /^\/admin\//, /^\/api\//, /\.(csv|ics|zip)$/, /^\/calendar\//, /^\/webhooks\//, /\/webhooks\/$/];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL).map((n) => caches.delete(n))))
      // Pages kept before a rule said never (a webhook's secret) are forgotten.
      .then(() => caches.open(PAGES))
      .then((cache) => cache.keys().then((keys) => Promise.all(
        keys.filter((key) => NEVER.some((rule) => rule.test(new URL(key.url).pathname))).map((key) => cache.delete(key))
      )))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  const url = new URL(request.url);
  if (response.status !== 200 || response.type !== "basic" || NEVER.some((rule) => rule.test(url.pathname))) return;
  // What the server says must not be stored (a page showing a secret) is not kept either.
  if (/no-store/i.test(response.headers.get("Cache-Control") || "")) return;
  // An htmx part (the home page's quick log) is kept apart from the page at the same address.
  const key = request.headers.get("HX-Request") ? `${url.pathname}${url.search}#part` : request;
  const copy = response.clone();
  caches.open(PAGES).then((cache) => cache.put(key, copy));
}

async function fromCache(request) {
  const url = new URL(request.url);
  const key = request.headers.get("HX-Request") ? `${url.pathname}${url.search}#part` : request;
  return (await caches.match(key, { ignoreVary: true })) ||
    (request.mode === "navigate" ? caches.match(OFFLINE) : Response.error());
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Signing out, or in as someone, forgets the pages kept for whoever was signed in.
    if (/^\/accounts\/(logout|login)/.test(url.pathname)) caches.delete(PAGES);
    return;
  }
  if (url.pathname.startsWith("{% get_static_prefix %}")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate" || request.headers.get("HX-Request") || url.pathname === CATALOGUE) {
    // The network first, so what is shown is current; the device's copy when there is none.
    event.respondWith(
      fetch(request).then((response) => { keep(request, response); return response; }, () => fromCache(request))
    );
  }
});
