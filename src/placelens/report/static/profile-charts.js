// Draws an offline profile's charts from their Vega-Lite specs (written with --charts browser).
// The Vega scripts sit in the assets folder beside the profiles, so nothing is fetched from
// the network. Each chart is one labelled image; the table beside it gives its figures, and
// stays the way to read them where JavaScript does not run.
(function () {
  if (typeof vegaEmbed !== 'function') { return; }
  document.querySelectorAll('[data-chart]').forEach(function (figure) {
    var spec = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
    var target = figure.querySelector('.chart-target');
    vegaEmbed(target, spec, { actions: false, renderer: 'svg' }).then(function () {
      var drawn = target.querySelector('svg');
      if (drawn) { drawn.setAttribute('aria-hidden', 'true'); }
      var note = figure.querySelector('.chart-note');
      if (note) { note.hidden = true; }
    });
  });
}());
