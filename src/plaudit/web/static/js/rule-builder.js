/* The rule builder: edits the achievement's requirements as rule groups.
   "Add rule" adds a rule to a group (AND); "New rule group" adds a group (OR).
   It offers only what fits the chosen source: the catalogue (JSON in #rule-catalogue,
   made by plaudit/web/forms/rule_builder.py) lists each source's typed fields, which
   aggregates read which field types, and which comparisons suit each field type.
   The builder writes JSON into the form's `requirements` text area on every change, so
   the form posts as a normal form; without this script that text area is edited directly.
   After Add rule, New rule group, Add filter or a removal, focus moves to the new control (or
   to the neighbouring one) and the change is announced in a polite live region. */
(function () {
  "use strict";

  var mount = document.getElementById("rule-builder");
  var textarea = document.getElementById("f-requirements");
  var jsonField = document.getElementById("requirements-json");
  var catalogueNode = document.getElementById("rule-catalogue");
  var form = document.getElementById("achievement-form");
  if (!mount || !textarea || !catalogueNode || !form) { return; }

  var catalogue = JSON.parse(catalogueNode.textContent);
  var errorsNode = document.getElementById("form-errors");
  var errors = errorsNode ? JSON.parse(errorsNode.textContent) : {};
  var repeatableBox = document.getElementById("f-repeatable");
  var locked = textarea.closest("fieldset[disabled]") !== null;

  var groups;
  try {
    groups = JSON.parse(textarea.value || "[]");
  } catch (err) {
    return; // Not JSON: leave the text area for a person to fix.
  }
  if (!Array.isArray(groups) || !groups.every(Array.isArray)) { return; }

  var sourcesByKey = {};
  catalogue.sources.forEach(function (source) { sourcesByKey[source.key] = source; });
  var aggregatesByValue = {};
  catalogue.aggregates.forEach(function (agg) { aggregatesByValue[agg.value] = agg; });

  // ---- small DOM helpers (text only: nothing from the data is parsed as HTML) ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function select(id, label, options, value, onChange) {
    var control = el("select", { id: id });
    var found = false;
    options.forEach(function (opt) {
      var option = el("option", { value: opt.value, text: opt.label });
      if (String(opt.value) === String(value)) { option.selected = true; found = true; }
      control.appendChild(option);
    });
    if (!found && value !== null && value !== undefined && value !== "") {
      var stray = el("option", { value: value, text: value + " (not available here)" });
      stray.selected = true;
      control.insertBefore(stray, control.firstChild);
    }
    control.addEventListener("change", function () { onChange(control.value); });
    return field(id, label, control);
  }

  function input(id, label, type, value, onInput, extra) {
    var attrs = { id: id, type: type, value: value === null || value === undefined ? "" : value };
    Object.keys(extra || {}).forEach(function (name) { attrs[name] = extra[name]; });
    var control = el("input", attrs);
    control.addEventListener("input", function () { onInput(control.value); });
    return field(id, label, control);
  }

  function field(id, label, control) {
    return el("div", { "class": "field" }, [el("label", { "for": id, text: label }), control]);
  }

  function button(text, ariaLabel, onClick, extraClass, id) {
    var node = el("button", { type: "button", id: id || null, "class": "button button-small " + (extraClass || ""), "aria-label": ariaLabel, text: text });
    node.addEventListener("click", onClick);
    return node;
  }

  // ---- the model ----
  function isRepeatable() { return !!(repeatableBox && repeatableBox.checked); }

  function sourceOf(rule) { return sourcesByKey[rule.source] || null; }

  function fieldType(source, name) {
    if (!source) { return null; }
    for (var i = 0; i < source.fields.length; i++) {
      if (source.fields[i].name === name) { return source.fields[i].type; }
    }
    return null;
  }

  function fieldsFor(source, aggregate) {
    var agg = aggregatesByValue[aggregate];
    if (!source || !agg || agg.field_types === null) { return []; }
    return source.fields.filter(function (f) { return agg.field_types.indexOf(f.type) >= 0; });
  }

  function aggregateFits(source, agg) {
    if (isRepeatable() && catalogue.repeatable.aggregates.indexOf(agg.value) < 0) { return false; }
    return agg.field_types === null || fieldsFor(source, agg.value).length > 0;
  }

  function defaultFilters(source) {
    // A copy of the filters a new rule over `source` starts with (deals: status is Approved).
    return ((source && source.default_where) || []).map(function (flt) {
      return { field: flt.field, op: flt.op, value: Array.isArray(flt.value) ? flt.value.slice() : flt.value };
    });
  }

  function newRule() {
    var first = catalogue.sources[0];
    return { source: first ? first.key : "", where: defaultFilters(first), aggregate: "count", field: null, operator: "at_least", value: 1 };
  }

  function withDefaults(rule) {
    // After a change of source: the new source's default filters, then the filters kept from
    // before on fields the defaults do not cover.
    var defaults = defaultFilters(sourceOf(rule));
    var covered = defaults.map(function (flt) { return flt.field; });
    rule.where = defaults.concat((rule.where || []).filter(function (flt) { return covered.indexOf(flt.field) < 0; }));
  }

  function newFilter(source) {
    var first = source && source.fields[0];
    var type = first ? first.type : "string";
    var op = catalogue.filter_ops[type][0];
    return { field: first ? first.name : "", op: op.value, value: op.boolean ? true : defaultValue(type) };
  }

  function defaultValue(type) {
    if (type === "number") { return 0; }
    if (type === "boolean") { return true; }
    return "";
  }

  function describeFilter(source, flt) {
    var info = opInfo(fieldType(source, flt.field) || "string", flt.op);
    var value = Array.isArray(flt.value) ? flt.value.join(", ") : String(flt.value);
    if (info && info.boolean) { return flt.field + (flt.value === false ? " is absent" : " " + info.label); }
    return flt.field + " " + (info ? info.label : flt.op) + " " + value;
  }

  function opInfo(type, op) {
    var ops = catalogue.filter_ops[type] || [];
    for (var i = 0; i < ops.length; i++) { if (ops[i].value === op) { return ops[i]; } }
    return null;
  }

  function convert(type, raw) {
    if (type === "number") {
      var number = Number(raw);
      return raw.trim() === "" || isNaN(number) ? raw : number;
    }
    if (type === "boolean") { return raw === "true"; }
    return raw;
  }

  function fixRule(rule) {
    // Keep a rule consistent after its source or aggregate changed.
    var source = sourceOf(rule);
    var agg = aggregatesByValue[rule.aggregate];
    if (agg && agg.field_types === null) {
      rule.field = null;
    } else {
      var fits = fieldsFor(source, rule.aggregate);
      if (!fits.some(function (f) { return f.name === rule.field; })) {
        rule.field = fits.length ? fits[0].name : null;
      }
    }
    rule.where = (rule.where || []).filter(function (flt) { return fieldType(source, flt.field) !== null; });
  }

  function fixFilter(flt, source) {
    var type = fieldType(source, flt.field) || "string";
    var info = opInfo(type, flt.op);
    if (!info) {
      info = catalogue.filter_ops[type][0];
      flt.op = info.value;
    }
    if (info.boolean) {
      flt.value = flt.value !== false;
    } else if (info.list) {
      if (!Array.isArray(flt.value)) { flt.value = flt.value === "" || flt.value === null ? [] : [flt.value]; }
    } else if (Array.isArray(flt.value) || typeof flt.value === "boolean" && type !== "boolean") {
      flt.value = defaultValue(type);
    }
  }

  // ---- suggested values: what a text field holds in the source's newest records ----
  var suggestionIds = {};    // source key + field name -> datalist id
  var suggestionLists = {};  // datalist id -> { source, field, loaded }
  var suggestionBox = el("div", { hidden: true });
  mount.parentNode.insertBefore(suggestionBox, mount.nextSibling);

  function suggestionList(sourceKey, fieldName) {
    // The id of a <datalist> for the field, filled from the server the first time it is used.
    var key = sourceKey + "\u0000" + fieldName;
    if (!suggestionIds[key]) {
      var id = "rb-values-" + Object.keys(suggestionIds).length;
      suggestionIds[key] = id;
      suggestionLists[id] = { source: sourceKey, field: fieldName, loaded: false };
      suggestionBox.appendChild(el("datalist", { id: id }));
    }
    return suggestionIds[key];
  }

  function loadSuggestions(listId) {
    var entry = suggestionLists[listId];
    if (!entry || entry.loaded) { return; }
    entry.loaded = true;
    var url = catalogue.values_url.replace("{key}", encodeURIComponent(entry.source)) + "?field=" + encodeURIComponent(entry.field);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { values: [] }; })
      .then(function (answer) {
        var list = document.getElementById(listId);
        answer.values.forEach(function (item) {
          list.appendChild(el("option", { value: String(item.value), text: item.count + (item.count === 1 ? " record" : " records") }));
        });
      })
      .catch(function () { entry.loaded = false; });
  }

  mount.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.tagName === "INPUT" && target.getAttribute("list")) { loadSuggestions(target.getAttribute("list")); }
  });

  // ---- output ----
  function save() {
    var clean = groups.map(function (group) {
      return group.map(function (rule) {
        var out = { source: rule.source, aggregate: rule.aggregate, operator: rule.operator, value: rule.value };
        if (rule.field !== null && rule.field !== undefined) { out.field = rule.field; }
        if (rule.where && rule.where.length) {
          out.where = rule.where.map(function (flt) { return { field: flt.field, op: flt.op, value: flt.value }; });
        }
        return out;
      });
    });
    textarea.value = JSON.stringify(clean, null, 2);
    form.dispatchEvent(new CustomEvent("plaudit:rules", { detail: { groups: clean } }));
  }

  function changed(structural) {
    save();
    if (structural) { render(); }
  }

  // ---- focus and announcements after adding or removing ----
  var status = el("div", { id: "rule-builder-status", "class": "visually-hidden", role: "status", "aria-live": "polite" });
  mount.parentNode.insertBefore(status, mount.nextSibling);
  var pendingFocus = null;  // ids to try, in order, once the builder is drawn again

  function announce(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function restructured(focusIds, message) {
    pendingFocus = focusIds;
    changed(true);
    announce(message);
  }

  function ruleId(g, r, part) { return "rb-g" + g + "-r" + r + "-" + part; }

  function afterGroupGone(g) {
    // Focus the group that took its place, else the one before it, else "New rule group".
    var ids = [];
    if (groups[g]) { ids.push(ruleId(g, 0, "source")); }
    if (g > 0 && groups[g - 1]) { ids.push("rb-g" + (g - 1) + "-add-rule"); }
    ids.push("rb-new-group");
    return ids;
  }

  // ---- errors from the server, shown where they belong ----
  function errorsAt(prefix, exact) {
    var out = [];
    Object.keys(errors).forEach(function (key) {
      if (exact ? key === prefix : key.indexOf(prefix + ".") === 0) { out.push(errors[key]); }
    });
    return out;
  }

  function errorList(messages) {
    if (!messages.length) { return null; }
    return el("div", { "class": "rule-error", role: "alert" }, messages.map(function (m) { return el("p", { text: m }); }));
  }

  // ---- rendering ----
  function renderFilter(g, r, f, rule, flt) {
    var source = sourceOf(rule);
    fixFilter(flt, source);
    var type = fieldType(source, flt.field) || "string";
    var info = opInfo(type, flt.op);
    var base = "rb-g" + g + "-r" + r + "-w" + f;
    var fieldOptions = (source ? source.fields : []).map(function (fd) {
      return { value: fd.name, label: fd.label + " (" + catalogue.type_labels[fd.type] + ")" };
    });
    var parts = [
      select(base + "-field", "Field", fieldOptions, flt.field, function (value) {
        flt.field = value;
        changed(true);
      }),
      select(base + "-op", "Comparison", catalogue.filter_ops[type], flt.op, function (value) {
        flt.op = value;
        changed(true);
      })
    ];
    if (info && info.boolean) {
      parts.push(select(base + "-value", "Value", [{ value: "true", label: "yes" }, { value: "false", label: "no (absent)" }],
        String(flt.value), function (value) { flt.value = value === "true"; changed(false); }));
    } else if (info && info.list) {
      parts.push(input(base + "-value", "Values (separated by commas)", "text", (flt.value || []).join(", "), function (raw) {
        flt.value = raw.split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; })
          .map(function (s) { return convert(type, s); });
        changed(false);
      }));
    } else if (type === "boolean") {
      parts.push(select(base + "-value", "Value", [{ value: "true", label: "true" }, { value: "false", label: "false" }],
        String(flt.value), function (value) { flt.value = value === "true"; changed(false); }));
    } else {
      var inputType = { number: "number", date: "date" }[type] || "text";
      var extra = type === "number" ? { step: "any" } : type === "datetime" ? { placeholder: "2026-05-31T14:30:00+02:00" } : {};
      if (type === "string" && source) { extra = { list: suggestionList(source.key, flt.field), autocomplete: "off" }; }
      parts.push(input(base + "-value", "Value", inputType, flt.value, function (raw) {
        flt.value = convert(type, raw);
        changed(false);
      }, extra));
    }
    parts.push(button("Remove", "Remove filter " + (f + 1) + " of rule " + (r + 1) + " of group " + (g + 1), function () {
      rule.where.splice(f, 1);
      var left = rule.where.length;
      var ids = [];
      if (f < left) { ids.push(ruleId(g, r, "w" + f + "-field")); }
      if (left > 0) { ids.push(ruleId(g, r, "w" + (left - 1) + "-field")); }
      ids.push(ruleId(g, r, "add-filter"));
      restructured(ids, "Filter " + (f + 1) + " removed from rule " + (r + 1) + " of group " + (g + 1));
    }, "button-quiet", base + "-remove"));
    var node = el("div", { "class": "filter" }, parts);
    var messages = errorsAt("requirements." + g + "." + r + ".where." + f, false);
    return messages.length ? el("div", {}, [node, errorList(messages)]) : node;
  }

  function renderRule(g, r, rule) {
    var source = sourceOf(rule);
    var base = "rb-g" + g + "-r" + r;
    var sourceOptions = catalogue.sources.map(function (s) { return { value: s.key, label: s.name }; });
    var aggOptions = catalogue.aggregates.filter(function (agg) { return aggregateFits(source, agg); });
    var opOptions = catalogue.operators.filter(function (op) {
      return !isRepeatable() || catalogue.repeatable.operators.indexOf(op.value) >= 0;
    });
    var agg = aggregatesByValue[rule.aggregate];
    var grid = [
      select(base + "-source", "Source", sourceOptions, rule.source, function (value) {
        rule.source = value;
        fixRule(rule);
        withDefaults(rule);
        if (!aggregateFits(sourceOf(rule), aggregatesByValue[rule.aggregate] || {})) { rule.aggregate = "count"; rule.field = null; }
        changed(true);
      }),
      select(base + "-aggregate", "Measure", aggOptions, rule.aggregate, function (value) {
        rule.aggregate = value;
        fixRule(rule);
        changed(true);
      })
    ];
    if (agg && agg.field_types !== null) {
      var fits = fieldsFor(source, rule.aggregate).map(function (f) {
        return { value: f.name, label: f.label + " (" + catalogue.type_labels[f.type] + ")" };
      });
      grid.push(select(base + "-field", "Of field", fits, rule.field, function (value) {
        rule.field = value;
        changed(false);
      }));
    }
    grid.push(select(base + "-operator", "Must be", opOptions, rule.operator, function (value) {
      rule.operator = value;
      changed(false);
    }));
    grid.push(input(base + "-value", "Target", "number", rule.value, function (raw) {
      var number = Number(raw);
      rule.value = raw.trim() === "" || isNaN(number) ? null : number;
      changed(false);
    }, { step: "any", required: true }));

    var filters = (rule.where || []).map(function (flt, f) { return renderFilter(g, r, f, rule, flt); });
    var filterBox = el("div", { "class": "filters" }, [
      el("p", { "class": "filters-title", text: filters.length ? "Only records where" : "Counting every record of the source" })
    ].concat(filters));
    if (source && source.default_where && source.default_where.length) {
      filterBox.appendChild(el("p", { "class": "hint", text: "A new rule over " + source.name + " starts with its default filters (" +
        source.default_where.map(function (flt) { return describeFilter(source, flt); }).join(", ") + "): change them if this rule needs others." }));
    }

    var actions = el("div", { "class": "rule-actions" }, [
      button("Add filter", "Add a filter to rule " + (r + 1) + " of group " + (g + 1), function () {
        rule.where = rule.where || [];
        rule.where.push(newFilter(sourceOf(rule)));
        var f = rule.where.length - 1;
        restructured([ruleId(g, r, "w" + f + "-field")], "Filter " + (f + 1) + " added to rule " + (r + 1) + " of group " + (g + 1));
      }, "", base + "-add-filter"),
      button("Remove rule", "Remove rule " + (r + 1) + " of group " + (g + 1), function () {
        groups[g].splice(r, 1);
        if (!groups[g].length) {
          groups.splice(g, 1);
          restructured(afterGroupGone(g), "Rule " + (r + 1) + " removed, and group " + (g + 1) + " with it: it had no other rule");
          return;
        }
        var left = groups[g].length;
        restructured([ruleId(g, Math.min(r, left - 1), "source")], "Rule " + (r + 1) + " removed from group " + (g + 1));
      }, "button-quiet", base + "-remove")
    ]);
    var own = [];
    Object.keys(errors).forEach(function (key) {
      var prefix = "requirements." + g + "." + r;
      if ((key === prefix || key.indexOf(prefix + ".") === 0) && key.indexOf(prefix + ".where.") !== 0) { own.push(errors[key]); }
    });
    return el("div", { "class": "rule", "data-rule": g + "." + r, role: "group", "aria-label": "Rule " + (r + 1) + " of group " + (g + 1) }, [
      el("div", { "class": "rule-grid" }, grid),
      filterBox,
      errorList(own),
      actions
    ]);
  }

  function renderGroup(g, group) {
    var children = [el("legend", { text: "Rule group " + (g + 1) + ": all of these" })];
    group.forEach(function (rule, r) {
      if (r > 0) { children.push(el("div", { "class": "joiner", "aria-hidden": "true", text: "AND" })); }
      children.push(renderRule(g, r, rule));
    });
    children.push(errorList(errorsAt("requirements." + g, true)));
    children.push(el("div", { "class": "builder-actions" }, [
      button("Add rule (AND)", "Add a rule to group " + (g + 1), function () {
        group.push(newRule());
        var r = group.length - 1;
        restructured([ruleId(g, r, "source")], "Rule " + (r + 1) + " added to group " + (g + 1));
      }, "", "rb-g" + g + "-add-rule"),
      button("Remove group", "Remove rule group " + (g + 1), function () {
        groups.splice(g, 1);
        restructured(afterGroupGone(g), "Rule group " + (g + 1) + " removed");
      }, "button-quiet", "rb-g" + g + "-remove")
    ]));
    return el("fieldset", { "class": "rule-group", "data-group": String(g) }, children);
  }

  function render() {
    var focused = document.activeElement && mount.contains(document.activeElement) ? document.activeElement.id : null;
    while (mount.firstChild) { mount.removeChild(mount.firstChild); }
    var noSources = catalogue.sources.length === 0;
    mount.appendChild(errorList(errorsAt("requirements", true)) || el("span"));
    if (noSources) {
      mount.appendChild(el("p", { "class": "builder-note", text: "There are no sources yet, so there is nothing to count. Create sources through the API (POST /api/v1/sources) to add rules." }));
    } else if (!groups.length) {
      mount.appendChild(el("p", { "class": "builder-note", text: "No rules yet: the achievement can only be given by hand." }));
    }
    groups.forEach(function (group, g) {
      if (g > 0) { mount.appendChild(el("div", { "class": "joiner joiner-or", "aria-hidden": "true", text: "OR" })); }
      mount.appendChild(renderGroup(g, group));
    });
    var blockNewGroup = noSources || (isRepeatable() && groups.length >= 1);
    var addGroup = button("New rule group (OR)", "Add a new rule group: either group is enough", function () {
      groups.push([newRule()]);
      var g = groups.length - 1;
      restructured([ruleId(g, 0, "source")], "Rule group " + (g + 1) + " added, with rule 1");
    }, "", "rb-new-group");
    addGroup.disabled = blockNewGroup || locked;
    var actions = [addGroup];
    if (isRepeatable() && groups.length >= 1) {
      actions.push(el("span", { "class": "builder-note", text: "A repeatable achievement has exactly one rule group." }));
    }
    mount.appendChild(el("div", { "class": "builder-actions" }, actions));
    var wanted = pendingFocus || (focused ? [focused] : []);
    pendingFocus = null;
    for (var i = 0; i < wanted.length; i++) {
      var target = document.getElementById(wanted[i]);
      if (target && !target.disabled) { target.focus(); break; }
    }
  }

  if (repeatableBox) { repeatableBox.addEventListener("change", function () { render(); }); }
  jsonField.hidden = true;
  mount.hidden = false;
  render();
  // Describe the rules once, so the preview shows the first target; writes the same JSON.
  form.dispatchEvent(new CustomEvent("plaudit:rules", { detail: { groups: groups } }));
})();
