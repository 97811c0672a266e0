/* Ferry chat page. ES5 only: it has to run in IE11-class browsers. */
(function () {
  'use strict';

  var MAX_LOG_LINES = 500;
  var NAME_KEY = 'ferry-chat-name';

  var params = parseQuery(window.location.search);
  var origin = window.location.origin || (window.location.protocol + '//' + window.location.host);

  var els = {
    status: byId('status'),
    transport: byId('transport'),
    log: byId('log'),
    users: byId('users'),
    count: byId('count'),
    nameForm: byId('name-form'),
    name: byId('name'),
    composer: byId('composer'),
    input: byId('input'),
    send: byId('send')
  };

  var socket = null;
  var hadSession = false;
  var myName = null;
  // The newest said line shown, so that history sent again (new session) adds only what is new.
  var newest = { at: -Infinity, keys: {} };
  var wantedName = params.name || readStoredName() || 'guest-' + (1000 + Math.floor(Math.random() * 9000));
  els.name.value = wantedName;

  var MODERN_CLIENT = '/ferry/ferry.js';
  var LEGACY_CLIENT = '/ferry/ferry.legacy.js';
  var clientScript = useLegacyClient() ? LEGACY_CLIENT : MODERN_CLIENT;
  loadClient();

  function loadClient() {
    loadScript(clientScript, start, function () {
      setStatus('closed');
      notice('Could not load ' + clientScript + '. Is the Ferry server running?', 'error');
    });
  }

  // ?legacy=1 or ?legacy=0 decides; otherwise browsers that cannot parse the modern build
  // (ES2017, e.g. IE11) get the ES5 one.
  function useLegacyClient() {
    if (params.legacy !== undefined) return params.legacy !== '0';
    try {
      new Function('return async () => {}');
      return false;
    } catch (e) {
      return true;
    }
  }

  function start() {
    if (!window.Ferry || typeof window.Ferry.connect !== 'function') {
      if (clientScript === MODERN_CLIENT && params.legacy === undefined) {
        clientScript = LEGACY_CLIENT;
        loadClient();
        return;
      }
      setStatus('closed');
      notice(clientScript + ' loaded but did not define Ferry.connect', 'error');
      return;
    }

    var options = {};
    var transports = parseList(params.transports);
    if (transports.length) options.transports = transports;

    try {
      socket = window.Ferry.connect(origin + '/ferry', options);
    } catch (e) {
      // For example an unknown name in ?transports=.
      setStatus('closed');
      notice(describe(e), 'error');
      return;
    }
    window.chatSocket = socket; // handy from the devtools console

    // 'open' starts a session: the first one, or a new one after the old could not be resumed.
    socket.on('open', function () {
      if (hadSession) notice('Connected again', 'presence');
      hadSession = true;
      setStatus('open');
      setTransport(socket.transport);
      els.send.disabled = false;
      // A new session is a stranger to the server: join (again).
      socket.send({ type: 'join', name: wantedName });
    });
    socket.on('transport', function (name) {
      setTransport(name);
    });
    // A drop, then the same session resumed: nothing was lost, no need to join again.
    socket.on('reconnecting', function () {
      setStatus('reconnecting');
    });
    socket.on('reconnect', function () {
      setStatus('open');
    });
    socket.on('close', function (reason) {
      setStatus('closed');
      els.send.disabled = true;
      notice('Disconnected' + (reason ? ': ' + describe(reason) : ''), 'error');
      // After some ends (server restart, session expired) the client starts a new session itself.
      setTimeout(function () {
        if (socket.state === 'connecting') setStatus('connecting');
      }, 0);
    });
    socket.on('message', onMessage);

    // Leaving the page leaves the room now, rather than when the server gives up on the session.
    on(window, 'pagehide', function () {
      socket.close();
    });
    on(window, 'pageshow', function (event) {
      if (event.persisted) window.location.reload();
    });

    setTransport(socket.transport);
  }

  function onMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'welcome':
        myName = msg.name;
        wantedName = msg.name;
        els.name.value = msg.name;
        storeName(msg.name);
        if (isArray(msg.history)) showHistory(msg.history);
        break;
      case 'said':
        if (isLine(msg)) said(msg);
        break;
      case 'joined':
        notice(msg.name + ' joined', 'presence', msg.at);
        break;
      case 'left':
        notice(msg.name + ' left', 'presence', msg.at);
        break;
      case 'renamed':
        notice(msg.from + ' is now ' + msg.to, 'presence', msg.at);
        break;
      case 'presence':
        if (isArray(msg.users)) showUsers(msg.users);
        break;
      case 'error':
        notice(String(msg.message), 'error');
        break;
    }
  }

  // --- user actions ---

  on(els.composer, 'submit', function (event) {
    event.preventDefault();
    var text = trim(els.input.value);
    if (!text || !socket || els.send.disabled) return;
    try {
      socket.send({ type: 'say', text: text });
    } catch (e) {
      notice(describe(e), 'error');
      return;
    }
    els.input.value = '';
    els.input.focus();
  });

  on(els.nameForm, 'submit', function (event) {
    event.preventDefault();
    var name = trim(els.name.value);
    if (!name) return;
    wantedName = name;
    if (socket && els.send.disabled === false) socket.send({ type: 'join', name: name });
    els.input.focus();
  });

  // --- rendering (user text only ever goes through textContent) ---

  function setStatus(state) {
    els.status.textContent = state;
    els.status.className = 'badge badge--' + state;
  }

  function setTransport(name) {
    els.transport.textContent = name || '';
  }

  function showHistory(lines) {
    for (var i = 0; i < lines.length; i++) {
      if (isLine(lines[i]) && isNew(lines[i])) said(lines[i]);
    }
  }

  function isNew(msg) {
    return msg.at > newest.at || (msg.at === newest.at && !newest.keys[lineKey(msg)]);
  }

  function lineKey(msg) {
    return msg.name + '\n' + msg.text;
  }

  function said(msg) {
    if (msg.at > newest.at) newest = { at: msg.at, keys: {} };
    newest.keys[lineKey(msg)] = true;
    var line = el('li', 'line' + (msg.name === myName ? ' line--own' : ''));
    line.appendChild(el('span', 'line__time', formatTime(msg.at)));
    var who = el('span', 'line__name', msg.name);
    who.style.color = colorFor(msg.name);
    line.appendChild(who);
    line.appendChild(el('span', 'line__text', msg.text));
    appendToLog(line);
  }

  function notice(text, kind, at) {
    var line = el('li', 'line line--' + kind);
    line.appendChild(el('span', 'line__time', formatTime(at || new Date().getTime())));
    line.appendChild(el('span', 'line__text', text));
    appendToLog(line);
  }

  function appendToLog(line) {
    var log = els.log;
    var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.appendChild(line);
    while (log.childNodes.length > MAX_LOG_LINES) log.removeChild(log.firstChild);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function showUsers(users) {
    clear(els.users);
    for (var i = 0; i < users.length; i++) {
      var user = users[i];
      if (!user || typeof user.name !== 'string') continue;
      var item = el('li', 'user');
      var who = el('span', 'user__name', user.name);
      who.style.color = colorFor(user.name);
      item.appendChild(who);
      if (user.name === myName) item.appendChild(el('span', 'user__you', 'you'));
      item.appendChild(el('span', 'user__transport', user.transport || '?'));
      els.users.appendChild(item);
    }
    els.count.textContent = String(users.length);
  }

  // --- helpers ---

  function loadScript(src, onload, onerror) {
    var script = document.createElement('script');
    var done = false;
    script.src = src;
    script.onload = function () {
      if (done) return;
      done = true;
      onload();
    };
    script.onerror = function () {
      if (done) return;
      done = true;
      onerror();
    };
    document.getElementsByTagName('head')[0].appendChild(script);
  }

  function parseQuery(search) {
    var result = {};
    var pairs = search.replace(/^\?/, '').split('&');
    for (var i = 0; i < pairs.length; i++) {
      if (!pairs[i]) continue;
      var at = pairs[i].indexOf('=');
      var key = at < 0 ? pairs[i] : pairs[i].slice(0, at);
      var value = at < 0 ? '' : pairs[i].slice(at + 1);
      try {
        result[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch (e) {
        // Malformed escapes: ignore that parameter.
      }
    }
    return result;
  }

  function parseList(value) {
    var out = [];
    if (!value) return out;
    var parts = value.split(',');
    for (var i = 0; i < parts.length; i++) {
      var part = trim(parts[i]);
      if (part) out.push(part);
    }
    return out;
  }

  function formatTime(at) {
    var date = new Date(typeof at === 'number' ? at : new Date().getTime());
    return pad(date.getHours()) + ':' + pad(date.getMinutes());
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function colorFor(name) {
    var hash = 0;
    for (var i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 360;
    return 'hsl(' + hash + ', 55%, 38%)';
  }

  function describe(reason) {
    if (typeof reason === 'string') return reason;
    if (reason && reason.message) return String(reason.message);
    if (reason && reason.reason) return String(reason.reason);
    return String(reason);
  }

  function readStoredName() {
    try {
      return window.localStorage.getItem(NAME_KEY);
    } catch (e) {
      return null;
    }
  }

  function storeName(name) {
    try {
      window.localStorage.setItem(NAME_KEY, name);
    } catch (e) {
      // Storage can be disabled; the name just is not remembered.
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function on(node, type, handler) {
    node.addEventListener(type, handler, false);
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function isLine(msg) {
    return msg && typeof msg.name === 'string' && typeof msg.text === 'string' && typeof msg.at === 'number';
  }

  function isArray(value) {
    return Object.prototype.toString.call(value) === '[object Array]';
  }

  function trim(text) {
    return String(text).replace(/^\s+|\s+$/g, '');
  }
})();
