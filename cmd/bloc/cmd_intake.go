package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/intake"
	"github.com/blocsec/bloc/intakesvc"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
	"github.com/blocsec/bloc/standing"
)

// maxArticle bounds what `bloc intake` reads: a news page is far smaller.
const maxArticle = 10 << 20

const intakeHelp = `Usage:
  bloc intake FILE [--published DATE] [--source-title T] [--publisher P] [--url U]
                   [--collection ID --agency A] [--json]
  bloc intake list [--status pending|accepted|rejected] [--json]
  bloc intake show ID [--json]
  bloc intake accept ID [--kind K] [--date D] [--party P] [--bloc B] [--new-name N] [--edit FIELD=VALUE]… [--note N] [--by NAME] [--json]
  bloc intake reject ID [--note N] [--by NAME] [--json]
  bloc intake eval DIR [--json]

Take in a news article (plain text or HTML; FILE - reads standard input):
bloc makes a STIX 2.1 report of it and proposes the membership events it
states, each with the sentence that states it, compared with the record
(new, recorded, refinement, disagreement). Proposals wait for review:
accepting one records the event with the article as its source. Articles
are art-N, proposals prop-N. (To take in a file named like a subcommand,
write ./list.)
`

// withIntake opens the store and runs fn with the intake service.
func withIntake(ctx context.Context, e *env, fn func(svc *intakesvc.Service) error) error {
	return withRegistry(ctx, e, func(db *sqlite.DB, reg *registry.Service) error {
		return fn(intakesvc.New(db, reg))
	})
}

func cmdIntake(ctx context.Context, e *env, args []string) error {
	subs := map[string]func([]string) error{
		"list":   func(args []string) error { return cmdIntakeList(ctx, e, args) },
		"show":   func(args []string) error { return cmdIntakeShow(ctx, e, args) },
		"accept": func(args []string) error { return cmdIntakeAccept(ctx, e, args) },
		"reject": func(args []string) error { return cmdIntakeReject(ctx, e, args) },
		"eval":   func(args []string) error { return cmdIntakeEval(ctx, e, args) },
	}
	if len(args) > 0 {
		if fn, ok := subs[args[0]]; ok {
			return fn(args[1:])
		}
		if a := args[0]; a != "-h" && a != "--help" && a != "help" {
			return cmdIntakeFile(ctx, e, args)
		}
	}
	return subcommand(e, "intake", intakeHelp, args, subs)
}

func cmdIntakeFile(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "intake", "intake FILE [--published DATE] [--source-title T] [--publisher P] [--url U] [--collection ID --agency A] [--json]", intakeHelp)
	published := f.String("published", "", "publication date of the article (default: read from the article, else its year is inferred and marked uncertain)")
	title := f.String("source-title", "", "title of the source")
	publisher := f.String("publisher", "", "publisher of the source")
	url := f.String("url", "", "URL of the source")
	collection := f.String("collection", "", "store the STIX report, identities and locations (TLP:CLEAR) in this collection")
	agency := f.String("agency", "", "the agency that produces the STIX objects (with --collection)")
	asJSON := f.Bool("json", false, `print {"report":{…},"proposals":[…]} as JSON`)
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	opt := intakesvc.Options{Options: intake.Options{SourceTitle: *title, Publisher: *publisher, URL: *url},
		Collection: *collection, Agency: *agency}
	if *published != "" {
		if opt.Published, err = parseDateArg("--published", *published); err != nil {
			return err
		}
	}
	raw, err := readArticle(e, pos[0])
	if err != nil {
		return err
	}
	return withIntake(ctx, e, func(svc *intakesvc.Service) error {
		res, err := svc.Intake(ctx, raw, opt)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, res)
		}
		printIntake(e.stdout, res)
		return nil
	})
}

