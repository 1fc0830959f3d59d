package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

func cmdInit(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "init", "init [--empty]", `Create a new database at --db. It starts with the built-in record: the
sourced membership histories of the CSTO, GUAM, NATO, the SCO, the Warsaw Pact,
SEATO and CENTO, and the facts of the TASS article the project started from.
With --empty it holds only the list of parties (states by ISO 3166-1 alpha-3).`)
	empty := f.Bool("empty", false, "start without blocs and records")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	if _, err := os.Stat(e.db); err == nil {
		return bloc.Errorf(bloc.ECONFLICT, "%s already exists; remove it or choose another --db", e.db)
	}
	db, err := sqlite.Open(ctx, e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seed(ctx, db, !*empty); err != nil {
		db.Close()
		os.Remove(e.db)
		return err
	}
	what := "the built-in record"
	if *empty {
		what = "parties only (no blocs, no records)"
	}
	fmt.Fprintf(e.stdout, "created %s with %s\n", e.db, what)
	return nil
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "migrate", "migrate [--status]", `Apply the schema migrations this binary has and the database lacks, in order.
bloc applies them on every start too; this command does it explicitly.`)
	status := f.Bool("status", false, "only print the applied and known schema versions")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	db, err := sqlite.OpenNoMigrate(e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if *status {
		fmt.Fprintf(e.stdout, "schema version %d applied, %d known to this binary\n", applied, known)
		return nil
	}
	done, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintf(e.stdout, "schema is current (version %d)\n", applied)
	}
	for _, m := range done {
		fmt.Fprintf(e.stdout, "applied %s\n", m)
	}
	return nil
}

func cmdBlocs(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "add" {
		return cmdBlocsAdd(ctx, e, args[1:])
	}
	f := newFlags(e, "blocs", "blocs [--json] | blocs add SLUG NAME --founded DATE [--place P] [--instrument I]", `List the blocs of the record with their current name and number of members.`)
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, reg *registry.Service) error {
		vs, err := reg.Blocs(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if vs == nil {
				vs = []registry.BlocView{}
			}
			return printJSON(e.stdout, vs)
		}
		tw := table(e.stdout)
		fmt.Fprintln(tw, "BLOC\tNAME\tFOUNDED\tDISSOLVED\tMEMBERS\tEVENTS")
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", v.Slug, v.CurrentName, v.Founded, dash(v.Dissolved), v.Members, v.Events)
		}
		return tw.Flush()
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// reservedSlugs are paths of the service that a bloc's TAXII API root
// (/{bloc}/) must not shadow.
var reservedSlugs = map[string]bool{"api": true, "taxii2": true, "healthz": true, "readyz": true, "metrics": true, "ui": true, "static": true}

func validSlug(s string) bool {
	if s == "" || len(s) > 40 || reservedSlugs[s] {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s[0] != '-'
}

func cmdBlocsAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "blocs add", "blocs add SLUG NAME --founded DATE [--place P] [--instrument I]", `Add a bloc: a treaty organisation or agreement. A bilateral security agreement
is a bloc too, with its two parties recorded as signatories:
  bloc blocs add rus-uzb "Russia–Uzbekistan security cooperation" --founded 2017-04-05
  bloc event add rus-uzb RUS signed 2017-04-05 --source-title "…"`)
	founded := f.String("founded", "", "date of the founding instrument (required)")
	place := f.String("place", "", "where it was signed")
	instrument := f.String("instrument", "", "the founding instrument's name")
	pos, err := f.parse(args, 2, 2)
	if err != nil {
		return err
	}
	if !validSlug(pos[0]) {
		return usageErr("SLUG %q: use lowercase letters, digits and hyphens (e.g. csto, rus-uzb); api, taxii2, healthz, readyz, metrics, ui and static are reserved", pos[0])
	}
	if *founded == "" {
		return usageErr("--founded DATE is required")
	}
	d, err := parseDateArg("--founded", *founded)
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		if err := db.CreateBloc(ctx, bloc.Bloc{Slug: pos[0], Name: pos[1], Founded: d, Place: *place, Instrument: *instrument}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added bloc %s (%s), founded %s\n", pos[0], pos[1], d)
		return nil
	})
}

