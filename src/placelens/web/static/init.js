// Marks the page as having JavaScript before it is drawn (GOV.UK Frontend styles depend on it);
// a file of its own because the Content-Security-Policy allows no inline script.
document.body.className += ' js-enabled' +
  ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
