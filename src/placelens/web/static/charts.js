// Draws each chart from its Vega-Lite spec, which sits in a JSON script element (data, not
// code). Vega runs with its expression interpreter (ast: true), so the Content-Security-Policy
// needs no 'unsafe-eval'. Until the chart is drawn (or if it cannot be) a sentence names it,
// and the data table beside every chart is always there.
(function () {
  if (typeof vegaEmbed !== 'function') { return; }
  document.querySelectorAll('[data-chart]').forEach(function (figure) {
    var specElement = figure.querySelector('script[type="application/json"]');
    var note = figure.querySelector('.pl-chart__static');
    if (!specElement) { return; }
    var spec = JSON.parse(specElement.textContent);
    spec.config = spec.config || {};
    spec.config.mark = Object.assign({ tooltip: true }, spec.config.mark || {});
    spec.width = 'container';
    var target = document.createElement('div');
    target.className = 'pl-chart__interactive';
    target.setAttribute('role', 'img');
    target.setAttribute('aria-label', figure.getAttribute('data-title') || 'Chart');
    figure.appendChild(target);
    vegaEmbed(target, spec, { ast: true, actions: false, renderer: 'svg', defaultStyle: false,
                              tooltip: { disableDefaultStyle: true } })
      .then(function () {
        // The container is one labelled image; the marks inside are not read one by one
        // (the data table beside every chart is the accessible form of its numbers).
        var drawn = target.querySelector('svg');
        if (drawn) { drawn.setAttribute('aria-hidden', 'true'); }
        if (note) { note.hidden = true; }
      })
      .catch(function () { target.remove(); });
  });
}());
