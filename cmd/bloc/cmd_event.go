package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/recordfile"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// sourceFlags are the provenance flags shared by event add and supersede.
type sourceFlags struct {
	title, url, publisher, published, quote, note, scope, newName, by *string
}

func addSourceFlags(f *flags) sourceFlags {
	return sourceFlags{
		title:     f.String("source-title", "", "title of the source that states the fact"),
		url:       f.String("source-url", "", "URL of the source"),
		publisher: f.String("publisher", "", "publisher of the source"),
		published: f.String("published", "", "publication date of the source"),
		quote:     f.String("quote", "", "the sentence that states the fact"),
		note:      f.String("note", "", "a note of the recorder"),
		scope:     f.String("scope", "", "partner scope: topic labels separated by commas (partner_from)"),
		newName:   f.String("new-name", "", "the new name (renamed)"),
		by:        f.String("by", "", "who records this (default: $USER)"),
	}
}

// apply fills r's provenance from the flags that were given.
func (s sourceFlags) apply(f *flags, r *bloc.Record) error {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["source-title"] {
		r.Source.Title = *s.title
	}
	if set["source-url"] {
		r.Source.URL = *s.url
	}
	if set["publisher"] {
		r.Source.Publisher = *s.publisher
	}
	if set["published"] {
		d, err := parseDateArg("--published", *s.published)
		if err != nil {
			return err
		}
		r.Source.Published = d
	}
	if set["quote"] {
		r.Quote = *s.quote
	}
	if set["note"] {
		r.Note = *s.note
	}
	if set["scope"] {
		r.Scope = nil
		for _, l := range strings.Split(*s.scope, ",") {
			if l = strings.TrimSpace(l); l != "" {
				r.Scope = append(r.Scope, l)
			}
		}
	}
	if set["new-name"] {
		r.NewName = *s.newName
	}
	r.RecordedBy = *s.by
	if r.RecordedBy == "" {
		r.RecordedBy = f.e.getenv("USER")
	}
	return nil
}

func cmdEvent(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "add":
		return cmdEventAdd(ctx, e, args[1:])
	case "supersede":
		return cmdEventSupersede(ctx, e, args[1:])
	case "retract":
		return cmdEventRetract(ctx, e, args[1:])
	case "-h", "--help", "help", "":
		fmt.Fprint(e.stdout, `Usage:
  bloc event add BLOC PARTY KIND DATE [--source-title T --source-url U --quote Q --note N …]
  bloc event supersede ID [--kind K --party P --date D --source-title T …]
  bloc event retract ID [--note N]

Events are never edited: a correction supersedes a record, a retraction
withdraws it; both are new records, and --known-at shows the record as it was.
KIND is one of: signed acceded suspended resumed withdrew lapsed expelled
observer_from observer_until partner_from partner_until statement renamed dissolved
`)
		if sub == "" {
			return usageErr("event needs a subcommand: add, supersede or retract")
		}
		return errHelp
	}
	return usageErr("unknown subcommand %q of event (add, supersede, retract)", sub)
}

func cmdEventAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "event add", "event add BLOC PARTY KIND DATE [flags]", `Record an event. PARTY is an ISO 3166-1 alpha-3 code, or - for bloc-level
kinds (renamed, dissolved). DATE is YYYY, YYYY-MM or YYYY-MM-DD: write what the
source says ("August 2006" is 2006-08). If the record already holds this fact,
the new record is another attestation of the same event: agreeing dates refine
it, disagreeing ones mark it disputed and keep both sources.
  bloc event add csto UZB acceded 2006-08 --source-title "…" --quote "In August 2006, Uzbekistan rejoined the CSTO…"`)
	sf := addSourceFlags(f)
	asJSON := f.Bool("json", false, "print the stored record as JSON")
	pos, err := f.parse(args, 4, 4)
	if err != nil {
		return err
	}
	kind := bloc.Kind(pos[2])
	if !kind.Valid() {
		return usageErr("KIND %q is not an event kind (see `bloc event --help`)", pos[2])
	}
	party := strings.ToUpper(pos[1])
	if party == "-" {
		party = ""
	}
	d, err := parseDateArg("DATE", pos[3])
	if err != nil {
		return err
	}
	r := bloc.Record{Bloc: pos[0], Party: party, Kind: kind, Date: d}
	if err := sf.apply(f, &r); err != nil {
		return err
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		out, err := reg.Add(ctx, []bloc.Record{r})
		if err != nil {
			return err
		}
		return reportRecord(e, out[0], *asJSON)
	})
}

func reportRecord(e *env, r bloc.Record, asJSON bool) error {
	if asJSON {
		return printJSON(e.stdout, r)
	}
	what := "recorded"
	switch {
	case r.Retracts:
		what = fmt.Sprintf("retracted record %d by", r.Supersedes)
	case r.Supersedes != 0:
		what = fmt.Sprintf("superseded record %d by", r.Supersedes)
	case r.EventID != r.ID:
		what = fmt.Sprintf("recorded a new attestation of event %d as", r.EventID)
	}
	fmt.Fprintf(e.stdout, "%s record %d: %s %s %s %s\n", what, r.ID, r.Bloc, dash(r.Party), r.Kind, r.Date)
	return nil
}

