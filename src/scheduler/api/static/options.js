// Enter on a time's radio button selects it; only the "Review this time" button submits.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && target instanceof HTMLInputElement && target.type === "radio") {
    event.preventDefault();
    target.checked = true;
  }
});
