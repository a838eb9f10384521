// Treatment page: answer questions in place (the form also works without this), open the FAQ item a
// link points at, and show every FAQ answer when printing.
(function () {
  "use strict";
  var form = document.querySelector(".tp-ask form[data-api]");
  var out = document.getElementById("answer");

  function para(text, cls) {
    var p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    return p;
  }

  function link(title, url) {
    var a = document.createElement("a");
    a.href = url.slice(url.indexOf("#"));
    a.textContent = title;
    return a;
  }

  function show(data) {
    out.replaceChildren();
    if (!data.matched) {
      out.appendChild(para(data.message, "tp-answer-none"));
      return;
    }
    var lead = para(data.message + " ", "tp-answer-lead");
    lead.appendChild(link(data.title, data.url));
    out.appendChild(lead);
    var body = document.createElement("div");
    body.className = "tp-answer-body";
    body.innerHTML = data.html; // sanitised on the server (nh3 allow-list)
    out.appendChild(body);
    if (data.others && data.others.length) {
      var more = para("Also see: ", "tp-answer-more");
      data.others.forEach(function (o, i) {
        if (i) more.appendChild(document.createTextNode("; "));
        more.appendChild(link(o.title, o.url));
      });
      out.appendChild(more);
    }
  }

  if (form && out && window.fetch) {
    form.addEventListener("submit", function (ev) {
      var q = form.elements.q.value.trim();
      if (!q) return; // the server explains what is missing
      ev.preventDefault();
      out.replaceChildren(para("Looking…"));
      fetch(form.dataset.api + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (res) {
          if (res.ok) { show(res.data); return; }
          var msg = res.data && res.data.detail && res.data.detail[0] ? res.data.detail[0].msg : "Please try again.";
          out.replaceChildren(para(msg, "errorlist"));
        })
        .catch(function () { form.submit(); });
    });
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll(".tp-faq details"), function (d) {
      return !d.open;
    });
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
