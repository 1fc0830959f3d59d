package main

import (
	"context"
	"fmt"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/registrar"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

// withRegistrar opens the store and runs fn with the registrar service.
func withRegistrar(ctx context.Context, e *env, fn func(db *sqlite.DB, rs *registrar.Service) error) error {
	return withRegistry(ctx, e, func(db *sqlite.DB, reg *registry.Service) error {
		return fn(db, registrar.New(db, reg))
	})
}

// subcommand dispatches `bloc NAME SUB …` to one of subs, or prints help.
func subcommand(e *env, name, help string, args []string, subs map[string]func([]string) error) error {
	if len(args) > 0 {
		if fn, ok := subs[args[0]]; ok {
			return fn(args[1:])
		}
	}
	fmt.Fprint(e.stdout, help)
	if len(args) == 0 {
		return usageErr("%s needs a subcommand", name)
	}
	if a := args[0]; a == "-h" || a == "--help" || a == "help" {
		return errHelp
	}
	return usageErr("unknown subcommand %q of %s", args[0], name)
}

func cmdAgency(ctx context.Context, e *env, args []string) error {
	return subcommand(e, "agency", `Usage:
  bloc agency add PARTY NAME [--id ID] [--json]
  bloc agency list [--json]

An agency is a security service of a party; it is a STIX identity and holds
tokens. What it may read follows its party's standing in each bloc.
`, args, map[string]func([]string) error{
		"add": func(args []string) error {
			f := newFlags(e, "agency add", "agency add PARTY NAME [--id ID] [--json]", `Create an agency of PARTY (ISO 3166-1 alpha-3) with a new STIX identity.`)
			id := f.String("id", "", "agency id (default: derived from party and name, e.g. kaz-national-security-committee)")
			asJSON := f.Bool("json", false, `print {"id","party","name","identity"} as JSON`)
			pos, err := f.parse(args, 2, 2)
			if err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(_ *sqlite.DB, rs *registrar.Service) error {
				a, err := rs.AddAgency(ctx, pos[0], pos[1], *id, false)
				if err != nil {
					return err
				}
				if *asJSON {
					return printJSON(e.stdout, map[string]string{"id": a.ID, "party": a.Party, "name": a.Name, "identity": a.Identity})
				}
				fmt.Fprintf(e.stdout, "added agency %s (%s, %s), STIX %s\nnext: bloc token create %s --role write\n", a.ID, a.Name, a.Party, a.Identity, a.ID)
				return nil
			})
		},
		"list": func(args []string) error {
			f := newFlags(e, "agency list", "agency list [--json]", `List the agencies.`)
			asJSON := f.Bool("json", false, "print JSON")
			if _, err := f.parse(args, 0, 0); err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(db *sqlite.DB, _ *registrar.Service) error {
				as, err := db.Agencies(ctx)
				if err != nil {
					return err
				}
				if *asJSON {
					if as == nil {
						as = []bloc.Agency{}
					}
					return printJSON(e.stdout, as)
				}
				tw := table(e.stdout)
				fmt.Fprintln(tw, "ID\tPARTY\tNAME\tIDENTITY")
				for _, a := range as {
					name := a.Name
					if a.Demo {
						name += " [demo]"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Party, name, a.Identity)
				}
				return tw.Flush()
			})
		},
	})
}

func cmdToken(ctx context.Context, e *env, args []string) error {
	return subcommand(e, "token", `Usage:
  bloc token create AGENCY [--role read|write|registrar] [--ttl DURATION] [--json]
  bloc token list [AGENCY] [--json]
  bloc token revoke ID

A token is shown once, when it is created; only its hash is stored. Use it as
HTTP Basic (user = agency id or token id, password = token) or as
"Authorization: Bearer TOKEN".
`, args, map[string]func([]string) error{
		"create": func(args []string) error {
			f := newFlags(e, "token create", "token create AGENCY [--role read|write|registrar] [--ttl DURATION] [--json]", `Create a token for AGENCY and print it once.
  read       read what the agency's party may read
  write      also write objects (members only, at the time of each write)
  registrar  also manage blocs, collections, agencies and the record over the API`)
			role := f.String("role", "read", "read, write or registrar")
			ttl := f.Duration("ttl", 0, "expire after this long (e.g. 720h); default never")
			asJSON := f.Bool("json", false, `print {"id","agency","role","token"} as JSON`)
			pos, err := f.parse(args, 1, 1)
			if err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(_ *sqlite.DB, rs *registrar.Service) error {
				t, secret, err := rs.CreateToken(ctx, pos[0], bloc.Role(*role), *ttl, false)
				if err != nil {
					return err
				}
				if *asJSON {
					return printJSON(e.stdout, map[string]string{"id": t.ID, "agency": t.Agency, "role": string(t.Role), "token": secret})
				}
				fmt.Fprintf(e.stdout, "token %s for %s (%s); it is shown only now:\n%s\n", t.ID, t.Agency, t.Role, secret)
				return nil
			})
		},
		"list": func(args []string) error {
			f := newFlags(e, "token list", "token list [AGENCY] [--json]", `List tokens (never their secrets).`)
			asJSON := f.Bool("json", false, "print JSON")
			pos, err := f.parse(args, 0, 1)
			if err != nil {
				return err
			}
			agency := ""
			if len(pos) == 1 {
				agency = pos[0]
			}
			return withRegistrar(ctx, e, func(db *sqlite.DB, _ *registrar.Service) error {
				ts, err := db.Tokens(ctx, agency)
				if err != nil {
					return err
				}
				if *asJSON {
					if ts == nil {
						ts = []bloc.Token{}
					}
					return printJSON(e.stdout, ts)
				}
				now := time.Now()
				tw := table(e.stdout)
				fmt.Fprintln(tw, "ID\tAGENCY\tROLE\tCREATED\tSTATUS")
				for _, t := range ts {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Agency, t.Role, t.Created.Format(time.DateTime), registrar.Describe(t, now))
				}
				return tw.Flush()
			})
		},
		"revoke": func(args []string) error {
			f := newFlags(e, "token revoke", "token revoke ID", `Revoke a token at once: its requests are refused and its open streams end.`)
			pos, err := f.parse(args, 1, 1)
			if err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(_ *sqlite.DB, rs *registrar.Service) error {
				t, err := rs.RevokeToken(ctx, pos[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "revoked token %s of %s at %s\n", t.ID, t.Agency, bloc.FormatInstant(t.RevokedAt))
				return nil
			})
		},
	})
}

