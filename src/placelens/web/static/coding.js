// Coding by selecting text: when the reader selects words within one paragraph of a source,
// the "Code a passage" form is filled with that paragraph and those exact words, and the
// keyboard focus moves to the code list. Without scripts the form works as before.
(function () {
  var paragraph = document.getElementById('paragraph');
  var quote = document.getElementById('quote');
  if (!paragraph || !quote) { return; }
  function take() {
    var chosen = window.getSelection();
    if (!chosen || chosen.isCollapsed) { return; }
    var start = chosen.anchorNode && chosen.anchorNode.parentElement;
    var end = chosen.focusNode && chosen.focusNode.parentElement;
    var text = start && start.closest('.pl-paragraph > p');
    if (!text || !end || end.closest('.pl-paragraph > p') !== text) { return; }
    var words = chosen.toString().replace(/^\s*¶\s*\d+\s*/, '').trim();
    if (!words) { return; }
    paragraph.value = text.parentElement.id.replace('paragraph-', '');
    quote.value = words;
    document.getElementById('code').focus();
  }
  document.querySelectorAll('.pl-paragraph').forEach(function (unit) {
    unit.addEventListener('mouseup', take);
    unit.addEventListener('keyup', take);
  });
})();
