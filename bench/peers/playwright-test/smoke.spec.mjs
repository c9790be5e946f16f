// The demo suite (prodsmoke/demo/project's demo.yaml): 4 HTTP checks, the 3 built-in journeys, the YAML
// journey example_search and the two Python journeys of e2e/ (pricing_plans, dashboard_history),
// with the same assertions.
import { test, expect } from "@playwright/test";

const PASSWORD = process.env.SMOKE_TEST_PASSWORD;

/** GET `path` and time it to the response, as `[RESPONSE_TIME]` does. */
async function probe(request, path) {
  const started = performance.now();
  const response = await request.get(path, { maxRedirects: 0 });
  return { response, ms: performance.now() - started };
}

test("health", async ({ request }) => {
  const { response, ms } = await probe(request, "/health");
  expect(response.status()).toBe(200);
  expect(ms).toBeLessThan(250);
  const body = await response.json();
  expect(body.status).toBe("healthy");
  expect(body.services.database).toBe("healthy");
});

test("api_v1_health", async ({ request }) => {
  const { response, ms } = await probe(request, "/api/v1/health");
  expect(response.status()).toBe(200);
  expect(ms).toBeLessThan(250);
  expect((await response.json()).status).toBe("healthy");
});

test("api_v1_status", async ({ request }) => {
  const { response, ms } = await probe(request, "/api/v1/status");
  expect(response.status()).toBe(200);
  expect(ms).toBeLessThan(250);
  const body = await response.json();
  expect(body.status).toBe("healthy");
  expect(body.version).toBeDefined();
});

test("api_health", async ({ request }) => {
  const { response, ms } = await probe(request, "/api/v1/test");
  expect(response.status()).toBe(200);
  expect(ms).toBeLessThan(400);
  expect(response.headers()["ratelimit-limit"]).toBeDefined();
});

test("homepage_load", async ({ page }) => {
  const errors = [];
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.goto("/", { waitUntil: "load" });
  await page.waitForFunction(() => {
    const e = performance.getEntriesByType("navigation")[0];
    return !!e && e.loadEventEnd > 0;
  });
  const loadMs = await page.evaluate(() => {
    const e = performance.getEntriesByType("navigation")[0];
    return e.loadEventEnd - e.startTime;
  });
  expect(loadMs).toBeLessThan(3000);
  await expect(page.locator("header").first()).toBeVisible();
  await expect(page.locator("#prompt-input")).toBeVisible();
  expect(errors).toEqual([]);
});

test("anonymous_enhancement", async ({ page }) => {
  await page.goto("/", { waitUntil: "domcontentloaded" });
  await page.locator("#prompt-input").fill("Summarise: the sky is blue.");
  await page.locator("#enhance-button").click();
  await expect(page.locator("#enhanced-output")).not.toHaveText(/^\s*$/, { timeout: 5000 });
});

test("login_flow", async ({ page }) => {
  await page.goto("/login", { waitUntil: "domcontentloaded" });
  await page.locator("#email").fill("smoke-test-basic@betterprompts.com");
  await page.locator("#password").fill(PASSWORD);
  await page.locator("#login-button").click();
  await page.waitForURL("**/dashboard");
  await expect(page.locator("#user-email")).toBeVisible();
  await page.locator("#logout-button").click();
  await page.waitForURL((url) => url.pathname === "/");
});

test("example_search", async ({ page }) => {
  await page.goto("/examples");
  await page.locator("#q").fill("summarise");
  await page.locator("#search-button").click();
  await page.waitForURL("**/examples?q=summarise");
  expect(await page.locator(".example").count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator("#results")).toContainText("Summarise a meeting");
});

test("pricing_plans", async ({ page }) => {
  await page.goto("/pricing");
  await expect(page.locator(".plan")).toHaveCount(3);
  expect(await page.locator(".plan-name").allInnerTexts()).toEqual(["Free", "Pro", "Team"]);
  const pro = page.locator(".plan").filter({ has: page.getByRole("heading", { name: "Pro" }) });
  await expect(pro.locator(".price")).toHaveText(/^\$\d+/);
});

test("dashboard_history", async ({ page }) => {
  const username = "smoke-test-premium@betterprompts.com";
  await page.goto("/login");
  await page.locator("#email").fill(username);
  await page.locator("#password").fill(PASSWORD);
  await page.locator("#login-button").click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.locator("#user-email")).toHaveText(username);
  await expect(page.locator("#history")).toBeVisible();
  await page.locator("#logout-button").click();
  await expect(page).toHaveURL(/\/$/);
});
