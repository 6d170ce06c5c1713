/* The group form: add and remove ad hoc conditions, find a member in the list, and keep the
   "Members it matches" list live: every change posts the form as typed to
   /admin/groups/preview (the same reading as the save, the service behind
   POST /api/v1/groups/preview) and shows who it admits. Changes are announced politely;
   focus moves to the new condition, or to a neighbour after a removal. */
(function () {
  "use strict";

  var form = document.getElementById("group-form");
  if (!form) { return; }
  var box = form.querySelector("[data-conditions]");
  var template = document.getElementById("condition-template");
  var addButton = form.querySelector("[data-add-condition]");
  var filter = form.querySelector("[data-member-filter]");
  var countNode = document.querySelector("[data-preview-count]");
  var listNode = document.querySelector("[data-preview-list]");
  var errorNode = document.querySelector("[data-preview-error]");
  var moreNode = document.querySelector("[data-preview-more]");
  var timer = null;
  var sequence = 0;

  function rows() { return Array.prototype.slice.call(box.querySelectorAll("[data-condition]")); }

  function renumber() {
    rows().forEach(function (row, i) {
      row.querySelectorAll("[id*='cond-'], [name^='cond-'], [for*='cond-']").forEach(function (node) {
        ["id", "name", "for"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value && /^(f-)?cond-[^-]+-/.test(value)) { node.setAttribute(attr, value.replace(/^(f-)?cond-[^-]+-/, "$1cond-" + i + "-")); }
        });
      });
      row.querySelectorAll("[data-number]").forEach(function (node) { node.textContent = String(i + 1); });
    });
  }

  function showKeyField(row) {
    var attribute = row.querySelector("[data-part='attribute']");
    var key = row.querySelector("[data-key-field]");
    key.hidden = attribute.value !== "team.attributes";
    var op = row.querySelector("[data-part='op']");
    row.querySelector("[data-value-field]").hidden = op.value === "exists";
  }

  function wire(row) {
    row.querySelector("[data-remove-condition]").hidden = false;
    showKeyField(row);
  }

  function announce(message) {
    var live = document.getElementById("group-announcer");
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  box.addEventListener("change", function (event) {
    var row = event.target.closest("[data-condition]");
    if (row) { showKeyField(row); }
  });

  box.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-condition]");
    if (!remove) { return; }
    var row = remove.closest("[data-condition]");
    var all = rows();
    var index = all.indexOf(row);
    row.parentNode.removeChild(row);
    renumber();
    var left = rows();
    var target = left[index] || left[index - 1];
    if (target) { target.querySelector("[data-part='attribute']").focus(); } else { addButton.focus(); }
    announce("Condition " + (index + 1) + " removed");
    schedule();
  });

  addButton.addEventListener("click", function () {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML;
    var row = holder.querySelector("[data-condition]");
    box.appendChild(row);
    renumber();
    wire(row);
    row.querySelector("[data-part='attribute']").focus();
    announce("Condition " + rows().length + " added");
  });

  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      form.querySelectorAll("[data-member-list] [data-name]").forEach(function (item) {
        item.hidden = needle !== "" && item.getAttribute("data-name").indexOf(needle) < 0;
      });
    });
  }

  function item(member) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = "/admin/members/" + member.id;
    link.textContent = member.name;
    li.appendChild(link);
    if (member.team) {
      var team = document.createElement("span");
      team.className = "muted";
      team.textContent = " " + member.team;
      li.appendChild(team);
    }
    if (!member.active) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "inactive";
      li.appendChild(document.createTextNode(" "));
      li.appendChild(tag);
    }
    return li;
  }

  function show(answer) {
    var messages = Object.keys(answer.errors || {}).map(function (key) { return answer.errors[key]; });
    errorNode.hidden = messages.length === 0;
    errorNode.textContent = messages.length ? "Not counted yet: " + messages.join(" ") : "";
    if (messages.length) { return; }
    countNode.textContent = answer.count + (answer.count === 1 ? " member" : " members");
    while (listNode.firstChild) { listNode.removeChild(listNode.firstChild); }
    answer.members.forEach(function (member) { listNode.appendChild(item(member)); });
    if (moreNode) { moreNode.hidden = answer.count <= answer.members.length; moreNode.textContent = "and " + (answer.count - answer.members.length) + " more"; }
  }

  function refresh() {
    var mine = ++sequence;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && mine === sequence) { show(answer); } })
      .catch(function () { /* keep the last list: the save still checks everything */ });
  }

  function schedule(event) {
    if (event && event.target === filter) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  var live = document.createElement("div");
  live.id = "group-announcer";
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  form.appendChild(live);
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  addButton.hidden = false;
  rows().forEach(wire);
})();
