/* Ferry chat page. ES5 only: it has to run in IE11-class browsers. */
(function () {
  'use strict';

  // Helpers from chat-util.js.
  var u = window.ChatUtil;
  var loadScript = u.loadScript;
  var parseQuery = u.parseQuery;
  var parseList = u.parseList;
  var formatTime = u.formatTime;
  var colorFor = u.colorFor;
  var describe = u.describe;
  var readStoredName = u.readStoredName;
  var storeName = u.storeName;
  var el = u.el;
  var clear = u.clear;
  var on = u.on;
  var byId = u.byId;
  var isArray = u.isArray;
  var trim = u.trim;

  var MAX_LOG_LINES = 500;
  // How long an acknowledged request waits for the server's answer before it counts as failed.
  var ACK_TIMEOUT_MS = 10000;
  // The server's list replaces this one when it answers `hello`.
  var channels = ['#general', '#random', '#help'];

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
    send: byId('send'),
    channels: byId('channels'),
    channel: byId('channel')
  };

  var socket = null;
  var hadSession = false;
  var myName = null;
  // Channels joined (true) or being joined/left ('busy'); a new session joins them again.
  var joined = { '#general': true };
  // The channel the composer sends to.
  var selected = '#general';
  // Ids of the stored lines shown, so that history sent again (new session) adds only what is new.
  var seen = {};
  var wantedName = params.name || readStoredName() || 'guest-' + (1000 + Math.floor(Math.random() * 9000));
  els.name.value = wantedName;
  showChannels();

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
      // A new session is a stranger to the server: name ourselves and join our channels (again).
      hello(wantedName);
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
    // The server sends only what the channels we are in say (Ferry rooms): no filtering here.
    socket.on('chat', function (line) {
      if (isLine(line)) said(line, false);
    });
    socket.on('joined', function (msg) {
      if (isChannelNotice(msg)) notice(msg.name + ' joined', 'presence', msg.at, msg.channel);
    });
    socket.on('left', function (msg) {
      if (isChannelNotice(msg)) notice(msg.name + ' left', 'presence', msg.at, msg.channel);
    });
    socket.on('renamed', function (msg) {
      if (msg && typeof msg.from === 'string' && typeof msg.to === 'string') notice(msg.from + ' is now ' + msg.to, 'presence', msg.at);
    });
    socket.on('presence', function (users) {
      if (isArray(users)) showUsers(users);
    });

    // Leaving the page leaves the room now, rather than when the server gives up on the session.
    on(window, 'pagehide', function () {
      socket.close();
    });
    on(window, 'pageshow', function (event) {
      if (event.persisted) window.location.reload();
    });

    setTransport(socket.transport);
  }

  // --- requests: named events the server answers (the callback form: no Promise needed) ---

  // Sends `event` with `payload`; `done(error, answer)` gets a string error when the ack failed
  // (timed out, session ended, handler failed) or the server refused the request ({ error }).
  function request(event, payload, done) {
    try {
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, function (err, answer) {
        if (err) return done(describe(err));
        if (!answer || typeof answer !== 'object') return done('no answer');
        if (answer.error) return done(String(answer.error));
        done(null, answer);
      });
    } catch (e) {
      done(describe(e)); // for example the buffer is full
    }
  }

  function hello(name) {
    request('hello', { name: name, channels: joinedList() }, function (error, answer) {
      if (error) return notice(error, 'error');
      myName = answer.name;
      wantedName = answer.name;
      els.name.value = answer.name;
      storeName(answer.name);
      if (isArray(answer.channels)) channels = answer.channels;
      joined = {};
      for (var i = 0; isArray(answer.joined) && i < answer.joined.length; i++) joined[answer.joined[i]] = true;
      showChannels();
      var lines = [];
      for (var channel in answer.history) {
        if (joined[channel] === true && isArray(answer.history[channel])) lines = lines.concat(answer.history[channel]);
      }
      showHistory(lines);
    });
  }

  function toggle(channel) {
    var leaving = joined[channel] === true;
    if (joined[channel] === 'busy' || !socket) return;
    joined[channel] = 'busy';
    showChannels();
    request(leaving ? 'leave' : 'join', { channel: channel }, function (error, answer) {
      joined[channel] = error ? leaving : !leaving;
      showChannels();
      if (error) return notice(error, 'error', 0, channel);
      notice(leaving ? 'You left' : 'You joined', 'presence', 0, channel);
      if (!leaving && isArray(answer.history)) showHistory(answer.history);
    });
  }

  function joinedList() {
    var list = [];
    for (var i = 0; i < channels.length; i++) if (joined[channels[i]] === true) list.push(channels[i]);
    return list;
  }

  // --- user actions ---

  on(els.composer, 'submit', function (event) {
    event.preventDefault();
    var text = trim(els.input.value);
    if (!text || !socket || els.send.disabled) return;
    var channel = els.channel.value;
    if (joined[channel] !== true) return;
    var line = said({ channel: channel, name: myName || wantedName, text: text, at: new Date().getTime() }, true);
    request('say', { channel: channel, text: text }, function (error, answer) {
      if (error) return markFailed(line, error);
      seen[answer.id] = true;
      markStored(line, answer.id);
    });
    els.input.value = '';
    els.input.focus();
  });

  on(els.nameForm, 'submit', function (event) {
    event.preventDefault();
    var name = trim(els.name.value);
    if (!name) return;
    wantedName = name;
    if (socket && els.send.disabled === false) hello(name);
    els.input.focus();
  });

  on(els.channels, 'click', function (event) {
    var target = event.target || event.srcElement;
    var channel = target && target.getAttribute ? target.getAttribute('data-channel') : null;
    if (channel) toggle(channel);
  });

  on(els.channel, 'change', function () {
    selected = els.channel.value;
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
    lines.sort(function (a, b) {
      return (a && a.id) - (b && b.id);
    });
    for (var i = 0; i < lines.length; i++) {
      if (isLine(lines[i])) said(lines[i], false);
    }
  }

  // Shows a line; `pending` (our own, not yet answered) shows "sending…" until markStored/markFailed.
  function said(msg, pending) {
    if (!pending) {
      if (seen[msg.id]) return null;
      seen[msg.id] = true;
    }
    var own = pending || msg.name === myName;
    var line = el('li', 'line' + (own ? ' line--own' : '') + (pending ? ' line--pending' : ''));
    line.appendChild(el('span', 'line__time', formatTime(msg.at)));
    line.appendChild(el('span', 'line__channel', msg.channel));
    var who = el('span', 'line__name', msg.name);
    who.style.color = colorFor(msg.name);
    line.appendChild(who);
    line.appendChild(el('span', 'line__text', msg.text));
    if (pending) line.appendChild(el('span', 'line__state', 'sending\u2026'));
    else line.setAttribute('data-id', String(msg.id));
    appendToLog(line);
    return line;
  }

  function markStored(line, id) {
    line.className = line.className.replace(' line--pending', ' line--stored');
    line.setAttribute('data-id', String(id));
    var state = line.lastChild;
    state.textContent = '\u2713 ' + id;
    state.title = 'stored by the server as message ' + id;
  }

  function markFailed(line, reason) {
    line.className = line.className.replace(' line--pending', ' line--failed');
    var state = line.lastChild;
    state.textContent = '\u2717 not stored';
    state.title = reason;
    notice('Not sent: ' + reason, 'error');
  }

  function showChannels() {
    clear(els.channels);
    clear(els.channel);
    for (var i = 0; i < channels.length; i++) {
      var channel = channels[i];
      if (typeof channel !== 'string') continue;
      var state = joined[channel];
      var item = el('li', 'channel' + (state === true ? ' channel--joined' : ''));
      item.appendChild(el('span', 'channel__name', channel));
      var button = el('button', 'button button--quiet channel__toggle', state === 'busy' ? '\u2026' : state === true ? 'Leave' : 'Join');
      button.type = 'button';
      button.disabled = state === 'busy';
      button.setAttribute('data-channel', channel);
      item.appendChild(button);
      els.channels.appendChild(item);
      if (state === true) {
        var option = el('option', '', channel);
        option.value = channel;
        els.channel.appendChild(option);
      }
    }
    if (selected && joined[selected] === true) els.channel.value = selected;
    selected = els.channel.value;
  }

  function notice(text, kind, at, channel) {
    var line = el('li', 'line line--' + kind);
    line.appendChild(el('span', 'line__time', formatTime(at || new Date().getTime())));
    if (channel) line.appendChild(el('span', 'line__channel', channel));
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

  // --- checks on what the server sends ---

  function isLine(msg) {
    return !!msg && typeof msg.id === 'number' && typeof msg.channel === 'string' && typeof msg.name === 'string' &&
      typeof msg.text === 'string' && typeof msg.at === 'number';
  }

  function isChannelNotice(msg) {
    return !!msg && typeof msg.channel === 'string' && typeof msg.name === 'string';
  }
})();
