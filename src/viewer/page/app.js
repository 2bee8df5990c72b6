// The viewer's page: plain DOM, no framework, no build step. Every value from
// a trace is written as text (never as HTML): span names and content come from apps.

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
/** Content attributes, rendered as messages rather than listed. */
const CONTENT = ['gen_ai.system_instructions', 'gen_ai.input.messages', 'gen_ai.output.messages'];
const GROUPS = ['GenAI', 'Request', 'Response', 'Usage', 'Other'];

const state = { traceId: undefined, spanId: undefined, detail: undefined, version: -1 };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    // Through the CSSOM: the page's policy refuses style attributes.
    else if (k === 'style') Object.assign(node.style, v);
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c);
  return node;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const usd = (n) => (n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(4)}`);
function ms(n) {
  if (n < 1) return `${n.toFixed(3)} ms`;
  if (n < 1000) return `${n.toFixed(1)} ms`;
  return `${(n / 1000).toFixed(2)} s`;
}
const time = (epochMs) => new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false });

function groupOf(key) {
  if (key.startsWith('gen_ai.usage.') || key === 'gen_ai.cost.usd') return 'Usage';
  if (
    key.startsWith('gen_ai.request.') ||
    key.startsWith('server.') ||
    key.startsWith('url.') ||
    key.startsWith('http.request.')
  )
    return 'Request';
  if (key.startsWith('gen_ai.response.') || key.startsWith('http.response.') || key === 'error.type') return 'Response';
  if (key.startsWith('gen_ai.') || key.startsWith('gcp.gen_ai.') || key.startsWith('enduser.')) return 'GenAI';
  return 'Other';
}

function show(value) {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

// ---- The trace list ------------------------------------------------------------

function renderList(data) {
  for (const node of document.querySelectorAll('#otlp-url, .otlp-url')) node.textContent = data.otlpUrl;
  $('max-traces').textContent = String(data.maxTraces);
  const body = $('trace-list').tBodies[0];
  $('no-traces').hidden = data.traces.length > 0;
  $('trace-list').hidden = data.traces.length === 0;
  body.replaceChildren(
    ...data.traces.map((t) =>
      el(
        'tr',
        { class: t.traceId === state.traceId ? 'selected' : '', 'data-trace-id': t.traceId },
        el(
          'td',
          {},
          el('button', {
            class: 'row',
            type: 'button',
            text: t.root,
            'aria-label': `Trace ${t.root}, ${ms(t.durationMs)}`,
            onclick: () => selectTrace(t.traceId),
          })
        ),
        el('td', { text: t.service }),
        el('td', { text: time(t.start) }),
        el('td', { class: 'num', text: ms(t.durationMs) }),
        el('td', { class: 'num', text: String(t.modelCalls) }),
        el('td', { class: 'num', text: `${int(t.inputTokens)} / ${int(t.outputTokens)}` }),
        el('td', { class: 'num', text: usd(t.costUsd) }),
        el('td', { class: t.errors ? 'num error-text' : 'num', text: String(t.errors) })
      )
    )
  );
}

// ---- A trace's waterfall -------------------------------------------------------

/** Parents before their children, siblings by start; orphans (parent not received) at the top level. */
function ordered(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(s);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.start - b.start)) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

function renderTrace() {
  const detail = state.detail;
  $('trace').hidden = !detail;
  if (!detail) return;
  const { summary, spans } = detail;
  $('trace-heading').textContent = `Trace: ${summary.root}`;
  $('trace-facts').textContent =
    `${summary.service} · ${ms(summary.durationMs)} · ${summary.spans} spans · ${summary.modelCalls} model calls · ` +
    `${int(summary.inputTokens)} in / ${int(summary.outputTokens)} out tokens · ${usd(summary.costUsd)}` +
    (summary.errors ? ` · ${summary.errors} errors` : '') +
    ` · trace id ${summary.traceId}`;
  const t0 = summary.start;
  const total = Math.max(summary.durationMs, 0.001);
  const pct = (t) => `${Math.min(100, Math.max(0, ((t - t0) / total) * 100)).toFixed(3)}%`;
  $('waterfall').tBodies[0].replaceChildren(
    ...ordered(spans).map(({ span: s, depth }) => {
      const genai = typeof s.attributes['gen_ai.operation.name'] === 'string';
      const failed = s.status.code === 2;
      const bar = el('div', {
        class: `bar${genai ? ' genai' : ''}${failed ? ' error' : ''}`,
        style: { left: pct(s.start), width: `calc(${pct(s.end)} - ${pct(s.start)})` },
      });
      const events = s.events.map((e) =>
        el('div', { class: 'event', style: { left: pct(e.time) }, title: `${e.name} at +${ms(e.time - s.start)}` })
      );
      const eventText = s.events.length
        ? `; events: ${s.events.map((e) => `${e.name} at +${ms(e.time - s.start)}`).join(', ')}`
        : '';
      return el(
        'tr',
        { class: s.spanId === state.spanId ? 'selected' : '', 'data-span-id': s.spanId, 'data-depth': depth },
        el(
          'td',
          { style: { paddingLeft: `${0.5 + depth * 1.1}rem` } },
          el('button', {
            class: 'row',
            type: 'button',
            text: s.name,
            'aria-label': `${s.name}, ${KINDS[s.kind] ?? s.kind}, ${ms(s.end - s.start)}${failed ? ', error' : ''}`,
            onclick: () => selectSpan(s.spanId),
          }),
          el('span', { class: 'kind', text: KINDS[s.kind] ?? String(s.kind) }),
          failed ? el('span', { class: 'error-text', text: ' error' }) : undefined
        ),
        el(
          'td',
          {},
          el(
            'div',
            {
              class: 'timeline',
              role: 'img',
              'aria-label': `starts at +${ms(s.start - t0)}, lasts ${ms(s.end - s.start)}${eventText}`,
            },
            bar,
            ...events
          )
        ),
        el('td', { class: 'num', text: ms(s.end - s.start) })
      );
    })
  );
}

// ---- A span's panel ------------------------------------------------------------

function parts(list) {
  const out = [];
  for (const p of Array.isArray(list) ? list : []) {
    if (p.type === 'text' || p.type === 'reasoning') {
      out.push(el('p', { text: p.type === 'reasoning' ? `(thinking) ${p.content ?? ''}` : (p.content ?? '') }));
    } else if (p.type === 'tool_call') {
      out.push(
        el('p', {}, 'Calls ', el('code', { text: `${p.name ?? 'a tool'}(${JSON.stringify(p.arguments ?? {})})` }))
      );
    } else if (p.type === 'tool_call_response') {
      out.push(el('p', {}, 'Tool result: ', el('code', { text: JSON.stringify(p.response ?? p.result ?? null) })));
    } else {
      out.push(el('p', {}, el('code', { text: `[${p.type ?? 'part'}] ${JSON.stringify(p)}` })));
    }
  }
  return out;
}

/** The conventions' message attributes (JSON strings or arrays) as messages; undefined when none. */
function renderMessages(attrs) {
  const blocks = [];
  for (const key of CONTENT) {
    let value = attrs[key];
    if (value === undefined) continue;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        value = [{ role: 'unknown', parts: [{ type: 'text', content: value }] }];
      }
    }
    const list = Array.isArray(value) ? value : [value];
    const title =
      key === 'gen_ai.system_instructions'
        ? 'System instructions'
        : key === 'gen_ai.input.messages'
          ? 'Input'
          : 'Output';
    const messages =
      key === 'gen_ai.system_instructions'
        ? [el('div', { class: 'message' }, ...parts(list))]
        : list.map((m) =>
            el(
              'div',
              { class: 'message' },
              el('div', { class: 'role', text: m.role ?? 'message' }),
              ...parts(m.parts),
              m.finish_reason ? el('div', { class: 'note', text: `finish reason: ${m.finish_reason}` }) : undefined
            )
          );
    blocks.push(el('h4', { text: title }), ...messages);
  }
  return blocks.length ? blocks : undefined;
}

function renderSpan() {
  const span = state.detail?.spans.find((s) => s.spanId === state.spanId);
  $('span').hidden = !span;
  if (!span) return;
  $('span-heading').textContent = span.name;
  $('span-facts').textContent =
    `${KINDS[span.kind] ?? span.kind} · ${ms(span.end - span.start)} · ` +
    `${span.status.code === 2 ? `error${span.status.message ? `: ${span.status.message}` : ''}` : 'ok'} · ` +
    `${span.scope || 'no scope'} · span id ${span.spanId}`;
  const grouped = new Map(GROUPS.map((g) => [g, []]));
  for (const key of Object.keys(span.attributes).sort()) {
    if (CONTENT.includes(key)) continue;
    grouped.get(groupOf(key)).push([key, span.attributes[key]]);
  }
  $('span-groups').replaceChildren(
    ...GROUPS.filter((g) => grouped.get(g).length > 0).map((g) => {
      const id = `group-${g.toLowerCase()}`;
      return el(
        'section',
        { class: 'group', 'aria-labelledby': id, 'data-group': g },
        el('h3', { id, text: g }),
        el(
          'table',
          {},
          el(
            'tbody',
            {},
            ...grouped
              .get(g)
              .map(([k, v]) =>
                el('tr', { 'data-key': k }, el('th', { scope: 'row', text: k }), el('td', { text: show(v) }))
              )
          )
        )
      );
    })
  );
  // Content on the span, or on the span's details event (a log record) when captured there.
  const logs = (state.detail.logs ?? []).filter((l) => l.spanId === span.spanId);
  const fromLogs = logs.find((l) => CONTENT.some((k) => l.attributes[k] !== undefined));
  const messages = renderMessages(span.attributes) ?? (fromLogs && renderMessages(fromLogs.attributes));
  $('span-messages').replaceChildren(
    ...(messages
      ? [el('h3', { text: 'Messages' }), ...messages]
      : [el('p', { class: 'note', text: 'No message content: the app did not capture it (off by default).' })])
  );
  const events = [
    ...span.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes })),
    ...logs.map((l) => ({ name: `${l.eventName ?? 'log'} (log record)`, time: l.time, attributes: {} })),
  ].sort((a, b) => a.time - b.time);
  $('span-events').replaceChildren(
    ...(events.length
      ? [
          el('h3', { text: 'Events' }),
          el(
            'ul',
            {},
            ...events.map((e) => {
              const extra = Object.entries(e.attributes)
                .filter(([k]) => !k.startsWith('exception.stacktrace'))
                .map(([k, v]) => `${k}=${show(v)}`)
                .join(', ');
              return el('li', { text: `+${ms(e.time - span.start)} ${e.name}${extra ? ` (${extra})` : ''}` });
            })
          ),
        ]
      : []),
    ...(span.links.length
      ? [
          el('h3', { text: 'Links' }),
          el('ul', {}, ...span.links.map((l) => el('li', { text: `trace ${l.traceId}, span ${l.spanId}` }))),
        ]
      : [])
  );
}

// ---- Totals ----------------------------------------------------------------------

function renderTotals(totals) {
  $('model-totals').tBodies[0].replaceChildren(
    ...totals.models.map((m) =>
      el(
        'tr',
        { 'data-model': m.model },
        el('th', { scope: 'row', text: m.model }),
        el('td', { class: 'num', text: int(m.calls) }),
        el('td', { class: 'num', text: int(m.errors) }),
        el('td', { class: 'num', text: int(m.inputTokens) }),
        el('td', { class: 'num', text: int(m.outputTokens) }),
        el('td', { class: 'num', text: usd(m.costUsd) })
      )
    )
  );
  $('user-totals').tBodies[0].replaceChildren(
    ...totals.users.map((u) =>
      el(
        'tr',
        { 'data-user': u.user },
        el('th', { scope: 'row', text: u.user }),
        el('td', { class: 'num', text: usd(u.costUsd) })
      )
    )
  );
}

// ---- Selection, URL and live updates -----------------------------------------------

function writeHash() {
  const params = new URLSearchParams();
  if (state.traceId) params.set('trace', state.traceId);
  if (state.spanId) params.set('span', state.spanId);
  history.replaceState(null, '', `#${params}`);
}

