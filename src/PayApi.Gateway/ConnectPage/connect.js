/* Orleans.PayApi Connect page. No frameworks, no inline code (strict CSP).
 * Never writes a submitted secret to the DOM, the console or storage. */
(function () {
  'use strict';

  var POLL_MS = 700;
  var REDIRECT_MS = 2000;
  var REQUEST_TIMEOUT_MS = 20000;

  function cap(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  // p = {name, auth}; name falls back to "your provider".
  var MESSAGES = {
    invalid_credentials: function (p) {
      return p.auth === 'api_key'
        ? cap(p.name) + ' did not accept this key. Check that you copied the whole key and try again.'
        : cap(p.name) + ' did not accept that username and password. Check them and try again.';
    },
    insufficient_key_scope: function () {
      return 'This key can make changes. Create a restricted, read-only key in your dashboard and paste that key here instead.';
    },
    account_locked: function (p) {
      return 'Your account at ' + p.name + ' is locked. Unlock it with ' + p.name + ', then try again.';
    },
    password_change_required: function (p) {
      return cap(p.name) + ' needs you to change your password. Change it on their website, then sign in here with the new password.';
    },
    invalid_mfa_code: function () {
      return 'That code did not work. Check the most recent code and try again.';
    },
    mfa_required: function () {
      return 'Enter the one-time code to continue.';
    },
    bot_blocked: function (p) {
      return 'We could not reach ' + p.name + ' right now. Please try again in a few minutes.';
    },
    provider_unavailable: function (p) {
      return cap(p.name) + ' is not responding right now. Please try again in a few minutes.';
    },
    unexpected_provider_response: function (p) {
      return cap(p.name) + ' showed us something we did not expect. We have been notified. Please try again later.';
    },
    dependency_unavailable: function () {
      return 'We are having a temporary problem. Please try again in a few minutes.';
    },
    internal_error: function () {
      return 'Something went wrong on our side. Please try again.';
    },
    login_required: function (p) {
      return 'Your sign-in at ' + p.name + ' no longer works. Please sign in again to reconnect.';
    },
    session_expired: function () {
      return 'This link has expired. Go back to the app and start again.';
    },
    rate_limited: function () {
      return 'Too many attempts. Please wait a moment and try again.';
    },
    payload_too_large: function () {
      return 'What you entered is too long. Check it and try again.';
    }
  };

  /* ---------- DOM ---------- */

  function $(id) { return document.getElementById(id); }

  var el = {};
  var state = {
    sessionId: null,
    session: null,
    providers: [],
    selected: null,        // provider id chosen by the user
    builtFor: null,        // provider id the credentials form was built for
    busy: false,
    pollTimer: null,
    pollFailures: 0,
    done: false,
    lastRendered: null
  };

  function show(node) { if (node) { node.hidden = false; } }
  function hide(node) { if (node) { node.hidden = true; } }

  function setStatus(text) { el.status.textContent = text || ''; }

  function setError(text) {
    el.error.textContent = text || '';
  }

  function clearError() { setError(''); hide(el.retryWrap); }

  function providerById(id) {
    for (var i = 0; i < state.providers.length; i++) {
      if (state.providers[i] && state.providers[i].id === id) { return state.providers[i]; }
    }
    return null;
  }

  function providerForMessages() {
    var p = providerById(state.selected) || (state.session && providerById(state.session.provider)) ||
      (state.providers.length === 1 ? state.providers[0] : null);
    return p ? { name: p.name || p.id || 'your provider', auth: p.auth } : { name: 'your provider', auth: null };
  }

  function messageFor(code, detail, title) {
    var fn = code && Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : null;
    if (fn) { return fn(providerForMessages()); }
    if (detail) { return String(detail); }
    if (title) { return String(title); }
    return 'Something went wrong. Please try again.';
  }

  /* ---------- HTTP ---------- */

  function apiUrl(suffix) {
    return '/connect/api/' + encodeURIComponent(state.sessionId) + (suffix || '');
  }

  // Resolves to {status, body, problem, network}; never rejects.
  function request(method, url, body) {
    var opts = {
      method: method,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
      headers: { 'Accept': 'application/json, application/problem+json' }
    };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = null;
    if (controller) {
      opts.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
        var ok = res.status >= 200 && res.status < 300;
        return {
          status: res.status,
          ok: ok,
          body: ok ? data : null,
          problem: ok ? null : (data && typeof data === 'object' ? data : { status: res.status }),
          network: false
        };
      });
    }, function () {
      return { status: 0, ok: false, body: null, problem: null, network: true };
    }).then(function (r) {
      if (timer) { clearTimeout(timer); }
      return r;
    });
  }

  /* ---------- rendering ---------- */

  function setBusy(busy) {
    state.busy = busy;
    el.credFieldset.disabled = busy;
    el.mfaFieldset.disabled = busy;
    el.credSubmit.setAttribute('aria-busy', busy ? 'true' : 'false');
    el.mfaSubmit.setAttribute('aria-busy', busy ? 'true' : 'false');
    var buttons = el.providerList.querySelectorAll('button[data-provider]');
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = busy; }
  }

  function hideAllPanels() {
    hide(el.picker);
    hide(el.credForm);
    hide(el.mfaForm);
    hide(el.success);
    hide(el.final);
  }

  function renderPicker() {
    var list = el.providerList;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    state.providers.forEach(function (p) {
      if (!p || !p.id) { return; }
      var li = document.createElement('li');
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'provider';
      btn.setAttribute('data-provider', p.id);
      btn.setAttribute('aria-pressed', p.id === state.selected ? 'true' : 'false');
      var name = document.createElement('span');
      name.className = 'provider-name';
      name.textContent = p.name || p.id;
      btn.appendChild(name);
      if (Array.isArray(p.capabilities) && p.capabilities.length) {
        var caps = document.createElement('span');
        caps.className = 'provider-caps';
        caps.textContent = 'Shares: ' + p.capabilities.join(', ');
        btn.appendChild(caps);
      }
      btn.addEventListener('click', function () { selectProvider(p.id, true); });
      li.appendChild(btn);
      list.appendChild(li);
    });
  }

  function updatePickerPressed() {
    var buttons = el.providerList.querySelectorAll('button[data-provider]');
    for (var i = 0; i < buttons.length; i++) {
      var id = buttons[i].getAttribute('data-provider');
      buttons[i].setAttribute('aria-pressed', id === state.selected ? 'true' : 'false');
    }
  }

  function buildCredentialsForm(p) {
    var box = el.credFields;
    while (box.firstChild) { box.removeChild(box.firstChild); }
    el.credLegend.textContent = 'Sign in to ' + (p.name || p.id);
    el.credForm.setAttribute('aria-label', 'Sign in to ' + (p.name || p.id));

    if (p.auth === 'api_key') {
      el.credHint.textContent = 'Use a restricted, read-only key. Keys that can make changes are not accepted.';
      show(el.credHint);
    } else {
      el.credHint.textContent = '';
      hide(el.credHint);
    }

    var fields = Array.isArray(p.fields) ? p.fields : [];
    fields.forEach(function (f, i) {
      if (!f || !f.name) { return; }
      var wrap = document.createElement('div');
      wrap.className = 'field';
      var id = 'field-' + i + '-' + String(f.name).replace(/[^A-Za-z0-9_-]/g, '_');
      var label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = f.label || f.name;
      var input = document.createElement('input');
      input.id = id;
      input.name = f.name;
      input.setAttribute('aria-required', 'true');
      input.setAttribute('autocapitalize', 'none');
      input.setAttribute('spellcheck', 'false');
      input.setAttribute('autocorrect', 'off');
      if (f.secret) {
        input.type = 'password';
        input.setAttribute('autocomplete', 'off');
        input.setAttribute('data-secret', 'true');
      } else {
        input.type = 'text';
        input.setAttribute('autocomplete', 'username');
      }
      if (p.auth === 'api_key') { input.setAttribute('aria-describedby', 'credentials-hint'); }
      wrap.appendChild(label);
      wrap.appendChild(input);
      box.appendChild(wrap);
    });
    state.builtFor = p.id;
  }

  function credentialInputs() {
    return el.credFields.querySelectorAll('input[name]');
  }

  function clearSecretInputs() {
    var inputs = credentialInputs();
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].getAttribute('data-secret') === 'true') { inputs[i].value = ''; }
    }
  }

  function focusFirstField(preferSecret) {
    var inputs = credentialInputs();
    var target = null;
    var i;
    if (preferSecret) {
      for (i = 0; i < inputs.length && !target; i++) {
        if (inputs[i].getAttribute('data-secret') === 'true') { target = inputs[i]; }
      }
    }
    for (i = 0; i < inputs.length && !target; i++) {
      if (!inputs[i].value) { target = inputs[i]; }
    }
    if (!target && inputs.length) { target = inputs[0]; }
    if (target) { try { target.focus(); } catch (e) { /* ignore */ } }
  }

  function selectProvider(id, userAction) {
    if (state.busy) { return; }
    var p = providerById(id);
    if (!p) { return; }
    var changed = state.selected !== id;
    state.selected = id;
    updatePickerPressed();
    if (changed || state.builtFor !== id) {
      buildCredentialsForm(p);
      if (userAction) { clearError(); }
    }
    show(el.credForm);
    if (userAction) { focusFirstField(false); }
  }

  function renderPending(s) {
    hide(el.mfaForm); hide(el.success); hide(el.final);
    setStatus('');
    var err = s.error && typeof s.error === 'object' ? s.error : null;

    if (!state.selected) {
      if (s.provider && providerById(s.provider)) { state.selected = s.provider; }
      else if (state.providers.length === 1) { state.selected = state.providers[0].id; }
    }

    if (state.providers.length > 1) {
      if (!el.providerList.querySelector('button[data-provider]')) { renderPicker(); }
      updatePickerPressed();
      show(el.picker);
    } else {
      hide(el.picker);
    }

    if (state.selected) {
      var p = providerById(state.selected);
      if (p && state.builtFor !== p.id) { buildCredentialsForm(p); }
      show(el.credForm);
    } else {
      hide(el.credForm);
    }

    if (err) {
      clearSecretInputs();
      setError(messageFor(err.code, err.detail));
      if (state.selected) { focusFirstField(true); }
    } else {
      clearError();
    }
    if (state.providers.length === 0) {
      renderFinal('No providers are available', 'There is nothing to connect right now. Please go back to the app.');
    }
  }

  function renderMfa(s) {
    hide(el.picker); hide(el.credForm); hide(el.success); hide(el.final);
    show(el.mfaForm);
    setStatus('');
    el.mfaCode.value = '';
    var err = s.error && typeof s.error === 'object' ? s.error : null;
    if (err) { setError(messageFor(err.code, err.detail)); } else { clearError(); }
    try { el.mfaCode.focus(); } catch (e) { /* ignore */ }
  }

  function safeRedirect(url) {
    if (typeof url !== 'string' || !url) { return null; }
    try {
      var u = new URL(url, window.location.href);
      if (u.protocol === 'https:' || u.protocol === 'http:') { return u.href; }
    } catch (e) { /* ignore */ }
    return null;
  }

  function renderSuccess(s) {
    state.done = true;
    stopPolling();
    hideAllPanels();
    clearError();
    show(el.success);
    document.title = 'Connected';
    var target = safeRedirect(s.redirect_to);
    if (target) {
      el.continueLink.href = target;
      show(el.continueWrap);
      el.successText.textContent = 'Your account is connected. Taking you back to the app…';
      setStatus('Connected. Redirecting…');
      setTimeout(function () { window.location.assign(target); }, REDIRECT_MS);
    } else {
      hide(el.continueWrap);
      el.successText.textContent = 'Your account is connected. You can close this page.';
      setStatus('Connected.');
    }
    try { el.success.focus(); } catch (e) { /* ignore */ }
  }

  function renderFinal(heading, text) {
    state.done = true;
    stopPolling();
    hideAllPanels();
    hide(el.retryWrap);
    setStatus('');
    el.finalHeading.textContent = heading;
    el.finalText.textContent = text;
    show(el.final);
    document.title = heading;
    try { el.final.focus(); } catch (e) { /* ignore */ }
  }

  function renderExpired() {
    clearError();
    renderFinal('This link has expired', 'For your security, connect links only work for 30 minutes. Go back to the app and start again.');
  }

  function renderFailed(s) {
    var err = s && s.error && typeof s.error === 'object' ? s.error : null;
    clearError();
    renderFinal('We couldn\u2019t connect your account',
      (err ? messageFor(err.code, err.detail) + ' ' : '') + 'Go back to the app to start again.');
  }

  function renderVerifying() {
    setStatus('Verifying\u2026');
    setBusy(true);
  }

  function render(s) {
    state.session = s;
    if (Array.isArray(s.providers)) {
      var before = JSON.stringify(state.providers.map(function (p) { return p && p.id; }));
      state.providers = s.providers.filter(function (p) { return p && p.id; });
      var after = JSON.stringify(state.providers.map(function (p) { return p.id; }));
      if (before !== after) { renderPicker(); }
    }
    if (state.selected && !providerById(state.selected)) { state.selected = null; state.builtFor = null; }

    switch (s.status) {
      case 'pending':
        setBusy(false);
        renderPending(s);
        break;
      case 'verifying':
        renderVerifying();
        schedulePoll(POLL_MS);
        break;
      case 'awaiting_mfa':
        setBusy(false);
        renderMfa(s);
        break;
      case 'succeeded':
        setBusy(false);
        renderSuccess(s);
        break;
      case 'failed':
        setBusy(false);
        renderFailed(s);
        break;
      case 'expired':
        setBusy(false);
        renderExpired();
        break;
      default:
        setBusy(false);
        renderFinal('Something went wrong', 'This connect link is in an unexpected state. Go back to the app and start again.');
    }
  }

  /* ---------- loading and polling ---------- */

  function stopPolling() {
    if (state.pollTimer) { clearTimeout(state.pollTimer); state.pollTimer = null; }
  }

  function schedulePoll(ms) {
    stopPolling();
    if (state.done) { return; }
    state.pollTimer = setTimeout(function () { state.pollTimer = null; load(true); }, ms);
  }

  // Handles non-2xx answers that end or interrupt the flow. Returns true if handled.
  function handleTerminalProblem(r) {
    var code = r.problem && r.problem.code;
    if (r.status === 410 || code === 'session_expired') { renderExpired(); return true; }
    if (r.status === 404 || code === 'not_found') {
      clearError();
      renderFinal('This link isn\u2019t valid', 'We couldn\u2019t find this connect session. Go back to the app and start again.');
      return true;
    }
    return false;
  }

  function load(isPoll) {
    if (state.done) { return; }
    return request('GET', apiUrl('')).then(function (r) {
      if (state.done) { return; }
      if (r.ok && r.body && typeof r.body === 'object') {
        state.pollFailures = 0;
        hide(el.retryWrap);
        render(r.body);
        return;
      }
      if (handleTerminalProblem(r)) { return; }

      var transient = r.network || r.status === 429 || r.status >= 500 || r.ok;
      if (isPoll && transient) {
        // Keep waiting for the verification; back off a little.
        state.pollFailures++;
        setStatus(state.pollFailures > 2 ? 'Verifying\u2026 (reconnecting)' : 'Verifying\u2026');
        schedulePoll(Math.min(POLL_MS * Math.pow(2, state.pollFailures), 8000));
        return;
      }
      setBusy(false);
      setStatus('');
      setError(r.network
        ? 'We couldn\u2019t reach the server. Check your internet connection and try again.'
        : messageFor(r.problem && r.problem.code, r.problem && r.problem.detail, r.problem && r.problem.title));
      show(el.retryWrap);
    });
  }

  /* ---------- submitting ---------- */

  function handlePostResult(r, onUserError) {
    if (state.done) { return; }
    if (r.ok) {
      // Accepted: the secrets are no longer needed in the page.
      clearSecretInputs();
      el.mfaCode.value = '';
      var s = r.body && typeof r.body === 'object' ? r.body : { status: 'verifying' };
      if (!s.status) { s.status = 'verifying'; }
      if (s.status === 'verifying') {
        renderVerifying();
        schedulePoll(POLL_MS);
      } else {
        load(false);
      }
      return;
    }
    if (handleTerminalProblem(r)) { return; }
    setBusy(false);
    setStatus('');
    var code = r.problem && r.problem.code;
    if (r.status === 409 && code !== 'mfa_required' && code !== 'login_required') {
      // State conflict (e.g. the session moved on): show the message and refresh the state.
      setError(messageFor(code, r.problem && r.problem.detail, r.problem && r.problem.title));
      load(false);
      return;
    }
    if (r.network) {
      setError('We couldn\u2019t reach the server. Check your internet connection and try again.');
      return;
    }
    if (code === 'mfa_required') { load(false); return; }
    if (onUserError && code && code !== 'invalid_request' && code !== 'payload_too_large') { onUserError(); }
    setError(messageFor(code, r.problem && r.problem.detail, r.problem && r.problem.title));
  }

  function onCredentialsSubmit(ev) {
    ev.preventDefault();
    if (state.busy || state.done) { return; }
    var p = providerById(state.selected);
    if (!p) {
      setError('Choose a provider first.');
      return;
    }
    var fields = {};
    var inputs = credentialInputs();
    for (var i = 0; i < inputs.length; i++) { fields[inputs[i].name] = inputs[i].value; }
    var body = { provider: p.id, fields: fields };
    fields = null;
    clearError();
    setBusy(true);
    setStatus('Verifying\u2026');
    request('POST', apiUrl('/credentials'), body).then(function (r) {
      handlePostResult(r, function () { clearSecretInputs(); focusFirstField(true); });
    });
    body = null;
  }

  function onMfaSubmit(ev) {
    ev.preventDefault();
    if (state.busy || state.done) { return; }
    var code = String(el.mfaCode.value || '').replace(/\s+/g, '');
    clearError();
    setBusy(true);
    setStatus('Verifying\u2026');
    request('POST', apiUrl('/mfa'), { code: code }).then(function (r) {
      handlePostResult(r, function () { el.mfaCode.value = ''; try { el.mfaCode.focus(); } catch (e) { /* ignore */ } });
    });
    code = null;
  }

  /* ---------- start ---------- */

  function sessionIdFromPath() {
    var m = /^\/connect\/([^\/?#]+)\/?$/.exec(window.location.pathname || '');
    if (!m) { return null; }
    var id;
    try { id = decodeURIComponent(m[1]); } catch (e) { return null; }
    if (!id || id === 'assets' || id === 'api') { return null; }
    return id;
  }

  function init() {
    el.status = $('status');
    el.error = $('error');
    el.retryWrap = $('retry-wrap');
    el.retry = $('retry');
    el.picker = $('picker');
    el.providerList = $('provider-list');
    el.credForm = $('credentials-form');
    el.credFieldset = $('credentials-fieldset');
    el.credLegend = $('credentials-legend');
    el.credHint = $('credentials-hint');
    el.credFields = $('credentials-fields');
    el.credSubmit = $('credentials-submit');
    el.mfaForm = $('mfa-form');
    el.mfaFieldset = $('mfa-fieldset');
    el.mfaCode = $('mfa-code');
    el.mfaSubmit = $('mfa-submit');
    el.success = $('success');
    el.successText = $('success-text');
    el.continueWrap = $('continue-wrap');
    el.continueLink = $('continue');
    el.final = $('final');
    el.finalHeading = $('final-heading');
    el.finalText = $('final-text');

    el.credForm.addEventListener('submit', onCredentialsSubmit);
    el.mfaForm.addEventListener('submit', onMfaSubmit);
    el.retry.addEventListener('click', function () {
      clearError();
      setStatus('Loading\u2026');
      load(false);
    });

    state.sessionId = sessionIdFromPath();
    if (!state.sessionId) {
      renderFinal('This link isn\u2019t valid', 'The connect link is incomplete. Go back to the app and start again.');
      return;
    }
    load(false);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
