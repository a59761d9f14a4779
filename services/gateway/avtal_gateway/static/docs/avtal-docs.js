// Starts Swagger UI on /schema (a file, not an inline script: the gateway's CSP forbids those).
"use strict";

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("avtal_csrf="));
  return found ? decodeURIComponent(found.slice("avtal_csrf=".length)) : null;
}

window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/schema/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" signs its writes like any API client of the session (see the README's API section).
    requestInterceptor: (req) => {
      const token = csrfToken();
      if (token && !["GET", "HEAD", "OPTIONS"].includes((req.method || "GET").toUpperCase())) {
        req.headers["X-CSRF-Token"] = token;
      }
      return req;
    },
  });
});
