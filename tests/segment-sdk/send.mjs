// Sends one of each Segment call through Segment's own Node SDK to the ingest API.
// Usage: INGEST_URL=http://127.0.0.1:8080 SEGMENT_WRITE_KEY=… USER_ID=… node send.mjs
// Exits non-zero when the SDK reports an error (a refused batch, an unreachable host).
import { Analytics } from '@segment/analytics-node'

const host = process.env.INGEST_URL
const writeKey = process.env.SEGMENT_WRITE_KEY
const userId = process.env.USER_ID ?? 'sdk-user-1'
if (!host || !writeKey) {
  console.error('INGEST_URL and SEGMENT_WRITE_KEY must be set')
  process.exit(2)
}

// flushAt: 6 posts the six calls below as one /v1/batch, in the order they were made. With flushAt: 1 the SDK posts each
// call as its own request, all at once: they can reach the ingest in any order (seen: the identify after the track and
// the group), and no receiver can keep an order its sender did not. maxRetries: 0 so a refusal shows up at once.
const analytics = new Analytics({ writeKey, host, flushAt: 6, maxRetries: 0 })
let failed = false
analytics.on('error', (err) => {
  failed = true
  console.error('segment sdk error:', err?.code ?? '', err?.reason?.message ?? err?.message ?? err)
})
analytics.on('http_request', (req) => {
  const body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body
  console.log(req.method, req.url, body?.batch?.map((e) => e.type).join(','))
})

analytics.identify({ userId, traits: { firstName: 'Sdk', lastName: 'User', email: 'sdk@example.com' } })
analytics.track({ userId, event: 'User Registered', properties: { plan: 'sdk' } })
analytics.page({ userId, name: 'Pricing', properties: { path: '/pricing' } })
analytics.screen({ userId, name: 'Home', properties: { tab: 'feed' } })
analytics.group({ userId, groupId: 'sdk-group', traits: { name: 'Sdk Group' } })
analytics.alias({ userId, previousId: 'anon-sdk-1' })

await analytics.closeAndFlush({ timeout: 20000 })
process.exit(failed ? 1 : 0)
