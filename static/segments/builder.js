// The segment builder: edits the rule tree in the form's `rules` textarea as nested groups
// and rules. The textarea stays the source of truth that is posted, so the form works without
// this script (the JSON box is then shown); with it, the box is hidden and kept in step.
// After every change the form gets a `rules-changed` event, which htmx turns into a debounced
// POST to the preview endpoint. Field catalogue and words come from json_script tags.
(function () {
  "use strict";

  const form = document.getElementById("segment-form");
  const mount = document.getElementById("segment-builder");
  const textarea = form && form.querySelector("textarea[name=rules]");
  if (!form || !mount || !textarea) return;
  const FIELDS = JSON.parse(document.getElementById("builder-fields").textContent);
  const T = JSON.parse(document.getElementById("builder-strings").textContent);
  const BY_NAME = Object.fromEntries(FIELDS.map((field) => [field.name, field]));
  // Behaviour leaves ({"behaviour": "clicked", "campaign_id": 12, ...}) sit beside the fields
  // in the same select, as "behaviour:<name>".
  const BEHAVIOURS = JSON.parse(document.getElementById("builder-behaviours").textContent);
  const BEHAVIOUR_BY_NAME = Object.fromEntries(BEHAVIOURS.map((b) => [b.name, b]));
  const BEHAVIOUR_PREFIX = "behaviour:";
  const LIST_OPS = ["in", "not_in"];

  // --- the model: {type: "group", match, children} | {type: "rule", field, op, value}
  //     | {type: "behaviour", behaviour, params} ----------------------------------------

  function fromTree(raw) {
    if (raw && Array.isArray(raw.all)) return group("all", raw.all.map(fromTree));
    if (raw && Array.isArray(raw.any)) return group("any", raw.any.map(fromTree));
    if (raw && raw.not !== undefined) {
      const inner = raw.not;
      const children = inner && Array.isArray(inner.any) ? inner.any : [inner];
      return group("not", children.map(fromTree));
    }
    if (raw && raw.behaviour !== undefined) {
      const params = Object.assign({}, raw);
      delete params.behaviour;
      return { type: "behaviour", behaviour: raw.behaviour, params: params };
    }
    return { type: "rule", field: raw.field, op: raw.op, value: raw.value };
  }

  function toTree(node) {
    if (node.type === "rule") return { field: node.field, op: node.op, value: node.value };
    if (node.type === "behaviour") return Object.assign({ behaviour: node.behaviour }, node.params);
    const children = node.children.map(toTree);
    if (node.match === "not") {
      // "none of these": NOT (a OR b); a single child needs no OR.
      return { not: children.length === 1 ? children[0] : { any: children } };
    }
    return { [node.match]: children };
  }

  function group(match, children) {
    return { type: "group", match: match, children: children };
  }

  function defaultValue(field, op) {
    if (field.kind === "campaign_days") return { campaign: null, days: 30 };
    if (op === "is_set") return true;
    if (op === "within_days" || op === "not_within_days") return 30;
    const one = field.choices.length ? field.choices[0][0]
      : field.kind === "integer" ? (field.min !== null ? field.min : 0)
      : field.kind === "decimal" ? "0"
      : field.kind === "datetime" ? new Date().toISOString().slice(0, 10)
      : "";
    if (op === "between") return [one, one];
    if (LIST_OPS.includes(op)) return [one];
    if (op === "contains") return "";
    return one;
  }

  function newRule() {
    const field = FIELDS[0];
    const op = field.ops[0][0];
    return { type: "rule", field: field.name, op: op, value: defaultValue(field, op) };
  }

  // --- values typed by people, turned into what rules.py expects ------------------------

  function parseScalar(field, text) {
    if (field.kind === "integer") return text.trim() === "" ? null : Number(text);
    if (field.kind === "datetime") return text === "" ? null : text;
    return text; // text, choice and decimal (numeric text keeps its precision)
  }

  function parseList(field, text) {
    return text.split(",").map((part) => part.trim()).filter((part) => part !== "")
      .map((part) => parseScalar(field, part));
  }

  // --- rendering ------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function labelled(id, label, control) {
    return el("div", { class: "builder-control" }, [el("label", { for: id, text: label }), control]);
  }

  function select(id, options, selected, onchange, multiple) {
    const chosen = [].concat(selected);
    return el("select", { id: id, multiple: multiple, onchange: onchange },
      options.map(([value, label]) => el("option", {
        value: String(value), text: label, selected: chosen.map(String).includes(String(value)),
      })));
  }

  function inputFor(field, id, value, onchange) {
    if (field.choices.length) {
      return select(id, field.choices, value, (event) => onchange(event.target.value));
    }
    const type = field.kind === "integer" || field.kind === "decimal" ? "number"
      : field.kind === "datetime" ? "date" : "text";
    return el("input", {
      id: id, type: type, value: value === null ? "" : String(value),
      step: field.kind === "decimal" ? "any" : field.kind === "integer" ? "1" : null,
      min: type === "number" && field.min !== null ? field.min : null,
      max: type === "number" && field.max !== null ? field.max : null,
      oninput: (event) => onchange(event.target.value),
    });
  }

  function valueControls(node, field, id, changed) {
    const op = node.op;
    if (op === "is_set") {
      return [labelled(id, T.value, select(id, [["true", T.yes], ["false", T.no]],
        String(node.value), (event) => { node.value = event.target.value === "true"; changed(); }))];
    }
    if (field.kind === "campaign_days") {
      // {campaign: <id>, days: <n>}: the campaign's id and the number of days.
      const value = node.value && typeof node.value === "object" ? node.value : {};
      node.value = { campaign: value.campaign ?? null, days: value.days ?? 30 };
      return [["campaign", T.campaign], ["days", T.days]].map(([key, words]) =>
        labelled(id + "-" + key, words, el("input", {
          id: id + "-" + key, type: "number", min: 1, step: 1,
          value: node.value[key] === null ? "" : node.value[key],
          oninput: (event) => {
            node.value[key] = event.target.value === "" ? null : Number(event.target.value);
            changed();
          },
        })));
    }
    if (op === "within_days" || op === "not_within_days") {
      return [labelled(id, T.value + " (" + T.days + ")", el("input", {
        id: id, type: "number", min: 1, step: 1, value: node.value === null ? "" : node.value,
        oninput: (event) => {
          node.value = event.target.value === "" ? null : Number(event.target.value); changed();
        },
      }))];
    }
    if (op === "between") {
      const pair = Array.isArray(node.value) ? node.value : [null, null];
      node.value = pair;
      return [0, 1].map((index) => labelled(id + "-" + index, index ? T.to : T.from,
        inputFor(field, id + "-" + index, pair[index], (text) => {
          pair[index] = field.choices.length ? text : parseScalar(field, text); changed();
        })));
    }
    if (LIST_OPS.includes(op) && field.choices.length) {
      return [labelled(id, T.value, select(id, field.choices, node.value || [], (event) => {
        node.value = Array.from(event.target.selectedOptions).map((option) => option.value);
        changed();
      }, true))];
    }
    if (LIST_OPS.includes(op) || op === "contains") {
      const list = Array.isArray(node.value) ? node.value : node.value ? [node.value] : [];
      return [labelled(id, T.value + " (" + T.listHint + ")", el("input", {
        id: id, type: "text", value: list.join(", "),
        oninput: (event) => {
          const parsed = op === "contains" ? parseList({ kind: "tags" }, event.target.value)
            : parseList(field, event.target.value);
          node.value = op === "contains" && parsed.length === 1 ? parsed[0] : parsed;
          changed();
        },
      }))];
    }
    return [labelled(id, T.value, inputFor(field, id, node.value, (text) => {
      node.value = field.choices.length ? text : parseScalar(field, text); changed();
    }))];
  }

  // The "Field" select: creator fields, then what creators did (one optgroup each).
  function whatSelect(id, selected, onchange) {
    const option = ([value, label]) => el("option", {
      value: value, text: label, selected: value === selected,
    });
    return el("select", { id: id, onchange: onchange }, [
      el("optgroup", { label: T.fields }, FIELDS.map((f) => option([f.name, f.label]))),
      BEHAVIOURS.length ? el("optgroup", { label: T.behaviours },
        BEHAVIOURS.map((b) => option([BEHAVIOUR_PREFIX + b.name, b.label]))) : null,
    ]);
  }

  function whatChanged(node, id, value) {
    if (value.startsWith(BEHAVIOUR_PREFIX)) {
      const behaviour = BEHAVIOUR_BY_NAME[value.slice(BEHAVIOUR_PREFIX.length)];
      Object.keys(node).forEach((key) => delete node[key]);
      Object.assign(node, { type: "behaviour", behaviour: behaviour.name, params: {} });
      behaviour.params.forEach((param) => {
        if (param.required && param.choices.length) node.params[param.name] = param.choices[0][0];
      });
    } else {
      const next = BY_NAME[value];
      const op = node.type === "rule" && next.ops.some(([o]) => o === node.op)
        ? node.op : next.ops[0][0];
      Object.keys(node).forEach((key) => delete node[key]);
      Object.assign(node, { type: "rule", field: next.name, op: op, value: defaultValue(next, op) });
    }
    structureChanged(id + "-field");
  }

  // One control per param; a blank one is left out of the rule.
  function paramControl(node, param, id) {
    const current = node.params[param.name];
    const set = (value) => {
      if (value === null || value === "" || value === undefined) delete node.params[param.name];
      else node.params[param.name] = value;
      valueChanged();
    };
    if (param.kind === "choice") {
      const options = (param.required ? [] : [["", T.unset]]).concat(param.choices);
      return labelled(id, param.label, select(id, options, current === undefined ? "" : current,
        (event) => set(event.target.value)));
    }
    if (param.kind === "true") {
      return labelled(id, param.label, el("input", {
        id: id, type: "checkbox", checked: current === true,
        onchange: (event) => set(event.target.checked ? true : null),
      }));
    }
    if (param.kind === "props") {
      return labelled(id, param.label + " (" + T.propsHint + ")", el("input", {
        id: id, type: "text", value: current === undefined ? "" : JSON.stringify(current),
        oninput: (event) => {
          const text = event.target.value.trim();
          if (text === "") return set(null);
          try { set(JSON.parse(text)); } catch (error) { set(text); } // the preview says why
        },
      }));
    }
    const numeric = param.kind !== "name";
    return labelled(id, param.label, el("input", {
      id: id, type: numeric ? "number" : "text",
      step: param.kind === "number" ? "any" : numeric ? "1" : null,
      min: param.kind === "count" ? 0 : ["id", "days"].includes(param.kind) ? 1 : null,
      value: current === undefined ? "" : String(current),
      oninput: (event) => {
        const text = event.target.value.trim();
        set(text === "" ? null : param.kind === "number" ? text
          : numeric ? Number(text) : text);
      },
    }));
  }

  function renderBehaviour(node, id, onremove) {
    const behaviour = BEHAVIOUR_BY_NAME[node.behaviour];
    const item = el("li", { class: "builder-rule", role: "group", "aria-label": T.rule });
    item.appendChild(labelled(id + "-field", T.field, whatSelect(id + "-field",
      BEHAVIOUR_PREFIX + node.behaviour, (event) => whatChanged(node, id, event.target.value))));
    if (behaviour) {
      behaviour.params.forEach((param) => item.appendChild(
        paramControl(node, param, id + "-" + param.name)));
    }
    item.appendChild(el("button", {
      type: "button", class: "builder-remove", text: T.remove, onclick: onremove,
    }));
    return item;
  }

  function renderRule(node, id, onremove) {
    if (node.type === "behaviour") return renderBehaviour(node, id, onremove);
    const field = BY_NAME[node.field] || FIELDS[0];
    const item = el("li", { class: "builder-rule", role: "group", "aria-label": T.rule });
    item.appendChild(labelled(id + "-field", T.field, whatSelect(id + "-field", field.name,
      (event) => whatChanged(node, id, event.target.value))));
    item.appendChild(labelled(id + "-op", T.operator, select(id + "-op", field.ops, node.op,
      (event) => {
        node.op = event.target.value;
        node.value = defaultValue(field, node.op);
        structureChanged(id + "-op");
      })));
    valueControls(node, field, id + "-value", valueChanged).forEach((c) => item.appendChild(c));
    item.appendChild(el("button", {
      type: "button", class: "builder-remove", text: T.remove, onclick: onremove,
    }));
    return item;
  }

  function renderGroup(node, id, onremove) {
    const box = el("fieldset", { class: "builder-group" });
    box.appendChild(el("legend", { text: T.group }));
    box.appendChild(labelled(id + "-match", T.match, select(id + "-match",
      [["all", T.all], ["any", T.any], ["not", T.not]], node.match, (event) => {
        node.match = event.target.value;
        structureChanged(id + "-match");
      })));
    const list = el("ul", { class: "builder-children" });
    if (!node.children.length) list.appendChild(el("li", { class: "muted", text: T.empty }));
    node.children.forEach((child, index) => {
      const childId = id + "-" + index;
      const remove = () => {
        node.children.splice(index, 1);
        structureChanged(id + "-add-rule");
      };
      list.appendChild(child.type === "group"
        ? el("li", {}, [renderGroup(child, childId, remove)])
        : renderRule(child, childId, remove));
    });
    box.appendChild(list);
    const actions = el("div", { class: "builder-actions" }, [
      el("button", { type: "button", id: id + "-add-rule", text: T.addRule, onclick: () => {
        node.children.push(newRule());
        structureChanged(id + "-" + (node.children.length - 1) + "-field");
      } }),
      el("button", { type: "button", id: id + "-add-group", text: T.addGroup, onclick: () => {
        node.children.push(group("all", [newRule()]));
        structureChanged(id + "-" + (node.children.length - 1) + "-match");
      } }),
    ]);
    if (onremove) {
      actions.appendChild(el("button", {
        type: "button", class: "builder-remove", text: T.remove, onclick: onremove,
      }));
    }
    box.appendChild(actions);
    return box;
  }

  // --- state, sync and focus ------------------------------------------------------------

  let root;

  function sync() {
    textarea.value = JSON.stringify(toTree(root));
    form.dispatchEvent(new CustomEvent("rules-changed", { bubbles: true }));
  }

  function valueChanged() {
    sync();
  }

  function structureChanged(focusId) {
    render();
    sync();
    const target = focusId && document.getElementById(focusId);
    if (target) target.focus();
  }

  function render() {
    mount.replaceChildren(renderGroup(root, "rule-root", null));
  }

  let initial;
  try {
    initial = JSON.parse(textarea.value || '{"all": []}');
    root = fromTree(initial);
    if (root.type !== "group") root = group("all", [root]);
  } catch (error) {
    return; // not a tree the builder can show: leave the JSON box for the person to fix
  }
  document.getElementById("rules-json").hidden = true;
  render();
  // The form's JSON stays as typed until the first edit, so a refused tree posts back as it was.
})();
