// Searchable picker for long selects (<select data-picker>): type part of a title, an institution, a company or a
// field, pick from the list with the mouse or ↑ ↓ Enter. The select stays in the form and is what is submitted,
// so the page works unchanged without this script. No network, no library.
(function () {
  var LIMIT = 50;
  function enhance(select) {
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    var wrap = document.createElement("span");
    wrap.className = "picker";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-input";
    box.placeholder = select.getAttribute("data-picker") || "输入关键词查找…";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-expanded", "false");
    if (select.id) { box.id = select.id + "-search"; }
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) { box.value = chosen.text; }
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(box);
    wrap.appendChild(list);
    wrap.appendChild(select);
    select.classList.add("picker-select");
    var active = -1;

    function render() {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      list.innerHTML = "";
      var shown = 0, total = 0;
      options.forEach(function (o) {
        var text = o.text.toLowerCase();
        if (!words.every(function (w) { return text.indexOf(w) >= 0; })) { return; }
        total += 1;
        if (shown >= LIMIT) { return; }
        var li = document.createElement("li");
        li.textContent = o.text;
        li.setAttribute("role", "option");
        li.dataset.value = o.value;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o); });
        list.appendChild(li);
        shown += 1;
      });
      if (total === 0) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "没有符合的选项";
        list.appendChild(none);
      } else if (total > shown) {
        var more = document.createElement("li");
        more.className = "picker-none";
        more.textContent = "共 " + total + " 项，请输入更多字缩小范围";
        list.appendChild(more);
      }
      active = -1;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }
    function choose(o) {
      select.value = o.value;
      box.value = o.text;
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function move(step) {
      var items = list.querySelectorAll("li[role=option]");
      if (!items.length) { return; }
      if (active >= 0) { items[active].classList.remove("active"); }
      active = (active + step + items.length) % items.length;
      items[active].classList.add("active");
      items[active].scrollIntoView({ block: "nearest" });
    }
    box.addEventListener("focus", render);
    box.addEventListener("input", function () {
      if (!box.value.trim()) { select.value = ""; }
      render();
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter" && !list.hidden) {
        var items = list.querySelectorAll("li[role=option]");
        var pick = items[active >= 0 ? active : 0];
        if (pick) {
          e.preventDefault();
          choose(options.filter(function (o) { return o.value === pick.dataset.value; })[0]);
        }
      } else if (e.key === "Escape") { list.hidden = true; }
    });
    box.addEventListener("blur", function () {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      var current = select.options[select.selectedIndex];
      box.value = current && current.value ? current.text : "";
    });
  }
  document.querySelectorAll("select[data-picker]").forEach(enhance);
})();