func cmdParties(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "add" {
		return cmdPartiesAdd(ctx, e, args[1:])
	}
	f := newFlags(e, "parties", "parties [--json] | parties add CODE NAME [--alias A]…", `List the parties (states by ISO 3166-1 alpha-3 code, and historical codes such as SUN, DDR, CSK, YUG).`)
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		ps, err := db.Parties(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if ps == nil {
				ps = []bloc.Party{}
			}
			return printJSON(e.stdout, ps)
		}
		tw := table(e.stdout)
		fmt.Fprintln(tw, "CODE\tNAME\tALIASES")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Code, p.Name, strings.Join(p.Aliases, "; "))
		}
		return tw.Flush()
	})
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func cmdPartiesAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "parties add", "parties add CODE NAME [--alias A]…", `Add a party whose code the built-in list lacks. CODE is three upper-case letters.`)
	var aliases multiFlag
	f.Var(&aliases, "alias", "another name (repeatable)")
	pos, err := f.parse(args, 2, 2)
	if err != nil {
		return err
	}
	code := pos[0]
	if len(code) != 3 || strings.ToUpper(code) != code || strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return usageErr("CODE %q: a party code is three upper-case letters (ISO 3166-1 alpha-3)", code)
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		if err := db.CreateParty(ctx, bloc.Party{Code: code, Name: pos[1], Aliases: aliases}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added party %s (%s)\n", code, pos[1])
		return nil
	})
}

func cmdMembers(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "members", "members BLOC [--at DATE] [--known-at TIME] [--all-standings] [--json]", `Who belonged to BLOC at a date (default today). A date inside the window of an
imprecise event ("August 2006") is answered honestly: the party is listed with
certain=false and the standings before and after.`)
	at := f.String("at", "", "the date to ask about (default: today)")
	knownAt := f.String("known-at", "", "answer from the record as it was known at this record time")
	all := f.Bool("all-standings", false, "also list observers, partners and suspended parties")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	date := bloc.DayOf(time.Now())
	if *at != "" {
		if date, err = parseDateArg("--at", *at); err != nil {
			return err
		}
	}
	var known time.Time
	if *knownAt != "" {
		if known, err = bloc.ParseInstant(*knownAt); err != nil {
			return bloc.Errorf(bloc.EINVALID, "--known-at: %s", bloc.ErrorMessage(err))
		}
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		v, err := reg.Members(ctx, pos[0], date, known, *all)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, v)
		}
		head := fmt.Sprintf("%s (%s) at %s", v.Name, v.Bloc, v.At)
		if v.KnownAt != "" {
			head += ", as known at " + v.KnownAt
		}
		fmt.Fprintf(e.stdout, "%s: %d\n", head, len(v.Members))
		tw := table(e.stdout)
		fmt.Fprintln(tw, "PARTY\tNAME\tSTANDING\tSINCE\tNOTE")
		for _, m := range v.Members {
			note := ""
			if !m.Certain {
				note = fmt.Sprintf("uncertain: %s → %s inside the window of %s", m.Before, m.After, m.Since)
			}
			if len(m.Scope) > 0 {
				note = strings.TrimSpace(note + " scope: " + strings.Join(m.Scope, ", "))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Party, m.Name, m.Standing, m.Since, note)
		}
		return tw.Flush()
	})
}

