/* Orleans.PayApi Connect page. No frameworks, no inline code (strict CSP).
 * Never writes a submitted secret to the DOM, the console or storage. */
(function () {
  'use strict';

  var POLL_MS = 700;
  var REDIRECT_MS = 2000;
  var REQUEST_TIMEOUT_MS = 20000;

  function cap(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  /* ---------- text ----------
   * The server renders the page in the end-user's language and embeds every string as JSON (#connect-strings).
   * Strings are only ever inserted with textContent; {name} placeholders take plain values, {Name} the same value
   * with a capital first letter. */

  var TEXT = (function () {
    var node = document.getElementById('connect-strings');
    try { return node ? JSON.parse(node.textContent || '{}') : {}; } catch (e) { return {}; }
  }());

  function t(key, params) {
    var template = Object.prototype.hasOwnProperty.call(TEXT, key) ? String(TEXT[key]) : key;
    params = params || {};
    return template.replace(/\{([A-Za-z_]+)\}/g, function (whole, name) {
      if (Object.prototype.hasOwnProperty.call(params, name)) { return String(params[name]); }
      var lower = name.charAt(0).toLowerCase() + name.slice(1);
      if (lower !== name && Object.prototype.hasOwnProperty.call(params, lower)) { return cap(String(params[lower])); }
      return whole;
    });
  }

  function has(key) { return Object.prototype.hasOwnProperty.call(TEXT, key); }

  // "a", "a and b", "a, b and c" in the page's language.
  function listOf(items) {
    if (items.length === 0) { return ''; }
    if (items.length === 1) { return items[0]; }
    return t('list_and', { a: items.slice(0, -1).join(t('list_sep')), b: items[items.length - 1] });
  }

  function capabilityNames(p) {
    var caps = p && Array.isArray(p.capabilities) ? p.capabilities : [];
    return caps.map(function (c) { return has('cap_' + c) ? t('cap_' + c) : String(c); });
  }

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
    lastRendered: null,
    appName: null          // the developer's app as its operator named it (text only, never markup)
  };

  function show(node) { if (node) { node.hidden = false; } }
  function hide(node) { if (node) { node.hidden = true; } }

  // The announced status line; with progress, a spinner beside it shows that something is under way.
  function setStatus(text, progress) {
    el.status.textContent = text || '';
    el.spinner.hidden = !(text && progress);
  }

  // The page-level alert; an optional second sentence says how many attempts are left.
  function setError(text, attemptsText) {
    el.error.textContent = text || '';
    if (text && attemptsText) {
      var extra = document.createElement('span');
      extra.id = 'attempts-left';
      extra.className = 'attempts';
      extra.textContent = attemptsText;
      el.error.appendChild(document.createTextNode(' '));
      el.error.appendChild(extra);
    }
  }

  // "You have N attempts left." after a failed attempt, while the session still allows more.
  function attemptsText(s) {
    if (!s || typeof s.attempts_remaining !== 'number' || typeof s.max_attempts !== 'number') { return ''; }
    var n = s.attempts_remaining;
    if (n <= 0 || n >= s.max_attempts) { return ''; }
    return n === 1 ? t('attempts_left_one') : t('attempts_left', { n: n });
  }

  /* ---------- field-level errors ---------- */

  function describedBy(input, id, on) {
    var ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { input.setAttribute('aria-describedby', ids.join(' ')); } else { input.removeAttribute('aria-describedby'); }
  }

  // Marks an input invalid with its own message under it (or, without one, points it at the page's alert).
  function setFieldError(input, message) {
    var box = document.getElementById(input.id + '-error');
    input.setAttribute('aria-invalid', 'true');
    if (message && box) {
      box.textContent = message;
      box.hidden = false;
      describedBy(input, box.id, true);
      describedBy(input, 'error', false);
    } else {
      describedBy(input, 'error', true);
    }
  }

  function clearFieldError(input) {
    var box = document.getElementById(input.id + '-error');
    input.removeAttribute('aria-invalid');
    if (box) { box.textContent = ''; box.hidden = true; describedBy(input, box.id, false); }
    describedBy(input, 'error', false);
  }

  function clearFieldErrors() {
    var inputs = el.main.querySelectorAll('input[aria-invalid]');
    for (var i = 0; i < inputs.length; i++) { clearFieldError(inputs[i]); }
  }

  function focus(node) { if (node) { try { node.focus(); } catch (e) { /* ignore */ } } }

  /* ---------- the app and what it will read ---------- */

  function renderConsent() {
    var p = providerById(state.selected);
    var text;
    if (p) {
      var data = listOf(capabilityNames(p)) || t('data_fallback');
      text = t('consent_provider', { app: appName(), data: data, provider: p.name || p.id });
      el.lead.textContent = t('lead_app', { app: appName(), provider: p.name || p.id });
    } else {
      text = t('consent_choose', { app: appName() });
      el.lead.textContent = t('lead');
    }
    el.consent.textContent = text;
    show(el.consent);
  }

  function clearError() { setError(''); hide(el.retryWrap); clearFieldErrors(); }

  function providerById(id) {
    for (var i = 0; i < state.providers.length; i++) {
      if (state.providers[i] && state.providers[i].id === id) { return state.providers[i]; }
    }
    return null;
  }

  function providerForMessages() {
    var p = providerById(state.selected) || (state.session && providerById(state.session.provider)) ||
      (state.providers.length === 1 ? state.providers[0] : null);
    return p ? { name: p.name || p.id || t('provider_fallback'), auth: p.auth } : { name: t('provider_fallback'), auth: null };
  }

  function appName() { return state.appName || t('app_fallback'); }

  function messageFor(code, detail, title) {
    var p = providerForMessages();
    var key = code ? 'err_' + code : null;
    if (code === 'invalid_credentials' && p.auth === 'api_key') { key = 'err_invalid_credentials_api_key'; }
    if (key && has(key)) { return t(key, { provider: p.name }); }
    if (detail) { return String(detail); }
    if (title) { return String(title); }
    return t('generic_error');
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
        caps.textContent = t('shares', { list: listOf(capabilityNames(p)) });
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
    el.credLegend.textContent = t('sign_in_to', { provider: p.name || p.id });
    el.credForm.setAttribute('aria-label', t('sign_in_to', { provider: p.name || p.id }));

    if (p.auth === 'api_key') {
      el.credHint.textContent = t('api_key_hint');
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
      // Password managers: username and current-password for logins; API keys are not something to save.
      if (f.secret) {
        input.type = 'password';
        input.setAttribute('autocomplete', p.auth === 'api_key' ? 'off' : 'current-password');
        input.setAttribute('data-secret', 'true');
      } else {
        input.type = 'text';
        input.setAttribute('autocomplete', p.auth === 'api_key' ? 'off' : 'username');
      }
      input.setAttribute('data-label', f.label || f.name);
      if (p.auth === 'api_key') { input.setAttribute('aria-describedby', 'credentials-hint'); }
      var message = document.createElement('p');
      message.id = id + '-error';
      message.className = 'field-error';
      message.hidden = true;
      input.addEventListener('input', function () { if (input.getAttribute('aria-invalid')) { clearFieldError(input); } });
      wrap.appendChild(label);
      wrap.appendChild(input);
      wrap.appendChild(message);
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

  // After the provider refused the credentials: the secret fields point at the alert that says why.
  function markSecretInvalid() {
    var inputs = credentialInputs();
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].getAttribute('data-secret') === 'true') { setFieldError(inputs[i], null); }
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
    renderConsent();
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

    renderConsent();
    if (err) {
      clearSecretInputs();
      setError(messageFor(err.code, err.detail), attemptsText(s));
      if (state.selected) { focusFirstField(true); markSecretInvalid(); }
    } else {
      clearError();
    }
    if (state.providers.length === 0) {
      renderFinal(t('no_providers_heading'), t('no_providers_text'));
    }
  }

  function renderMfa(s) {
    hide(el.picker); hide(el.credForm); hide(el.success); hide(el.final);
    show(el.mfaForm);
    setStatus('');
    el.mfaCode.value = '';
    var err = s.error && typeof s.error === 'object' ? s.error : null;
    if (err) {
      setError(messageFor(err.code, err.detail), attemptsText(s));
      setFieldError(el.mfaCode, null);
    } else {
      clearError();
    }
    focus(el.mfaCode);
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
    document.title = t('success_heading');
    var target = safeRedirect(s.redirect_to);
    if (target) {
      el.continueLink.href = target;
      show(el.continueWrap);
      el.successText.textContent = t('success_redirect_text', { app: state.appName || t('app_fallback').toLowerCase() });
      setStatus(t('connected_redirecting'));
      setTimeout(function () { window.location.assign(target); }, REDIRECT_MS);
    } else {
      hide(el.continueWrap);
      el.successText.textContent = t('success_text');
      setStatus(t('connected'));
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
    renderFinal(t('expired_heading'), t('expired_text'));
  }

  function renderFailed(s) {
    var err = s && s.error && typeof s.error === 'object' ? s.error : null;
    clearError();
    // Out of attempts: say so plainly, and what to do next.
    var used = s && s.attempts_remaining === 0 && typeof s.max_attempts === 'number';
    renderFinal(t('final_heading'),
      (err ? messageFor(err.code, err.detail) + ' ' : '') + (used ? t('attempts_used', { n: s.max_attempts }) : t('go_back')));
  }

  function verifyingText() {
    var p = providerById(state.selected) || (state.session && providerById(state.session.provider));
    return p ? t('verifying_with', { provider: p.name || p.id }) : t('verifying');
  }

  function renderVerifying() {
    setStatus(verifyingText(), true);
    setBusy(true);
  }

  function render(s) {
    state.session = s;
    if (s.client && typeof s.client === 'object' && typeof s.client.name === 'string' && s.client.name) {
      state.appName = s.client.name;
    }
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
        renderFinal(t('unexpected_heading'), t('unexpected_text'));
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
      renderFinal(t('invalid_heading'), t('invalid_not_found'));
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
        setStatus(state.pollFailures > 2 ? t('verifying_reconnecting') : verifyingText(), true);
        schedulePoll(Math.min(POLL_MS * Math.pow(2, state.pollFailures), 8000));
        return;
      }
      setBusy(false);
      setStatus('');
      setError(r.network
        ? t('network_error')
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
      setError(t('network_error'));
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
      setError(t('choose_provider_first'));
      return;
    }
    var inputs = credentialInputs();
    // Field-level validation first: each empty field says so under itself, and focus goes to the first of them.
    clearError();
    var firstInvalid = null;
    for (var k = 0; k < inputs.length; k++) {
      if (!String(inputs[k].value || '').trim()) {
        setFieldError(inputs[k], t('field_required', { label: inputs[k].getAttribute('data-label') || inputs[k].name }));
        firstInvalid = firstInvalid || inputs[k];
      }
    }
    if (firstInvalid) { focus(firstInvalid); return; }
    var fields = {};
    for (var i = 0; i < inputs.length; i++) { fields[inputs[i].name] = inputs[i].value; }
    var body = { provider: p.id, fields: fields };
    fields = null;
    setBusy(true);
    setStatus(verifyingText(), true);
    request('POST', apiUrl('/credentials'), body).then(function (r) {
      handlePostResult(r, function () { clearSecretInputs(); focusFirstField(true); markSecretInvalid(); });
    });
    body = null;
  }

  function onMfaSubmit(ev) {
    ev.preventDefault();
    if (state.busy || state.done) { return; }
    var code = String(el.mfaCode.value || '').replace(/\s+/g, '');
    clearError();
    if (!code) {
      setFieldError(el.mfaCode, t('mfa_code_required'));
      focus(el.mfaCode);
      return;
    }
    setBusy(true);
    setStatus(verifyingText(), true);
    request('POST', apiUrl('/mfa'), { code: code }).then(function (r) {
      handlePostResult(r, function () { el.mfaCode.value = ''; setFieldError(el.mfaCode, null); focus(el.mfaCode); });
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
    el.main = $('main');
    el.consent = $('consent');
    el.lead = $('lead');
    el.spinner = $('spinner');
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
    el.mfaCode.addEventListener('input', function () { if (el.mfaCode.getAttribute('aria-invalid')) { clearFieldError(el.mfaCode); } });
    el.retry.addEventListener('click', function () {
      clearError();
      setStatus(t('loading'), true);
      load(false);
    });

    state.sessionId = sessionIdFromPath();
    if (!state.sessionId) {
      renderFinal(t('invalid_heading'), t('invalid_incomplete'));
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
