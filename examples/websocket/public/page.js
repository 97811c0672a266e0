// A page written against the browser's WebSocket API (ES5, so it runs in IE11 too). Moving it to
// Ferry took one line, the constructor below: Ferry's WebSocket has the same interface, and under
// it Ferry falls back to HTTP where WebSocket is blocked or missing, and resumes after a drop
// without a `close`.
(function () {
  'use strict';
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ferry';
  var ws = new Ferry.WebSocket(url); // was: new WebSocket(url)

  var state = document.getElementById('state');
  var log = document.getElementById('log');
  var input = document.getElementById('input');

  ws.onopen = function () {
    state.textContent = 'open';
  };
  ws.onmessage = function (event) {
    var item = document.createElement('li');
    item.textContent = String(event.data);
    log.appendChild(item);
  };
  ws.onclose = function (event) {
    state.textContent = 'closed (' + event.code + (event.reason ? ', ' + event.reason : '') + ')';
  };
  document.getElementById('form').onsubmit = function (event) {
    event.preventDefault();
    var text = input.value.replace(/^\s+|\s+$/g, '');
    if (text === '' || ws.readyState !== 1) return;
    ws.send(text);
    input.value = '';
  };
})();
