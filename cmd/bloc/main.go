// Command bloc is the membership record of collective security
// organisations and the threat-information exchange that follows it.
//
// Run `bloc help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/blocsec/bloc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is one invocation's surroundings, passed to every command so that
// tests run the CLI in-process with their own streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	db     string // --db, BLOC_DB, default ./bloc.db
}

// command is one `bloc` subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"init", "create a database (with the built-in record unless --empty)", cmdInit},
		{"migrate", "apply pending schema migrations", cmdMigrate},
		{"blocs", "list blocs; `blocs add` adds one", cmdBlocs},
		{"parties", "list parties; `parties add` adds one", cmdParties},
		{"members", "who belonged to a bloc at a date", cmdMembers},
		{"history", "a party's history in every bloc", cmdHistory},
		{"timeline", "a bloc's membership drawn across the years", cmdTimeline},
		{"changes", "what changed in a bloc between two dates", cmdChanges},
		{"event", "add, supersede or retract a recorded event", cmdEvent},
		{"import", "import records from CSV or JSON (all or nothing)", cmdImport},
		{"export", "export the record as CSV or JSON", cmdExport},
		{"agency", "add and list agencies (security services of parties)", cmdAgency},
		{"token", "create, list and revoke API tokens", cmdToken},
		{"collection", "create and list a bloc's TAXII collections", cmdCollection},
		{"access", "explain an access decision (access explain)", cmdAccess},
		{"webhook", "webhook subscriptions: add, list, remove", cmdWebhook},
		{"intake", "take in a news article: a STIX report and proposed membership events", cmdIntake},
		{"serve", "run the HTTP service (registry API, TAXII 2.1, push)", cmdServe},
		{"bench", "measure bloc (bench registry, …)", cmdBench},
	}
}

const usageHead = `bloc — who belongs to which security bloc, when; and threat exchange that follows it.

Usage: bloc [--db PATH] COMMAND [ARGUMENTS] [FLAGS]

Global flags:
  --db PATH   database: a SQLite file (created on first use) [env BLOC_DB, default ./bloc.db]

Commands:
`

func usage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	cs := commands()
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nDates are YYYY, YYYY-MM or YYYY-MM-DD (or an RFC 3339 timestamp).\nRun `bloc COMMAND --help` for a command's arguments and flags.\n")
}

// run executes one invocation and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, db: getenv("BLOC_DB")}
	if e.db == "" {
		e.db = "bloc.db"
	}
	// Global flags come before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case a == "--db" || a == "-db":
			if len(args) < 2 {
				fmt.Fprintln(stderr, "bloc: --db needs a path")
				return 2
			}
			e.db, args = args[1], args[2:]
		case strings.HasPrefix(a, "--db="):
			e.db, args = strings.TrimPrefix(a, "--db="), args[1:]
		case a == "-h" || a == "--help" || a == "-help":
			usage(stdout)
			return 0
		default:
			fmt.Fprintf(stderr, "bloc: unknown global flag %s\n\n", a)
			usage(stderr)
			return 2
		}
	}
	if len(args) == 0 || args[0] == "help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(stdout)
			return 0
		}
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "bloc: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "bloc %s: %s\n", cmd.name, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return 2
	}
	printError(stderr, cmd.name, err)
	if bloc.ErrorCode(err) == bloc.EINTERNAL {
		fmt.Fprintf(stderr, "  (internal: %v)\n", err)
	}
	return 1
}

// sortedKeys is for printing maps deterministically.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// maxDetails bounds the problems printed for one error; the message still
// counts them all.
const maxDetails = 100

func printError(w io.Writer, name string, err error) {
	var be *bloc.Error
	if !errors.As(err, &be) {
		fmt.Fprintf(w, "bloc %s: %s\n", name, bloc.ErrorMessage(err))
		return
	}
	fmt.Fprintf(w, "bloc %s: %s\n", name, be.Message)
	for i, d := range be.Details {
		if i == maxDetails {
			fmt.Fprintf(w, "  … and %d more\n", len(be.Details)-maxDetails)
			break
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
}
