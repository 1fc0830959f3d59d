package access

import (
	"fmt"
	"strings"

	"github.com/blocsec/bloc"
)

// Reader is who asks, as resolved by the caller at the instant of the
// request. The access functions never look anything up themselves: the
// caller resolves the token to an agency and role and asks the registry for
// the standing of the agency's party in the collection's bloc at the
// instant (now for a request, a past instant for an audit question).
type Reader struct {
	Anonymous bool        // no credentials; every other field is ignored
	Agency    bloc.Agency // ID, Party, Identity
	Role      bloc.Role
	// Standing of Agency.Party in the collection's bloc at the instant,
	// from the registry. Used when Certain.
	Standing bloc.Standing
	// Certain is false when the instant lies inside an imprecise event's
	// window; Before and After are then the standings on either side and
	// Effective picks the more restrictive.
	Certain       bool
	Before, After bloc.Standing
	// Scope lists the partner's topic labels (when the standing used is
	// partner). When uncertain between two partner scopes, the caller
	// passes their intersection.
	Scope []string
	// Cause optionally names the event behind the standing (e.g.
	// "withdrew 2012-12"); it is only quoted in reasons.
	Cause string
}

// Decision is the answer to one access question. Reason is a sentence a
// person can read, set on allow and on deny; it starts with "allowed: " or
// "denied: " and names the rule that decided.
type Decision struct {
	Allow  bool
	Reason string
}

func allow(reason string) Decision { return Decision{Allow: true, Reason: reason} }

func deny(format string, args ...any) Decision {
	return Decision{Reason: "denied: " + fmt.Sprintf(format, args...)}
}

// Effective returns the standing the decision uses. When r.Certain it is
// r.Standing; otherwise the more restrictive of r.Before and r.After, so a
// reader never gets, inside an imprecise window, more than both sides
// would give it. Standings are ranked member > observer, partner >
// suspended, former, none. Observer and partner are not comparable (each
// reads something the other does not), so a window between them yields
// none: deny by default rather than a grant that one side would not have.
// Between suspended, former and none (equal access) it returns After.
// An unknown standing counts as none.
func Effective(r Reader) bloc.Standing {
	if r.Certain {
		return known(r.Standing)
	}
	before, after := known(r.Before), known(r.After)
	if before == after {
		return before
	}
	rb, ra := rank(before), rank(after)
	switch {
	case rb < ra:
		return before
	case ra < rb:
		return after
	case ra == rankLimited:
		return after
	}
	return bloc.StandingNone
}

const (
	rankLimited = iota // suspended, former, none: public TLP:CLEAR only
	rankGuest          // observer, partner
	rankMember
)

func rank(s bloc.Standing) int {
	switch s {
	case bloc.StandingMember:
		return rankMember
	case bloc.StandingObserver, bloc.StandingPartner:
		return rankGuest
	}
	return rankLimited
}

func known(s bloc.Standing) bloc.Standing {
	switch s {
	case bloc.StandingMember, bloc.StandingObserver, bloc.StandingPartner,
		bloc.StandingSuspended, bloc.StandingFormer:
		return s
	}
	return bloc.StandingNone
}

// Allow reasons are constants so that the allow path does not allocate.
const (
	allowPublicClear   = "allowed: TLP:CLEAR object in a public collection, readable by anyone"
	allowMemberStrictP = "allowed: TLP:AMBER+STRICT and the reader's party produced it"
	allowMemberStrictN = "allowed: TLP:AMBER+STRICT and the reader's party is a named recipient"
	allowMemberStrictA = "allowed: TLP:AMBER+STRICT and the reader's agency is a named recipient"
	allowMemberRedP    = "allowed: TLP:RED and the reader's agency produced it"
	allowMemberRedA    = "allowed: TLP:RED and the reader's agency is a named recipient"
	allowObserver      = "allowed: observers read TLP:CLEAR and TLP:GREEN in members+observers collections"
	allowPartner       = "allowed: the object carries a label in the partner's scope; partners read in-scope TLP:CLEAR and TLP:GREEN"
)

var allowMember = [...]string{
	bloc.TLPClear: "allowed: members read TLP:CLEAR",
	bloc.TLPGreen: "allowed: members read TLP:GREEN",
	bloc.TLPAmber: "allowed: members read TLP:AMBER (unmarked objects count as TLP:AMBER)",
}

