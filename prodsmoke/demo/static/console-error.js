// Injected by the console-error fault: the one thing on this page that logs a console error.
console.error("demo fault: console-error (the homepage logs this error on purpose)");
