// Progressive enhancement for the password page (the page works without it): focus the error summary,
// show/hide passwords, and say as you type how the length and match rules stand. No framework.
(function () {
  'use strict';
  var summary = document.querySelector('[data-autofocus]');
  if (summary) summary.focus();
  var password = document.getElementById('password');
  var confirm = document.getElementById('confirm');
  var live = document.getElementById('rules-live');
  var toggle = document.getElementById('show-passwords');
  if (!password || !confirm) return;
  if (toggle) {
    toggle.parentElement.hidden = false;
    toggle.addEventListener('change', function () {
      var type = toggle.checked ? 'text' : 'password';
      password.type = type;
      confirm.type = type;
    });
  }
  var hint = document.getElementById('password-hint');
  var min = hint ? parseInt((hint.textContent.match(/\d+/) || ['12'])[0], 10) : 12;
  var lengthRule = document.querySelector('[data-rule="0"]');
  var timer;
  function update() {
    var length = Array.from(password.value.normalize('NFKC')).length;
    if (lengthRule) {
      lengthRule.classList.toggle('rule--met', length >= min);
      lengthRule.classList.toggle('rule--failed', length > 0 && length < min);
    }
    clearTimeout(timer);
    // Announce after a pause in typing, not on every key.
    timer = setTimeout(function () {
      if (!live) return;
      var parts = [];
      if (length > 0) parts.push(length >= min ? 'Length: OK (' + length + ' characters).' : 'Length: ' + length + ' of at least ' + min + ' characters.');
      if (confirm.value) parts.push(confirm.value === password.value ? 'The passwords match.' : 'The passwords do not match yet.');
      live.textContent = parts.join(' ');
    }, 800);
  }
  password.addEventListener('input', update);
  confirm.addEventListener('input', update);
})();