// Read decides whether r may read object version o of collection c. It is
// the only read rule of bloc: every read path (objects, object, versions,
// manifest, status, counts, date headers, push) filters through it, so
// that not even the existence of an object leaks. o.TLP is the most
// restrictive TLP marking of the object (unmarked objects are stored as
// TLP:AMBER); o.Producer, o.OwnerParty and o.Recipients are the trusted
// metadata the server stored at write.
func Read(r Reader, c bloc.Collection, o bloc.Object) Decision {
	allowed, why := read(r, c, o)
	if why == 0 {
		return allow(allowed)
	}
	return Decision{Reason: explainRead(why, r, c, o)}
}

// CanRead is Read without the reason: the same rule (both call read),
// for filtering many objects where a denial is not shown to anyone, so
// that a reader who may read little of a large collection costs no
// formatting. Use Read wherever the reason may be shown or logged.
func CanRead(r Reader, c bloc.Collection, o bloc.Object) bool {
	_, why := read(r, c, o)
	return why == 0
}

// denial names the rule that denied a read; explainRead turns it into a
// sentence. Zero means allowed.
type denial uint8

const (
	allowed denial = iota
	denyOtherCollection
	denyUnknownAudience
	denyUnknownTLP
	denyAnonymousNotPublic
	denyAnonymousNotClear
	denyNoAgency
	denyUnknownRole
	denyStrict
	denyRedPartyNamed
	denyRed
	denyObserverMembersOnly
	denyObserverAboveGreen
	denyPartnerOutOfScope
	denyPartnerAboveGreen
	denyPublicNotClear
	denyLimited
)

// read is the read rule. It returns a constant allow reason, or the rule
// that denied.
func read(r Reader, c bloc.Collection, o bloc.Object) (string, denial) {
	switch {
	case o.Collection != c.ID:
		return "", denyOtherCollection
	case !c.Audience.Valid():
		return "", denyUnknownAudience
	case !validTLP(o.TLP):
		return "", denyUnknownTLP
	}
	public := c.Audience == bloc.AudiencePublic
	if r.Anonymous {
		switch {
		case !public:
			return "", denyAnonymousNotPublic
		case o.TLP != bloc.TLPClear:
			return "", denyAnonymousNotClear
		}
		return allowPublicClear, allowed
	}
	if why := readerProblem(r); why != allowed {
		return "", why
	}
	switch Effective(r) {
	case bloc.StandingMember:
		return readMember(r, o)
	case bloc.StandingObserver:
		switch {
		case public:
			return readPublic(c, o)
		case c.Audience == bloc.AudienceMembers:
			return "", denyObserverMembersOnly
		case o.TLP > bloc.TLPGreen:
			return "", denyObserverAboveGreen
		}
		return allowObserver, allowed
	case bloc.StandingPartner:
		switch {
		case public && o.TLP == bloc.TLPClear:
			return allowPublicClear, allowed
		case !inScope(r.Scope, o.Labels):
			return "", denyPartnerOutOfScope
		case public:
			return readPublic(c, o)
		case o.TLP > bloc.TLPGreen:
			return "", denyPartnerAboveGreen
		}
		return allowPartner, allowed
	}
	return readPublic(c, o)
}

// readMember applies the member row of the TLP table. Every audience
// admits members.
func readMember(r Reader, o bloc.Object) (string, denial) {
	switch o.TLP {
	case bloc.TLPAmberStrict:
		switch {
		case r.Agency.Party == o.OwnerParty:
			return allowMemberStrictP, allowed
		case contains(o.Recipients.Parties, r.Agency.Party):
			return allowMemberStrictN, allowed
		case contains(o.Recipients.Identities, r.Agency.Identity):
			// DESIGN §3 defines named recipients as party codes and
			// agency identity ids; naming one agency of a party is
			// narrower than naming the party, so it grants too.
			return allowMemberStrictA, allowed
		}
		return "", denyStrict
	case bloc.TLPRed:
		// TLP:RED names agencies: a named party does not grant it.
		switch {
		case r.Agency.ID == o.Producer:
			return allowMemberRedP, allowed
		case contains(o.Recipients.Identities, r.Agency.Identity):
			return allowMemberRedA, allowed
		case contains(o.Recipients.Parties, r.Agency.Party):
			return "", denyRedPartyNamed
		}
		return "", denyRed
	}
	return allowMember[o.TLP], allowed
}

