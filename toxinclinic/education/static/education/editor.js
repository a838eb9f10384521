// Editor: re-grade the text's reading level while the admin types (the server computes the grade).
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || !window.fetch) return;
  var url = form.dataset.readability;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;

  function render(el, s, maxGrade) {
    el.replaceChildren();
    if (!s || s.grade === null) {
      var none = document.createElement("span");
      none.className = "muted";
      none.textContent = "No text to grade yet.";
      el.appendChild(none);
      return;
    }
    el.appendChild(document.createTextNode("Reading grade "));
    var strong = document.createElement("strong");
    strong.textContent = s.grade.toFixed(1);
    el.appendChild(strong);
    el.appendChild(document.createTextNode(" (" + s.words + " words)"));
    if (s.too_hard) {
      var tag = document.createElement("span");
      tag.className = "tag warn";
      tag.textContent = "Above grade " + Math.round(maxGrade) + ": use shorter sentences and everyday words";
      el.appendChild(document.createTextNode(" "));
      el.appendChild(tag);
    }
  }

  function regrade() {
    var body = new FormData(form);
    fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        document.querySelectorAll("[data-grade-for]").forEach(function (el) {
          var key = el.dataset.gradeFor;
          render(el, key === "page" ? data.page : data.parts[key], data.max_grade);
        });
      })
      .catch(function () { /* the grade shown stays the last one computed */ });
  }

  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA" && ev.target.type !== "text" && ev.target.type !== "checkbox") return;
    clearTimeout(timer);
    timer = setTimeout(regrade, 700);
  });
})();
