// A Bookinfo-style service in one small file (Node, no dependencies), so the lab needs no
// images beyond node and envoy. SERVICE picks the role: productpage calls details and
// reviews; reviews v2 and v3 call ratings; details and ratings answer on their own.
//
// Every outbound call goes to the pod's own sidecar, explicitly: to 127.0.0.1:15080 (the
// lab's outbound HTTP listener, see ../README.md) with the Host header naming the service,
// e.g. `Host: reviews:9080`. The sidecar picks the route by that Host, as it would for a
// call iptables had captured. Nothing here knows pod IPs or subsets: mini-istiod decides.
import http from 'node:http';

const SERVICE = process.env.SERVICE ?? 'details';
const VERSION = process.env.VERSION ?? 'v1';
const PORT = Number(process.env.PORT ?? 9080);
const SIDECAR_HOST = '127.0.0.1';
const SIDECAR_PORT = Number(process.env.SIDECAR_PORT ?? 15080);
// Istio's apps forward these so routing rules (end-user) and traces follow the request.
const PROPAGATE = ['end-user', 'x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'traceparent'];

/** GET http://SERVICE:9080PATH through the local sidecar; resolves { status, body }. */
function call(service, path, incoming) {
  const headers = { host: `${service}:9080` };
  for (const h of PROPAGATE) if (incoming.headers[h]) headers[h] = incoming.headers[h];
  return new Promise((resolve) => {
    const req = http.request({ host: SIDECAR_HOST, port: SIDECAR_PORT, path, headers, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: `${service} unreachable: ${err.message}` }));
    req.end();
  });
}

function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text };
  }
}

const handlers = {
  details: async () => ({ id: 0, author: 'William Shakespeare', year: 1595, type: 'paperback', pages: 200, publisher: 'PublisherA' }),
  ratings: async () => ({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } }),
  reviews: async (req) => {
    const reviews = { id: 0, podname: `reviews-${VERSION}`, reviews: [{ reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare.' }, { reviewer: 'Reviewer2', text: 'Absolutely fun and entertaining.' }] };
    if (VERSION === 'v1') return reviews;
    const r = await call('ratings', '/ratings/0', req);
    const color = VERSION === 'v2' ? 'black' : 'red';
    const ratings = r.status === 200 ? json(r.body).ratings : undefined;
    reviews.reviews.forEach((rev) => (rev.rating = ratings ? { stars: ratings[rev.reviewer], color } : { error: `ratings unavailable (HTTP ${r.status}: ${r.body.slice(0, 80)})` }));
    return reviews;
  },
  productpage: async (req) => {
    const [details, reviews] = await Promise.all([call('details', '/details/0', req), call('reviews', '/reviews/0', req)]);
    const d = details.status === 200 ? json(details.body) : { error: `HTTP ${details.status}: ${details.body.slice(0, 80)}` };
    const r = reviews.status === 200 ? json(reviews.body) : { error: `HTTP ${reviews.status}: ${reviews.body.slice(0, 80)}` };
    const lines = [`productpage-${VERSION}: The Comedy of Errors`, `  details: ${d.error ?? `${d.author}, ${d.year}, ${d.pages} pages`}`];
    if (r.error) lines.push(`  reviews: ${r.error}`);
    else {
      lines.push(`  reviews served by ${r.podname}`);
      for (const rev of r.reviews) {
        const stars = rev.rating?.stars ? `${'★'.repeat(rev.rating.stars)} (${rev.rating.color})` : rev.rating?.error ?? 'no stars';
        lines.push(`    ${rev.reviewer}: ${stars}`);
      }
    }
    return `${lines.join('\n')}\n`;
  },
};

http
  .createServer(async (req, res) => {
    try {
      const out = await handlers[SERVICE](req);
      const text = typeof out === 'string' ? out : JSON.stringify(out);
      res.writeHead(200, { 'content-type': typeof out === 'string' ? 'text/plain; charset=utf-8' : 'application/json' });
      res.end(text);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${SERVICE}-${VERSION} failed: ${err.message}\n`);
    }
  })
  .listen(PORT, '0.0.0.0', () => console.log(`${SERVICE}-${VERSION} listening on ${PORT}`));
