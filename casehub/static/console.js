// Operator console: keyboard-first category picker, district from the address,
// caller history and duplicate candidates fetched as the operator types, Ctrl+Enter to save.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("console-data").textContent);
  const form = document.getElementById("console-form");
  const $ = (id) => document.getElementById(id);
  const search = $("category_search"), options = $("category_options"), hidden = $("category");
  let matches = [], active = -1, lookupTimer = null;

  if (!$("started_at").value) $("started_at").value = new Date().toISOString();

  function showOutcome() {
    const outcome = form.querySelector("input[name=outcome]:checked").value;
    document.querySelectorAll("[data-outcomes]").forEach((el) => {
      el.hidden = !el.dataset.outcomes.split(" ").includes(outcome);
    });
  }
  form.querySelectorAll("input[name=outcome]").forEach((radio) => radio.addEventListener("change", showOutcome));
  showOutcome();

  function label(category) {
    return data.locale.startsWith("zh") ? category.name + " · " + category.name_en : category.name_en + " · " + category.name;
  }
  function choose(category) {
    hidden.value = category.code;
    search.value = label(category);
    $("category_chosen").textContent = category.kind === "dispatch" ? "派工 Dispatch" : "陳情 Petition";
    close();
    scheduleLookup();
  }
  function close() { options.hidden = true; search.setAttribute("aria-expanded", "false"); active = -1; }
  function render() {
    options.innerHTML = "";
    matches.forEach((category, index) => {
      const item = document.createElement("li");
      item.id = "category-option-" + index;
      item.setAttribute("role", "option");
      item.textContent = label(category);
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(category); });
      options.appendChild(item);
    });
    options.hidden = matches.length === 0;
    search.setAttribute("aria-expanded", String(!options.hidden));
    search.setAttribute("aria-activedescendant", active >= 0 ? "category-option-" + active : "");
  }
  search.addEventListener("input", () => {
    hidden.value = "";
    const term = search.value.trim().toLowerCase();
    matches = term ? data.categories.filter((c) =>
      [c.name, c.name_en, c.code, (c.group || "")].concat(c.keywords || []).some((text) => text.toLowerCase().includes(term))
    ).slice(0, 8) : [];
    active = matches.length ? 0 : -1;
    render();
  });
  search.addEventListener("keydown", (event) => {
    if (options.hidden) return;
    if (event.key === "ArrowDown") { active = Math.min(active + 1, matches.length - 1); render(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); event.preventDefault(); }
    else if (event.key === "Enter" && !event.ctrlKey) { if (active >= 0) choose(matches[active]); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
  });
  search.addEventListener("blur", () => { if (matches.length === 1 && !hidden.value) choose(matches[0]); close(); });

  $("address").addEventListener("input", () => {
    const address = $("address").value;
    const name = Object.keys(data.districts).find((district) => address.includes(district));
    if (name) $("district").value = data.districts[name];
    scheduleLookup();
  });
  $("caller_phone").addEventListener("input", scheduleLookup);

  function scheduleLookup() { clearTimeout(lookupTimer); lookupTimer = setTimeout(lookup, 250); }
  function item(caseBrief, withAttach) {
    const li = document.createElement("li");
    li.textContent = caseBrief.number + " · " + caseBrief.category + " · " + (caseBrief.address || "") + " · " + caseBrief.status;
    if (withAttach) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "link"; button.textContent = data.attach;
      button.addEventListener("click", () => {
        $("duplicate_of").value = caseBrief.number;
        $("duplicate-number").textContent = caseBrief.number;
        $("duplicate-chosen").hidden = false;
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(button);
    }
    return li;
  }
  function fill(listId, panelId, cases, withAttach) {
    const list = $(listId);
    list.innerHTML = "";
    cases.forEach((caseBrief) => list.appendChild(item(caseBrief, withAttach)));
    $(panelId).hidden = cases.length === 0;
  }
  function lookup() {
    const params = new URLSearchParams({ phone: $("caller_phone").value, category: hidden.value,
                                         address: $("address").value, district: $("district").value });
    fetch(data.lookup + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then((response) => response.ok ? response.json() : { history: [], duplicates: [] })
      .then((found) => { fill("history", "history-panel", found.history, false);
                         fill("duplicates", "duplicate-panel", found.duplicates, true); });
  }
  $("duplicate-clear").addEventListener("click", () => { $("duplicate_of").value = ""; $("duplicate-chosen").hidden = true; });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
})();