func cmdCollection(ctx context.Context, e *env, args []string) error {
	return subcommand(e, "collection", `Usage:
  bloc collection create BLOC TITLE [--audience members|members+observers|public] [--alias A] [--description D] [--json]
  bloc collection list BLOC [--json]

A collection is a TAXII collection in the bloc's API root (/BLOC/); its id is
what TAXII clients use.
`, args, map[string]func([]string) error{
		"create": func(args []string) error {
			f := newFlags(e, "collection create", "collection create BLOC TITLE [--audience A] [--alias A] [--description D] [--json]", `Create a collection in BLOC's TAXII API root.
  members            members of the bloc at the time of each read (default)
  members+observers  also observers (TLP:CLEAR and GREEN)
  public             anyone, without credentials (TLP:CLEAR only)`)
			audience := f.String("audience", "members", "members, members+observers or public")
			alias := f.String("alias", "", "a short alias")
			desc := f.String("description", "", "a description")
			asJSON := f.Bool("json", false, "print JSON")
			pos, err := f.parse(args, 2, 2)
			if err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(_ *sqlite.DB, rs *registrar.Service) error {
				c, err := rs.CreateCollection(ctx, bloc.Collection{Bloc: pos[0], Title: pos[1], Audience: bloc.Audience(*audience), Alias: *alias, Description: *desc})
				if err != nil {
					return err
				}
				if *asJSON {
					return printJSON(e.stdout, c)
				}
				fmt.Fprintf(e.stdout, "created collection %s %q in %s (audience %s)\nTAXII: /%s/collections/%s/\n", c.ID, c.Title, c.Bloc, c.Audience, c.Bloc, c.ID)
				return nil
			})
		},
		"list": func(args []string) error {
			f := newFlags(e, "collection list", "collection list BLOC [--json]", `List a bloc's collections.`)
			asJSON := f.Bool("json", false, "print JSON")
			pos, err := f.parse(args, 1, 1)
			if err != nil {
				return err
			}
			return withRegistrar(ctx, e, func(db *sqlite.DB, _ *registrar.Service) error {
				if _, err := db.Bloc(ctx, pos[0]); err != nil {
					return err
				}
				cs, err := db.Collections(ctx, pos[0])
				if err != nil {
					return err
				}
				if *asJSON {
					if cs == nil {
						cs = []bloc.Collection{}
					}
					return printJSON(e.stdout, cs)
				}
				tw := table(e.stdout)
				fmt.Fprintln(tw, "ID\tTITLE\tAUDIENCE\tALIAS")
				for _, c := range cs {
					title := c.Title
					if c.Demo {
						title += " [demo]"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, title, c.Audience, dash(c.Alias))
				}
				return tw.Flush()
			})
		},
	})
}

func cmdAccess(ctx context.Context, e *env, args []string) error {
	return subcommand(e, "access", `Usage:
  bloc access explain --agency AGENCY --object ID [--at TIME] [--json]
`, args, map[string]func([]string) error{
		"explain": func(args []string) error {
			f := newFlags(e, "access explain", "access explain --agency AGENCY --object ID [--at TIME] [--json]", `Say whether AGENCY may read each stored version of STIX object ID, and why,
now or at a past instant (--at): the decision the server makes on every read,
from the agency's party's standing at that instant.`)
			agency := f.String("agency", "", "agency id (required)")
			object := f.String("object", "", "STIX object id (required)")
			at := f.String("at", "", "instant to decide for: a date or RFC 3339 time (default now)")
			asJSON := f.Bool("json", false, "print JSON")
			if _, err := f.parse(args, 0, 0); err != nil {
				return err
			}
			if *agency == "" || *object == "" {
				return usageErr("--agency and --object are required")
			}
			when := time.Now().UTC()
			if *at != "" {
				t, err := bloc.ParseInstant(*at)
				if err != nil {
					return bloc.Errorf(bloc.EINVALID, "--at: %s", bloc.ErrorMessage(err))
				}
				when = t
			}
			return withRegistrar(ctx, e, func(_ *sqlite.DB, rs *registrar.Service) error {
				xs, err := rs.Explain(ctx, *agency, *object, when)
				if err != nil {
					return err
				}
				if *asJSON {
					return printJSON(e.stdout, xs)
				}
				for _, x := range xs {
					verdict := "DENY"
					if x.Allow {
						verdict = "ALLOW"
					}
					fmt.Fprintf(e.stdout, "%s  %s reads %s (version %s) in %s/%s at %s\n  %s\n", verdict, x.Agency, x.Object, x.Version, x.Bloc, x.Collection, x.At, x.Reason)
				}
				return nil
			})
		},
	})
}
