package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/builtin"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

var (
	errHelp  = errors.New("help shown")
	errUsage = errors.New("usage")
)

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// flags is a command's flag set with its synopsis, parsed so that flags and
// positional arguments may be interleaved (`bloc members csto --at 2010`).
type flags struct {
	*flag.FlagSet
	e        *env
	synopsis string
	about    string
}

func newFlags(e *env, name, synopsis, about string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f := &flags{FlagSet: fs, e: e, synopsis: synopsis, about: about}
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.db, "db", e.db, "database path [env BLOC_DB]")
	return f
}

func (f *flags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: bloc %s\n\n%s\n", f.synopsis, strings.TrimSpace(f.about))
	var b strings.Builder
	f.VisitAll(func(fl *flag.Flag) {
		name, use := flag.UnquoteUsage(fl)
		if name != "" {
			name = " " + name
		}
		def := ""
		if fl.DefValue != "" && fl.DefValue != "false" && fl.Name != "db" {
			def = fmt.Sprintf(" (default %s)", fl.DefValue)
		}
		fmt.Fprintf(&b, "  --%s%s\n      %s%s\n", fl.Name, name, use, def)
	})
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

// fromEnv gives every flag of f that args did not set the value of its
// environment variable BLOC_<NAME> (dashes as underscores), if set: the
// service is configured by flags or by environment alike.
func (f *flags) fromEnv() error {
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var err error
	f.VisitAll(func(fl *flag.Flag) {
		name := "BLOC_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		v := f.e.getenv(name)
		if given[fl.Name] || v == "" || err != nil {
			return
		}
		if serr := fl.Value.Set(v); serr != nil {
			err = usageErr("%s=%q: %v", name, v, serr)
		}
	})
	return err
}

// parse parses args and checks the number of positional arguments.
func (f *flags) parse(args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(f.e.stdout)
				return nil, errHelp
			}
			return nil, usageErr("%v (see `bloc %s --help`)", err, f.Name())
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		return nil, usageErr("wrong number of arguments\nUsage: bloc %s", f.synopsis)
	}
	return pos, nil
}

// openStore opens the database, creating and seeding it with the built-in
// record on first use.
func openStore(ctx context.Context, e *env) (*sqlite.DB, error) {
	_, statErr := os.Stat(e.db)
	fresh := errors.Is(statErr, os.ErrNotExist)
	db, err := sqlite.OpenNoMigrate(e.db)
	if err != nil {
		return nil, err
	}
	applied, _, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if fresh || applied == 0 {
		if err := seed(ctx, db, true); err != nil {
			db.Close()
			if fresh {
				os.Remove(e.db)
			}
			return nil, fmt.Errorf("loading the built-in record: %w", err)
		}
		fmt.Fprintf(e.stderr, "bloc: created %s with the built-in record\n", e.db)
	}
	return db, nil
}

// seed loads the built-in parties and, with record, the built-in blocs and
// their sourced histories.
func seed(ctx context.Context, db *sqlite.DB, record bool) error {
	parties, err := builtin.Parties()
	if err != nil {
		return err
	}
	for _, p := range parties {
		if err := db.CreateParty(ctx, p); err != nil {
			return err
		}
	}
	if !record {
		return nil
	}
	blocs, err := builtin.Blocs()
	if err != nil {
		return err
	}
	for _, b := range blocs {
		if err := db.CreateBloc(ctx, b); err != nil {
			return err
		}
	}
	rows, err := builtin.Rows()
	if err != nil {
		return err
	}
	recs := make([]bloc.Record, len(rows))
	for i, r := range rows {
		recs[i] = r.Record
		recs[i].RecordedBy = "bloc built-in record"
	}
	_, err = registry.New(db).Add(ctx, recs)
	return err
}

// withRegistry opens the store and runs fn with a registry service over it.
func withRegistry(ctx context.Context, e *env, fn func(db *sqlite.DB, reg *registry.Service) error) error {
	db, err := openStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db, registry.New(db))
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// parseDateArg parses a DATE argument, naming the argument in the error.
func parseDateArg(name, s string) (bloc.Date, error) {
	d, err := bloc.ParseDate(s)
	if err != nil {
		return bloc.Date{}, bloc.Errorf(bloc.EINVALID, "%s: %s", name, bloc.ErrorMessage(err))
	}
	return d, nil
}
