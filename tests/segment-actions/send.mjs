// Sends events to the ingest through Segment's own Webhooks (Actions) destination: @segment/action-destinations'
// webhook definition, action "send", run by @segment/actions-core's Destination.onEvent (single mode) or onBatch
// (batch mode), as Segment runs it. Its requests go through a recording proxy on loopback, so that a test can also
// replay a captured request (its headers and body exactly as Segment sent them) with an event appended.
//
// Usage: SCENARIO='{"ingestUrl":"http://127.0.0.1:5000", ...}' node send.mjs
//   ingestUrl      where the ingest listens
//   mode           "single" (one request per event) or "batch" (one request for all of them)
//   events         how many track events (default 1); "identify": true sends an identify first
//   run            prefix of messageIds and user ids, so that tests do not share events
//   ageMinutes     how long ago Segment received the events (receivedAt, sentAt, timestamp); default 0
//   sharedSecret   the destination's Shared Secret setting (it signs with X-Signature), optional
//   headers        the Send action's Headers mapping, e.g. {"Authorization": "Bearer …"}, optional
//   replayAppend   after Segment's delivery, post the captured request again with one more event appended
// Prints one JSON line: {"requests":[{"method","status","answer","events","ms"}], "errors":[…]} (ms: from the request's
// last byte to the ingest's answer); exits 0 unless it crashed.
import http from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Destination } = require('@segment/actions-core')
const webhook = require('@segment/action-destinations/dist/destinations/webhook').default

const scenario = JSON.parse(process.env.SCENARIO ?? '{}')
if (!scenario.ingestUrl) {
  console.error('SCENARIO must carry ingestUrl')
  process.exit(2)
}
const run = scenario.run ?? 'actions'
const at = new Date(Date.now() - (scenario.ageMinutes ?? 0) * 60_000).toISOString()

// Events as Segment's pipeline hands them to a destination: messageId, the three dates, a full context.
const base = (i, type) => ({
  type,
  messageId: `${run}-${type}-${i}`,
  userId: `${run}-user-${i % 50}`,
  anonymousId: `${run}-anon-${i % 50}`,
  receivedAt: at,
  sentAt: at,
  timestamp: at,
  originalTimestamp: at,
  context: { library: { name: 'analytics-node', version: '2.1.0' }, ip: '203.0.113.7' },
  integrations: {},
})
const events = []
if (scenario.identify) events.push({ ...base(0, 'identify'), traits: { email: `${run}@example.com`, firstName: 'Actions' } })
for (let i = 0; i < (scenario.events ?? 1); i++)
  events.push({ ...base(i, 'track'), event: 'User Registered', properties: { plan: 'actions', n: i } })

// The recording proxy: forwards each request unchanged and remembers it as captured on the wire.
const ingest = new URL(scenario.ingestUrl)
const captured = []
const proxy = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const started = performance.now()
    const body = Buffer.concat(chunks)
    const headers = { ...req.headers, host: ingest.host }
    const forward = http.request({ host: ingest.hostname, port: ingest.port, path: req.url, method: req.method, headers }, (answer) => {
      const parts = []
      answer.on('data', (c) => parts.push(c))
      answer.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8')
        const ms = Math.round(performance.now() - started)
        captured.push({ method: req.method, path: req.url, headers: req.headers, body, status: answer.statusCode, answer: text, ms })
        res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] ?? 'application/json' })
        res.end(text)
      })
    })
    forward.on('error', (err) => {
      res.writeHead(502)
      res.end(String(err))
    })
    forward.end(body)
  })
})
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${proxy.address().port}/webhooks/segment`

const destination = new Destination(webhook)
const settings = {
  ...(scenario.sharedSecret ? { sharedSecret: scenario.sharedSecret } : {}),
  subscription: {
    subscribe: 'type = "track" or type = "identify"',
    partnerAction: 'send',
    mapping: {
      url,
      method: scenario.method ?? 'POST',
      data: { '@path': '$.' },
      ...(scenario.headers ? { headers: scenario.headers } : {}),
      ...(scenario.mode === 'batch' ? { batch_size: events.length } : {}),
    },
  },
}

const errors = []
const attempt = async (work) => {
  try {
    await work()
  } catch (err) {
    errors.push(`${err?.response?.status ?? ''} ${err?.message ?? err}`.trim())
  }
}
if (scenario.mode === 'batch') await attempt(() => destination.onBatch(events, settings))
else for (const event of events) await attempt(() => destination.onEvent(event, settings))

if (scenario.replayAppend && captured.length > 0) {
  // Someone who captured Segment's request posts it again, its signature and headers as they were, with an event of
  // their own appended to the array (the bytes of the captured elements unchanged).
  const original = captured[captured.length - 1]
  const appended = { ...base(99999, 'track'), messageId: `${run}-appended`, userId: `${run}-intruder`, event: 'User Registered' }
  const text = original.body.toString('utf8')
  const body = text.startsWith('[') ? `${text.slice(0, text.lastIndexOf(']'))},${JSON.stringify(appended)}]` : text
  const headers = { ...original.headers }
  for (const hop of ['host', 'connection', 'content-length', 'transfer-encoding']) delete headers[hop]
  const answer = await fetch(new URL(original.path, scenario.ingestUrl), { method: original.method, headers, body })
  captured.push({ method: original.method, headers, status: answer.status, answer: await answer.text(), body: Buffer.from(body), replay: true })
}

proxy.close()
console.log(JSON.stringify({
  requests: captured.map((r) => ({
    method: r.method,
    status: r.status,
    answer: r.answer,
    replay: r.replay ?? false,
    ms: r.ms ?? null,
    events: r.body.toString('utf8').startsWith('[') ? JSON.parse(r.body.toString('utf8')).length : 1,
    signed: Boolean(r.headers?.['x-signature']),
    userAgent: r.headers?.['user-agent'] ?? null,
  })),
  errors,
}))
