// The agents' dashboard in the browser (a Teams tab): plain ES2020, no framework, no build step.
// It starts teams-js, follows the Teams theme, gets a Teams SSO token for every API call, and builds the queue
// and ticket views with DOM methods only (textContent: nothing the server sends is ever parsed as HTML).
// Outside Teams it says so, unless the server runs with DASHBOARD_DEV_LOGIN (then: development mode, no token).
(function () {
  'use strict';

  var INIT_TIMEOUT_MS = 8000;
  var REFRESH_MS = 60000;
  var body = document.body;
  var labelsNode = document.getElementById('dashboard-labels');
  var L = labelsNode ? JSON.parse(labelsNode.textContent || '{}') : {};
  var devLogin = body.getAttribute('data-dev-login') === 'true';
  var teams = window.microsoftTeams;
  var inTeams = false;

  // ---- small helpers -------------------------------------------------------------------------------------

  function label(key, params) {
    var text = Object.prototype.hasOwnProperty.call(L, key) ? L[key] : key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === undefined || value === null || value === false) return;
        if (name === 'text') node.textContent = String(value);
        else if (name === 'className') node.className = value;
        else node.setAttribute(name, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function setNotice(text, kind) {
    var notice = $('notice');
    if (!notice) return;
    notice.className = 'notice' + (kind ? ' notice--' + kind : '');
    notice.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    notice.textContent = text || '';
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error('timed out'));
      }, ms);
      Promise.resolve(promise).then(
        function (value) {
          clearTimeout(timer);
          resolve(value);
        },
        function (error) {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  function formatDuration(ms) {
    var minutes = Math.floor(ms / 60000);
    if (minutes < 1) return label('dashboard.age.justNow');
    if (minutes < 60) return label('dashboard.age.minutes', { minutes: minutes });
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return label('dashboard.age.hours', { hours: hours, minutes: minutes % 60 });
    return label('dashboard.age.days', { days: Math.floor(hours / 24), hours: hours % 24 });
  }

  var dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  function formatWhen(iso) {
    return iso ? dateTime.format(new Date(iso)) : '';
  }

  // ---- theme ---------------------------------------------------------------------------------------------

  function applyTheme(theme) {
    var name = theme === 'dark' || theme === 'contrast' ? theme : 'default';
    document.documentElement.setAttribute('data-theme', name);
  }

  // ---- Teams ---------------------------------------------------------------------------------------------

  function startTeams() {
    if (!teams || !teams.app || typeof teams.app.initialize !== 'function') return Promise.reject(new Error('teams-js did not load'));
    return withTimeout(teams.app.initialize(), INIT_TIMEOUT_MS).then(function () {
      inTeams = true;
      return teams.app.getContext().then(
        function (context) {
          applyTheme(context && context.app ? context.app.theme : 'default');
        },
        function () {
          applyTheme('default');
        },
      );
    }).then(function () {
      if (typeof teams.app.registerOnThemeChangeHandler === 'function') teams.app.registerOnThemeChangeHandler(applyTheme);
      if (typeof teams.app.notifySuccess === 'function') {
        try {
          Promise.resolve(teams.app.notifySuccess()).catch(function () {});
        } catch {
          // older hosts
        }
      }
    });
  }

  function getToken() {
    if (!inTeams) return Promise.resolve(null);
    return teams.authentication.getAuthToken();
  }

  // ---- the API -------------------------------------------------------------------------------------------

  function ApiError(status, data) {
    this.status = status;
    this.data = data || {};
  }

  function api(path, options) {
    options = options || {};
    return getToken().then(
      function (token) {
        var headers = { Accept: 'application/json' };
        if (token) headers.Authorization = 'Bearer ' + token;
        if (options.body !== undefined) headers['Content-Type'] = 'application/json';
        return fetch(path, {
          method: options.method || 'GET',
          headers: headers,
          body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
          cache: 'no-store',
          credentials: 'omit',
        }).then(
          function (res) {
            return res.json().then(
              function (data) {
                if (res.ok || options.acceptStatus === res.status) return { status: res.status, data: data };
                throw new ApiError(res.status, data);
              },
              function () {
                throw new ApiError(res.status, null);
              },
            );
          },
          function () {
            throw new ApiError(0, null);
          },
        );
      },
      function (error) {
        throw new ApiError(-1, { message: error && error.message ? error.message : String(error) });
      },
    );
  }

  // Sign-in and server problems stop the page: say why, show no data.
  function fail(error) {
    var status = error instanceof ApiError ? error.status : 0;
    var text;
    if (status === -1) text = label('dashboard.errors.signIn', { reason: error.data.message || 'unknown' });
    else if (status === 401) text = label('dashboard.errors.unauthorised');
    else if (status === 403) text = label('dashboard.errors.notAgent');
    else if (status === 503 && error.data && error.data.error === 'not_configured') text = label('dashboard.errors.notConfigured');
    else text = label('dashboard.errors.unavailable');
    if (status === -1 || status === 401 || status === 403 || status === 503) {
      $('app').hidden = true;
      $('refresh').hidden = true;
    }
    setNotice(text, 'error');
  }

  // ---- the queue -----------------------------------------------------------------------------------------

  function filters() {
    return {
      status: $('filter-status').value,
      category: $('filter-category').value,
      mine: $('filter-mine').checked,
      organisation: $('filter-organisation') ? $('filter-organisation').value : '',
    };
  }

  function queuePath() {
    var f = filters();
    var q = 'status=' + encodeURIComponent(f.status);
    if (f.category) q += '&category=' + encodeURIComponent(f.category);
    if (f.mine) q += '&mine=true';
    if (f.organisation) q += '&organisation=' + encodeURIComponent(f.organisation);
    return '/api/dashboard/tickets?' + q;
  }

  function summaryPath() {
    var f = filters();
    return '/api/dashboard/summary' + (f.organisation ? '?organisation=' + encodeURIComponent(f.organisation) : '');
  }

  function trendsPath() {
    var f = filters();
    return '/api/dashboard/trends' + (f.organisation ? '?organisation=' + encodeURIComponent(f.organisation) : '');
  }

  // ---- trends: SVG bar charts drawn with DOM calls (no inline script or style), each with its table -------

  var SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function formatDate(iso) {
    var parts = iso.split('-');
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2])).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  }

  function percent(share) {
    return share === null ? label('dashboard.trends.noRequests') : Math.round(share * 100) + '%';
  }

  // Bars for each point and series, scaled to `max`; the description says in words what the bars show.
  function barChart(points, series, max, description) {
    var width = 720;
    var height = 180;
    var pad = 24;
    var slot = (width - pad) / Math.max(points.length, 1);
    var bar = Math.max((slot - 2) / series.length, 1);
    var bars = [];
    points.forEach(function (p, i) {
      series.forEach(function (s, j) {
        var value = s.value(p);
        var h = max > 0 ? Math.round((value / max) * (height - pad)) : 0;
        var rect = svg('rect', { x: (pad + i * slot + j * bar).toFixed(1), y: height - pad - h, width: bar.toFixed(1), height: h, class: 'trend__bar trend__bar--' + s.key });
        rect.appendChild(svg('title', {}, [document.createTextNode(s.title(p))]));
        bars.push(rect);
      });
    });
    var axis = svg('line', { x1: pad, y1: height - pad, x2: width, y2: height - pad, class: 'trend__axis' });
    var first = svg('text', { x: pad, y: height - 6, class: 'trend__label' }, [document.createTextNode(points.length ? points[0].label : '')]);
    var last = svg('text', { x: width, y: height - 6, class: 'trend__label', 'text-anchor': 'end' }, [document.createTextNode(points.length ? points[points.length - 1].label : '')]);
    var top = svg('text', { x: 0, y: 12, class: 'trend__label' }, [document.createTextNode(series[0].axis(max))]);
    return svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': description, class: 'trend__svg', focusable: 'false' }, [axis].concat(bars, [first, last, top]));
  }

  function fillTable(id, rows) {
    var tbody = $(id).querySelector('tbody');
    tbody.textContent = '';
    rows.forEach(function (cells) {
      tbody.appendChild(el('tr', {}, cells.map(function (text, i) { return el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: text } : { text: text }); })));
    });
  }

  function renderTrends(data) {
    var days = data.trends.days.map(function (d) { return { label: formatDate(d.date), date: d.date, opened: d.opened, resolved: d.resolved }; });
    var weeks = data.trends.weeks.map(function (w) { return { label: formatDate(w.weekStart), share: w.selfServiceShare, selfServed: w.selfServed, tickets: w.tickets }; });
    var maxDay = days.reduce(function (m, d) { return Math.max(m, d.opened, d.resolved); }, 0);
    var span = function (list) { return { from: list.length ? list[0].label : '', to: list.length ? list[list.length - 1].label : '' }; };
    var dailyChart = $('trend-daily-chart');
    dailyChart.textContent = '';
    dailyChart.appendChild(barChart(days, [
      { key: 'opened', value: function (d) { return d.opened; }, title: function (d) { return d.label + ': ' + label('dashboard.trends.opened') + ' ' + d.opened; }, axis: function (m) { return String(m); } },
      { key: 'resolved', value: function (d) { return d.resolved; }, title: function (d) { return d.label + ': ' + label('dashboard.trends.resolved') + ' ' + d.resolved; }, axis: function (m) { return String(m); } },
    ], maxDay, label('dashboard.trends.chartDaily', Object.assign({ max: maxDay }, span(days)))));
    var weeklyChart = $('trend-weekly-chart');
    weeklyChart.textContent = '';
    weeklyChart.appendChild(barChart(weeks, [
      { key: 'share', value: function (w) { return w.share === null ? 0 : w.share; }, title: function (w) { return w.label + ': ' + percent(w.share); }, axis: function () { return '100%'; } },
    ], 1, label('dashboard.trends.chartWeekly', span(weeks))));
    fillTable('trend-daily-table', days.map(function (d) { return [d.label, String(d.opened), String(d.resolved)]; }));
    fillTable('trend-weekly-table', weeks.map(function (w) { return [w.label, String(w.selfServed), String(w.tickets), percent(w.share)]; }));
  }

  function badge(status) {
    return el('span', { className: 'badge badge--' + status, text: label('status.' + status) });
  }

  function renderFigures(data) {
    var f = data.figures;
    $('who').textContent = label('dashboard.signedInAs', { name: data.agent.name });
    $('fig-open').textContent = String(f.open);
    $('fig-open-detail').textContent = label('dashboard.figures.openDetail', { assigned: f.assigned });
    $('fig-median').textContent = f.medianFirstResponseMs === null ? label('dashboard.figures.noResponses') : formatDuration(f.medianFirstResponseMs);
    $('fig-median').classList.toggle('figure__value--none', f.medianFirstResponseMs === null);
    $('fig-deflection').classList.toggle('figure__value--none', f.deflectionRate === null);
    $('fig-median-detail').textContent = label('dashboard.figures.medianDetail');
    $('fig-tasks').textContent = String(f.tasksWaiting);
    $('fig-tasks-detail').textContent = label('dashboard.figures.tasksWaitingDetail');
    $('fig-task-median').textContent = f.medianTaskDoneMs === null ? label('dashboard.figures.noTasksDone') : formatDuration(f.medianTaskDoneMs);
    $('fig-task-median').classList.toggle('figure__value--none', f.medianTaskDoneMs === null);
    $('fig-task-median-detail').textContent = label('dashboard.figures.medianTaskDoneDetail');
    var total = f.selfServed + f.ticketsThisWeek;
    $('fig-deflection').textContent = f.deflectionRate === null ? label('dashboard.figures.noRequests') : Math.round(f.deflectionRate * 100) + '%';
    $('fig-deflection-detail').textContent = f.deflectionRate === null ? '' : label('dashboard.figures.deflectionDetail', { selfServed: f.selfServed, total: total });
    var list = $('fig-flows');
    list.textContent = '';
    list.classList.toggle('top-flows--empty', f.topFlows.length === 0);
    if (f.topFlows.length === 0) list.appendChild(el('li', { text: label('dashboard.figures.noFlows') }));
    f.topFlows.forEach(function (flow) {
      list.appendChild(el('li', { 'data-flow': flow.flow }, [flow.label + ' ', el('span', { className: 'flow-count', text: '(' + label('dashboard.figures.flowCount', { count: flow.count }) + ')' })]));
    });
  }

  function cell(name, children) {
    return el('td', { 'data-label': label('dashboard.queue.' + name), className: name }, children);
  }

  function renderQueue(data) {
    var tbody = $('queue-body');
    tbody.textContent = '';
    data.tickets.forEach(function (t) {
      var tags = [];
      if (t.live) tags.push(el('span', { className: 'tag', text: label('dashboard.queue.live') }));
      if (t.wantsPerson && t.status !== 'resolved') tags.push(el('span', { className: 'tag', text: label('dashboard.queue.wantsPerson') }));
      tbody.appendChild(
        el('tr', { 'data-ticket': t.ref, 'data-status': t.status }, [
          cell('ref', [el('a', { href: '#ticket/' + t.id, text: t.ref })]),
          cell('status', [badge(t.status)].concat(tags)),
          cell('age', [formatDuration(t.ageMs)]),
          cell('category', [label('category.' + t.category)]),
          cell('holder', [el('span', { className: t.mine ? 'mine' : '', text: t.holder || label('dashboard.queue.nobody') })]),
          cell('requester', [t.requester]),
        ]),
      );
    });
    $('queue-empty').hidden = data.tickets.length > 0;
    $('queue').hidden = data.tickets.length === 0;
    $('queue-count').textContent = '(' + label('dashboard.queue.count', { count: data.tickets.length }) + ')';
    var truncated = $('queue-truncated');
    truncated.hidden = data.total <= data.tickets.length;
    truncated.textContent = label('dashboard.queue.truncated', { count: data.tickets.length });
  }

  // ---- questions we couldn't answer ---------------------------------------------------------------------

  function renderUnanswered(data) {
    var tbody = $('unanswered-body');
    tbody.textContent = '';
    $('unanswered-count').textContent = '(' + data.total + ')';
    $('unanswered-empty').hidden = data.rows.length > 0;
    // No empty table: its column headers would be read out with nothing under them.
    $('unanswered').hidden = data.rows.length === 0;
    data.rows.forEach(function (row) {
      var select = el('select', { 'aria-label': label('dashboard.unanswered.addTo') + ' ' + row.text }, [el('option', { value: '' }, [label('dashboard.unanswered.choose')])]);
      data.targets.forEach(function (t) {
        select.appendChild(el('option', { value: t.value }, [t.label]));
      });
      var add = el('button', { type: 'button', class: 'button' }, [label('dashboard.unanswered.add')]);
      add.addEventListener('click', function () {
        if (!select.value) return select.focus();
        add.disabled = true;
        api('/api/dashboard/unanswered', { method: 'POST', body: { key: row.key, target: select.value } }).then(
          function (result) {
            $('unanswered-notice').textContent = result.data.message;
            return loadUnanswered();
          },
          function (error) {
            add.disabled = false;
            $('unanswered-notice').textContent = (error.data && error.data.message) || String(error.status);
          },
        );
      });
      var td = function (key, children) {
        return el('td', { 'data-label': label('dashboard.unanswered.' + key) }, children);
      };
      tbody.appendChild(el('tr', {}, [td('asked', [String(row.count)]), td('example', [row.text]), td('addTo', [select, ' ', add])]));
    });
  }

  function loadUnanswered() {
    if (!$('unanswered-view')) return Promise.resolve();
    return api('/api/dashboard/unanswered').then(function (result) {
      renderUnanswered(result.data);
    });
  }

  // Filters changed twice in quick succession send two loads whose answers may come back in either order:
  // only the latest load's answer is shown, so the table always matches the filters on screen.
  var queueLoads = 0;

  function loadQueue() {
    var load = ++queueLoads;
    return Promise.all([api(summaryPath()), api(queuePath()), loadUnanswered(), api(trendsPath())]).then(function (results) {
      if (load !== queueLoads) return;
      renderFigures(results[0].data);
      renderQueue(results[1].data);
      renderTrends(results[3].data);
      $('app').hidden = false;
      $('refresh').hidden = false;
      setNotice('');
      body.setAttribute('data-loaded', 'queue');
    });
  }

  // ---- a ticket ------------------------------------------------------------------------------------------

  // The bot's messages use Teams markdown for bold (**name**): shown as bold text, never parsed as HTML.
  function withBold(text) {
    return String(text)
      .split(/\*\*(.+?)\*\*/)
      .map(function (part, i) {
        return i % 2 === 1 ? el('strong', { text: part }) : part;
      })
      .filter(function (part) {
        return part !== '';
      });
  }

  function facts(pairs) {
    var dl = el('dl', { className: 'facts' });
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === '') return;
      dl.appendChild(el('dt', { text: pair[0] }));
      dl.appendChild(el('dd', { text: String(pair[1]) }));
    });
    return dl;
  }

  function panel(title, children, wide) {
    return el('section', { className: 'panel' + (wide ? ' panel--wide' : '') }, [el('h3', { text: title })].concat(children));
  }

  function eventText(e) {
    var what = L['dashboard.events.' + e.action] ? label('dashboard.events.' + e.action) : e.action;
    var who = e.by === 'user' ? label('dashboard.events.byUser') : e.by ? label('dashboard.events.by', { name: e.by }) : '';
    return formatWhen(e.at) + ' – ' + what + (who ? ' ' + who : '');
  }

  function renderTicket(t, message, kind) {
    var view = $('ticket-view');
    view.textContent = '';
    var r = t.requesterDetails;
    var back = el('p', {}, [el('a', { href: '#', id: 'back', text: '← ' + label('dashboard.ticket.back') })]);
    var head = el('div', { className: 'ticket-head' }, [
      el('h2', { id: 'ticket-title', text: t.ref }),
      badge(t.status),
      el('span', { className: 'holder', id: 'ticket-holder', text: t.status === 'assigned' && t.holder ? label('heldBy', { agent: t.holder }) : t.status === 'open' ? label('unheld') : t.resolvedBy ? label('dashboard.ticket.resolvedAt') + ': ' + t.resolvedBy : '' }),
    ]);
    var actions = el('div', { className: 'actions', id: 'ticket-actions' });
    // Couldn't do it sends a reason, which the member of staff is shown: a labelled box beside the buttons.
    if (t.verbs.indexOf('taskFailed') >= 0) {
      actions.appendChild(
        el('div', { className: 'filter' }, [
          el('label', { for: 'task-reason', text: label('dashboard.ticket.reasonLabel') }),
          el('textarea', { id: 'task-reason', rows: '2', maxlength: '1000' }),
        ]),
      );
    }
    t.verbs.forEach(function (verb) {
      var button = el('button', { type: 'button', className: 'button' + (verb === 'unassign' ? ' button--quiet' : ''), 'data-verb': verb, text: label('verb.' + verb) });
      button.addEventListener('click', function () {
        act(t, verb);
      });
      actions.appendChild(button);
    });
    var outcome = el('div', { id: 'action-message', className: 'notice' + (kind ? ' notice--' + kind : ''), role: kind === 'error' ? 'alert' : 'status', text: message || '' });

    var who = panel(label('dashboard.ticket.requester'), [
      facts([
        [label('field.from'), r.name],
        [label('dashboard.ticket.email'), r.email],
        [label('field.usernames'), r.esrUsernames.length ? r.esrUsernames.join(', ') : label('field.unknown')],
        [label('field.staffGroup'), r.staffGroup || label('field.unknown')],
      ]),
    ]);
    var context = t.context || {};
    var what = panel(label('dashboard.ticket.details'), [
      facts([
        [t.kind ? label('field.kind') : label('field.category'), t.kind ? label('kind.' + t.kind) : label('category.' + t.category)],
        [label('field.orgCode'), t.task ? t.task.organisationCode : null],
        [label('field.teams'), t.task ? t.task.teams : null],
        [label('field.automation'), t.task ? t.task.automation : null],
        [label('field.outcome'), t.task && t.task.outcome ? (t.task.outcome === 'done' ? label('outcome.done') : t.task.reason) : null],
        [label('field.context'), [t.flowLabel || context.flow, context.step].filter(Boolean).join(' / ')],
        [label('dashboard.ticket.detail'), context.detail],
        [label('field.created'), formatWhen(t.createdAt)],
        [label('dashboard.ticket.firstResponse'), formatWhen(t.firstResponseAt)],
        [label('dashboard.ticket.resolvedAt'), formatWhen(t.resolvedAt)],
        [label('field.wantsPerson'), t.wantsPerson ? label('yes') : null],
        [label('dashboard.ticket.rating'), t.rating ? (t.rating.helpful ? label('dashboard.ticket.helpful') : label('dashboard.ticket.notHelpful')) + (t.rating.comment ? ': ' + t.rating.comment : '') : null],
      ]),
    ]);
    var description = panel(label('field.description'), [
      el('p', { className: 'text-block', text: t.description || label('dashboard.ticket.none') }),
      t.errorMessage ? el('p', { className: 'text-block' }, [el('strong', { text: label('field.error') + ': ' }), t.errorMessage]) : null,
      t.purgedAt ? el('p', { className: 'hint', text: label('dashboard.ticket.purged', { date: formatWhen(t.purgedAt) }) }) : null,
    ], true);

    var shots = el('ul', { className: 'shots' });
    t.screenshots.forEach(function (s) {
      shots.appendChild(
        el('li', {}, [
          el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': label('dashboard.ticket.openScreenshot', { name: s.fileName }) }, [el('img', { src: s.url, alt: s.fileName, loading: 'lazy' })]),
          el('span', { className: 'caption', text: s.fileName + ' (' + s.kb + ' KB)' }),
        ]),
      );
    });
    var screenshots = panel(label('field.screenshots'), [t.screenshots.length ? shots : el('p', { className: 'hint', text: label('dashboard.ticket.noScreenshots') })], true);

    var transcript = el('ol', { className: 'transcript' });
    t.transcript.forEach(function (e) {
      transcript.appendChild(
        el('li', { className: 'from-' + e.from }, [
          el('span', { className: 'who', text: e.name }),
          el('span', { className: 'when', text: formatWhen(e.at) }),
          el('div', { className: 'text-block' }, withBold(e.text)),
          e.delivered === false ? el('div', { className: 'note', text: label('dashboard.ticket.notDelivered', { note: e.note || '' }) }) : null,
        ]),
      );
    });
    var conversation = panel(label('field.transcript'), [
      t.transcriptDropped ? el('p', { className: 'hint', text: label('dashboard.ticket.transcriptDropped', { count: t.transcriptDropped }) }) : null,
      t.transcript.length ? transcript : el('p', { className: 'hint', text: label('dashboard.ticket.noTranscript') }),
    ], true);

    var history = el('ul', { className: 'history' });
    t.events.forEach(function (e) {
      history.appendChild(el('li', { text: eventText(e) }));
    });
    var historyPanel = panel(label('dashboard.ticket.history'), [history], true);

    view.appendChild(back);
    view.appendChild(head);
    view.appendChild(actions);
    view.appendChild(outcome);
    var tried = t.task && t.task.tried.length ? panel(label('field.tried'), [el('ul', {}, t.task.tried.map(function (line) { return el('li', { text: line }); }))]) : null;
    view.appendChild(el('div', { className: 'panels' }, [who, what, tried, description, screenshots, conversation, historyPanel]));
    back.firstChild.addEventListener('click', function (event) {
      event.preventDefault();
      location.hash = '';
    });
    body.setAttribute('data-loaded', 'ticket');
  }

  function act(ticket, verb) {
    var reasonBox = $('task-reason');
    var reason = reasonBox ? reasonBox.value.trim() : '';
    if (verb === 'taskFailed' && !reason) {
      $('action-message').className = 'notice notice--warning';
      $('action-message').textContent = label('dashboard.ticket.reasonRequired');
      reasonBox.focus();
      return;
    }
    var buttons = $('ticket-actions').querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) {
      b.disabled = true;
    });
    var message = $('action-message');
    message.className = 'notice';
    message.textContent = label('dashboard.actions.working');
    api('/api/dashboard/tickets/' + ticket.id + '/actions', { method: 'POST', body: verb === 'taskFailed' ? { verb: verb, reason: reason } : { verb: verb }, acceptStatus: 409 }).then(
      function (result) {
        var ok = result.status === 200;
        if (result.data.ticket) renderTicket(result.data.ticket, result.data.message, ok ? 'good' : 'warning');
        else message.textContent = result.data.message || '';
      },
      function (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === -1 || error.status === 503)) return fail(error);
        message.className = 'notice notice--error';
        message.textContent = label('dashboard.actions.failed', { reason: (error.data && error.data.message) || label('dashboard.errors.unavailable') });
        Array.prototype.forEach.call(buttons, function (b) {
          b.disabled = false;
        });
      },
    );
  }

  function showTicket(id) {
    $('queue-view').hidden = true;
    if ($('unanswered-view')) $('unanswered-view').hidden = true;
    var view = $('ticket-view');
    view.hidden = false;
    view.textContent = '';
    view.appendChild(el('p', { text: label('dashboard.loading') }));
    return api('/api/dashboard/tickets/' + id).then(
      function (result) {
        renderTicket(result.data.ticket);
        var title = $('ticket-title');
        if (title) {
          title.setAttribute('tabindex', '-1');
          title.focus();
        }
      },
      function (error) {
        if (error instanceof ApiError && error.status === 404) {
          view.textContent = '';
          view.appendChild(el('p', { className: 'notice notice--error', text: label('dashboard.errors.notFound', { ref: '#' + id }) }));
          view.appendChild(el('p', {}, [el('a', { href: '#', text: '← ' + label('dashboard.ticket.back') })]));
          return;
        }
        fail(error);
      },
    );
  }

  function showQueue() {
    $('ticket-view').hidden = true;
    $('ticket-view').textContent = '';
    $('queue-view').hidden = false;
    if ($('unanswered-view')) $('unanswered-view').hidden = false;
    return loadQueue().catch(fail);
  }

  function route() {
    var match = /^#ticket\/(\d+)$/.exec(location.hash);
    return match ? showTicket(match[1]) : showQueue();
  }

  // ---- pages ---------------------------------------------------------------------------------------------

  function startQueuePage() {
    $('filters').addEventListener('change', function () {
      loadQueue().catch(fail);
    });
    $('filters').addEventListener('submit', function (event) {
      event.preventDefault();
    });
    $('refresh').addEventListener('click', function () {
      route();
    });
    window.addEventListener('hashchange', route);
    setInterval(function () {
      if (!document.hidden && !$('queue-view').hidden && !$('app').hidden) loadQueue().catch(fail);
    }, REFRESH_MS);
    setNotice(label('dashboard.loading'));
    return route();
  }

  function startConfigurePage() {
    var tabUrl = body.getAttribute('data-tab-url');
    teams.pages.config.registerOnSaveHandler(function (saveEvent) {
      teams.pages.config
        .setConfig({ entityId: 'esr-helpdesk-tickets', contentUrl: tabUrl, websiteUrl: tabUrl, suggestedDisplayName: label('dashboard.configure.suggestedName') })
        .then(
          function () {
            saveEvent.notifySuccess();
          },
          function (error) {
            saveEvent.notifyFailure(error && error.message ? error.message : String(error));
          },
        );
    });
    teams.pages.config.setValidityState(true);
    setNotice(label('dashboard.configure.ready'), 'good');
    body.setAttribute('data-loaded', 'configure');
  }

  function outsideTeams() {
    var page = body.getAttribute('data-page');
    if (devLogin && page === 'queue') {
      applyTheme(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default');
      $('dev-banner').hidden = false;
      body.setAttribute('data-mode', 'development');
      return startQueuePage();
    }
    body.setAttribute('data-mode', 'outside-teams');
    var main = $('main');
    var notice = $('notice');
    notice.className = 'notice notice--warning';
    notice.setAttribute('role', 'alert');
    notice.textContent = '';
    notice.appendChild(el('strong', { text: label('dashboard.openInTeamsTitle') }));
    notice.appendChild(el('p', { text: label('dashboard.openInTeams') }));
    if (main && $('app')) $('app').hidden = true;
  }

  startTeams().then(
    function () {
      body.setAttribute('data-mode', 'teams');
      return body.getAttribute('data-page') === 'configure' ? startConfigurePage() : startQueuePage();
    },
    outsideTeams,
  );
})();
