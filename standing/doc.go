// Package standing is the temporal logic of the membership record: from the
// appended records, the events they attest; from the events, the standing of
// every party in every bloc at every instant. It is pure (no I/O, no clock):
// callers pass the records and the instants, and Build returns an immutable
// Book that answers every registry question.
//
// # Records and events
//
// A record is one attestation of an event by one source; records sharing
// an EventID are one Event. The book is built as known at a record time
// (knownAt; zero means everything): a record is live when RecordedAt <=
// knownAt, and dead when a live record supersedes it. A correction
// (Supersedes X, not Retracts) replaces X within X's event, whatever its own
// EventID says; a retraction (Retracts) only kills X and attests nothing;
// retracting a correction does not revive what it corrected. An event with
// no live attestation does not exist. The event's bloc, party and kind come
// from its oldest live attestation, its new name and scope from the newest
// that gives one.
//
// # Dates
//
// Each attestation's date has a window [Date.Start, Date.End()). When all
// windows of an event share an instant the sources agree: the event takes
// the most precise window (calendar windows nest, so "1993" and
// "1993-12-31" give 1993-12-31 with day precision). When they do not (2 and
// 20 April 1999) the event is Disputed: its window is the hull of all
// (Start..End), its Date the earliest attestation's, and every source stays
// attached.
//
// # Standing
//
// Per party and bloc, events apply in order of window start, then kind —
// observer_until, partner_until, withdrew, lapsed, expelled, suspended,
// resumed, then signed, acceded, observer_from, partner_from, then
// statement, renamed, dissolved — then id. Ends come before starts so that an
// observer may accede on the day its observer status ends. Transitions:
//
//	signed, acceded      none | former | observer | partner → member
//	suspended            member → suspended
//	resumed              suspended → member
//	withdrew, lapsed,
//	expelled             member | suspended → former
//	observer_from        none | former | partner → observer
//	observer_until       observer → former if ever a member, else none
//	partner_from         none | former | observer → partner (with Scope)
//	partner_until        partner → former if ever a member, else none
//	statement            no change, allowed in any standing
//
// renamed and dissolved are bloc-level (no party). dissolved ends every
// standing (former for those ever members, none for the rest) and nothing,
// not even a statement or a renaming, may come after it in the order above.
// Events whose window lies wholly before the bloc's founding date are
// refused, except statements (a position may predate the bloc, as the
// Shanghai Five's did the SCO). Stored events that break these rules are
// tolerated (Build never fails): they change nothing and are listed by
// Anomalies; Check refuses new ones.
//
// # Uncertainty
//
// An imprecise event took effect somewhere inside its window. A party's
// steps happened in the order above, so a step has surely happened by the
// earliest end of its own window and every later step's (an accession in
// "2000" followed by a suspension on 2000-03-01 is sure by 2000-03-02), and
// may have happened from its window's start. At an instant where
// some steps may or may not have happened, a Position is not Certain;
// Before and After are the standings on either side, and Standing is the
// most inclusive possible one (member, suspended, observer, partner, former,
// none in that order), so Members lists a party that may be a member, marked
// uncertain. An instant-precision event is certain at and after its instant
// and before it: its one-nanosecond window never makes a query uncertain.
// A bloc's name at t is the new name of the last renaming whose window has
// begun by t.
//
// # Checking new records
//
// Check and Prepare validate a batch of new records together, the way the
// store will append them: records with EventID 0 are grouped with the event
// Match finds (stored or formed earlier in the batch), corrections and
// retractions apply in order, then the state machine runs over every party
// the batch touched. Malformed records are EINVALID; impossible transitions
// and duplicates (a record repeating a live attestation's bloc, party,
// kind, date, precision and source URL and title) are ECONFLICT. Each
// refused record gets one line naming the event, the party, the bloc and
// the standing at that date, for example
//
//	csto UZB acceded 2008-01-01: UZB is already a member of csto on that date (member since 2006-08-16)
//
// Store the records Prepare returns, not the originals: it assigns the
// EventIDs (stored ids, or -n for the batch's n-th record) that the check
// assumed.
//
// # Matching
//
// Match finds the live event a record would attest: same bloc, party and
// kind (and new name, for renamings), with an overlapping window —
// "recorded" when a source already gave that window, "refinement" when it
// agrees with every source, else "disagreement" — or, except for
// statements, a window within a year of the event's with no other
// standing-changing event of the party in between ("disagreement").
//
// # Cost
//
// Build is linear in the records apart from sorting each bloc's events; it
// shares the caller's records as attestations instead of copying them.
// Standing queries binary-search each party's transitions: At is a few
// hundred nanoseconds, Members of a bloc of 500 parties tens of
// microseconds.
package standing