// readArticle reads FILE, or standard input for "-".
func readArticle(e *env, name string) ([]byte, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, bloc.Errorf(bloc.EINVALID, "cannot read the article: %v", err)
		}
		defer fh.Close()
		r = fh
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxArticle+1))
	if err != nil {
		return nil, bloc.Errorf(bloc.EINVALID, "cannot read the article %s: %v", name, err)
	}
	if len(raw) > maxArticle {
		return nil, bloc.Errorf(bloc.ETOOLARGE, "the article %s is over %d bytes", name, maxArticle)
	}
	return raw, nil
}

func printIntake(w io.Writer, res intakesvc.Result) {
	name, _ := res.Report["name"].(string)
	fmt.Fprintf(w, "%s: %s\n", res.Article, name)
	if !res.Created {
		fmt.Fprintf(w, "(taken in before: these are its stored proposals)\n")
	}
	fmt.Fprintf(w, "STIX report %s with %d identities and locations\n", res.Report["id"], len(res.Objects())-1)
	if s := res.Stored; s != nil {
		fmt.Fprintf(w, "  stored in collection %s as agency %s (TLP:CLEAR): %d new, %d held already\n", s.Collection, s.Agency, len(s.Stored), len(s.Already))
		for _, r := range s.Refused {
			fmt.Fprintf(w, "  refused %s\n", r)
		}
	} else {
		fmt.Fprintf(w, "  not stored (give --collection ID --agency A to store it)\n")
	}
	pending := 0
	for _, p := range res.Proposals {
		if p.Status == bloc.ProposalPending {
			pending++
		}
	}
	fmt.Fprintf(w, "\n%d proposals, %d pending review:\n\n", len(res.Proposals), pending)
	for _, p := range res.Proposals {
		printProposal(w, p)
	}
	if pending > 0 {
		fmt.Fprintf(w, "Review: bloc intake accept prop-N [--date D --kind K --party P --bloc B]  ·  bloc intake reject prop-N [--note N]\n")
	}
}

// printProposal prints one proposal: the fact, the sentence, and how it
// compares with the record (with both sides of a disagreement).
func printProposal(w io.Writer, p intakesvc.ProposalView) {
	fact := strings.Join(nonEmpty(p.Bloc, p.Party, string(p.Kind), p.Date), " ")
	if p.NewName != "" {
		fact += fmt.Sprintf(" → %q", p.NewName)
	}
	flags := ""
	if p.Uncertain {
		flags = "  (year inferred: uncertain)"
	}
	fmt.Fprintf(w, "%-8s %s  [%s, confidence %.2f]%s\n", p.ID, fact, p.Status, p.Confidence, flags)
	fmt.Fprintf(w, "         “%s”\n", p.Quote)
	switch p.Compared {
	case standing.RelationNew:
		fmt.Fprintf(w, "         new: not in the record\n")
	case standing.RelationRecorded:
		fmt.Fprintf(w, "         recorded: event #%d has this date; accepting adds this article as another source\n", p.Event)
	case standing.RelationRefinement:
		fmt.Fprintf(w, "         refinement: event #%d, dated %s; the dates agree at different precisions\n", p.Event, existingDates(p))
	case standing.RelationDisagreement:
		fmt.Fprintf(w, "         DISAGREEMENT with event #%d: the record says %s, this article %s\n", p.Event, existingDates(p), p.Date)
		for _, a := range p.Existing {
			fmt.Fprintf(w, "           [record %d] %s  %s\n", a.Record, a.Date, sourceLine(bloc.Record{Source: a.Source}))
			if a.Quote != "" {
				fmt.Fprintf(w, "             “%s”\n", a.Quote)
			}
		}
	}
	switch p.Status {
	case bloc.ProposalAccepted:
		fmt.Fprintf(w, "         accepted by %s at %s as record %d\n", dash(p.DecidedBy), p.DecidedAt, p.Record)
	case bloc.ProposalRejected:
		fmt.Fprintf(w, "         rejected by %s at %s%s\n", dash(p.DecidedBy), p.DecidedAt, noteSuffix(p.Note))
	}
	fmt.Fprintln(w)
}

