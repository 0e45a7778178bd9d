(function () {
  var heads = document.querySelectorAll('main h2');
  if (heads.length < 3) return;
  var box = document.createElement('nav'); box.id = 'tpnb-toc';
  var list = document.createElement('ol');
  heads.forEach(function (h, i) {
    if (!h.id) h.id = 'section-' + (i + 1);
    var li = document.createElement('li'), a = document.createElement('a');
    a.href = '#' + h.id; a.textContent = h.textContent.replace('¶', ''); li.appendChild(a); list.appendChild(li);
  });
  box.appendChild(list);
  var first = document.querySelector('main h1');
  if (first && first.parentNode) first.parentNode.insertBefore(box, first.nextSibling);
})();