func cmdHistory(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "history", "history PARTY [--bloc BLOC] [--json]", `A party's history: its standing intervals in each bloc, and every event with
its sources (an event stated by several sources lists each attestation).`)
	only := f.String("bloc", "", "only this bloc")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		v, err := reg.History(ctx, strings.ToUpper(pos[0]), *only)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, v)
		}
		fmt.Fprintf(e.stdout, "%s (%s)\n\nStandings:\n", v.Name, v.Party)
		tw := table(e.stdout)
		for _, iv := range v.Intervals {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t→ %s\t%s\n", iv.Bloc, iv.Standing, iv.From, openEnd(iv.To), strings.Join(iv.Scope, ", "))
		}
		tw.Flush()
		fmt.Fprintln(e.stdout, "\nEvents:")
		for _, ev := range v.Events {
			flag := ""
			if ev.Disputed {
				flag = fmt.Sprintf("  DISPUTED: sources disagree; window %s – %s", ev.Start.Format("2006-01-02"), ev.End.AddDate(0, 0, -1).Format("2006-01-02"))
			}
			fmt.Fprintf(e.stdout, "  #%d %s %s %s%s\n", ev.ID, ev.Bloc, ev.Kind, ev.Date, flag)
			for _, a := range ev.Attestations {
				fmt.Fprintf(e.stdout, "      [record %d] %s  %s\n", a.ID, a.Date, sourceLine(a))
				if a.Quote != "" {
					fmt.Fprintf(e.stdout, "        “%s”\n", a.Quote)
				}
			}
		}
		return nil
	})
}

func openEnd(d bloc.Date) string {
	if d.IsZero() {
		return "now"
	}
	return d.String()
}

func sourceLine(r bloc.Record) string {
	var parts []string
	for _, s := range []string{r.Source.Title, r.Source.Publisher, r.Source.Published.String(), r.Source.URL} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "(no source given)"
	}
	return strings.Join(parts, " — ")
}

func cmdTimeline(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "timeline", "timeline BLOC [--width N] [--ascii] [--json]", `Draw a bloc's membership across the years: one row per party.
  █ member   ▓ suspended   ▒ observer   ░ partner   ? an imprecise or disputed
  event's window (the change happened somewhere in it)   (blank) not a party`)
	width := f.Int("width", 72, "columns for the time axis")
	ascii := f.Bool("ascii", false, "draw with ASCII only (# member, = suspended, o observer, p partner)")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if *width < 10 {
		return usageErr("--width must be at least 10")
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		v, err := reg.Timeline(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, v)
		}
		drawTimeline(e.stdout, v, time.Now().UTC(), *width, *ascii)
		return nil
	})
}

func cmdChanges(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "changes", "changes BLOC --from DATE --to DATE [--json]", `What changed in BLOC between two dates: every event whose window meets
[from, to), with the standing before and after it.`)
	from := f.String("from", "", "start date (required)")
	to := f.String("to", "", "end date, exclusive (required)")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageErr("--from DATE and --to DATE are required")
	}
	fd, err := parseDateArg("--from", *from)
	if err != nil {
		return err
	}
	td, err := parseDateArg("--to", *to)
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		v, err := reg.Changes(ctx, pos[0], fd, td)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, v)
		}
		fmt.Fprintf(e.stdout, "%s from %s to %s: %d events\n", v.Bloc, v.From, v.To, len(v.Changes))
		tw := table(e.stdout)
		fmt.Fprintln(tw, "DATE\tPARTY\tEVENT\tSTANDING\tSOURCE")
		for _, c := range v.Changes {
			change := "-"
			if c.Before != c.After {
				change = fmt.Sprintf("%s → %s", c.Before, c.After)
			}
			src := ""
			if len(c.Event.Attestations) > 0 {
				src = sourceLine(c.Event.Attestations[0])
				if n := len(c.Event.Attestations); n > 1 {
					src += fmt.Sprintf(" (+%d more)", n-1)
				}
			}
			what := string(c.Event.Kind)
			if c.Event.NewName != "" {
				what += ": " + c.Event.NewName
			}
			if c.Event.Disputed {
				what += " (disputed)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Event.Date, dash(c.Event.Party), what, change, truncate(src, 60))
		}
		return tw.Flush()
	})
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
