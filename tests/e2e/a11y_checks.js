() => {
  // Static accessibility checks, evaluated in the page by a11y.py (returns a list of problems).
  const problems = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "");
  const nameOf = (el) => {
    if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || "").join(" ");
    if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => l.textContent).join(" ");
    return "";
  };

  if (!document.documentElement.lang) problems.push("the page has no lang");
  if (!document.title.trim()) problems.push("the page has no title");
  if (document.querySelectorAll("h1").length !== 1) problems.push("the page needs exactly one h1");

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    if (!nameOf(el).trim()) problems.push("no label: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!visible(el)) continue;
    if (!(el.textContent.trim() || el.getAttribute("aria-label"))) problems.push("no name: " + describe(el));
  }
  for (const el of document.querySelectorAll("img")) {
    if (!el.hasAttribute("alt")) problems.push("no alt: " + describe(el));
  }
  for (const el of document.querySelectorAll("svg")) {
    if (el.closest("[aria-hidden=true]")) continue;
    if (el.parentElement && el.parentElement.closest("svg")) continue;
    const title = el.querySelector(":scope > title");
    if (!(el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (title && title.textContent.trim())))
      problems.push("svg without a text alternative");
  }

  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(",").map((x) => parseFloat(x));
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    let colour = { r: 255, g: 255, b: 255 };
    for (const layer of layers.reverse()) {
      colour = { r: layer.r * layer.a + colour.r * (1 - layer.a), g: layer.g * layer.a + colour.g * (1 - layer.a), b: layer.b * layer.a + colour.b * (1 - layer.a) };
    }
    return colour;
  };
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || !visible(el)) continue;
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) {
      const key = describe(el) + style.color + style.backgroundColor;
      if (!seen.has(key)) { seen.add(key); problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${describe(el)} "${el.textContent.trim().slice(0, 30)}"`); }
    }
  }
  return problems;
}
