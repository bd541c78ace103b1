/**
 * The only script of the console, served inline with the response's CSP nonce: it listens to the cycle's event
 * stream and updates a unit's cell (status, level, deadline) as it changes, flashing the row and saying what
 * changed in a banner. It writes text only (textContent), never HTML, so nothing from the stream can run.
 */
export const LIVE_SCRIPT = `(function () {
  var table = document.getElementById('unit-table');
  var banner = document.getElementById('live-banner');
  var state = document.getElementById('live-state');
  if (!table || !banner || typeof EventSource === 'undefined') return;
  function say(text) { if (state) state.textContent = text; }
  var source = new EventSource(table.getAttribute('data-stream'));
  var updates = 0;
  source.addEventListener('ready', function () { say('Cập nhật trực tiếp: đang theo dõi.'); });
  source.addEventListener('signed-out', function () { source.close(); say('Phiên đăng nhập đã hết: tải lại trang để đăng nhập.'); });
  source.onerror = function () { say('Cập nhật trực tiếp: mất kết nối, đang thử lại…'); };
  function findCell(unit, phase) {
    var cells = table.querySelectorAll('td.cell');
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].getAttribute('data-unit') === unit && cells[i].getAttribute('data-phase') === phase) return cells[i];
    }
    return null;
  }
  source.addEventListener('obligation', function (ev) {
    var d;
    try { d = JSON.parse(ev.data); } catch (e) { return; }
    var cell = findCell(d.unit, d.phase);
    if (cell) {
      var chip = cell.querySelector('.chip');
      if (chip) { chip.className = 'chip ' + d.css; chip.textContent = d.label; }
      var lvl = cell.querySelector('.lvl');
      if (lvl) lvl.textContent = d.level > 0 ? 'M' + d.level : '';
      var due = cell.querySelector('small');
      if (due) due.textContent = d.deadline ? 'hạn ' + d.deadline : '';
      cell.setAttribute('data-status', d.status);
      var row = cell.parentNode;
      row.classList.remove('flash');
      void row.offsetWidth;
      row.classList.add('flash');
    }
    updates += 1;
    banner.textContent = '';
    var b = document.createElement('b');
    b.textContent = 'Có cập nhật' + (updates > 1 ? ' (' + updates + ')' : '') + ': ';
    banner.appendChild(b);
    banner.appendChild(document.createTextNode(d.unitName + ' — ' + d.phaseShort + ': ' + d.what + ' (' + d.label + '). '));
    var a = document.createElement('a');
    a.href = window.location.href;
    a.textContent = cell ? 'Tải lại để cập nhật số liệu tổng hợp' : 'Tải lại trang';
    banner.appendChild(a);
    banner.hidden = false;
  });
})();`;
