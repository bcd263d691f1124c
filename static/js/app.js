// Small progressive enhancements; every page works without them.
(function () {
  // A quick text filter above tables marked data-filterable (like Excel's 筛选).
  document.querySelectorAll("table[data-filterable]").forEach(function (table) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "在本页表格中查找…";
    box.setAttribute("aria-label", "在本页表格中查找");
    box.className = "tablefilter no-print";
    table.parentNode.insertBefore(box, table);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.style.display = !q || tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  });
  // 每页条数: choosing a page size reloads the list (the form's 确定 button does the same without script)
  document.querySelectorAll("select[data-pagesize]").forEach(function (el) {
    el.addEventListener("change", function () {
      var page = el.form.querySelector("input[name=page]");
      if (page) { page.value = "1"; }
      el.form.submit();
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
  // Back links fall back to their href when there is no history.
  document.querySelectorAll("[data-back]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    });
  });
  // Selects that save on change: <select data-autosubmit>
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // Long work shows its state: <form data-busy="正在导入…"> disables its buttons and shows the text in
  // [data-busy-state] (or .progress-state) until the next page arrives, so a second click cannot submit twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.classList.add("busy");
      var state = form.querySelector("[data-busy-state], .progress-state");
      if (state && form.getAttribute("data-busy")) { state.textContent = form.getAttribute("data-busy"); state.hidden = false; }
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    });
  });
  // Import previews: 全部 / 有效 / 错误 / 重复 buttons show only the rows of one result.
  document.querySelectorAll(".import-filters [data-filter]").forEach(function (button) {
    button.addEventListener("click", function () {
      var wanted = button.getAttribute("data-filter");
      document.querySelectorAll(".import-filters [data-filter]").forEach(function (b) { b.classList.toggle("active", b === button); });
      document.querySelectorAll("tr[data-status]").forEach(function (row) {
        row.hidden = wanted !== "all" && row.getAttribute("data-status") !== wanted;
      });
    });
  });
  // A page still being prepared reloads itself: <span data-reload-after="3">
  document.querySelectorAll("[data-reload-after]").forEach(function (el) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(el.getAttribute("data-reload-after")));
  });
  // Ask before irreversible actions: <button data-confirm="确定作废？">
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
