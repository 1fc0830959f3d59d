// Package stix validates STIX 2.1 objects as bloc receives them and extracts
// what storage and access control need from each (its identity, version,
// TLP level and named recipients). It is pure: no I/O.
//
// The rules are those of the STIX 2.1 specification (OASIS Standard, 10 June
// 2021). Where the official JSON schemas and the specification's prose
// differ, the prose wins; the oracle test lists every such case.
package stix

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"unsafe"

	"github.com/blocsec/bloc"
)

// Info is what bloc stores about a valid object.
type Info struct {
	ID, Type, SpecVersion string
	// Created and Modified are as given ("" when absent).
	Created, Modified string
	// Version is modified, else created; "" for SCOs without either (the
	// caller then uses date_added, as TAXII 2.1 says).
	Version      string
	CreatedByRef string
	Labels       []string
	MarkingRefs  []string // object_marking_refs
	// TLP is the most restrictive recognised TLP marking of the object as a
	// whole (object_marking_refs; granular markings can only raise it);
	// TLPAmber with TLPMarked false when none is recognised.
	TLP       bloc.TLP
	TLPMarked bool
	// Recipients are the named recipients of the bloc property-extension.
	Recipients bloc.Recipients
}

// Problem is one reason an object is not valid STIX 2.1 (or not acceptable
// to bloc). Property is a dotted path for nested values, with [n] for list
// items, e.g. "external_references[0].url"; it is "" when the problem is
// with the object as a whole.
type Problem struct {
	ObjectID, Property, Message string
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.ObjectID != "" {
		b.WriteString(p.ObjectID)
		b.WriteString(": ")
	}
	if p.Property != "" {
		b.WriteString(p.Property)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Validate checks one STIX 2.1 object (an SDO, SRO, SCO or meta object; a
// bundle is not an object). It returns what bloc stores about it, or every
// problem found. Info is meaningful only when there are no problems.
func Validate(raw []byte) (Info, []Problem) {
	w := workers.Get().(*worker)
	defer func() {
		w.p.reset() // drop the tree's references into raw
		workers.Put(w)
	}()
	// The tree refers into raw without copying it; what Validate returns is
	// copied out (detach), so nothing refers to raw once it returns.
	root, err := w.p.parse(unsafe.String(unsafe.SliceData(raw), len(raw)))
	if err != nil {
		return Info{}, []Problem{{Message: err.Error()}}
	}
	if root.kind != jObject {
		return Info{}, []Problem{{Message: "a STIX object must be a JSON object, not a " + root.kind.String()}}
	}
	c := &w.c
	*c = ctx{}
	if id, ok := root.str("id"); ok {
		c.id = clip(id)
	}
	validateObject(c, "", &root)
	probs := c.probs
	*c = ctx{}
	if len(probs) > 0 {
		for i := range probs {
			probs[i].ObjectID = strings.Clone(probs[i].ObjectID)
			probs[i].Property = strings.Clone(probs[i].Property)
		}
		return Info{}, probs
	}
	info := infoOf(&root)
	info.detach()
	return info, nil
}

// detach copies every string of in into one new allocation, so that none
// refers to the caller's input.
func (in *Info) detach() {
	n := 0
	in.eachString(func(s *string) { n += len(*s) })
	var b strings.Builder
	b.Grow(n)
	in.eachString(func(s *string) { b.WriteString(*s) })
	all, off := b.String(), 0
	in.eachString(func(s *string) {
		l := len(*s)
		*s = all[off : off+l]
		off += l
	})
}

func (in *Info) eachString(f func(*string)) {
	for _, s := range []*string{&in.ID, &in.Type, &in.SpecVersion, &in.Created, &in.Modified, &in.Version, &in.CreatedByRef} {
		f(s)
	}
	for _, list := range [][]string{in.Labels, in.MarkingRefs, in.Recipients.Parties, in.Recipients.Identities} {
		for i := range list {
			f(&list[i])
		}
	}
}

// A worker holds what one validation needs, reused across calls: at
// thousands of objects a second, fresh parse trees would keep the
// garbage collector busy.
type worker struct {
	p parser
	c ctx
}

var workers = sync.Pool{New: func() any { return new(worker) }}

// infoOf extracts Info from a valid object.
func infoOf(o *node) Info {
	var in Info
	in.ID, _ = o.str("id")
	in.Type, _ = o.str("type")
	in.SpecVersion, _ = o.str("spec_version")
	if in.SpecVersion == "" {
		in.SpecVersion = "2.1" // the implied value for SCOs (STIX 2.1 §6.1)
	}
	in.Created, _ = o.str("created")
	in.Modified, _ = o.str("modified")
	in.Version = in.Modified
	if in.Version == "" {
		in.Version = in.Created
	}
	in.CreatedByRef, _ = o.str("created_by_ref")
	in.Labels = stringList(o.get("labels"))
	in.MarkingRefs = stringList(o.get("object_marking_refs"))
	in.TLP, in.TLPMarked = TLPOf(in.MarkingRefs)
	if gm := o.get("granular_markings"); gm != nil {
		// A granular marking covers part of the object; the object carries
		// that part, so a stricter level there raises the whole object's.
		// A laxer one never lowers it.
		for i := range gm.kids {
			if ref, ok := gm.kids[i].val.str("marking_ref"); ok {
				if t, ok := tlpByID[ref]; ok && t > in.TLP {
					in.TLP, in.TLPMarked = t, true
				}
			}
		}
	}
	if ext := o.get("extensions"); ext != nil {
		if r := ext.get(ExtensionID); r != nil {
			in.Recipients.Parties = stringList(r.get("recipient_parties"))
			in.Recipients.Identities = stringList(r.get("recipient_identities"))
		}
	}
	return in
}

// stringList returns the string items of a list node (nil for nil).
func stringList(n *node) []string {
	if n == nil || n.kind != jArray {
		return nil
	}
	out := make([]string, 0, len(n.kids))
	for i := range n.kids {
		out = append(out, n.kids[i].val.s)
	}
	return out
}

// NewIdentifier returns a new STIX identifier typ--UUIDv4 from crypto/rand.
func NewIdentifier(typ string) string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // never fails (crypto/rand documents it)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return typ + "--" + string(b[:])
}

// clip shortens an over-long value quoted back in a problem.
func clip(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
