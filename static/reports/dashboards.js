// Charts of the network and site dashboards (no inline script: the CSP forbids them).
// The data comes from <script type="application/json" id="dashboard-charts"> (json_script):
// {key: {type, title, percent, labels, series: [{label, values}]}}; each <canvas
// data-chart="key"> gets its chart. Every chart also has its data as a table in the page.
(() => {
  const source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const charts = JSON.parse(source.textContent);
  const root = document.documentElement;
  // Morocco writes Arabic with Western digits, as the page's own figures are (ar-MA).
  const locale = root.lang === "ar" ? "ar-MA" : root.lang || "fr";
  const rtl = root.dir === "rtl";
  // Colours with at least 3:1 contrast on white (WCAG non-text contrast).
  const palette = ["#0b5563", "#c2410c", "#6d28d9", "#15803d", "#b91c1c", "#1d4ed8"];
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const spec = charts[canvas.dataset.chart];
    if (!spec) {
      return;
    }
    const format = (value) => (spec.percent ? percents.format(value / 100) : numbers.format(value));
    const line = spec.type === "line";
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((series, index) => ({
          label: series.label,
          data: series.values,
          backgroundColor: palette[index % palette.length],
          borderColor: palette[index % palette.length],
          borderWidth: line ? 2 : 0,
          maxBarThickness: 64,
          pointRadius: line ? 2 : 0,
          tension: 0.2,
        })),
      },
      options: {
        locale,
        animation: false,
        responsive: true,
        // Wide charts (a full-width row of sites or regions) are flatter.
        aspectRatio: canvas.parentElement.clientWidth > 900 ? 3 : canvas.parentElement.clientWidth < 500 ? 1.2 : 2,
        scales: {
          x: { reverse: rtl },
          y: {
            beginAtZero: true,
            suggestedMax: spec.percent ? 100 : undefined,
            position: rtl ? "right" : "left",
            ticks: { callback: (value) => format(value), precision: spec.percent ? 1 : 0 },
          },
        },
        plugins: {
          legend: { position: "bottom", rtl, display: spec.series.length > 1 },
          tooltip: {
            rtl,
            callbacks: { label: (context) => `${context.dataset.label}: ${format(context.parsed.y)}` },
          },
        },
      },
    });
  });
})();