func existingDates(p intakesvc.ProposalView) string {
	var ds []string
	for _, a := range p.Existing {
		ds = append(ds, a.Date)
	}
	if len(ds) == 0 {
		return "?"
	}
	return strings.Join(ds, " and ")
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return ": " + n
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func cmdIntakeList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "intake list", "intake list [--status pending|accepted|rejected] [--json]", `List proposals (all, or of one status), compared with the record as it is now.`)
	status := f.String("status", "", "pending, accepted or rejected (default: all)")
	asJSON := f.Bool("json", false, `print {"proposals":[…]} as JSON`)
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	st := bloc.ProposalStatus(*status)
	if st != "" && !st.Valid() {
		return usageErr("--status %q: use pending, accepted or rejected", *status)
	}
	return withIntake(ctx, e, func(svc *intakesvc.Service) error {
		ps, err := svc.List(ctx, st)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, map[string]any{"proposals": ps})
		}
		if len(ps) == 0 {
			fmt.Fprintln(e.stdout, "no proposals")
			return nil
		}
		tw := table(e.stdout)
		fmt.Fprintln(tw, "ID\tARTICLE\tSTATUS\tBLOC\tPARTY\tKIND\tDATE\tCONF\tCOMPARED")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", p.ID, p.Article, p.Status, p.Bloc, dash(p.Party), p.Kind, p.Date, p.Confidence, compared(p))
		}
		return tw.Flush()
	})
}

func compared(p intakesvc.ProposalView) string {
	if p.Compared == standing.RelationNew {
		return "new"
	}
	return fmt.Sprintf("%s (event #%d)", p.Compared, p.Event)
}

func cmdIntakeShow(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "intake show", "intake show ID [--json]", `Show an article (art-N) with its proposals, or one proposal (prop-N).`)
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	return withIntake(ctx, e, func(svc *intakesvc.Service) error {
		if intakesvc.IsArticleID(pos[0]) {
			a, err := svc.Article(ctx, pos[0])
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(e.stdout, a)
			}
			fmt.Fprintf(e.stdout, "%s: %s\n  source: %s\n  STIX report: %s\n  taken in: %s\n\n", a.ID, a.Headline,
				sourceLine(bloc.Record{Source: a.Source}), a.Report, a.Created)
			for _, p := range a.Proposals {
				printProposal(e.stdout, p)
			}
			return nil
		}
		p, err := svc.Proposal(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, p)
		}
		fmt.Fprintf(e.stdout, "from %s\n", p.Article)
		printProposal(e.stdout, p)
		if p.Reason != "" {
			fmt.Fprintf(e.stdout, "why: %s\n", p.Reason)
		}
		return nil
	})
}

// reviewer is --by, else $USER.
func reviewer(e *env, by string) string {
	if by != "" {
		return by
	}
	if u := e.getenv("USER"); u != "" {
		return u
	}
	return "registrar"
}

func cmdIntakeAccept(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "intake accept", "intake accept ID [--kind K] [--date D] [--party P] [--bloc B] [--new-name N] [--edit FIELD=VALUE]… [--note N] [--by NAME] [--json]",
		`Accept a pending proposal: record the event it states, with the article as
its source and the sentence as its quote. The flags edit the proposal first
(e.g. --date 2006-08-16 when the day is known from elsewhere; --party - for a
bloc-level kind). A refused record (an impossible transition, an unknown bloc)
leaves the proposal pending. A proposal is decided once.`)
	kind := f.String("kind", "", "record this kind instead")
	date := f.String("date", "", "record this date instead (YYYY, YYYY-MM or YYYY-MM-DD)")
	party := f.String("party", "", "record this party instead (- for none)")
	blocSlug := f.String("bloc", "", "record in this bloc instead")
	newName := f.String("new-name", "", "the new name (renamed)")
	note := f.String("note", "", "a note of the reviewer")
	by := f.String("by", "", "who records it (default: $USER)")
	asJSON := f.Bool("json", false, `print {"proposal":{…},"record":{…}} as JSON`)
	var edits multiFlag
	f.Var(&edits, "edit", "FIELD=VALUE, the same edits in one form (kind, date, party, bloc, new-name); repeatable")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	fields := map[string]*string{"kind": kind, "date": date, "party": party, "bloc": blocSlug, "new-name": newName}
	for _, kv := range edits {
		k, v, ok := strings.Cut(kv, "=")
		target, known := fields[strings.TrimSpace(k)]
		if !ok || !known {
			return usageErr("--edit %q: write FIELD=VALUE with FIELD one of kind, date, party, bloc, new-name", kv)
		}
		*target = strings.TrimSpace(v)
	}
	ed := intakesvc.Edits{Bloc: *blocSlug, Party: *party, Kind: bloc.Kind(*kind), NewName: *newName, Note: *note}
	if *date != "" {
		if ed.Date, err = parseDateArg("--date", *date); err != nil {
			return err
		}
	}
	return withIntake(ctx, e, func(svc *intakesvc.Service) error {
		acc, err := svc.Accept(ctx, pos[0], ed, reviewer(e, *by))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, acc)
		}
		fmt.Fprintf(e.stdout, "accepted %s: ", acc.Proposal.ID)
		return reportRecord(e, acc.Record, false)
	})
}

