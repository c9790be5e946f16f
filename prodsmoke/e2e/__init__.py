"""The checks and the runtime they run under: guard, HTTP client, browser, journeys, engine."""
