// Package intake takes in news articles: Parse reduces plain text or HTML to
// headline, lead, dateline and body; Extract proposes the membership events
// the article states, each with the sentence that states it, a confidence
// and the reason; Report builds the STIX 2.1 report with identities for the
// blocs and locations for the states it names; Eval scores Extract against
// a labelled set. It is pure (no I/O but Eval's reading of its directory),
// rule- and gazetteer-based, with no model and no network.
//
// # How a sentence becomes proposals
//
//  1. Mentions: blocs by name or alias ("CSTO", "the post-Soviet security
//     bloc", "GUUAM") and by description ("the organization", "the
//     Moscow-led bloc"), resolved to the bloc named last (or, at the start
//     of an article, the one the same sentence names next); states by name,
//     by capital when it acts ("Tashkent believes", not "in Tashkent") and
//     by adjective before a word for a government ("the Uzbek government").
//     Adjacent states joined by commas, "and" or "as well as" form a list.
//  2. Dates: "May 15, 1992", "15 May 1992", "August 2006", "in 1993",
//     "later that year", "a day later", and relative to the reference day
//     (the dateline's day in the year of publication): "on Friday" (the
//     latest Friday on or before it), "today", "March 24" without a year.
//  3. Cues (triggers.go): joined, rejoined, acceded, admitted, became … a
//     member / an observer / a partner, members since, restored its
//     membership → acceded or observer_from or partner_from; withdrew, left,
//     quit, pulled out, exit → withdrew; signed, founded, set up (with the
//     bloc as object or subject) → signed; suspended, resumed, expelled,
//     dissolved, ceased to exist, renamed; froze its participation →
//     statement; "did not sign a protocol on renewing …", "did not renew" →
//     lapsed (and a "quit" in the same sentence is that lapse, not a second
//     event); "followed" and "received the same status" → the event before.
//  4. Mood, from the words before the cue: a modal or an infinitive ("may
//     join", "applied to join", "expected to join") or a bare gerund states
//     nothing; a negation states nothing ("never became a member") unless
//     it states a position ("sees no need to rejoin", "has no plans to",
//     "will not leave"), which, when said in the article or dated, is a
//     statement for the speaker's state — never the event itself.
//  5. Clauses (split at "but", "when", "which", ";", "and" outside lists …)
//     give each date to the nearest cue; a date opening the sentence holds
//     for all its cues. Parties are the passive agent ("signed by the heads
//     of …"), the list before the verb, the object when a bloc is the
//     subject ("the SCO admitted Belarus"), the list before "which",
//     "both countries" (the last list), or the parties of the sentence's
//     previous event ("rejoined … but again withdrew …").
//
// An event needs a date: a cue without one is proposed only when it is the
// news of the day (present or present perfect in the lead or first
// paragraph), dated by the dateline. Proposals for the same bloc, party and
// kind whose dates nest are merged at the most precise date. The headline
// sets context but proposes nothing.
//
// # The year when no publication date is given
//
// See inferYear: the year is the first one, from the latest year the
// article mentions on, in which the dateline's day falls on the first
// weekday the article names; without a weekday, the latest year mentioned.
// Proposals dated through that year are marked Uncertain and lose 0.2
// confidence.
//
// # Confidence
//
// 0.9 for a finite verb with its bloc and its party next to it and an
// absolute date; less for a description instead of a name (−0.05), a bloc
// found elsewhere in the sentence or the text (−0.1/−0.15), parties not the
// verb's subject (−0.05), a relative or inherited date (−0.05), a noun cue
// (−0.15), a date taken from the dateline for undated news (−0.25), an
// inferred year (−0.2); 0.85 for a lapse, 0.75 for a statement or a
// follow-on event. Reason lists what matched.
package intake
