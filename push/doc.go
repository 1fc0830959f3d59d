// Package push delivers new object versions as they are stored: a
// Server-Sent Events stream per collection and signed webhooks. Both obey
// the access rules of every read (package access), decided when each
// object is sent, never from a snapshot taken when a stream opened.
//
// # Fan-out
//
// The TAXII server calls Server.OnStored after it stored objects; OnStored
// hands them to a Publisher. The in-process Hub is the default one: it
// fans each batch out to the subscribers of the collection without ever
// waiting for one. Each subscriber has a bounded buffer (Config.Buffer
// batches); one that is full is ended with reason "overflow" and resumes
// from its last event id, so a stalled reader costs a reconnect, not data,
// and never delays the writer or the others. A cross-node notifier
// (PostgreSQL LISTEN/NOTIFY) is another Publisher: it tells the other
// nodes, whose listeners call their own Hub.Publish; stream and webhook
// code only subscribe to the Hub and do not change. Even without one, a
// stream that sees a Seq gap reads the gap from the store.
//
// # The stream
//
//	GET /{bloc}/collections/{id}/stream[/]
//	    ?match[type]=a,b &match[id]=x,y &view=manifest &added_after=<RFC 3339>
//	    Authorization: Basic … | Bearer …   (as TAXII)
//	    Last-Event-ID: <seq>                (on reconnect)
//
// answers text/event-stream with one event per object version the reader
// may read:
//
//	id: 42
//	data: {"type":"indicator","spec_version":"2.1",…}
//
// id is the version's Seq, its position in the collection (the order of
// date_added). With view=manifest, data is the TAXII manifest entry
// ({"id","date_added","version","media_type"}). Comment lines
// (": keep-alive") are sent every Config.Heartbeat. A stream ends with
//
//	event: end
//	data: {"reason":"access_ended","message":"denied: agency … is former in csto …"}
//
// where reason is access_ended (the party's withdrawal, lapse, suspension
// or expulsion took effect, including one recorded ahead of time for a
// future instant), token_revoked, token_expired, overflow or shutdown.
// After overflow and shutdown a client reconnects with Last-Event-ID; after
// the others it has no access left.
//
// Without Last-Event-ID or added_after a stream starts with what is stored
// after it opened. With either, it first replays from the store and then
// switches to live events with no gap and no repeat: it subscribes before
// it reads where the collection ends, and skips live events at or below
// the last Seq it considered.
//
// Errors before the stream starts are TAXII error messages: 401 for bad
// credentials, 404 for a collection that does not exist or that the caller
// may not read (as the TAXII server answers), 400 for a bad parameter.
//
// On HTTP/1.x the stream takes the connection over from net/http and
// continues on a goroutine of its own (Config.NoHijack turns this off), so
// an idle stream costs about its socket, one small goroutine and a small
// buffer.
//
// # Access re-checked, centrally
//
// The Guard re-checks every open stream without polling the database per
// stream. One goroutine polls the record version and the token version
// (Config.GuardInterval) and keeps one timer for the earliest instant at
// which a watched party's standing changes (standing.Roster.NextChange:
// the start or the end of a standing change's window, the bloc's
// dissolution among them), a token expires, or a revocation dated in the
// future takes effect. Streams of the same party in the same bloc share
// one group. Besides, every event is filtered with the reader's standing
// at the instant it is sent.
//
// Every answer comes from the rosters of the blocs streams are open in
// (Record.Roster, registry.Service's per-bloc rosters), read when the
// first stream of a bloc opens and again when the record version changes:
// the whole record is never derived, at start or after a change.
//
// # Webhooks
//
// An agency subscribes a URL (https, or http to the loopback interface) to
// a collection; one worker per subscription POSTs each object version the
// agency may read at that moment, in Seq order, as
//
//	POST <url>
//	Content-Type: application/stix+json;version=2.1
//	X-Bloc-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//	X-Bloc-Webhook: <webhook id>
//	X-Bloc-Collection: <collection id>
//	X-Bloc-Event-Id: <seq>
//
//	<the STIX object>
//
// Receivers check the signature with VerifySignature (HMAC over the
// timestamp and the raw body, compared in constant time, refused when the
// timestamp is more than 5 minutes away, so a captured delivery cannot be
// replayed later) and answer 2xx. Anything else is retried with
// exponential backoff (Backoff), the same object again, so order holds;
// each attempt is recorded; after MaxFailures consecutive failures the
// subscription is disabled with a reason, shown by `bloc webhook list`.
// Progress (the last Seq delivered or passed over) is stored with each
// delivery: delivery is at least once and resumes after a restart.
package push
