/* 情况报告 form: the 签发人 list offers only who may sign at the chosen 报告层级 (the server checks again).
   A static file, so the Content-Security-Policy can stay at script-src 'self'. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var level = document.getElementById("report-level");
    var signer = document.getElementById("signer");
    if (!level || !signer) return;
    function filter() {
      var chosen = level.value;
      Array.prototype.forEach.call(signer.options, function (option) {
        if (!option.value) return;
        var allowed = (option.getAttribute("data-levels") || "").split(" ").indexOf(chosen) !== -1;
        option.hidden = !allowed;
        option.disabled = !allowed;
        if (!allowed && option.selected) signer.value = "";
      });
      document.querySelectorAll("#signer-rule [data-level]").forEach(function (rule) {
        rule.hidden = rule.getAttribute("data-level") !== chosen;
      });
    }
    level.addEventListener("change", filter);
    filter();
  });
})();