func cmdIntakeReject(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "intake reject", "intake reject ID [--note N] [--by NAME] [--json]", `Reject a pending proposal. A proposal is decided once.`)
	note := f.String("note", "", "why")
	by := f.String("by", "", "who decides (default: $USER)")
	asJSON := f.Bool("json", false, "print the proposal as JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	return withIntake(ctx, e, func(svc *intakesvc.Service) error {
		p, err := svc.Reject(ctx, pos[0], reviewer(e, *by), *note)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, p)
		}
		fmt.Fprintf(e.stdout, "rejected %s: %s %s %s %s%s\n", p.ID, p.Bloc, dash(p.Party), p.Kind, p.Date, noteSuffix(p.Note))
		return nil
	})
}

func cmdIntakeEval(_ context.Context, e *env, args []string) error {
	f := newFlags(e, "intake eval", "intake eval DIR [--json]", `Score the extractor on a labelled set: every NAME.txt or NAME.html in DIR
with its NAME.expected.json (see testdata/intake/README.md). Prints precision
and recall per event kind and overall, then what each article missed or
proposed wrongly. Needs no database.`)
	asJSON := f.Bool("json", false, `print {"kinds":[…],"overall":{…},"cases":[…]} as JSON`)
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	kinds, overall, cases, err := intake.EvalCases(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		type caseView struct {
			Name   string   `json:"name"`
			TP     int      `json:"tp"`
			FP     int      `json:"fp"`
			FN     int      `json:"fn"`
			Missed []string `json:"missed,omitempty"`
			Extra  []string `json:"extra,omitempty"`
		}
		cv := make([]caseView, len(cases))
		for i, c := range cases {
			cv[i] = caseView{c.Name, c.TP, c.FP, c.FN, c.Missed, c.Extra}
		}
		if kinds == nil {
			kinds = []intake.Score{}
		}
		return printJSON(e.stdout, map[string]any{"kinds": kinds, "overall": overall, "cases": cv})
	}
	fmt.Fprintf(e.stdout, "%d labelled articles in %s\n\n", len(cases), pos[0])
	tw := table(e.stdout)
	fmt.Fprintln(tw, "KIND\tTP\tFP\tFN\tPRECISION\tRECALL")
	for _, s := range kinds {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%.3f\n", s.Kind, s.TP, s.FP, s.FN, s.Precision, s.Recall)
	}
	fmt.Fprintf(tw, "overall\t%d\t%d\t%d\t%.3f\t%.3f\n", overall.TP, overall.FP, overall.FN, overall.Precision, overall.Recall)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range cases {
		for _, m := range c.Missed {
			fmt.Fprintf(e.stdout, "%s: missed %s\n", c.Name, m)
		}
		for _, x := range c.Extra {
			fmt.Fprintf(e.stdout, "%s: wrongly proposed %s\n", c.Name, x)
		}
	}
	return nil
}