// readPublic is the rule for everyone a collection does not admit by
// standing: a public collection gives TLP:CLEAR objects, nothing else.
//
// A public collection holds TLP:CLEAR only (Write refuses anything else),
// so a more restricted object in one is an anomaly (e.g. an audience
// widened after the fact). Members still read it per the member row; the
// observer and partner rows are not applied there: DESIGN §3 grants them
// GREEN in collections of the bloc, and a public collection grants
// non-members CLEAR only, so the more restrictive reading is taken.
func readPublic(c bloc.Collection, o bloc.Object) (string, denial) {
	switch {
	case c.Audience != bloc.AudiencePublic:
		return "", denyLimited
	case o.TLP != bloc.TLPClear:
		return "", denyPublicNotClear
	}
	return allowPublicClear, allowed
}

// explainRead is the sentence for a denied read.
func explainRead(why denial, r Reader, c bloc.Collection, o bloc.Object) string {
	switch why {
	case denyOtherCollection:
		return deny("object %s is stored in collection %s, not in collection %s", o.ID, o.Collection, c.ID).Reason
	case denyUnknownAudience:
		return unknownAudience(c).Reason
	case denyUnknownTLP:
		return deny("object %s has an unknown TLP level (%d); unknown markings are never readable", o.ID, int(o.TLP)).Reason
	case denyAnonymousNotPublic:
		return anonymousNotPublic(c).Reason
	case denyAnonymousNotClear:
		return deny("no credentials; public collections give TLP:CLEAR only and object %s is %s", o.ID, o.TLP).Reason
	case denyNoAgency, denyUnknownRole:
		return explainReader(why, r).Reason
	case denyStrict:
		return deny("object %s is TLP:AMBER+STRICT, produced by party %s; party %s is neither the producer's party nor a named recipient, and agency %s (%s) is not a named recipient",
			o.ID, o.OwnerParty, r.Agency.Party, r.Agency.ID, r.Agency.Identity).Reason
	case denyRedPartyNamed:
		return deny("object %s is TLP:RED; party %s is named, but TLP:RED is read only by named recipient agencies and the producing agency, and agency %s (%s) is neither",
			o.ID, r.Agency.Party, r.Agency.ID, r.Agency.Identity).Reason
	case denyRed:
		return deny("object %s is TLP:RED and agency %s (%s) is neither a named recipient nor its producer",
			o.ID, r.Agency.ID, r.Agency.Identity).Reason
	case denyObserverMembersOnly:
		return deny("%s; %s is for members only, observers are not admitted", standingPhrase(r, c.Bloc), collName(c)).Reason
	case denyObserverAboveGreen:
		return deny("%s; observers read up to TLP:GREEN and object %s is %s", standingPhrase(r, c.Bloc), o.ID, o.TLP).Reason
	case denyPartnerOutOfScope:
		return deny("%s with scope [%s]; object %s carries none of these labels (its labels: [%s]), and partners read only objects labelled in their scope",
			standingPhrase(r, c.Bloc), strings.Join(r.Scope, " "), o.ID, strings.Join(o.Labels, " ")).Reason
	case denyPartnerAboveGreen:
		return deny("%s; partners read in-scope objects up to TLP:GREEN and object %s is %s", standingPhrase(r, c.Bloc), o.ID, o.TLP).Reason
	case denyPublicNotClear:
		return deny("%s; a public collection gives non-members TLP:CLEAR only and object %s is %s", standingPhrase(r, c.Bloc), o.ID, o.TLP).Reason
	case denyLimited:
		return limited(r, c).Reason
	}
	return "denied: no rule allows it" // unreachable: every denial is named above
}

func anonymousNotPublic(c bloc.Collection) Decision {
	return deny("no credentials, and %s is for %s; without credentials only public collections can be read", collName(c), c.Audience)
}

func limited(r Reader, c bloc.Collection) Decision {
	return deny("%s; %s read only TLP:CLEAR objects of public collections, and %s is for %s",
		standingPhrase(r, c.Bloc), limitedWho(Effective(r)), collName(c), c.Audience)
}

