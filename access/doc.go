// Package access is the one access decision of bloc (DESIGN §3). Every read
// path of the TAXII server, the push streams and `bloc access explain` call
// it; nothing else decides who may read or write what.
//
// The package is pure: no I/O and no clock. The caller resolves the
// credentials to an agency and role, asks the registry for the standing of
// the agency's party in the collection's bloc at the instant in question
// (the moment of the request, or a past instant for an audit), and passes
// the result as a Reader. The same inputs always give the same Decision:
// asked about 1 March 2012 with the record as known then, it gives the
// answer the server gave that day.
// Default is deny, and every Decision carries a reason a person can read,
// naming the rule that decided ("allowed: …" or "denied: …").
//
// # Reading
//
// A collection's audience says who is admitted; the object's TLP level
// (its most restrictive TLP marking; unmarked objects are stored as
// TLP:AMBER) sets a ceiling on what each of them reads:
//
//	reader's standing             audience             CLEAR  GREEN  AMBER  A+STRICT  RED
//	member                        any                  yes    yes    yes    S         R
//	observer                      members              no     no     no     no        no
//	observer                      members+observers    yes    yes    no     no        no
//	observer                      public               yes    no     no     no        no
//	partner, object in scope      members(+observers)  yes    yes    no     no        no
//	partner, object not in scope  members(+observers)  no     no     no     no        no
//	partner (any object)          public               yes    no     no     no        no
//	suspended, former, none,      public               yes    no     no     no        no
//	  or no credentials           members(+observers)  no     no     no     no        no
//
//	S: the reader's party is the producer's party (o.OwnerParty), or the
//	   reader's party or agency identity is a named recipient.
//	R: the reader's agency produced the version (o.Producer), or its
//	   identity is a named recipient. RED names agencies, not parties: a
//	   named party does not grant it, nor does being a sibling agency of
//	   the producer.
//
// Choices where DESIGN §3 leaves room, each the more restrictive reading:
//
//   - A public collection holds TLP:CLEAR only (Write enforces it). If a
//     more restricted object is found in one anyway, members read it per
//     their row, everyone else reads CLEAR only there: observers and
//     partners are granted GREEN in the bloc's own collections, not in
//     what the bloc gives the public.
//   - Partners read in-scope objects of members and members+observers
//     collections, never above GREEN, whatever recipients name them.
//     Observers and partners are never admitted to AMBER+STRICT or RED,
//     even when named: the table says no for their rows.
//   - Named recipients of AMBER+STRICT include agency identities as well
//     as party codes: DESIGN §2 defines named recipients as both, and
//     naming one agency is narrower than naming its party.
//   - Any role reads; registrar reads no more than read. The registrar
//     manages the record; it is not a super-reader. An unknown role, or
//     credentials that resolve to no agency or party, read nothing.
//   - Empty strings never match: a reader with no identity is not "named"
//     by an empty recipient entry, nor an empty label "in scope".
//   - An object presented with a collection it is not stored in, an
//     unknown audience or an unknown TLP level is denied.
//
// ReadCollection (listing, can_read) allows exactly where Read could allow
// some object: public collections for everyone, every collection for
// members, members+observers collections for observers, and non-public
// collections for partners with a non-empty scope. SeesAPIRoot lists a
// bloc's API root for everyone when the bloc has a public collection, and
// otherwise for members, observers and partners with a scope.
//
// CanRead is Read without the reason, for filtering many objects where a
// denial is never shown: the two share one rule, and the test checks that
// they agree on every cell of the table.
//
// # Uncertain standings
//
// When the instant lies inside an imprecise event's window (a withdrawal
// "in December 2012"), the registry answers with the standing on either
// side and Certain false. Effective then takes the more restrictive side:
//
//	member > observer, partner > suspended, former, none
//
// so the reader gets no more than both sides would give. Observer and
// partner are not comparable (each reads something the other does not):
// a window between them counts as none. A member→former window thus reads
// public CLEAR only, and so does a former→member (rejoining) window.
//
// # Writing
//
// WriteCollection (can_write) allows an agency whose token has role write
// or registrar and whose party is certainly a member at the instant: not
// inside an imprecise window unless member on both sides; never observers,
// partners, suspended, former or unknown parties. Write adds, for one
// object version:
//
//   - a public collection takes TLP:CLEAR only (members may publish);
//   - a TLP:RED object must name at least one recipient agency identity
//     (a RED object naming only parties would reach no one but its writer);
//   - the first writer's party owns an object id (ownerParty, "" for a new
//     id); later versions are accepted only from agencies of that party.
//
// # Transitions
//
// Withdrawal, lapse, suspension and expulsion take effect at their
// instant: a reader computed for T-1ns is a member and reads per the
// member row; the same reader computed for T is former, suspended or none
// and reads public CLEAR only. The tests model exactly this for every
// kind of transition, at instant, day and month precision.
package access
