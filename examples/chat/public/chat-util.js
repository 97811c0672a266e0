/* Ferry chat page: helpers with no state of the page (loaded before chat.js). ES5 only. */
var ChatUtil = (function () {
  'use strict';

  var NAME_KEY = 'ferry-chat-name';

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

  function isArray(value) {
    return Object.prototype.toString.call(value) === '[object Array]';
  }

  function trim(text) {
    return String(text).replace(/^\s+|\s+$/g, '');
  }

  return {
    loadScript: loadScript,
    parseQuery: parseQuery,
    parseList: parseList,
    formatTime: formatTime,
    colorFor: colorFor,
    describe: describe,
    readStoredName: readStoredName,
    storeName: storeName,
    el: el,
    clear: clear,
    on: on,
    byId: byId,
    isArray: isArray,
    trim: trim
  };
})();
