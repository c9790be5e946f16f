// Peer (a): the demo suite as a Playwright Test project, configured the way a team tuning for a
// fast smoke run would: tests parallel across workers, retries like prodsmoke's
// `retry.attempts: 3`, the same system Chromium and launch arguments prodsmoke uses.
import { defineConfig } from "@playwright/test";

// Workers: Playwright Test's default (half the cores: 1 here), measured fastest on this machine
// (2.2 s vs 2.8 s with 2 and 4.6 s with 3 workers); BENCH_PW_WORKERS overrides it.
const workers = process.env.BENCH_PW_WORKERS ? Number(process.env.BENCH_PW_WORKERS) : undefined;

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.mjs",
  fullyParallel: true,
  workers,
  retries: 2,
  timeout: 30_000,
  reporter: [["line"]],
  outputDir: process.env.BENCH_PW_OUTPUT || "../../.peers/playwright-test-results",
  use: {
    baseURL: process.env.BENCH_TARGET_URL,
    headless: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.BENCH_CHROMIUM || "/usr/bin/chromium-headless-shell",
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