// ReadCollection decides whether r may see collection c at all: whether it
// is listed, and its can_read. It allows exactly when Read could allow some
// object of c: public collections for everyone; otherwise members,
// observers where the audience admits them, and partners with a non-empty
// scope (the objects themselves are still filtered by Read).
func ReadCollection(r Reader, c bloc.Collection) Decision {
	if !c.Audience.Valid() {
		return unknownAudience(c)
	}
	if c.Audience == bloc.AudiencePublic {
		return allow("allowed: public collection, readable by anyone (TLP:CLEAR objects only for non-members)")
	}
	if r.Anonymous {
		return anonymousNotPublic(c)
	}
	if why := readerProblem(r); why != allowed {
		return explainReader(why, r)
	}
	switch Effective(r) {
	case bloc.StandingMember:
		return allow("allowed: members read every collection of their bloc")
	case bloc.StandingObserver:
		if c.Audience == bloc.AudienceMembersObservers {
			return allow("allowed: observers read members+observers collections up to TLP:GREEN")
		}
		return deny("%s; %s is for members only, observers are not admitted", standingPhrase(r, c.Bloc), collName(c))
	case bloc.StandingPartner:
		if hasLabel(r.Scope) {
			return allow("allowed: partners read the objects of a collection that carry a label in their scope, up to TLP:GREEN")
		}
		return deny("%s with an empty scope; partners read only objects labelled in their scope", standingPhrase(r, c.Bloc))
	default:
		return limited(r, c)
	}
}

// SeesAPIRoot decides whether discovery lists bloc b's API root for r.
// anyPublic says whether b has a public collection; then everyone sees the
// root. Otherwise it is listed for readers whose party is a member,
// observer or partner (with a non-empty scope) of b: those for whom some
// collection of b may be readable. The collection list itself is filtered
// by ReadCollection.
func SeesAPIRoot(r Reader, b string, anyPublic bool) Decision {
	if anyPublic {
		return allow("allowed: the bloc has a public collection")
	}
	if r.Anonymous {
		return deny("no credentials, and bloc %s has no public collection", b)
	}
	if why := readerProblem(r); why != allowed {
		return explainReader(why, r)
	}
	switch s := Effective(r); s {
	case bloc.StandingMember:
		return allow("allowed: members use their bloc's API root")
	case bloc.StandingObserver:
		return allow("allowed: observers use the bloc's API root (members+observers collections only)")
	case bloc.StandingPartner:
		if hasLabel(r.Scope) {
			return allow("allowed: partners use the bloc's API root (objects labelled in their scope only)")
		}
		return deny("%s with an empty scope; partners read only objects labelled in their scope", standingPhrase(r, b))
	default:
		return deny("%s, and bloc %s has no public collection; %s read only TLP:CLEAR objects of public collections",
			standingPhrase(r, b), b, limitedWho(s))
	}
}

// WriteCollection decides whether r may write to collection c (its
// can_write): an agency with role write or registrar whose party is
// certainly a member of the bloc at the instant. Observers, partners,
// suspended and former parties never write. Members may write public
// collections too, TLP:CLEAR objects only (see Write).
func WriteCollection(r Reader, c bloc.Collection) Decision {
	if !c.Audience.Valid() {
		return unknownAudience(c)
	}
	if r.Anonymous {
		return deny("writing needs credentials")
	}
	if why := readerProblem(r); why != allowed {
		return explainReader(why, r)
	}
	if r.Role != bloc.RoleWrite && r.Role != bloc.RoleRegistrar {
		return deny("agency %s's token has role %s; writing needs role write or registrar", r.Agency.ID, r.Role)
	}
	// Effective is member only when member is certain (or member on both
	// sides of an imprecise window): a write is never accepted on a guess.
	if Effective(r) != bloc.StandingMember {
		return deny("%s; only agencies of parties that are members at the instant of the write may write", standingPhrase(r, c.Bloc))
	}
	return allow("allowed: agencies of member parties with role write or registrar may write")
}

