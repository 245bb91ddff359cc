() => {
  // What the focused element is and whether its focus is visible (null while focus moves).
  const el = document.activeElement;
  if (!el || el === document.body || !el.matches(":focus")) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return { tag: el.tagName.toLowerCase(), text: (el.textContent || el.name || "").trim().slice(0, 30), shown: outline || ring };
}
