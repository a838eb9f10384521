// Print buttons (inline handlers are not allowed by the Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