// Write decides whether r may write version o to collection c. ownerParty
// is the party that owns o's id (its first writer, in any collection), or
// "" for a new id. Beyond WriteCollection: a public collection takes
// TLP:CLEAR only; a TLP:RED object must name a recipient agency; and later
// versions of an id are accepted only from the owner's party.
func Write(r Reader, c bloc.Collection, o bloc.Object, ownerParty string) Decision {
	if d := WriteCollection(r, c); !d.Allow {
		return d
	}
	if !validTLP(o.TLP) {
		return deny("object %s has an unknown TLP level (%d)", o.ID, int(o.TLP))
	}
	if c.Audience == bloc.AudiencePublic && o.TLP != bloc.TLPClear {
		return deny("%s is public and holds TLP:CLEAR objects only; object %s is %s", collName(c), o.ID, o.TLP)
	}
	if o.TLP == bloc.TLPRed && !hasLabel(o.Recipients.Identities) {
		// TLP:RED is read by named agencies only (and the producer), so a
		// RED object naming no agency would reach no one but its writer:
		// refused, as DESIGN §3 says, with the reason spelled out when
		// only parties were named.
		if len(o.Recipients.Parties) > 0 {
			return deny("object %s is TLP:RED and names recipient parties [%s] but no recipient agency; TLP:RED is read by named agencies (identity ids) only",
				o.ID, strings.Join(o.Recipients.Parties, " "))
		}
		return deny("object %s is TLP:RED and names no recipients; name at least one recipient agency identity in the bloc recipients extension", o.ID)
	}
	if ownerParty == "" {
		return allow("allowed: member party with write role; new object id, owned by the writer's party from now on")
	}
	if ownerParty != r.Agency.Party {
		return deny("object id %s is owned by party %s (its first writer); only agencies of %s may add versions, and agency %s is of party %s",
			o.ID, ownerParty, ownerParty, r.Agency.ID, r.Agency.Party)
	}
	return allow("allowed: member party with write role, and the writer's party owns this object id")
}

func unknownAudience(c bloc.Collection) Decision {
	return deny("%s has an unknown audience %q; nothing in it is readable or writable", collName(c), c.Audience)
}

// readerProblem refuses a credentialed reader the caller did not resolve
// fully: no agency, no party or an unknown role. The read role suffices
// for reading; registrar reads no more than read (it manages the record,
// it is not a super-reader).
func readerProblem(r Reader) denial {
	switch {
	case r.Agency.ID == "" || r.Agency.Party == "":
		return denyNoAgency
	case !r.Role.Valid():
		return denyUnknownRole
	}
	return allowed
}

func explainReader(why denial, r Reader) Decision {
	if why == denyNoAgency {
		return deny("the credentials resolve to no agency of a party")
	}
	return deny("agency %s's token has an unknown role %q", r.Agency.ID, r.Role)
}

func validTLP(t bloc.TLP) bool { return t >= bloc.TLPClear && t <= bloc.TLPRed }

// contains reports whether list holds v; the empty string never matches,
// so a reader or object with a missing field is never taken as named.
func contains(list []string, v string) bool {
	if v == "" {
		return false
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// inScope reports whether some label of the object is in the scope.
func inScope(scope, labels []string) bool {
	for _, l := range labels {
		if contains(scope, l) {
			return true
		}
	}
	return false
}

func hasLabel(list []string) bool {
	for _, x := range list {
		if x != "" {
			return true
		}
	}
	return false
}

func collName(c bloc.Collection) string {
	if c.Title != "" {
		return fmt.Sprintf("collection %q (%s)", c.Title, c.ID)
	}
	return "collection " + c.ID
}

// standingPhrase says which standing the decision used and why, e.g.
// "agency uzb-sns of party UZB is former in csto at this instant
// (withdrew 2012-12)".
func standingPhrase(r Reader, b string) string {
	who := fmt.Sprintf("agency %s of party %s", r.Agency.ID, r.Agency.Party)
	var s string
	if r.Certain {
		st := known(r.Standing)
		if st == bloc.StandingNone {
			s = fmt.Sprintf("%s has no standing in %s at this instant", who, b)
		} else {
			s = fmt.Sprintf("%s is %s in %s at this instant", who, article(st), b)
		}
	} else {
		s = fmt.Sprintf("%s: the standing of party %s in %s at this instant is uncertain (%s before, %s after: the instant lies inside an imprecise event's window), so the more restrictive, %s, applies",
			who, r.Agency.Party, b, known(r.Before), known(r.After), Effective(r))
	}
	if r.Cause != "" {
		s += " (" + r.Cause + ")"
	}
	return s
}

func article(s bloc.Standing) string {
	switch s {
	case bloc.StandingMember:
		return "a member"
	case bloc.StandingObserver:
		return "an observer"
	case bloc.StandingPartner:
		return "a partner"
	}
	return s.String()
}

func limitedWho(s bloc.Standing) string {
	switch s {
	case bloc.StandingSuspended:
		return "suspended members"
	case bloc.StandingFormer:
		return "former members"
	}
	return "parties with no standing in the bloc"
}
