package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/cli.md from the commands' help")

// helpPages are the invocations whose --help makes up docs/cli.md.
var helpPages = [][]string{
	{"init"}, {"migrate"}, {"blocs"}, {"blocs", "add"}, {"parties"}, {"parties", "add"},
	{"members"}, {"history"}, {"timeline"}, {"changes"},
	{"event"}, {"event", "add"}, {"event", "supersede"}, {"event", "retract"},
	{"import"}, {"export"},
	{"agency", "add"}, {"agency", "list"}, {"token", "create"}, {"token", "list"}, {"token", "revoke"},
	{"collection", "create"}, {"collection", "list"}, {"access", "explain"},
	{"intake"}, {"intake", "list"}, {"intake", "show"}, {"intake", "accept"}, {"intake", "reject"}, {"intake", "eval"},
	{"webhook"}, {"webhook", "add"}, {"webhook", "list"}, {"webhook", "remove"},
	{"serve"}, {"bench"}, {"bench", "registry"}, {"bench", "taxii"}, {"bench", "push"},
}

// TestCLIDocs keeps docs/cli.md equal to what the commands say about
// themselves, so the reference cannot drift from the binary.
func TestCLIDocs(t *testing.T) {
	c := newCLI(t)
	var b strings.Builder
	b.WriteString("# bloc command reference\n\nGenerated from `bloc --help` and each command's `--help` (`go test ./cmd/bloc -run CLIDocs -update` rewrites it).\n\n```\n")
	b.WriteString(c.ok("--help"))
	b.WriteString("```\n")
	covered := map[string]bool{}
	for _, args := range helpPages {
		covered[args[0]] = true
		_, out, _ := c.run("", append(args, "--help")...)
		if strings.TrimSpace(out) == "" {
			t.Errorf("bloc %s --help printed nothing", strings.Join(args, " "))
		}
		b.WriteString("\n## bloc " + strings.Join(args, " ") + "\n\n```\n" + out + "```\n")
	}
	for _, cmd := range commands() {
		if !covered[cmd.name] {
			t.Errorf("command %s is missing from helpPages (and so from docs/cli.md)", cmd.name)
		}
	}
	path := filepath.Join("..", "..", "docs", "cli.md")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./cmd/bloc -run CLIDocs -update`)", err)
	}
	if string(have) != b.String() {
		t.Errorf("docs/cli.md is out of date: run `go test ./cmd/bloc -run CLIDocs -update`")
	}
}
