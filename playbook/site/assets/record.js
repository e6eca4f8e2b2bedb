// The "Record this checklist" form. Built from the checklist's spec, a JSON
// file the form's root names in data-spec (the checklist's items and metrics,
// the recording engine's own metric and completion rules, and the recent
// occurrences of each team or person with their records).
// Under `playbook serve` it asks the API's preview for the engine's verdict
// (done or partial, and why not) and posts to the recording API with the
// page's token; it never judges done or partial itself there. On a static site
// it applies the engine's completion rule from the page, shows the equivalent
// `playbook check` command and, for GitHub or GitLab, a link to the host's
// new-file page with the record prefilled.
(function () {
  "use strict";

  // The form's words in the site's language (the spec's `messages`, from the gettext
  // catalogues), looked up by their English, which stands in for a missing one.
  let messages = {};
  function t(key, values) {
    const text = messages[key] || key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? String(values[name]) : whole));
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (value !== false && value != null) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function shellQuote(value) {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : "'" + value.replace(/'/g, "'\\''") + "'";
  }

  function parseMetric(rules, metric, raw) {
    const rule = rules[metric.type];
    let cleaned = raw.trim();
    if (rule.strip) cleaned = cleaned.replace(new RegExp(rule.strip, "g"), "");
    if (rule.currency) {
      const match = cleaned.match(new RegExp(rule.currency));
      if (match) {
        const code = (match[1] || match[2]).toUpperCase();
        if (metric.unit && code !== metric.unit.toUpperCase()) {
          return { error: t("{label} is counted in {unit}, got '{raw}'; convert it to {unit} first", { label: metric.label, unit: metric.unit, raw }) };
        }
        cleaned = cleaned.slice(0, match.index) + cleaned.slice(match.index + match[0].length);
      }
    }
    if (!new RegExp("^(?:" + rule.pattern + ")$").test(cleaned)) {
      return { error: t("expected {expected}, got '{raw}'", { expected: rule.expected, raw }) };
    }
    if (metric.type === "text") return { value: cleaned };
    // Money stays exact, as the engine writes it: a string with two decimals.
    if (metric.type === "money") return { value: exactMoney(cleaned) };
    return { value: Number(cleaned) };
  }

  function exactMoney(cleaned) {
    const negative = cleaned.startsWith("-");
    const [whole, fraction = ""] = cleaned.replace(/^[-+]/, "").split(".");
    return (negative ? "-" : "") + String(BigInt(whole)) + "." + (fraction + "00").slice(0, 2);
  }

  function build(root, spec) {
    messages = spec.messages || {};
    const token = document.querySelector('meta[name="playbook-api"]');
    const draftKey = "playbook-draft:" + spec.checklist;
    const resultKey = "playbook-result:" + spec.checklist;
    const form = el("form", { class: "playbook-form", novalidate: true });
    const fields = {};
    const errors = {};

    function row(label, input, key) {
      errors[key] = el("span", { class: "playbook-error", role: "alert" });
      return el("div", { class: "playbook-row" }, [el("label", {}, [label, input]), errors[key]]);
    }

    // Under the team server: only the teams and people the signed-in user records for.
    const allowed = document.querySelector('meta[name="playbook-units"]');
    if (allowed) {
      const ids = allowed.content.split(" ");
      spec.units = spec.units.filter((u) => ids.includes(u.id));
      if (!spec.units.length) {
        root.append(el("p", { text: t("None of your teams records this checklist.") }));
        return;
      }
    }
    if (!spec.units.length) {
      root.append(el("p", { text: t("Nobody records this checklist yet: add teams or people to playbook.yml.") }));
      return;
    }
    const unitKind = spec.units[0].kind;
    fields.unit = el("select", { name: "unit" }, spec.units.map((u) => el("option", { value: u.id, text: u.name })));
    fields.occurrence = el("select", { name: "occurrence" });
    function fillOccurrences() {
      const unit = spec.units.find((u) => u.id === fields.unit.value);
      fields.occurrence.replaceChildren(
        ...unit.occurrences.map((o) => el("option", { value: o.key, text: o.label })),
      );
      if (unit.default) fields.occurrence.value = unit.default;
    }
    fillOccurrences();
    const existing = el("p", { class: "playbook-existing", "aria-live": "polite" });
    form.append(
      el("fieldset", {}, [
        el("legend", { text: t("Which one") }),
        row((unitKind === "person" ? t("Person") : unitKind === "team" ? t("Team") : t("For")) + " ", fields.unit, unitKind),
        row(t("Occurrence") + " ", fields.occurrence, "occurrence"),
        existing,
      ]),
    );

    const itemSet = el("fieldset", {}, [el("legend", { text: t("Items") })]);
    for (const item of spec.items) {
      const done = el("input", { type: "checkbox", name: "done:" + item.id });
      const skip = el("input", { type: "checkbox", name: "skip:" + item.id });
      const reason = el("input", { type: "text", name: "reason:" + item.id, placeholder: t("why skipped"), "aria-label": t("Why skipped: {item}", { item: item.text }), hidden: true });
      skip.addEventListener("change", () => {
        reason.hidden = !skip.checked;
        if (skip.checked) done.checked = false;
      });
      done.addEventListener("change", () => {
        if (done.checked) { skip.checked = false; reason.hidden = true; }
      });
      fields["item:" + item.id] = { done, skip, reason };
      errors["items." + item.id] = el("span", { class: "playbook-error", role: "alert" });
      itemSet.append(
        el("div", { class: "playbook-item" }, [
          el("label", {}, [done, " ", item.text, item.required ? "" : el("em", { text: " " + t("(optional)") })]),
          el("label", { class: "playbook-skip" }, [skip, " " + t("skip")]),
          reason,
          errors["items." + item.id],
        ]),
      );
    }
    form.append(itemSet);

    if (spec.metrics.length) {
      const metricSet = el("fieldset", {}, [el("legend", { text: t("Metrics") })]);
      for (const metric of spec.metrics) {
        const numeric = metric.type !== "text";
        const input = el("input", {
          type: "text", name: "metric:" + metric.id, inputmode: numeric ? "decimal" : false,
          "data-type": metric.type, placeholder: metric.type + (metric.unit ? " (" + metric.unit + ")" : ""),
        });
        fields["metric:" + metric.id] = input;
        const label = metric.label + (metric.unit ? " (" + metric.unit + ")" : "") + (metric.required ? " *" : "") + " ";
        metricSet.append(row(label, input, "metrics." + metric.id));
      }
      form.append(metricSet);
    }

    fields.note = el("textarea", { name: "note", rows: 2 });
    // Under the team server the signed-in user signs the record (the server ignores `by`).
    const signedIn = document.querySelector('meta[name="playbook-user"]');
    fields.by = el("input", { type: "text", name: "by", placeholder: token ? t("default: your git identity") : t("Name <email>") });
    if (signedIn) { fields.by.value = signedIn.content; fields.by.readOnly = true; }
    fields.partial = el("input", { type: "checkbox", name: "partial" });
    form.append(
      el("fieldset", {}, [
        el("legend", { text: t("Note and signature") }),
        row(t("Note") + " ", fields.note, "note"),
        row(t("Recorded by") + " ", fields.by, "by"),
        el("label", {}, [fields.partial, " " + t("Save as partial (finish it later)")]),
      ]),
    );
    const general = el("div", { class: "playbook-error playbook-general", role: "alert" });
    const result = el("div", { class: "playbook-result", "aria-live": "polite" });
    const verdict = el("p", { class: "playbook-verdict", "aria-live": "polite" });
    const button = el("button", { type: "submit", class: "md-button md-button--primary" });
    form.append(general, verdict, button, result);
    root.append(form);

    function chosen() {
      const unit = spec.units.find((u) => u.id === fields.unit.value);
      return unit.occurrences.find((o) => o.key === fields.occurrence.value) || null;
    }

    // A complete record is only replaced on purpose: the button says so and the request carries amend.
    function replacing() {
      const occurrence = chosen();
      return !!(occurrence && occurrence.record && occurrence.record.state === "done");
    }

    function showExisting() {
      const occurrence = chosen();
      const record = occurrence && occurrence.record;
      existing.textContent = record
        ? t("Recorded {state} by {by} at {at}.", { state: t(record.state), by: record.by, at: record.at })
        : "";
      button.textContent = replacing() ? t("Replace the existing record") : token ? t("Record") : t("Show the command");
      button.dataset.amend = replacing() ? "1" : "";
    }

    // Finishing a partial starts from it: its items, skips, metrics and note.
    function startFrom(record) {
      for (const item of spec.items) {
        const f = fields["item:" + item.id];
        f.done.checked = record.done.includes(item.id);
        f.skip.checked = item.id in record.skipped;
        f.reason.hidden = !f.skip.checked;
        f.reason.value = record.skipped[item.id] || "";
      }
      for (const metric of spec.metrics) fields["metric:" + metric.id].value = record.metrics[metric.id] || "";
      fields.note.value = record.note || "";
    }

    function chooseOccurrence() {
      const occurrence = chosen();
      if (occurrence && occurrence.record && occurrence.record.state === "partial") startFrom(occurrence.record);
      showExisting();
    }
    fields.unit.addEventListener("change", () => { fillOccurrences(); chooseOccurrence(); });
    fields.occurrence.addEventListener("change", chooseOccurrence);

    function state() {
      const out = { unit: fields.unit.value, occurrence: fields.occurrence.value, done: [], skipped: {}, metrics: {} };
      for (const item of spec.items) {
        const f = fields["item:" + item.id];
        if (f.done.checked) out.done.push(item.id);
        if (f.skip.checked) out.skipped[item.id] = f.reason.value;
      }
      for (const metric of spec.metrics) {
        const value = fields["metric:" + metric.id].value;
        if (value.trim()) out.metrics[metric.id] = value;
      }
      out.note = fields.note.value;
      out.by = fields.by.value;
      out.partial = fields.partial.checked;
      return out;
    }

    function restore(saved) {
      if (spec.units.some((u) => u.id === saved.unit)) { fields.unit.value = saved.unit; fillOccurrences(); }
      if ([...fields.occurrence.options].some((o) => o.value === saved.occurrence)) fields.occurrence.value = saved.occurrence;
      for (const item of spec.items) {
        const f = fields["item:" + item.id];
        f.done.checked = saved.done.includes(item.id);
        f.skip.checked = item.id in saved.skipped;
        f.reason.hidden = !f.skip.checked;
        f.reason.value = saved.skipped[item.id] || "";
      }
      for (const [id, value] of Object.entries(saved.metrics)) if (fields["metric:" + id]) fields["metric:" + id].value = value;
      fields.note.value = saved.note || "";
      fields.by.value = signedIn ? signedIn.content : saved.by || "";
      fields.partial.checked = !!saved.partial;
    }

    try {
      const saved = JSON.parse(localStorage.getItem(draftKey) || "null");
      if (saved) { restore(saved); showExisting(); } else chooseOccurrence();
      const last = JSON.parse(sessionStorage.getItem(resultKey) || "null");
      if (last) { result.textContent = last; sessionStorage.removeItem(resultKey); }
    } catch (e) { /* a broken draft is simply dropped */ }
    form.addEventListener("input", () => localStorage.setItem(draftKey, JSON.stringify(state())));
    form.addEventListener("change", () => localStorage.setItem(draftKey, JSON.stringify(state())));

    function showErrors(problems) {
      for (const span of Object.values(errors)) span.textContent = "";
      general.textContent = "";
      for (const p of problems) {
        const target = errors[p.field] || (p.field in { team: 1, person: 1 } ? errors[unitKind] : null) || general;
        target.textContent += (target.textContent ? " " : "") + p.message + (p.hint ? " — " + p.hint : "");
      }
    }

    // The engine's rule for a complete record, as the page carries it (completion.rule).
    function complete(s, values) {
      const rule = spec.completion;
      const accounted = (id) => s.done.includes(id) || (rule.skip_counts_as_done && id in s.skipped);
      return !s.partial && rule.required_items.every(accounted) && rule.required_metrics.every((id) => id in values);
    }

    // The same rules as the engine: required items done or skipped with a reason, typed metrics.
    function validate(s) {
      const problems = [];
      const values = {};
      for (const item of spec.items) {
        const skipped = item.id in s.skipped;
        if (skipped && !s.skipped[item.id].trim()) problems.push({ field: "items." + item.id, message: t("skipping needs a reason") });
        if (item.required && !s.partial && !s.done.includes(item.id) && !skipped) {
          problems.push({ field: "items." + item.id, message: t("required: tick it, skip it with a reason, or save as partial") });
        }
      }
      for (const metric of spec.metrics) {
        const raw = s.metrics[metric.id];
        if (raw === undefined) {
          if (metric.required && !s.partial) problems.push({ field: "metrics." + metric.id, message: t("{label} is required", { label: metric.label }) });
          continue;
        }
        const parsed = parseMetric(spec.rules, metric, raw);
        if (parsed.error) problems.push({ field: "metrics." + metric.id, message: t("{label}: {error}", { label: metric.label, error: parsed.error }) });
        else values[metric.id] = parsed.value;
      }
      if (!token && !/^\s*[^<>]+?\s*<[^<>@\s]+@[^<>\s]+>\s*$/.test(s.by)) {
        problems.push({ field: "by", message: t("write who completed it as Name <email>") });
      }
      return { problems, values };
    }

    function command(s) {
      const parts = ["playbook", "check", spec.checklist];
      if (unitKind !== "playbook") parts.push("--" + unitKind, s.unit);
      parts.push("--occurrence", s.occurrence);
      for (const id of s.done) parts.push("--item", id);
      for (const [id, reason] of Object.entries(s.skipped)) parts.push("--skip", id + "=" + reason);
      for (const [id, value] of Object.entries(s.metrics)) parts.push("--metric", id + "=" + value);
      if (s.note.trim()) parts.push("--note", s.note.trim());
      if (s.by.trim()) parts.push("--by", s.by.trim());
      if (s.partial) parts.push("--partial");
      if (replacing()) parts.push("--amend");
      return parts.map(shellQuote).join(" ");
    }

    function recordYaml(s, values) {
      const q = JSON.stringify;
      const unit = spec.units.find((u) => u.id === s.unit);
      const occurrence = unit.occurrences.find((o) => o.key === s.occurrence);
      const lines = ["schema: 1", "checklist: " + spec.checklist, unitKind + ": " + s.unit, "occurrence: " + q(s.occurrence),
        "due: " + q(occurrence.due), "completed_at: " + q(new Date().toISOString().replace(/\.\d+Z$/, "Z")),
        "by: " + q(s.by.trim()), "status: " + (complete(s, values) ? "done" : "partial"), "checklist_version: " + spec.version, "items:"];
      for (const item of spec.items) {
        const skipped = item.id in s.skipped;
        if (!s.done.includes(item.id) && !skipped) continue;
        lines.push("- id: " + item.id, "  text: " + q(item.text), "  state: " + (skipped ? "skipped" : "done"));
        if (skipped) lines.push("  reason: " + q(s.skipped[item.id].trim()));
      }
      if (Object.keys(values).length) {
        lines.push("metrics:");
        for (const [id, value] of Object.entries(values)) lines.push("  " + id + ": " + q(value));
      }
      if (s.note.trim()) lines.push("note: " + q(s.note.trim()));
      return lines.join("\n") + "\n";
    }

    function newFileLink(path, yaml) {
      const repo = spec.repo;
      if (repo.kind === "github") {
        return repo.url + "/new/" + encodeURIComponent(repo.branch) + "?filename=" + encodeURIComponent(path) + "&value=" + encodeURIComponent(yaml);
      }
      return repo.url + "/-/new/" + encodeURIComponent(repo.branch) + "?file_name=" + encodeURIComponent(path) + "&content=" + encodeURIComponent(yaml);
    }

    function body(s) {
      const out = { checklist: spec.checklist, occurrence: s.occurrence, done: s.done, skipped: s.skipped, metrics: s.metrics, note: s.note, by: s.by, partial: s.partial, amend: replacing() };
      if (unitKind !== "playbook") out[unitKind] = s.unit;
      return out;
    }

    function post(path, s) {
      return fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json", "X-Playbook-Token": token.content },
        body: JSON.stringify(body(s)), credentials: "same-origin",
      });
    }

    // What the record would be: the engine's verdict under serve, the page's copy of its rule otherwise.
    let asked = 0;
    async function judge() {
      const s = state();
      if (!token) {
        const { problems, values } = validate(s);
        verdict.dataset.state = problems.length ? "" : complete(s, values) ? "done" : "partial";
        verdict.textContent = problems.length ? "" : t("This record will be {state}.", { state: t(verdict.dataset.state) });
        return;
      }
      const mine = ++asked;
      try {
        const response = await post("/api/records/preview", s);
        const answer = await response.json();
        if (mine !== asked) return; // a newer question is on its way
        verdict.dataset.state = answer.ok ? answer.state : "";
        verdict.textContent = answer.ok
          ? t("The engine would record {state}: {picked}.", { state: t(answer.state), picked: answer.picked })
          : t("Not recordable yet: {problems}", { problems: (answer.problems || []).map((p) => p.message).join("; ") });
      } catch (error) { /* the preview is advice; recording reports its own errors */ }
    }
    let pending = null;
    function judgeSoon() { clearTimeout(pending); pending = setTimeout(judge, 250); }
    form.addEventListener("input", judgeSoon);
    form.addEventListener("change", judgeSoon);
    judgeSoon();

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const s = state();
      const { problems, values } = validate(s);
      showErrors(problems);
      result.textContent = "";
      if (problems.length) return;
      if (!token) {
        const text = command(s);
        const code = el("pre", { class: "playbook-command" }, [el("code", { text })]);
        const copy = el("button", { type: "button", class: "md-button", text: t("Copy") });
        copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(text));
        result.replaceChildren(el("p", { text: t("Run this in your playbook repository:") }), code, copy);
        if (spec.repo) {
          const path = spec.logs + "/" + spec.checklist + "/" + s.unit + "/" + s.occurrence + ".yml";
          const link = el("a", { class: "md-button", href: newFileLink(path, recordYaml(s, values)), target: "_blank", rel: "noopener", text: t("Commit it on {host}", { host: spec.repo.kind === "github" ? "GitHub" : "GitLab" }) });
          result.append(el("p", { text: t("Or, with no local setup:") }), link);
        }
        return;
      }
      button.disabled = true;
      try {
        const response = await post("/api/records", s);
        const answer = await response.json();
        if (response.ok) {
          const message = t("Recorded {occurrence} as {state} in commit {commit}.", { occurrence: answer.occurrence, state: t(answer.state), commit: answer.commit.slice(0, 10) });
          result.textContent = message;
          result.dataset.commit = answer.commit;
          localStorage.removeItem(draftKey);
          sessionStorage.setItem(resultKey, JSON.stringify(message));
        } else {
          showErrors(answer.problems || [{ field: "", message: answer.error || response.statusText }]);
        }
      } catch (error) {
        showErrors([{ field: "", message: t("the server did not answer: is playbook serve still running?") }]);
      } finally {
        button.disabled = false;
      }
    });
  }

  // The spec is fetched afresh each time: under `playbook serve` a rebuild changes it.
  async function load(root) {
    try {
      const response = await fetch(root.dataset.spec, { cache: "no-cache" });
      if (!response.ok) throw new Error(response.statusText);
      build(root, await response.json());
    } catch (error) {
      // With no spec, its words come from the root, which the page renders in the site's language.
      const unloaded = "The form could not load {spec} (a site opened from disk cannot; serve it over HTTP). On a terminal: playbook check {checklist}";
      if (root.dataset.unloaded) messages[unloaded] = root.dataset.unloaded;
      root.append(el("p", { class: "playbook-error", text: t(unloaded, { spec: root.dataset.spec, checklist: root.dataset.checklist }) }));
    }
  }

  function start() {
    document.querySelectorAll(".playbook-record").forEach((root) => {
      if (!root.dataset.built) { root.dataset.built = "1"; load(root); }
    });
  }
  // Material's instant navigation swaps pages without a reload: rebuild on each.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(start);
  else document.addEventListener("DOMContentLoaded", start);
})();