func cmdEventSupersede(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "event supersede", "event supersede ID [--kind K] [--party P] [--date D] [source flags]", `Correct record ID: a new record replaces it from now on. Fields not given are
taken from the record it supersedes.`)
	kind := f.String("kind", "", "corrected kind")
	party := f.String("party", "", "corrected party")
	date := f.String("date", "", "corrected date")
	sf := addSourceFlags(f)
	asJSON := f.Bool("json", false, "print the stored record as JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErr("ID %q is not a record id", pos[0])
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		r, err := reg.Record(ctx, id)
		if err != nil {
			return err
		}
		// The correction starts as a copy of the record it corrects.
		r.ID, r.Supersedes, r.Retracts = 0, 0, false
		r.RecordedAt = time.Time{}
		if *kind != "" {
			r.Kind = bloc.Kind(*kind)
			if !r.Kind.Valid() {
				return usageErr("--kind %q is not an event kind", *kind)
			}
		}
		if *party != "" {
			r.Party = strings.ToUpper(*party)
		}
		if *date != "" {
			if r.Date, err = parseDateArg("--date", *date); err != nil {
				return err
			}
		}
		if err := sf.apply(f, &r); err != nil {
			return err
		}
		out, err := reg.Supersede(ctx, id, r)
		if err != nil {
			return err
		}
		return reportRecord(e, out, *asJSON)
	})
}

func cmdEventRetract(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "event retract", "event retract ID [--note N]", `Retract record ID: from now on the record no longer states it (it stays
readable with --known-at). An event whose every attestation is retracted is gone.`)
	note := f.String("note", "", "why it is retracted")
	by := f.String("by", "", "who retracts it (default: $USER)")
	asJSON := f.Bool("json", false, "print the stored record as JSON")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErr("ID %q is not a record id", pos[0])
	}
	who := *by
	if who == "" {
		who = e.getenv("USER")
	}
	return withRegistry(ctx, e, func(_ *sqlite.DB, reg *registry.Service) error {
		out, err := reg.Retract(ctx, id, who, *note)
		if err != nil {
			return err
		}
		return reportRecord(e, out, *asJSON)
	})
}

func cmdImport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "import", "import FILE [--format csv|json] [--dry-run]", `Import records from a CSV or JSON file (- reads standard input). The import
is all or nothing: every bad row is reported with its line number and nothing
is written. The CSV header of shared/data/membership.csv is accepted as is;
see docs/data-format.md for every column.`)
	format := f.String("format", "", "csv or json (default: from the file name or content)")
	dry := f.Bool("dry-run", false, "check the file against the record without writing")
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	var data []byte
	if pos[0] == "-" {
		data, err = io.ReadAll(bufio.NewReader(e.stdin))
	} else {
		data, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return bloc.Errorf(bloc.EINVALID, "cannot read %s: %v", pos[0], err)
	}
	if *format == "" {
		*format = recordfile.Detect(filepath.Base(pos[0]), data)
	}
	var file recordfile.File
	switch *format {
	case "csv":
		file.Rows, err = recordfile.ReadCSV(bytes.NewReader(data))
	case "json":
		file, err = recordfile.ReadJSON(bytes.NewReader(data))
	default:
		return usageErr("--format %q: use csv or json", *format)
	}
	if err != nil {
		return prefixErr(pos[0], err)
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, reg *registry.Service) error {
		if *dry {
			return bloc.Errorf(bloc.EINVALID, "--dry-run is not available yet")
		}
		n, err := importFile(ctx, db, reg, file)
		if err != nil {
			return prefixErr(pos[0], err)
		}
		fmt.Fprintf(e.stdout, "imported %d records from %s\n", n, pos[0])
		return nil
	})
}

// importFile writes the blocs and parties of a JSON file that the store
// lacks, then all records, as one batch.
func importFile(ctx context.Context, db *sqlite.DB, reg *registry.Service, file recordfile.File) (int, error) {
	for _, b := range file.Blocs {
		if _, err := db.Bloc(ctx, b.Slug); bloc.ErrorCode(err) == bloc.ENOTFOUND {
			if err := db.CreateBloc(ctx, b); err != nil {
				return 0, err
			}
		} else if err != nil {
			return 0, err
		}
	}
	for _, p := range file.Parties {
		if _, err := db.Party(ctx, p.Code); bloc.ErrorCode(err) == bloc.ENOTFOUND {
			if err := db.CreateParty(ctx, p); err != nil {
				return 0, err
			}
		} else if err != nil {
			return 0, err
		}
	}
	recs := make([]bloc.Record, len(file.Rows))
	for i, r := range file.Rows {
		recs[i] = r.Record
	}
	out, err := reg.AddWhere(ctx, recs, func(i int) string { return fmt.Sprintf("line %d", file.Rows[i].Line) })
	if err != nil {
		return 0, err
	}
	return len(out), nil
}

func prefixErr(name string, err error) error {
	if be, ok := err.(*bloc.Error); ok {
		return &bloc.Error{Code: be.Code, Message: name + ": " + be.Message, Details: be.Details}
	}
	return err
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "export", "export [--format csv|json] [--output FILE]", `Export the whole record: every record ever made (corrections and retractions
included), so that importing the export into an empty database and exporting
again gives the same bytes. JSON also carries the blocs and parties.`)
	format := f.String("format", "csv", "csv or json")
	output := f.String("output", "", "write to FILE instead of standard output")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return usageErr("--format %q: use csv or json", *format)
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		recs, err := db.Records(ctx)
		if err != nil {
			return err
		}
		parties, err := db.Parties(ctx)
		if err != nil {
			return err
		}
		w := e.stdout
		if *output != "" {
			fh, err := os.Create(*output)
			if err != nil {
				return bloc.Errorf(bloc.EINVALID, "--output: %v", err)
			}
			defer fh.Close()
			w = fh
		}
		bw := bufio.NewWriter(w)
		if *format == "csv" {
			names := make(map[string]string, len(parties))
			for _, p := range parties {
				names[p.Code] = p.Name
			}
			err = recordfile.WriteCSV(bw, recs, names)
		} else {
			blocs, berr := db.Blocs(ctx)
			if berr != nil {
				return berr
			}
			err = recordfile.WriteJSON(bw, blocs, parties, recs)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	})
}
