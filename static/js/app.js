// Small progressive enhancements; every page works without them.
(function () {
  // A quick text filter above tables marked data-filterable (like Excel's 筛选).
  document.querySelectorAll("table[data-filterable]").forEach(function (table) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "在本表中筛选…";
    box.className = "tablefilter no-print";
    table.parentNode.insertBefore(box, table);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.style.display = !q || tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  });
  // 打印 links and buttons (no inline handlers: the pages run under script-src 'self')
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });
  // 全选 boxes: <input type="checkbox" data-check-all="pick"> ticks every enabled box named "pick"
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-check-all");
      document.querySelectorAll("input[name='" + name + "']:not(:disabled)").forEach(function (b) { b.checked = all.checked; });
    });
  });
  // Ask before irreversible actions: <button data-confirm="确定作废？">
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
