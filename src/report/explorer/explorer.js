// The explorer: shows the run's published figures (the page's JSON, made in
// Rust with the annexes' small-number rule) as a map, a ranked chart, a
// sortable table and an area's detail (with its caseload over time), all
// linked; under a scenario, its figures and their changes from the
// baseline; and a funnel plot of local prevalence where the run has one.
// Nothing is computed here but layout: every figure is shown as the data
// gives it.
"use strict";
(function () {
  var DATA = JSON.parse(document.getElementById("data").textContent);

  // What is shown. A new dimension is one more key here and one more
  // control.
  var state = {
    scenario: "", // "" the baseline, else a scenario's name
    level: DATA.start.level,
    condition: DATA.start.condition,
    measure: DATA.start.measure,
    selected: null, // area position chosen, or null
    hover: null, // area position pointed at or focused, or null
    active: null, // the map area that takes keyboard focus
    sort: { key: "rank", ascending: true },
    fallback: null // the measure asked for when the condition lacks it
  };

  function $(id) { return document.getElementById(id); }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function level() {
    return DATA.levels.filter(function (l) { return l.id === state.level; })[0];
  }
  function measure() {
    return DATA.measures.filter(function (m) { return m.id === state.measure; })[0];
  }
  function condition() {
    return DATA.conditions.filter(function (c) { return c.id === state.condition; })[0];
  }
  // The views of the level under the baseline or the chosen scenario.
  function views() {
    var l = level();
    return (state.scenario ? l.scenarios[state.scenario] : l.views)[state.condition];
  }
  function view() { return level().figures[views()[state.measure]]; }
  function hasView(measureId) { return views()[measureId] !== undefined; }
  function scenario() {
    return DATA.scenarios.filter(function (s) { return s.id === state.scenario; })[0];
  }

  // "Upper-tier ..." to "upper-tier ..." mid-sentence; "PTSD" stays.
  function lowerFirst(text) {
    return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
  }

  // An area's published figure: {value, lower, upper} as text, or null.
  function figure(i) {
    var cell = view().cells[i];
    if (!cell) { return null; }
    var parts = cell.split("|");
    return { value: parts[0], lower: parts[1], upper: parts[2] };
  }

  // A published figure as a number for drawing: null where it is
  // suppressed ("<5"), withheld ("not published ...") or missing.
  function number(text) {
    if (!text || text.charAt(0) === "<") { return null; }
    var n = parseFloat(text.replace(/,/g, "").replace("\u2212", "-"));
    return isNaN(n) ? null : n;
  }

  // England's published figure: {value, lower, upper} as text, or null.
  function englandFigure() {
    var cell = view().england;
    if (!cell) { return null; }
    var parts = cell.split("|");
    return { value: parts[0], lower: parts[1], upper: parts[2] };
  }

  var COMPARED = { h: "higher than England", s: "similar to England", l: "lower than England" };
  // A change's direction: real only where its 95% interval excludes zero.
  var CHANGED = { h: "a real increase", s: "no real change", l: "a real decrease" };
  // The same as one word, as scenarios.csv's _change_is and gap.csv's
  // rate_compared_with_england give it.
  var WORD = { h: "higher", s: "similar", l: "lower" };

  // An area's rate against England's, or a change's direction, in words;
  // "" where there is none.
  function compared(i) {
    var c = view().compared;
    return c ? (measure().kind === "change" ? CHANGED : COMPARED)[c.charAt(i)] || "" : "";
  }
  function comparedWord(i) {
    var c = view().compared;
    return c ? WORD[c.charAt(i)] || "" : "";
  }

  // An area's rank by the published rate from the simulation:
  // {rank, lower, upper, top} as text, or null.
  function rankOf(i) {
    var r = view().ranks;
    if (!r || !r[i]) { return null; }
    var parts = r[i].split("|");
    return { rank: parts[0], lower: parts[1], upper: parts[2], top: parts[3] };
  }

  function rankText(k) {
    return k ? k.rank + " (" + k.lower + " to " + k.upper + ")" : "";
  }

  // A measure's name with its unit, unless the name says it already.
  function measureTitle(m) {
    return m.label.indexOf(m.unit) >= 0 ? m.label : m.label + " (" + m.unit + ")";
  }

  function figureText(f) {
    if (!f) { return "no data"; }
    if (!f.lower) { return f.value; }
    return f.value + " (" + f.lower + " to " + f.upper + ")";
  }

  // A figure with its unit, unless it is withheld (its words say so).
  function withUnit(f, m) {
    return f && number(f.value) === null && f.value.charAt(0) !== "<" ? figureText(f) : figureText(f) + " " + m.unit;
  }

  // Rank (1 = highest) by position, from the data's order.
  function ranks() {
    var out = {};
    view().order.forEach(function (i, k) { out[i] = k + 1; });
    return out;
  }

  // Every area, highest first, then those without a figure: the order the
  // keyboard moves through the map.
  function keyboardOrder() {
    var order = view().order.slice();
    var seen = {};
    order.forEach(function (i) { seen[i] = true; });
    level().areas.forEach(function (_, i) { if (!seen[i]) { order.push(i); } });
    return order;
  }

  function colourOf(i) {
    var c = view().class.charAt(i);
    return c === "-" ? "url(#no-data)" : view().classes.colours[+c];
  }

  // ---- the tooltip, shared by the map and the chart ----
  var tooltip = $("tooltip");
  document.body.appendChild(tooltip);

  function showTooltip(i, x, y) {
    var area = level().areas[i];
    var against = compared(i);
    showTip([area.name, withUnit(figure(i), measure())].concat(against ? [against] : []), x, y);
  }

  // Lines of text, the first in bold, beside a point.
  function showTip(lines, x, y) {
    tooltip.innerHTML = lines.map(function (line, k) {
      return k === 0 ? "<strong>" + escapeHtml(line) + "</strong>" : escapeHtml(line);
    }).join("<br>");
    tooltip.hidden = false;
    var width = tooltip.offsetWidth, height = tooltip.offsetHeight;
    var left = Math.min(Math.max(4, x + 12), window.innerWidth - width - 4);
    var top = y + 16 + height > window.innerHeight ? y - height - 12 : y + 16;
    tooltip.style.left = left + "px";
    tooltip.style.top = Math.max(4, top) + "px";
  }

  function showTooltipAt(i, element) {
    var box = element.getBoundingClientRect();
    showTooltip(i, box.left + box.width / 2, box.top + box.height / 2);
  }

  // What is shown, for headings: the scenario's name under a scenario.
  function under() { return state.scenario ? " (scenario " + state.scenario + ")" : ""; }

  function hideTooltip() { tooltip.hidden = true; }

  // ---- pointing and choosing, shared by every panel ----
  function setHover(i) {
    state.hover = i;
    panels.forEach(function (p) { if (p.mark) { p.mark(); } });
  }

  function select(i) {
    // A button in the detail is about to be replaced: keep focus there.
    var inDetail = $("detail").contains(document.activeElement);
    state.selected = i;
    if (i !== null) { state.active = i; }
    panels.forEach(function (p) { if (p.mark) { p.mark(); } });
    detail.show();
    if (inDetail) { $("detail-heading").focus(); }
    writeHash();
  }

  // ---- the map ----
  var map = {
    svg: $("map"),
    inset: $("inset"),
    paths: [],
    insetPaths: [],
    level: null,

    // The areas of a level, drawn once per level.
    build: function () {
      var l = level();
      this.level = l.id;
      this.svg.setAttribute("viewBox", l.view_box.join(" "));
      var hatch = Math.round(l.view_box[2] / 150);
      var parts = ['<defs><pattern id="no-data" patternUnits="userSpaceOnUse" width="' + hatch +
        '" height="' + hatch + '" patternTransform="rotate(45)"><rect width="' + hatch + '" height="' + hatch +
        '" fill="#fff"/><line x1="0" y1="0" x2="0" y2="' + hatch + '" stroke="#6f6f6f" stroke-width="' +
        Math.max(1, Math.round(hatch / 4)) + '"/></pattern></defs><g class="areas">'];
      l.areas.forEach(function (a, i) {
        parts.push('<path data-i="' + i + '" role="button" tabindex="-1" d="' + a.path + '"/>');
      });
      parts.push('</g><g class="marks"></g>');
      this.svg.innerHTML = parts.join("");
      this.paths = Array.prototype.slice.call(this.svg.querySelectorAll(".areas path"));
      var figureEl = $("inset-figure");
      figureEl.hidden = !l.inset;
      this.insetPaths = [];
      if (l.inset) {
        this.inset.setAttribute("viewBox", l.inset.join(" "));
        var inset = ['<g class="areas">'];
        l.areas.forEach(function (a, i) {
          if (a.london) { inset.push('<path data-i="' + i + '" d="' + a.path + '"/>'); }
        });
        inset.push('</g><g class="marks"></g>');
        this.inset.innerHTML = inset.join("");
        this.insetPaths = Array.prototype.slice.call(this.inset.querySelectorAll(".areas path"));
      }
      $("attribution").textContent = l.attribution;
    },

    show: function () {
      if (this.level !== state.level) { this.build(); }
      var l = level(), m = measure(), c = condition();
      $("map-heading").textContent = c.label + ": " + lowerFirst(m.label) + under();
      this.svg.setAttribute("aria-label", "Map of " + l.areas.length + " " + lowerFirst(l.label) +
        " shaded by " + lowerFirst(m.label) + " (" + m.unit + "), " + lowerFirst(c.label) +
        ". Each area is a button: arrow keys move between them, highest first.");
      this.paths.forEach(function (p, i) {
        p.setAttribute("fill", colourOf(i));
        var against = compared(i);
        p.setAttribute("aria-label", l.areas[i].name + ": " + withUnit(figure(i), m) + (against ? ", " + against : ""));
      });
      this.insetPaths.forEach(function (p) { p.setAttribute("fill", colourOf(+p.getAttribute("data-i"))); });
      if (state.active === null) { state.active = state.selected !== null ? state.selected : view().order[0]; }
      this.paths.forEach(function (p, i) { p.setAttribute("tabindex", i === state.active ? "0" : "-1"); });
      legend.show();
      this.mark();
    },

    // Outlines over the areas: the similar areas dashed, the chosen area
    // thick, the area pointed at or focused thinner.
    mark: function () {
      var l = level();
      [[this.svg, false], [this.inset, true]].forEach(function (pair) {
        var svg = pair[0], insetOnly = pair[1];
        var marks = svg.querySelector(".marks");
        if (!marks) { return; }
        var out = [];
        function outline(i, kind) {
          if (i === null || i === undefined) { return; }
          if (insetOnly && !l.areas[i].london) { return; }
          out.push('<path class="' + kind + '-under" d="' + l.areas[i].path + '"/>');
          out.push('<path class="' + kind + '" d="' + l.areas[i].path + '"/>');
        }
        if (state.selected !== null) {
          l.areas[state.selected].similar.forEach(function (i) { outline(i, "similar"); });
        }
        outline(state.selected, "selected");
        outline(state.hover, "hover");
        marks.innerHTML = out.join("");
      });
      this.paths.forEach(function (p, i) {
        p.setAttribute("aria-pressed", i === state.selected ? "true" : "false");
      });
    },

    // Moves keyboard focus to an area.
    focus: function (i) {
      this.paths.forEach(function (p, k) { p.setAttribute("tabindex", k === i ? "0" : "-1"); });
      state.active = i;
      this.paths[i].focus();
    }
  };

  function areaOf(event) {
    var target = event.target.closest ? event.target.closest("[data-i]") : null;
    return target ? +target.getAttribute("data-i") : null;
  }

  [map.svg, map.inset].forEach(function (svg) {
    svg.addEventListener("mousemove", function (e) {
      var i = areaOf(e);
      if (i === null) { return; }
      if (state.hover !== i) { setHover(i); }
      showTooltip(i, e.clientX, e.clientY);
    });
    svg.addEventListener("mouseleave", function () { setHover(null); hideTooltip(); });
    svg.addEventListener("click", function (e) {
      var i = areaOf(e);
      if (i !== null) { select(i); }
    });
  });

  map.svg.addEventListener("focusin", function (e) {
    var i = areaOf(e);
    if (i === null) { return; }
    state.active = i;
    setHover(i);
    showTooltipAt(i, map.paths[i]);
  });
  map.svg.addEventListener("focusout", function () { setHover(null); hideTooltip(); });
  map.svg.addEventListener("keydown", function (e) {
    var i = areaOf(e);
    if (i === null) { return; }
    var order = keyboardOrder(), k = order.indexOf(i), next = null;
    switch (e.key) {
      case "ArrowRight": case "ArrowDown": next = order[Math.min(k + 1, order.length - 1)]; break;
      case "ArrowLeft": case "ArrowUp": next = order[Math.max(k - 1, 0)]; break;
      case "Home": next = order[0]; break;
      case "End": next = order[order.length - 1]; break;
      case "Enter": case " ": select(i); e.preventDefault(); return;
      case "Escape": hideTooltip(); return;
      default: return;
    }
    e.preventDefault();
    map.focus(next);
  });

  // ---- the legend ----
  var legend = {
    show: function () {
      var v = view(), m = measure();
      var noData = v.class.split("").filter(function (c) { return c === "-"; }).length;
      var rows = v.classes.labels.map(function (label, k) {
        return '<li><span class="swatch" style="background:' + v.classes.colours[k] + '"></span>' +
          escapeHtml(label) + '<span class="count">' + v.classes.counts[k] + "</span></li>";
      });
      if (noData > 0) {
        rows.push('<li><span class="swatch no-data"></span>No data<span class="count">' + noData + "</span></li>");
      }
      $("legend").innerHTML = '<p class="legend-title">' + escapeHtml(measureTitle(m)) +
        '</p><p class="note">' + (m.kind === "change" ? "Each area by its change from the baseline" : "Each class includes its upper value") +
        '. Areas:</p><ul class="legend">' +
        rows.join("") + "</ul>";
    }
  };

  // ---- the ranked chart ----
  var chart = {
    svg: $("chart"),

    // Areas drawn: those with a published figure (not suppressed), highest first.
    drawn: function () {
      return view().order.filter(function (i) { return number(figure(i).value) !== null; });
    },

    show: function () {
      var v = view(), m = measure(), l = level();
      var drawn = this.drawn();
      var width = Math.max(280, this.svg.parentNode.clientWidth);
      var height = Math.round(Math.min(320, Math.max(200, width * 0.35)));
      var pad = { left: 64, right: 12, top: 14, bottom: 26 };
      var plotWidth = width - pad.left - pad.right, plotHeight = height - pad.top - pad.bottom;
      var englandShown = m.kind === "rate" ? englandFigure() : null;
      var england = englandShown ? number(englandShown.value) : null;
      function bound(i, which) {
        var n = number(figure(i)[which]);
        return n === null ? number(figure(i).value) : n;
      }
      // From zero, or below it where a change is negative.
      var top = Math.max.apply(null, drawn.map(function (i) { return bound(i, "upper"); }).concat([england || 0, 1]));
      var bottom = Math.min.apply(null, drawn.map(function (i) { return bound(i, "lower"); }).concat([0]));
      var ticks = niceTicks(bottom, top, 5);
      var min = ticks[0], max = ticks[ticks.length - 1];
      var step = plotWidth / Math.max(1, drawn.length);
      function y(value) { return pad.top + plotHeight * (max - value) / (max - min); }
      this.x = function (k) { return pad.left + step * (k + 0.5); };
      var out = [];
      ticks.forEach(function (t) {
        out.push('<line class="grid" x1="' + pad.left + '" x2="' + (width - pad.right) + '" y1="' + y(t) + '" y2="' + y(t) + '"/>');
        out.push('<text class="tick" x="' + (pad.left - 6) + '" y="' + (y(t) + 4) + '">' + t.toLocaleString("en-GB") + "</text>");
      });
      out.push('<text class="axis" x="' + pad.left + '" y="' + (height - 6) + '">Areas, highest first (' +
        drawn.length + ")</text>");
      if (england !== null) {
        out.push('<line class="england" x1="' + pad.left + '" x2="' + (width - pad.right) + '" y1="' + y(england) + '" y2="' + y(england) + '"/>');
        // At the left, over the highest areas, where the line is clear.
        out.push('<text class="england-label" x="' + (pad.left + 4) + '" y="' + (y(england) - 5) + '">England ' + escapeHtml(englandShown.value) + "</text>");
      }
      var self = this;
      drawn.forEach(function (i, k) {
        var f = figure(i), x = self.x(k);
        var low = number(f.lower) === null ? Math.max(0, min) : number(f.lower);
        var high = number(f.upper);
        out.push('<g data-i="' + i + '"><rect class="hit" x="' + (x - step / 2) + '" y="' + pad.top +
          '" width="' + step + '" height="' + plotHeight + '"/>' +
          (high === null ? "" : '<line class="interval" x1="' + x + '" x2="' + x + '" y1="' + y(low) + '" y2="' + y(high) + '"/>') +
          '<circle class="dot" cx="' + x + '" cy="' + y(number(f.value)) + '" r="' + Math.max(2, Math.min(4, step / 2)) +
          '" fill="' + colourOf(i) + '"/></g>');
      });
      out.push('<g class="marks"></g>');
      this.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      this.svg.setAttribute("width", width);
      this.svg.setAttribute("height", height);
      this.svg.innerHTML = out.join("");
      this.y = y;
      this.positions = {};
      drawn.forEach(function (i, k) { self.positions[i] = k; });
      var first = drawn[0], last = drawn[drawn.length - 1];
      this.svg.setAttribute("aria-label", "Ranked chart of " + drawn.length + " " + lowerFirst(l.label) +
        ", " + lowerFirst(m.label) + ": dots are estimates, lines their " + m.bounds +
        (drawn.length ? ". Highest " + l.areas[first].name + " " + figure(first).value +
          ", lowest " + l.areas[last].name + " " + figure(last).value : "") +
        (england !== null ? "; England " + englandShown.value : "") + ". The table below lists every area.");
      var left = v.order.length - drawn.length;
      var noData = l.areas.length - v.order.length;
      var notes = [];
      if (left > 0) { notes.push(left + " not drawn: below the small-number threshold, shown as \u201c" + escapeHtml(suppressedText()) + "\u201d in the table."); }
      if (noData > 0) { notes.push(noData + " with no figure."); }
      $("chart-heading").textContent = "Ranked: " + condition().label + ", " + lowerFirst(m.label) + under();
      $("chart-note").innerHTML = "Dot: the estimate, coloured by its map class" + (m.bounds ? "; line: its " + escapeHtml(m.bounds) : "") +
        (england !== null ? "; dashed line: England" : "") + ". " + notes.join(" ");
      this.mark();
    },

    // The chosen area, its similar areas and the area pointed at, marked.
    mark: function () {
      var marks = this.svg.querySelector(".marks");
      if (!marks) { return; }
      var self = this, out = [];
      function ring(i, kind) {
        if (i === null || self.positions[i] === undefined) { return; }
        var f = figure(i), x = self.x(self.positions[i]);
        out.push('<circle class="' + kind + '" cx="' + x + '" cy="' + self.y(number(f.value)) + '" r="' + (kind === "similar" ? 5 : 7) + '"/>');
      }
      if (state.selected !== null) {
        level().areas[state.selected].similar.forEach(function (i) { ring(i, "similar"); });
      }
      ring(state.selected, "selected");
      ring(state.hover, "hover");
      marks.innerHTML = out.join("");
    }
  };

  // What stands for a figure under the small-number rule ("<5", or the
  // words of a withheld rate).
  function suppressedText() {
    var found = view().cells.filter(function (c) { return c && number(c.split("|")[0]) === null; })[0];
    return found ? found.split("|")[0] : "";
  }

  // Round tick values from at most `bottom` (0 or below) to at least `top`.
  function niceTicks(bottom, top, count) {
    var raw = (top - bottom) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * power; })
      .filter(function (s) { return s >= raw; })[0];
    var ticks = [];
    for (var t = Math.floor(bottom / step) * step; t < top + step; t += step) { ticks.push(Math.round(t * 1e6) / 1e6); }
    return ticks;
  }

  function chartArea(e) {
    var g = e.target.closest ? e.target.closest("g[data-i]") : null;
    return g ? +g.getAttribute("data-i") : null;
  }
  chart.svg.addEventListener("mousemove", function (e) {
    var i = chartArea(e);
    if (i === null) { return; }
    if (state.hover !== i) { setHover(i); }
    showTooltip(i, e.clientX, e.clientY);
  });
  chart.svg.addEventListener("mouseleave", function () { setHover(null); hideTooltip(); });
  chart.svg.addEventListener("click", function (e) {
    var i = chartArea(e);
    if (i !== null) { select(i); }
  });

  // ---- the table ----
  // The columns of the view shown: bounds where the measure has them, the
  // comparison with England for rates, the simulated rank where it exists.
  function columns() {
    var v = view(), m = measure();
    var out = [{ key: "rank", label: v.ranks ? "Rank (95% interval)" : "Rank" }, { key: "name", label: "Area" }, { key: "value", label: "Value" }];
    if (m.bounds) { out.push({ key: "lower", label: "Lower" }, { key: "upper", label: "Upper" }); }
    if (v.compared) { out.push({ key: "compared", label: m.kind === "change" ? "Change is" : "Against England" }); }
    return out;
  }

  var table = {
    element: $("table"),

    // The rows shown, in the order shown: what the CSV holds.
    rows: function () {
      var l = level(), r = ranks();
      var rows = l.areas.map(function (a, i) {
        var f = figure(i) || { value: "no data", lower: "", upper: "" }, k = rankOf(i);
        return {
          i: i, rank: r[i] || null, name: a.name, code: a.code, value: f.value, lower: f.lower, upper: f.upper,
          compared: comparedWord(i), comparedText: compared(i).replace(/ (than|to) England$/, ""),
          rankShown: (r[i] || "") + (k ? " (" + k.lower + "\u2013" + k.upper + ")" : "")
        };
      });
      var key = state.sort.key, sign = state.sort.ascending ? 1 : -1;
      function sortValue(row) {
        if (key === "rank" || key === "value") { return row.rank === null ? Infinity : row.rank; }
        if (key === "lower" || key === "upper") {
          var n = number(row[key]);
          return n === null ? (row[key] ? -1 : -Infinity) : n;
        }
        if (key === "compared") { return { higher: 0, similar: 1, lower: 2 }[row.compared] || 3; }
        return row[key];
      }
      rows.sort(function (a, b) {
        var x = sortValue(a), y = sortValue(b);
        // Value runs opposite to rank: the highest value has rank 1.
        var order = typeof x === "string" ? x.localeCompare(y) : (x === y ? 0 : (x < y ? -1 : 1));
        if (key === "value") { order = -order; }
        return sign * order || a.code.localeCompare(b.code);
      });
      return rows;
    },

    show: function () {
      var m = measure(), l = level(), c = condition();
      var v = view(), cols = columns();
      $("table-caption").textContent = c.label + ": " + lowerFirst(measureTitle(m)) + ", " +
        lowerFirst(l.label) + under() + "." + (m.bounds ? " Lower and upper: the " + m.bounds + "." : "") + " Rank 1 is the highest." +
        (v.compared && m.kind !== "change" ? " Against England: higher or lower only where the 95% interval of the difference from England's rate, from the simulation, excludes zero; otherwise similar." : "") +
        (m.kind === "change" ? " Change is: a real increase or decrease only where the change's 95% interval excludes zero; otherwise no real change." : "") +
        (v.ranks ? " The rank's 95% interval is across the simulation's draws." : "");
      var head = this.element.tHead.rows[0];
      head.innerHTML = cols.map(function (col) {
        var sorted = state.sort.key === col.key;
        // The unit is in the caption too, so narrow screens may drop it here.
        var label = escapeHtml(col.label) + (col.key === "value" ? '<span class="unit"> (' + escapeHtml(m.unit) + ")</span>" : "");
        var bound = col.key === "lower" || col.key === "upper";
        return '<th scope="col"' + (bound ? ' class="bound"' : "") + (sorted ? ' aria-sort="' + (state.sort.ascending ? "ascending" : "descending") + '"' : "") +
          '><button type="button" data-sort="' + col.key + '">' + label + "</button></th>";
      }).join("");
      this.element.tBodies[0].innerHTML = this.rows().map(function (row) {
        return '<tr data-i="' + row.i + '">' + cols.map(function (col) {
          if (col.key === "name") {
            return '<th scope="row"><button type="button" class="area" data-i="' + row.i + '">' + escapeHtml(row.name) +
              '</button> <span class="code">' + escapeHtml(row.code) + "</span></th>";
          }
          var shown = { rank: row.rankShown, compared: row.comparedText }[col.key];
          var text = escapeHtml((shown === undefined ? row[col.key] : shown) || "");
          // Narrow screens drop the bounds' columns and show the interval
          // under the figure instead.
          if (col.key === "value" && row.lower) {
            text += '<span class="inline-interval"> (' + escapeHtml(row.lower) + " to " + escapeHtml(row.upper) + ")</span>";
          }
          var bound = col.key === "lower" || col.key === "upper";
          return '<td class="' + (col.key === "compared" ? "words" : "num") + (bound ? " bound" : "") + '">' + text + "</td>";
        }).join("") + "</tr>";
      }).join("");
      this.mark();
    },

    mark: function () {
      var similar = state.selected === null ? [] : level().areas[state.selected].similar;
      Array.prototype.forEach.call(this.element.tBodies[0].rows, function (tr) {
        var i = +tr.getAttribute("data-i");
        tr.className = i === state.selected ? "selected" : (i === state.hover ? "hover" : (similar.indexOf(i) >= 0 ? "similar" : ""));
      });
    }
  };

  table.element.addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) { return; }
    var key = button.getAttribute("data-sort");
    if (key) {
      var same = state.sort.key === key;
      state.sort = { key: key, ascending: same ? !state.sort.ascending : key !== "value" };
      table.show();
      button = table.element.querySelector('button[data-sort="' + key + '"]');
      button.focus();
      return;
    }
    select(+button.getAttribute("data-i"));
  });
  table.element.addEventListener("mouseover", function (e) {
    var tr = e.target.closest("tr[data-i]");
    if (tr && state.hover !== +tr.getAttribute("data-i")) { setHover(+tr.getAttribute("data-i")); }
  });
  table.element.addEventListener("mouseleave", function () { setHover(null); });

  function csv() {
    var m = measure(), l = level(), c = condition();
    var v = view();
    // The scenario column only where the run has scenarios.
    var scenarios = DATA.scenarios.length > 0;
    var header = (scenarios ? ["scenario"] : []).concat(["level", "condition", "measure", "unit", "rank", "area_code", "area_name", "value", "lower", "upper"]);
    if (v.compared) { header.push(m.kind === "change" ? "change_is" : "compared_with_england"); }
    if (v.ranks) { header.push("rank_lower", "rank_upper"); }
    var lines = [header];
    table.rows().forEach(function (row) {
      var line = (scenarios ? [state.scenario || "baseline"] : []).concat([l.id, c.id, m.id, m.unit, row.rank || "", row.code, row.name, row.value, row.lower, row.upper]);
      if (v.compared) { line.push(row.compared); }
      if (v.ranks) {
        var k = rankOf(row.i);
        line.push(k ? k.lower : "", k ? k.upper : "");
      }
      lines.push(line);
    });
    return lines.map(function (fields) {
      return fields.map(function (f) {
        f = String(f);
        return /[",\n]/.test(f) ? '"' + f.replace(/"/g, '""') + '"' : f;
      }).join(",");
    }).join("\r\n") + "\r\n";
  }

  $("download").addEventListener("click", function () {
    // A byte-order mark so that spreadsheet programs read UTF-8.
    var blob = new Blob(["\ufeff" + csv()], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "jsna-gap-" + (state.scenario ? state.scenario + "-" : "") + state.level + "-" + state.condition + "-" + state.measure + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  });

  // ---- the chosen area beside England and similar areas ----
  var detail = {
    show: function () {
      var m = measure(), l = level(), v = view(), body = $("detail-body"), e = englandFigure();
      var england = e ? "<p>England: <strong>" + escapeHtml(figureText(e)) + "</strong> " + escapeHtml(m.unit) +
        (m.kind === "count" ? " (all areas together)" : "") + "</p>" : "";
      if (state.selected === null) {
        $("detail-heading").textContent = "Choose an area";
        body.innerHTML = england + "<p>Choose an area on the map, in the chart or in the table to see it beside England and the areas most like it in deprivation.</p>";
        return;
      }
      var i = state.selected, a = l.areas[i], f = figure(i), r = ranks()[i], k = rankOf(i), against = compared(i);
      $("detail-heading").textContent = a.name;
      var klass = v.class.charAt(i);
      var withheld = f && number(f.value) === null && f.value.charAt(0) !== "<";
      var parts = [
        '<p class="figure"><strong>' + escapeHtml(f ? f.value : "no data") + "</strong>" + (withheld ? "" : " " + escapeHtml(m.unit)) + "</p>",
        f && f.lower ? "<p>" + escapeHtml(m.bounds) + ": " + escapeHtml(f.lower) + " to " + escapeHtml(f.upper) + "</p>" : "",
        against ? '<p class="against">' + escapeHtml(against.charAt(0).toUpperCase() + against.slice(1)) +
          (m.kind === "change" ? (against === CHANGED.s ? ": the change's 95% interval includes zero" : ": the change's 95% interval excludes zero") :
            (e ? " (" + escapeHtml(e.value) + ")" : "") +
            (against.indexOf("similar") === 0 ? ": the 95% interval of the difference includes zero" : ": the 95% interval of the difference excludes zero")) + "</p>" : "",
        k ? "<p>Rank " + escapeHtml(k.rank) + " of " + v.order.length + " by the mapped rate (95% interval " + escapeHtml(k.lower) + " to " +
          escapeHtml(k.upper) + "); in the top fifth in " + escapeHtml(k.top) + " of the simulations.</p>" : "",
        "<p>" + escapeHtml(a.code) + (r && !k ? " · rank " + r + " of " + v.order.length + " (1 = highest)" : "") +
          (klass !== "-" ? " · map class " + (+klass + 1) + " of " + v.classes.colours.length : "") + "</p>"
      ];
      function line(cls, name, cell, words) {
        return "<tr" + (cls ? ' class="' + cls + '"' : "") + '><th scope="row">' + name + "</th><td>" + escapeHtml(cell) + "</td>" +
          (v.compared ? "<td>" + escapeHtml(words) + "</td>" : "") + "</tr>";
      }
      var rows = [line("selected", escapeHtml(a.name), figureText(f), against)];
      if (e) {
        rows.push(line("", "England" + (m.kind === "count" ? " (all areas)" : ""), figureText(e), ""));
      }
      a.similar.forEach(function (s) {
        rows.push(line("similar", '<button type="button" class="area" data-i="' + s + '">' + escapeHtml(l.areas[s].name) + "</button>",
          figureText(figure(s)), compared(s)));
      });
      parts.push('<table class="compare"><caption>Beside England and the ' + a.similar.length + " " +
        escapeHtml(lowerFirst(l.label)) + " closest in deprivation (IoD2025 average score)" +
        (v.compared && m.kind !== "change" ? "; each against England's rate: higher or lower only where the 95% interval of the difference, from the simulation, excludes zero, otherwise similar" : "") +
        "</caption>" +
        '<thead><tr><th scope="col">Area</th><th scope="col">' + escapeHtml(m.unit.charAt(0).toUpperCase() + m.unit.slice(1)) +
        (m.bounds ? " (" + escapeHtml(m.bounds) + ")" : "") + "</th>" +
        (v.compared ? '<th scope="col">' + (m.kind === "change" ? "Change is" : "Against England") + "</th>" : "") +
        "</tr></thead><tbody>" + rows.join("") + "</tbody></table>");
      parts.push(trend.html(i));
      if (l.annex) {
        parts.push('<p><a class="annex" href="../annex/' + encodeURIComponent(a.code) + '.html">Open the JSNA annex for ' +
          escapeHtml(a.name) + "</a></p>");
      }
      body.innerHTML = parts.join("");
    }
  };

  $("detail-body").addEventListener("click", function (e) {
    var button = e.target.closest("button[data-i]");
    if (button) { select(+button.getAttribute("data-i")); }
  });

  // ---- the chosen area's caseload over time ----
  var trend = {
    // "value|lower|upper" text as {date, value, lower, upper}.
    points: function (dates, cells) {
      return cells.map(function (cell, k) {
        var parts = cell.split("|");
        return { date: dates[k], value: parts[0], lower: parts[1], upper: parts[2] };
      });
    },

    // The area's series: the modelled one, then any counted in the area.
    html: function (i) {
      var l = level(), out = ['<h3 id="trend-heading">People on probation over time</h3>'];
      var modelled = l.trends.modelled[i];
      if (modelled) {
        out.push('<p class="note basis">Modelled: the national series spread by this area\u2019s fixed share. ' +
          "England\u2019s totals at each date times the area\u2019s share now, so it shows only the national trend, never a local one; " +
          "its interval is the run\u2019s 95% interval scaled the same way. The need for each condition moves the same way.</p>");
        out.push(this.series(this.points(DATA.trend_dates, modelled.split(";")), "modelled", "Modelled caseload"));
      }
      l.trends.observed.filter(function (o) { return o.area === i; }).forEach(function (o) {
        out.push('<p class="note basis">Observed: counted in this area (' + escapeHtml(o.definition.replace(/_/g, " ")) + "); " +
          escapeHtml(o.interval) + " intervals. Recent trend (the last five points, Fingertips\u2019 chi-squared test for trend at 99.8%): <strong>" +
          escapeHtml(o.recent_trend) + "</strong>.</p>");
        var points = o.points.map(function (p) {
          var parts = p.split("|");
          return { date: parts[0], value: parts[1], lower: parts[2], upper: parts[3] };
        });
        out.push(trend.series(points, "observed", "Observed caseload"));
      });
      return out.length > 1 ? out.join("") : "";
    },

    // A small chart in the Fingertips style (a dot per period with its
    // interval, periods evenly spaced) and its figures as a table.
    series: function (points, kind, title) {
      var width = 320, height = 150, pad = { left: 52, right: 8, top: 8, bottom: 22 };
      var drawn = points.filter(function (p) { return number(p.value) !== null; });
      var top = Math.max.apply(null, drawn.map(function (p) { return number(p.upper) || number(p.value); }).concat([1]));
      var ticks = niceTicks(0, top, 3), max = ticks[ticks.length - 1];
      var step = (width - pad.left - pad.right) / Math.max(1, points.length);
      function x(k) { return pad.left + step * (k + 0.5); }
      function y(v) { return pad.top + (height - pad.top - pad.bottom) * (1 - v / max); }
      var svg = ['<svg class="trend ' + kind + '" viewBox="0 0 ' + width + " " + height + '" role="img" aria-label="' +
        escapeHtml(title + " at " + points.length + " dates, " + points[0].date + " to " + points[points.length - 1].date +
          ": dots are estimates, lines their 95% intervals; the table below gives every figure.") + '">'];
      ticks.forEach(function (t) {
        svg.push('<line class="grid" x1="' + pad.left + '" x2="' + (width - pad.right) + '" y1="' + y(t) + '" y2="' + y(t) + '"/>' +
          '<text class="tick" x="' + (pad.left - 4) + '" y="' + (y(t) + 4) + '">' + t.toLocaleString("en-GB") + "</text>");
      });
      points.forEach(function (p, k) {
        var v = number(p.value);
        if (v === null) { return; }
        var low = number(p.lower), high = number(p.upper);
        svg.push((high === null ? "" : '<line class="interval" x1="' + x(k) + '" x2="' + x(k) + '" y1="' + y(low === null ? 0 : low) + '" y2="' + y(high) + '"/>') +
          '<circle class="dot" cx="' + x(k) + '" cy="' + y(v) + '" r="3"/>');
      });
      svg.push('<text x="' + pad.left + '" y="' + (height - 6) + '">' + escapeHtml(points[0].date.slice(0, 4)) + "</text>" +
        '<text class="end" x="' + (width - pad.right) + '" y="' + (height - 6) + '">' + escapeHtml(points[points.length - 1].date.slice(0, 4)) + "</text></svg>");
      var rows = points.map(function (p) {
        return "<tr><th scope=\"row\">" + escapeHtml(p.date) + '</th><td class="num">' + escapeHtml(p.value) + '</td><td class="num">' +
          escapeHtml(p.lower ? p.lower + " to " + p.upper : "") + "</td></tr>";
      });
      return svg.join("") + '<details class="' + kind + '"><summary>' + escapeHtml(title) + ": the figures</summary>" +
        '<table class="trend-table"><thead><tr><th scope="col">Date</th><th scope="col">People</th><th scope="col">95% interval</th></tr></thead><tbody>' +
        rows.join("") + "</tbody></table></details>";
    }
  };

  // ---- the funnel plot of local prevalence, where the run has one ----
  var funnel = {
    svg: $("funnel"),
    any: DATA.levels.some(function (l) { return Object.keys(l.funnels).length > 0; }),

    show: function () {
      $("funnel-section").hidden = !this.any;
      if (!this.any) { return; }
      var l = level(), f = l.funnels[state.condition], c = condition();
      $("funnel-heading").textContent = "Local prevalence of " + lowerFirst(c.label) + ": funnel plot";
      $("funnel-wrap").hidden = !f;
      $("funnel-figures").hidden = !f;
      if (!f) {
        var have = DATA.conditions.filter(function (x) { return l.funnels[x.id]; }).map(function (x) { return lowerFirst(x.label); });
        $("funnel-note").textContent = "No funnel plot for " + lowerFirst(c.label) + " among " + lowerFirst(l.label) +
          ": one needs local prevalence for three or more areas. " +
          (have.length ? "There is one for " + have.join(", ") + "." : "There is none at this level.");
        return;
      }
      this.draw(f);
      $("funnel-note").textContent = "Each area's observed proportion (locally supplied, not modelled) against its sample size. " +
        "Solid dark line: the areas' pooled proportion, " + f.baseline_text + "; dashed: PHE's 95% control limits; solid: 99.8% (Wilson)" +
        (f.widened ? "; dotted: " + f.overdispersion : "") + ". Point at a dot, or Tab to it, for the area's figures." +
        (f.not_shown ? " " + f.not_shown : "");
      $("funnel-figures").innerHTML = "<summary>The figures</summary><table><thead><tr><th scope=\"col\">Area</th>" +
        '<th scope="col">Proportion</th><th scope="col">Numerator</th><th scope="col">n</th><th scope="col">Against the limits</th>' +
        (f.widened ? '<th scope="col">Against the widened limits</th>' : "") + "</tr></thead><tbody>" +
        f.points.map(function (p) {
          return '<tr><th scope="row">' + escapeHtml(p.name) + '</th><td class="num">' + escapeHtml(p.rate) + '</td><td class="num">' +
            p.numerator.toLocaleString("en-GB") + '</td><td class="num">' + p.n.toLocaleString("en-GB") + "</td><td>" +
            escapeHtml(p.significance) + "</td>" + (f.widened ? "<td>" + escapeHtml(p.significance_overdispersed || "") + "</td>" : "") + "</tr>";
        }).join("") + "</tbody></table>";
    },

    // Linear axes from zero: sample size across, proportion up.
    draw: function (f) {
      var width = 640, height = 320, pad = { left: 52, right: 12, top: 10, bottom: 40 };
      var xMax = f.n[f.n.length - 1];
      var yTop = Math.max.apply(null, f.points.map(function (p) { return p.proportion; })
        .concat([f.limits[0][3]], f.widened ? [f.widened[0][3]] : []));
      var yTicks = niceTicks(0, 100 * Math.min(1, yTop), 5), yMax = yTicks[yTicks.length - 1];
      var xTicks = niceTicks(0, xMax, 5), xEnd = xTicks[xTicks.length - 1];
      function x(n) { return pad.left + (width - pad.left - pad.right) * n / xEnd; }
      function y(p) { return pad.top + (height - pad.top - pad.bottom) * (1 - 100 * p / yMax); }
      var out = [];
      yTicks.forEach(function (t) {
        out.push('<line class="grid" x1="' + pad.left + '" x2="' + (width - pad.right) + '" y1="' + y(t / 100) + '" y2="' + y(t / 100) + '"/>' +
          '<text class="tick" x="' + (pad.left - 4) + '" y="' + (y(t / 100) + 4) + '">' + t + "%</text>");
      });
      xTicks.forEach(function (t) {
        out.push('<text class="xtick" x="' + x(t) + '" y="' + (height - pad.bottom + 16) + '">' + t.toLocaleString("en-GB") + "</text>");
      });
      out.push('<text class="axis" x="' + pad.left + '" y="' + (height - 4) + '">Sample size (people assessed)</text>');
      function line(rows, column, cls) {
        var d = f.n.map(function (n, k) {
          var v = Math.min(rows[k][column], yMax / 100);
          return (k ? "L" : "M") + x(n).toFixed(1) + " " + y(v).toFixed(1);
        }).join("");
        out.push('<path class="' + cls + '" d="' + d + '"/>');
      }
      [[0, "limit95"], [1, "limit95"], [2, "limit998"], [3, "limit998"]].forEach(function (c) {
        line(f.limits, c[0], c[1]);
        if (f.widened) { line(f.widened, c[0], "widened"); }
      });
      out.push('<path class="baseline" d="M' + x(0) + " " + y(f.baseline) + "H" + x(xEnd) + '"/>');
      f.points.forEach(function (p, k) {
        out.push('<circle class="point" data-k="' + k + '" tabindex="0" role="img" aria-label="' + escapeHtml(funnel.words(p).join(", ")) +
          '" cx="' + x(p.n) + '" cy="' + y(p.proportion) + '" r="5"/>');
      });
      this.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      this.svg.innerHTML = out.join("");
      this.points = f.points;
    },

    // An area's point in words: name, proportion, numerator of n, significance.
    words: function (p) {
      return [p.name, p.rate + " (" + p.numerator.toLocaleString("en-GB") + " of " + p.n.toLocaleString("en-GB") + ")",
        "n = " + p.n.toLocaleString("en-GB"), p.significance + (p.significance_overdispersed ? "; against the widened limits: " + p.significance_overdispersed : "")];
    }
  };

  function funnelPoint(e) {
    var dot = e.target.closest ? e.target.closest("circle[data-k]") : null;
    return dot ? funnel.points[+dot.getAttribute("data-k")] : null;
  }
  ["mousemove", "focusin"].forEach(function (type) {
    funnel.svg.addEventListener(type, function (e) {
      var p = funnelPoint(e);
      if (!p) { return; }
      var box = e.target.getBoundingClientRect();
      showTip(funnel.words(p), type === "focusin" ? box.left + box.width / 2 : e.clientX, type === "focusin" ? box.top : e.clientY);
    });
  });
  ["mouseleave", "focusout"].forEach(function (type) { funnel.svg.addEventListener(type, hideTooltip); });
  funnel.svg.addEventListener("click", function (e) {
    var p = funnelPoint(e);
    if (p && p.area !== null) { select(p.area); }
  });
  funnel.svg.addEventListener("keydown", function (e) {
    var p = funnelPoint(e);
    if (p && p.area !== null && (e.key === "Enter" || e.key === " ")) { select(p.area); e.preventDefault(); }
  });

  var panels = [map, chart, table, detail, funnel];

  // ---- the controls ----
  function options(select, items, chosen) {
    select.innerHTML = items.map(function (item) {
      return '<option value="' + escapeHtml(item.id) + '"' + (item.disabled ? " disabled" : "") +
        (item.id === chosen ? " selected" : "") + ">" + escapeHtml(item.label) + "</option>";
    }).join("");
  }

  function showControls() {
    $("scenario-control").hidden = DATA.scenarios.length === 0;
    options($("scenario"), [{ id: "", label: "Baseline (no scenario)" }].concat(DATA.scenarios.map(function (x) {
      return { id: x.id, label: x.id };
    })), state.scenario);
    options($("level"), DATA.levels.map(function (l) {
      return { id: l.id, label: l.label + " (" + l.vintage + ")" };
    }), state.level);
    options($("condition"), DATA.conditions, state.condition);
    options($("measure"), DATA.measures.filter(offered).map(function (m) {
      var has = hasView(m.id);
      return { id: m.id, label: m.label + (has ? "" : " (not assessed for this condition)"), disabled: !has };
    }), state.measure);
  }

  // The measures of the baseline or a scenario: a scenario's counts and
  // their changes from the baseline, as scenarios.csv gives them.
  function offered(m) { return state.scenario ? m.scenario : m.kind !== "change"; }

  // The measure asked for, or the first the condition has.
  function settle() {
    var wanted = state.fallback || state.measure;
    if (hasView(wanted)) {
      state.measure = wanted;
      state.fallback = null;
    } else {
      state.fallback = wanted;
      state.measure = DATA.measures.filter(function (m) { return hasView(m.id); })[0].id;
    }
  }

  function showNote() {
    var m = measure(), v = view();
    var note = m.interval + " Map colours: " + v.classes.source + ".";
    if (state.scenario) {
      note = "Scenario " + state.scenario + ": " + scenario().description + ". Simulated with the baseline's draws; " +
        "its counts are shown with their changes from the baseline, as scenarios.csv gives them (no rates, ranks or comparisons with England). " + note;
    }
    if (state.fallback) {
      var asked = DATA.measures.filter(function (x) { return x.id === state.fallback; })[0];
      note = asked.label + " is not assessed for " + lowerFirst(condition().label) + ": showing " +
        lowerFirst(m.label) + ". " + note;
    }
    $("measure-note").textContent = note;
  }

  function showAll() {
    settle();
    showControls();
    showNote();
    panels.forEach(function (p) { p.show(); });
    writeHash();
  }

  $("controls").addEventListener("change", function (e) {
    if (e.target.id === "scenario") {
      state.scenario = e.target.value;
      // A measure the choice does not offer: the opening measure, or the
      // scenario's first.
      if (!offered(measure())) { state.measure = state.scenario ? DATA.measures.filter(offered)[0].id : DATA.start.measure; }
      var asked = DATA.measures.filter(function (m) { return m.id === state.fallback; })[0];
      if (asked && !offered(asked)) { state.fallback = null; }
    }
    if (e.target.id === "level" && e.target.value !== state.level) {
      state.level = e.target.value;
      state.selected = null;
      state.hover = null;
      state.active = null;
    }
    if (e.target.id === "condition") { state.condition = e.target.value; state.fallback = null; }
    if (e.target.id === "measure") { state.measure = e.target.value; state.fallback = null; }
    showAll();
  });
  $("controls").addEventListener("submit", function (e) { e.preventDefault(); });

  // ---- the address keeps what is shown, for bookmarks and links ----
  function writeHash() {
    var l = level();
    var hash = "#" + (state.scenario ? "scenario=" + encodeURIComponent(state.scenario) + "&" : "") + "level=" + state.level + "&condition=" + state.condition + "&measure=" + (state.fallback || state.measure) +
      (state.selected !== null ? "&area=" + l.areas[state.selected].code : "");
    if (location.hash !== hash) { history.replaceState(null, "", hash); }
  }

  function readHash() {
    var wanted = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      if (kv.length === 2) { wanted[kv[0]] = decodeURIComponent(kv[1]); }
    });
    if (DATA.scenarios.some(function (x) { return x.id === wanted.scenario; })) { state.scenario = wanted.scenario; }
    if (DATA.levels.some(function (l) { return l.id === wanted.level; })) { state.level = wanted.level; }
    if (DATA.conditions.some(function (c) { return c.id === wanted.condition; })) { state.condition = wanted.condition; }
    if (DATA.measures.some(function (m) { return m.id === wanted.measure && offered(m); })) { state.measure = wanted.measure; }
    var codes = level().areas.map(function (a) { return a.code; });
    if (codes.indexOf(wanted.area) >= 0) { state.selected = codes.indexOf(wanted.area); }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) { cancelAnimationFrame(resizing); }
    resizing = requestAnimationFrame(function () { chart.show(); });
  });

  $("about").textContent = DATA.about;
  $("rule").textContent = DATA.rule;
  $("tool").textContent = "Made with " + DATA.tool + ". The figures are those of gap.csv, as the annexes publish them.";
  $("methods").innerHTML = DATA.levels.some(function (l) { return l.annex; }) ?
    'Methods, sources, evidence grades and caveats: <a href="../annex/index.html">the England overview and annexes</a>.' :
    "Methods, sources and caveats: manifest.json beside this folder.";
  readHash();
  showAll();
})();
