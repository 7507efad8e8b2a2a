// Checkbox pickers (core/widgets.py CheckboxPicker, e.g. the export countries of a yearly
// declaration): shows the filter box, hides the choices that do not match what is typed
// (ignoring case and accents, also matching the value, e.g. a country code) and keeps the
// summary of the chosen ones up to date. Without this script the checkboxes work as they are.
(() => {
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? String(values[key]) : whole));

  for (const picker of document.querySelectorAll("[data-checkbox-picker]")) {
    const search = picker.querySelector("[data-picker-search]");
    const filter = picker.querySelector("[data-picker-filter]");
    const shown = picker.querySelector("[data-picker-shown]");
    const summary = picker.querySelector("[data-picker-summary]");
    const options = [...picker.querySelectorAll("[data-picker-options] > .form-check")].map((element) => {
      const input = element.querySelector("input");
      const label = element.querySelector("label").textContent.trim();
      return { element, input, label, key: fold(`${label} ${input.value}`) };
    });

    const applyFilter = () => {
      const query = fold(filter.value);
      let count = 0;
      for (const option of options) {
        const match = !query || option.key.includes(query);
        option.element.hidden = !match;
        count += match ? 1 : 0;
      }
      shown.textContent = query ? fill(shown.dataset.template, { count, total: options.length }) : "";
    };

    const summarise = () => {
      const chosen = options.filter((option) => option.input.checked).map((option) => option.label);
      summary.textContent = chosen.length
        ? fill(summary.dataset.chosen, { count: chosen.length, names: chosen.join(summary.dataset.separator || ", ") })
        : summary.dataset.none;
    };

    search.hidden = false;
    filter.addEventListener("input", applyFilter);
    // Enter in the filter must not submit the form the picker is in.
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    picker.addEventListener("change", (event) => {
      if (event.target.type === "checkbox") {
        summarise();
      }
    });
    if (filter.value) {
      applyFilter(); // the browser kept what was typed (back/forward)
    }
  }
})();