async function loadTrace() {
  if (!state.traceId) {
    state.detail = undefined;
  } else {
    try {
      state.detail = await getJson(`/api/traces/${state.traceId}`);
    } catch {
      state.detail = undefined;
    }
  }
  renderTrace();
  renderSpan();
}

async function selectTrace(traceId) {
  state.traceId = traceId;
  state.spanId = undefined;
  await loadTrace();
  // The first model call is what one opens a GenAI trace for.
  const first =
    state.detail &&
    ordered(state.detail.spans).find(({ span }) => span.kind === 3 && span.attributes['gen_ai.operation.name']);
  if (first) state.spanId = first.span.spanId;
  writeHash();
  renderTrace();
  renderSpan();
  for (const row of $('trace-list').tBodies[0].rows) row.classList.toggle('selected', row.dataset.traceId === traceId);
  $('trace-heading').focus?.();
}

function selectSpan(spanId) {
  state.spanId = spanId;
  writeHash();
  renderTrace();
  renderSpan();
  document.querySelector(`#waterfall tr[data-span-id="${spanId}"] button`)?.focus();
}

let refreshing = false;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const [list, totals] = await Promise.all([getJson('/api/traces'), getJson('/api/totals')]);
    renderList(list);
    renderTotals(totals);
    if (state.traceId) await loadTrace();
    state.version = list.version;
    $('live-status').textContent = `Updated ${time(Date.now())}: ${list.traces.length} traces.`;
    document.body.dataset.version = String(list.version);
  } catch (err) {
    $('live-status').textContent = `Could not update (${err.message}).`;
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

function start() {
  const params = new URLSearchParams(location.hash.slice(1));
  state.traceId = params.get('trace') ?? undefined;
  state.spanId = params.get('span') ?? undefined;
  const live = new EventSource('/api/live');
  live.onmessage = (e) => {
    if (Number(e.data) !== state.version) void refresh();
  };
  live.onerror = () => {
    $('live-status').textContent = 'Viewer not reachable; retrying.';
  };
  void refresh();
}

start();
