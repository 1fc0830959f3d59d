package main

import (
	"context"
	"fmt"
	"time"

	"github.com/blocsec/bloc"
	"github.com/blocsec/bloc/access"
	"github.com/blocsec/bloc/push"
	"github.com/blocsec/bloc/registry"
	"github.com/blocsec/bloc/sqlite"
)

func cmdWebhook(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "add":
		return cmdWebhookAdd(ctx, e, args[1:])
	case "list":
		return cmdWebhookList(ctx, e, args[1:])
	case "remove":
		return cmdWebhookRemove(ctx, e, args[1:])
	case "-h", "--help", "help", "":
		fmt.Fprint(e.stdout, `Usage:
  bloc webhook add AGENCY COLLECTION URL [--secret S] [--max-failures N] [--json]
  bloc webhook list [--json]
  bloc webhook remove ID

A webhook POSTs every object version of a collection that the agency may read
at the moment of delivery, in order, to URL (https, or http to 127.0.0.1, ::1
or localhost), signed with
  X-Bloc-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
Failed deliveries are retried with exponential backoff; after --max-failures
consecutive failures the webhook is disabled and list shows why.
`)
		if sub == "" {
			return usageErr("webhook needs a subcommand: add, list or remove")
		}
		return errHelp
	}
	return usageErr("unknown subcommand %q of webhook (add, list, remove)", sub)
}

// webhookAdded is the documented output of `bloc webhook add --json`: the
// only time the secret is shown.
type webhookAdded struct {
	ID          string `json:"id"`
	Agency      string `json:"agency"`
	Collection  string `json:"collection"`
	URL         string `json:"url"`
	Secret      string `json:"secret"`
	MaxFailures int    `json:"max_failures"`
	Status      string `json:"status"`
}

func cmdWebhookAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "webhook add", "webhook add AGENCY COLLECTION URL [--secret S] [--max-failures N] [--json]", `Subscribe AGENCY to COLLECTION (its id, as `+"`bloc collection list`"+` prints it):
every object version the agency may read is POSTed to URL as it is stored,
starting with what the collection already holds. The agency must be able to
read the collection now. Without --secret a random one is made; the secret is
printed once, here: receivers check X-Bloc-Signature with it.`)
	secret := f.String("secret", "", "HMAC key shared with the receiver (at least 16 characters; default: a new random one)")
	maxFailures := f.Int("max-failures", push.DefaultMaxFailures, "disable the webhook after this many consecutive failed deliveries")
	asJSON := f.Bool("json", false, "print the new webhook (with its secret) as JSON")
	pos, err := f.parse(args, 3, 3)
	if err != nil {
		return err
	}
	if *maxFailures < 1 {
		return usageErr("--max-failures %d: must be at least 1", *maxFailures)
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, reg *registry.Service) error {
		a, err := db.Agency(ctx, pos[0])
		if err != nil {
			return err
		}
		c, err := db.Collection(ctx, pos[1])
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		p, err := reg.Position(ctx, c.Bloc, a.Party, now)
		if err != nil {
			return err
		}
		r := access.Reader{Agency: a, Role: bloc.RoleRead, Standing: p.Standing, Certain: p.Certain, Before: p.Before, After: p.After, Scope: p.Scope}
		if d := access.ReadCollection(r, c); !d.Allow {
			return bloc.Errorf(bloc.EFORBIDDEN, "agency %s may not read collection %s (%s): %s", a.ID, c.ID, c.Title, d.Reason)
		}
		w, err := push.NewWebhook(a.ID, c.ID, pos[2], *secret, *maxFailures, now)
		if err != nil {
			return err
		}
		if err := db.CreateWebhook(ctx, w); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, webhookAdded{ID: w.ID, Agency: w.Agency, Collection: w.Collection, URL: w.URL,
				Secret: w.Secret, MaxFailures: w.MaxFailures, Status: w.Status})
		}
		fmt.Fprintf(e.stdout, "webhook %s: %s receives collection %s (%s) at %s\n", w.ID, a.ID, c.ID, c.Title, w.URL)
		fmt.Fprintf(e.stdout, "secret: %s\n  (shown once; the receiver verifies X-Bloc-Signature with it)\n", w.Secret)
		fmt.Fprintf(e.stdout, "a running `bloc serve` starts delivering within seconds\n")
		return nil
	})
}

func cmdWebhookList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "webhook list", "webhook list [--json]", `List webhook subscriptions with their status, progress and failures.
A disabled webhook says why; remove it and add it again to restart it.`)
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args, 0, 0); err != nil {
		return err
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		ws, err := db.Webhooks(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if ws == nil {
				ws = []push.Webhook{}
			}
			return printJSON(e.stdout, ws)
		}
		tw := table(e.stdout)
		fmt.Fprintln(tw, "ID\tAGENCY\tCOLLECTION\tSTATUS\tDELIVERED\tLAST SEQ\tFAILURES\tURL")
		for _, w := range ws {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d/%d\t%s\n", w.ID, w.Agency, w.Collection, w.Status, w.Delivered, w.LastSeq, w.Failures, w.MaxFailures, w.URL)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, w := range ws {
			if w.Status == push.WebhookDisabled {
				fmt.Fprintf(e.stdout, "%s disabled at %s: %s\n", w.ID, bloc.FormatInstant(w.DisabledAt), w.DisabledReason)
			} else if w.LastError != "" {
				fmt.Fprintf(e.stdout, "%s last error: %s\n", w.ID, w.LastError)
			}
		}
		return nil
	})
}

func cmdWebhookRemove(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "webhook remove", "webhook remove ID", `Remove a webhook subscription and its delivery log. A running server stops
delivering to it within seconds.`)
	pos, err := f.parse(args, 1, 1)
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, func(db *sqlite.DB, _ *registry.Service) error {
		if err := db.DeleteWebhook(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %s removed\n", pos[0])
		return nil
	})
}
