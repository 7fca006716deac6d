// Coding by selecting text: when the reader selects words within one paragraph of a source,
// the "Code a passage" form is filled with that paragraph and those exact words, and the
// keyboard focus moves to the code list. Without scripts the form works as before.
(function () {
  var paragraph = document.getElementById('paragraph');
  var quote = document.getElementById('quote');
  if (!paragraph || !quote) { return; }
  function paragraphOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest('.pl-paragraph > p') : null;
  }
  function take() {
    var chosen = window.getSelection();
    if (!chosen || chosen.isCollapsed) { return; }
    var text = paragraphOf(chosen.anchorNode);
    if (!text || paragraphOf(chosen.focusNode) !== text) { return; }
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
